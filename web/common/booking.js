// What booking and managing share: a booking's facts, the documents to bring,
// the calendar file, problems shown on the field they concern, and the clock.
import { get, call } from './api.js?v=@BUILD@';
import { t, has, fmtInstant, fmtYen } from './i18n.js?v=@BUILD@';
import { el, $ } from './page.js?v=@BUILD@';

// The daemon's clock: milliseconds to add to Date.now() (from the queue view's "at").
let offset = 0;
export async function syncClock(office) {
  const r = await get('/v1/offices/' + encodeURIComponent(office) + '/queue');
  if (r.ok && r.data.at)
    offset = Date.parse(r.data.at) - Date.now();
  return r.ok ? r.data.at : null;
}
export const serverNow = () => Date.now() + offset;

// The documents to bring, required ones first.
export function documentsList(docs) {
  const sorted = (docs || []).slice().sort((a, b) => Number(b.required) - Number(a.required));
  return el('ul', { class: 'docs' }, sorted.map((d) => el('li', {}, d.label, d.required ? '' : ' ' + t('doc.optional'))));
}

// A sentence for a problem, from its code when the table knows it.
export function problemText(p) {
  if (!p)
    return t('problem.unknown');
  if (p.code && p.field && has('problem.' + p.code + '.' + p.field))
    return t('problem.' + p.code + '.' + p.field, p);
  if (p.code && has('problem.' + p.code))
    return t('problem.' + p.code, p);
  return p.detail || t('problem.unknown');
}

// Marks input id as wrong with message (linked by aria-describedby), or clears it.
export function markField(id, message) {
  const input = $(id);
  if (!input)
    return;
  const errId = id + '-error';
  let err = $(errId);
  if (!message) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
    if (err)
      err.remove();
    return;
  }
  if (!err) {
    err = el('p', { id: errId, class: 'error' });
    input.insertAdjacentElement('afterend', err);
  }
  err.textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', errId);
}

// Fetches the booking's calendar file with its token and offers it as a download.
export async function downloadIcs(reference, token) {
  const res = await fetch('/v1/bookings/' + encodeURIComponent(reference) + '/calendar.ics', {
    headers: { Authorization: 'Bearer ' + token }, cache: 'no-store',
  });
  if (!res.ok)
    return false;
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: 'madoguchi-' + reference + '.ics', hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
  return true;
}

// The link to manage a booking: the token rides in the fragment, which browsers never send.
export function manageLink(reference, token) {
  return location.origin + '/manage#ref=' + encodeURIComponent(reference) + '&token=' + encodeURIComponent(token);
}

// A booking's facts as a definition list.
export function bookingFacts(b, officeName) {
  const rows = [
    ['booking.reference', b.reference],
    ['booking.office', officeName || b.office],
    ['booking.service', t('svc.' + b.service)],
    ['booking.when', fmtInstant(b.start)],
    ['booking.status', t('status.' + b.status)],
  ];
  if (b.visits === 2)
    rows.push(['booking.visits', t('verdict.visits.2')]);
  if (typeof b.fee_yen === 'number')
    rows.push(['booking.fee', b.fee_yen === 0 ? t('fee.free') : fmtYen(b.fee_yen)]);
  return el('dl', { class: 'facts' }, rows.flatMap(([k, v]) => [el('dt', { text: t(k) }), el('dd', { text: v })]));
}

// Cancels a booking; the answer as api.call gives it.
export function cancelBooking(reference, token) {
  return call('DELETE', '/v1/bookings/' + encodeURIComponent(reference), { token });
}
