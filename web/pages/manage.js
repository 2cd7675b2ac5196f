// Managing a booking: found by reference and token (or the confirmation's link,
// whose fragment carries them); view, reschedule with the booking's day picker,
// cancel, and the calendar file.
import { get, call, post, tokyoDate, office as findOffice } from '../common/api.js?v=@BUILD@';
import { t, fmtInstant, pick, onLang } from '../common/i18n.js?v=@BUILD@';
import { el, $, announce, focusOn, start } from '../common/page.js?v=@BUILD@';
import { picker } from '../common/slots.js?v=@BUILD@';
import { syncClock, problemText, markField, downloadIcs, bookingFacts, cancelBooking, documentsList } from '../common/booking.js?v=@BUILD@';

const state = { ref: '', token: '', booking: null, office: null, today: null };
start('manage.title');

async function load() {
  const r = await get('/v1/bookings/' + encodeURIComponent(state.ref), { token: state.token });
  if (!r.ok) {
    $('booking').hidden = true;
    $('find-error').replaceChildren(el('p', { class: 'notice bad', text: problemText(r.problem) }));
    focusOn($('find-error').firstChild);
    return;
  }
  state.booking = r.data;
  state.office = await findOffice(r.data.office);
  const at = await syncClock(r.data.office);
  state.today = at ? tokyoDate(at) : tokyoDate(new Date().toISOString());
  $('find-error').replaceChildren();
  draw();
  $('find').hidden = true;
  $('booking').hidden = false;
  focusOn($('h-booking'));
}

function draw() {
  const b = state.booking;
  if (!b)
    return;
  $('facts').replaceChildren(bookingFacts(b, state.office ? pick(state.office.names, state.office.name) : b.office),
    b.documents && b.documents.length ? el('div', {}, el('h3', { text: t('verdict.documents') }), documentsList(b.documents)) : '');
  const open = b.status === 'booked';
  for (const id of ['reschedule', 'cancel', 'ics'])
    $(id).hidden = !open;
}

function find(ev) {
  ev.preventDefault();
  state.ref = $('reference').value.trim().toUpperCase();
  state.token = $('token').value.trim();
  markField('reference', state.ref ? null : t('manage.reference.missing'));
  markField('token', state.token ? null : t('manage.token.missing'));
  if (state.ref && state.token)
    load();
}

function reschedule() {
  $('step-day').hidden = false;
  $('day-refusal').replaceChildren();
  const p = picker($('picker'), { office: state.booking.office, service: state.booking.service, today: state.today, onSlot: moveTo });
  p.show().then(() => focusOn($('h-day')));
}

async function moveTo(slot) {
  const r = await post('/v1/bookings/' + encodeURIComponent(state.ref) + '/reschedule', { start: slot.start }, { token: state.token });
  if (!r.ok) {
    const p = r.problem || {};
    const items = [el('p', { class: 'notice bad', text: problemText(p) })];
    if ((p.code === 'slot_full' || p.code === 'day_capped') && Array.isArray(p.alternatives))
      items.push(el('ul', { class: 'slots alternatives' }, p.alternatives.map((a) => el('li', {}, el('button', {
        type: 'button', dataset: { start: a.start }, onclick: () => moveTo({ start: a.start }),
      }, fmtInstant(a.start))))));
    if (p.code === 'before_renewal_window' && p.earliest_slot)
      items.push(el('button', { type: 'button', id: 'earliest', onclick: () => moveTo({ start: p.earliest_slot }) }, t('earliest.move', { when: fmtInstant(p.earliest_slot) })));
    $('day-refusal').replaceChildren(...items);
    focusOn($('day-refusal').firstChild);
    return;
  }
  state.booking = { ...state.booking, ...r.data };
  $('step-day').hidden = true;
  draw();
  $('result').replaceChildren(el('p', { class: 'notice ok', id: 'moved', text: t('manage.moved', { when: fmtInstant(state.booking.start) }) }));
  announce(t('manage.moved', { when: fmtInstant(state.booking.start) }));
  focusOn($('result').firstChild);
}

async function cancel() {
  $('confirm-cancel').hidden = true;
  const r = await cancelBooking(state.ref, state.token);
  if (!r.ok) {
    $('result').replaceChildren(el('p', { class: 'notice bad', text: problemText(r.problem) }));
    return;
  }
  state.booking = { ...state.booking, status: 'cancelled' };
  $('step-day').hidden = true;
  draw();
  $('result').replaceChildren(el('p', { class: 'notice ok', id: 'cancelled', text: t('manage.cancelled') }));
  announce(t('manage.cancelled'));
  focusOn($('result').firstChild);
}

function main() {
  const h = new URLSearchParams(location.hash.slice(1));
  $('find').addEventListener('submit', find);
  $('reschedule').addEventListener('click', reschedule);
  $('ics').addEventListener('click', () => downloadIcs(state.ref, state.token));
  $('cancel').addEventListener('click', () => { $('confirm-cancel').hidden = false; focusOn($('confirm-cancel')); });
  $('cancel-no').addEventListener('click', () => { $('confirm-cancel').hidden = true; focusOn($('cancel')); });
  $('cancel-yes').addEventListener('click', cancel);
  onLang(draw);
  if (h.get('ref') && h.get('token')) {
    state.ref = h.get('ref');
    state.token = h.get('token');
    $('reference').value = state.ref;
    $('token').value = state.token;
    load();
  }
  document.body.dataset.ready = 'yes';
}

main();
