// The booking flow: service; who attends and the card facts, checked as they are
// entered; a day and a time (quieter ones first); a hold with a countdown while
// the contact form is filled; the confirmation. Every refusal shows where it applies.
import { get, post, office as findOffice, tokyoDate, apiLang } from '../common/api.js?v=@BUILD@';
import { t, fmtDate, fmtInstant, fmtTime, fmtYen, pick, onLang, lang } from '../common/i18n.js?v=@BUILD@';
import { el, $, announce, focusOn, start, segment } from '../common/page.js?v=@BUILD@';
import { picker } from '../common/slots.js?v=@BUILD@';
import { syncClock, serverNow, documentsList, problemText, markField, downloadIcs, manageLink, bookingFacts } from '../common/booking.js?v=@BUILD@';

const officeId = segment(1);
const state = { office: null, service: null, today: null, verdict: null, slot: null, hold: null, timer: null, picker: null, busy: false, booked: null };
const FIELD_INPUTS = {
  'applicant.birth_date': 'birth_date', 'applicant.card.issued_on': 'card_issued_on',
  'applicant.certificates.issued_on': 'cert_issued_on', 'applicant.foreign_resident.stay_expires_on': 'stay_expires_on',
  'contact.name': 'name', 'contact.email': 'email', 'contact.phone': 'phone', contact: 'email',
};

start('book.title', () => (state.office ? pick(state.office.names, state.office.name) : ''));

function show(id) {
  $(id).hidden = false;
}

// ---- service ----

function drawServices() {
  const box = $('services');
  box.replaceChildren(...state.office.services.map((s) => el('label', { class: 'choice' },
    el('input', { type: 'radio', name: 'service', value: s, checked: state.service === s, onchange: () => chooseService(s) }),
    el('span', { text: t('svc.' + s) }))));
}

function chooseService(s) {
  state.service = s;
  state.verdict = null;
  show('step-facts');
  $('step-day').hidden = true;
  $('step-contact').hidden = true;
  $('cert-facts').hidden = s !== 'ecert_renewal';
  checkSoon();
}

// ---- facts and the eligibility check ----

function dateValue(id) {
  const v = $(id).value;
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
}

// The applicant facts as the API takes them.
function applicant() {
  const a = {
    birth_date: dateValue('birth_date'),
    attendee: $('attendee').value,
    holder_attends: $('attendee').value === 'self' ? true : $('holder_attends').checked,
    has_inquiry_form: $('has_inquiry_form').checked,
    attendee_has_photo_id: $('photo_id').checked,
    pins_known: { user: $('pin_user').checked, signature: $('pin_signature').checked },
    card_lost: $('card_lost').checked,
  };
  if (dateValue('card_issued_on'))
    a.card = { issued_on: dateValue('card_issued_on') };
  if (state.service === 'ecert_renewal' && dateValue('cert_issued_on'))
    a.certificates = { issued_on: dateValue('cert_issued_on') };
  if ($('foreign').checked && dateValue('stay_expires_on'))
    a.foreign_resident = { stay_expires_on: dateValue('stay_expires_on'), permanent: false };
  return a;
}

let checkTimer = null;
function checkSoon() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 350);
}

function clearFieldErrors(prefix) {
  for (const [f, id] of Object.entries(FIELD_INPUTS))
    if (f.startsWith(prefix))
      markField(id, null);
}

// Runs the eligibility check for the chosen day (today until one is chosen).
async function check() {
  const a = applicant();
  $('holder-wrap').hidden = $('attendee').value === 'self';
  $('foreign-facts').hidden = !$('foreign').checked;
  clearFieldErrors('applicant');
  if (!state.service || !a.birth_date) {
    $('verdict').replaceChildren(el('p', { class: 'muted', text: t('verdict.need_birth') }));
    $('to-days').disabled = true;
    return;
  }
  const visit = state.slot ? tokyoDate(state.slot.start) : state.today;
  const r = await post('/v1/eligibility', { office: officeId, service: state.service, visit_date: visit, applicant: a, language: apiLang() });
  if (!r.ok) {
    state.verdict = null;
    const p = r.problem || {};
    if (p.field && FIELD_INPUTS[p.field])
      markField(FIELD_INPUTS[p.field], problemText(p));
    $('verdict').replaceChildren(el('p', { class: 'notice bad', text: problemText(p) }));
    $('to-days').disabled = true;
    return;
  }
  state.verdict = r.data;
  drawVerdict(r.data, visit);
  $('to-days').disabled = !(r.data.allowed || r.data.code === 'before_renewal_window');
}

function drawVerdict(v, visit) {
  const box = $('verdict');
  const rows = [];
  if (v.kind)
    rows.push(['verdict.kind', t('kind.' + v.kind)]);
  if (v.window && v.window.opens_on)
    rows.push(['verdict.window', t('verdict.window.range', { from: fmtDate(v.window.opens_on), to: v.window.closes_on ? fmtDate(v.window.closes_on) : '—' })]);
  rows.push(['verdict.visits', t('verdict.visits.' + v.visits)]);
  rows.push(['verdict.fee', v.fee_yen === 0 ? t('fee.free') : fmtYen(v.fee_yen)]);
  const head = v.allowed
    ? el('p', { class: 'notice ok', text: t('verdict.allowed', { date: fmtDate(visit) }) })
    : el('p', { class: 'notice ' + (v.code === 'before_renewal_window' ? 'warn' : 'bad'), text: t('problem.' + v.code, { window_opens: v.window && v.window.opens_on ? fmtDate(v.window.opens_on) : '' }) });
  box.replaceChildren(el('h3', { text: t('verdict.title') }), head,
    el('dl', { class: 'facts' }, rows.flatMap(([k, val]) => [el('dt', { text: t(k) }), el('dd', { text: val })])));
  if (v.documents.length)
    box.append(el('h3', { text: t('verdict.documents') }), documentsList(v.documents));
  if (v.notices.length)
    box.append(el('ul', {}, v.notices.map((n) => el('li', { text: n.message }))));
}

// ---- day and time ----

async function toDays() {
  show('step-day');
  $('day-refusal').replaceChildren();
  state.picker = picker($('picker'), { office: officeId, service: state.service, today: state.today, onSlot: chooseSlot });
  await state.picker.show();
  focusOn($('h-day'));
}

// Holds slot and moves on to the contact form.
async function chooseSlot(slot) {
  $('day-refusal').replaceChildren();
  const r = await post('/v1/holds', { office: officeId, service: state.service, start: slot.start });
  if (!r.ok) {
    showSlotProblem(r.problem);
    return false;
  }
  releaseTimer();
  state.slot = slot;
  state.hold = r.data;
  show('step-contact');
  drawHold();
  state.timer = setInterval(drawHold, 1000);
  announce(t('hold.held', { when: fmtInstant(slot.start) }));
  focusOn($('h-contact'));
  checkSoon();
  return true;
}

function releaseTimer() {
  if (state.timer)
    clearInterval(state.timer);
  state.timer = null;
}

function drawHold() {
  const left = Math.max(0, Math.round((Date.parse(state.hold.expires_at) - serverNow()) / 1000));
  const mm = Math.floor(left / 60), ss = String(left % 60).padStart(2, '0');
  const box = $('hold');
  box.replaceChildren(el('p', { text: t('hold.slot', { when: fmtInstant(state.slot.start) }) }),
    el('p', {}, t('hold.left') + ' ', el('span', { class: 'countdown', id: 'countdown', text: mm + ':' + ss })));
  if (left === 0) {
    releaseTimer();
    box.append(el('p', { class: 'error', text: t('hold.expired') }));
  }
}

// A refusal about the slot, shown at the day step: alternatives, or the earliest slot.
function showSlotProblem(p, contact) {
  const box = $('day-refusal');
  const items = [el('p', { class: 'notice bad', text: problemText(p) })];
  if (p && (p.code === 'slot_full' || p.code === 'day_capped') && Array.isArray(p.alternatives) && p.alternatives.length) {
    items.push(el('p', { text: t('alternatives') }), el('ul', { class: 'slots alternatives' }, p.alternatives.map((a) => el('li', {},
      el('button', { type: 'button', class: 'crowd-' + a.crowding, dataset: { start: a.start }, onclick: () => chooseSlot({ start: a.start, crowding: a.crowding }) },
        fmtInstant(a.start), el('small', { text: t('crowd.' + a.crowding) }))))));
  }
  if (p && p.code === 'before_renewal_window') {
    if (p.earliest_slot)
      items.push(el('button', { type: 'button', id: 'earliest', dataset: { start: p.earliest_slot }, onclick: () => bookEarliest(p.earliest_slot, contact) },
        t('earliest.book', { when: fmtInstant(p.earliest_slot) })));
    else
      items.push(el('p', { text: t('earliest.none') }));
  }
  box.replaceChildren(...items);
  show('step-day');
  focusOn(box.querySelector('.notice'));
}

// One tap: hold the earliest slot in the window and book it with the same contact.
async function bookEarliest(startAt, contact) {
  if (await chooseSlot({ start: startAt, crowding: 'low' }) && contact)
    await submit();
}

// ---- contact and the booking ----

function contactBody() {
  const c = { name: $('name').value.trim() };
  if ($('email').value.trim())
    c.email = $('email').value.trim();
  if ($('phone').value.trim())
    c.phone = $('phone').value.trim();
  return c;
}

async function submit(ev) {
  if (ev)
    ev.preventDefault();
  if (state.busy || !state.slot)
    return;
  state.busy = true;
  $('submit').disabled = true;
  for (const id of ['name', 'email', 'phone'])
    markField(id, null);
  $('contact-error').replaceChildren();
  const contact = contactBody();
  const key = crypto.getRandomValues(new Uint32Array(4)).join('-');
  const r = await post('/v1/bookings', {
    office: officeId, service: state.service, start: state.slot.start, applicant: applicant(),
    contact, language: lang, hold: state.hold ? state.hold.hold : undefined,
  }, { headers: { 'Idempotency-Key': key } });
  state.busy = false;
  $('submit').disabled = false;
  if (r.ok) {
    confirmBooking(r.data);
    return;
  }
  const p = r.problem || {};
  if (p.field && p.field.startsWith('contact')) {
    markField(FIELD_INPUTS[p.field] || 'email', problemText(p));
    focusOn($(FIELD_INPUTS[p.field] || 'email'));
    return;
  }
  if (p.field && p.field.startsWith('applicant')) {
    if (FIELD_INPUTS[p.field])
      markField(FIELD_INPUTS[p.field], problemText(p));
    $('verdict').replaceChildren(el('p', { class: 'notice bad', text: problemText(p) }));
    focusOn($('h-facts'));
    return;
  }
  if (['slot_full', 'day_capped', 'before_renewal_window', 'visit_in_past', 'date_out_of_range'].includes(p.code)) {
    releaseTimer();
    showSlotProblem(p, contact);
    return;
  }
  if (p.code === 'hold_expired') {
    releaseTimer();
    state.hold = null;
    $('contact-error').replaceChildren(el('p', { class: 'notice bad', text: problemText(p) }));
    return;
  }
  if (r.status === 422) {
    $('verdict').replaceChildren(el('p', { class: 'notice bad', text: problemText(p) }));
    focusOn($('h-facts'));
    return;
  }
  $('contact-error').replaceChildren(el('p', { class: 'notice bad', text: problemText(p) }));
  focusOn($('contact-error').firstChild);
}

function confirmBooking(b) {
  releaseTimer();
  for (const id of ['step-service', 'step-facts', 'step-day', 'step-contact'])
    $(id).hidden = true;
  state.booked = { booking: b, applicant: applicant(), lists: { [b.language || lang]: { documents: b.documents, notices: b.notices } } };
  drawConfirmation();
  show('step-done');
  announce(t('done.booked') + ' ' + b.reference);
  focusOn($('h-done'));
}

// The confirmation in the current language: the page's words from the message
// tables, the documents and notices as the rules word them in that language.
function drawConfirmation() {
  const b = state.booked.booking;
  const lists = state.booked.lists[lang] || state.booked.lists[b.language || 'ja'];
  const link = manageLink(b.reference, b.token);
  $('confirmation').replaceChildren(
    el('p', { class: 'notice ok', text: t('done.booked') }),
    el('p', {}, t('done.reference') + ' ', el('strong', { id: 'reference', class: 'big', text: b.reference })),
    bookingFacts(b, pick(state.office.names, state.office.name)),
    el('h3', { text: t('verdict.documents') }), documentsList(lists.documents),
    lists.notices && lists.notices.length ? el('ul', {}, lists.notices.map((n) => el('li', { text: n.message }))) : null,
    el('h3', { text: t('done.manage') }),
    el('p', { text: t('done.manage.hint') }),
    el('p', {}, el('a', { id: 'manage-link', href: link, text: t('done.manage.link') })),
    el('p', {}, el('button', { type: 'button', class: 'secondary', id: 'ics', onclick: () => downloadIcs(b.reference, b.token) }, t('done.ics'))));
}

// After a language switch: asks the rules for the booking's documents and notices
// in the new language (once per language), then redraws the confirmation.
async function relistConfirmation() {
  const booked = state.booked, want = lang;
  if (!booked.lists[want]) {
    const r = await post('/v1/eligibility', { office: officeId, service: booked.booking.service,
      visit_date: tokyoDate(booked.booking.start), applicant: booked.applicant, language: want });
    if (r.ok)
      booked.lists[want] = { documents: r.data.documents, notices: r.data.notices };
  }
  if (lang === want)
    drawConfirmation();
}

// ---- start ----

async function main() {
  state.office = await findOffice(officeId);
  if (!state.office) {
    $('office-name').textContent = t('office.unknown');
    return;
  }
  const at = await syncClock(officeId);
  state.today = at ? tokyoDate(at) : tokyoDate(new Date().toISOString());
  onLang(() => {
    $('office-name').textContent = pick(state.office.names, state.office.name);
    drawServices();
    if (state.verdict)
      check();
    if (state.hold && state.timer)
      drawHold();
    if (state.booked)
      relistConfirmation();
  });
  $('facts').addEventListener('input', checkSoon);
  $('facts').addEventListener('change', checkSoon);
  $('facts').addEventListener('submit', (e) => e.preventDefault());
  $('to-days').addEventListener('click', toDays);
  $('contact').addEventListener('submit', submit);
  $('change-slot').addEventListener('click', () => { releaseTimer(); $('step-contact').hidden = true; focusOn($('h-day')); });
  const pre = new URLSearchParams(location.search).get('service');
  if (pre && state.office.services.includes(pre))
    chooseService(pre);
  document.body.dataset.ready = 'yes';
}

main();
