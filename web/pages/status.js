// An office's status: live waits per service (the queue view, kept current by
// the event stream) and the congestion calendar from the forecast: levels by day
// and hour for the next four weeks, and the best times to come.
import { get, follow, absent, office as findOffice, tokyoDate } from '../common/api.js?v=@BUILD@';
import { t, fmtTime, fmtDate, pick, onLang } from '../common/i18n.js?v=@BUILD@';
import { el, $, start, segment } from '../common/page.js?v=@BUILD@';
import { addDays } from '../common/slots.js?v=@BUILD@';

const officeId = segment(1);
const FALLBACK_MS = 30000;
let queue = null;
let forecast = null;       // the answer, or 'absent' when this daemon has no forecasts
let officeInfo = null;
let timer = null;

start('status.title', () => (officeInfo ? pick(officeInfo.names, officeInfo.name) : ''));

async function refresh() {
  timer = null;
  const r = await get('/v1/offices/' + encodeURIComponent(officeId) + '/queue');
  if (r.ok)
    queue = r.data;
  drawNow();
}

function soon(ms) {
  if (timer !== null)
    clearTimeout(timer);
  timer = setTimeout(refresh, ms);
}

// The wait in words: "no wait" only when the estimate is 0; reservation-only services say so.
export function waitText(s) {
  if (s.reservation_only)
    return t('wait.reservation_only');
  if (!Number.isFinite(s.estimated_wait_min))
    return '—';
  return s.estimated_wait_min === 0 ? t('wait.none') : t('wait.about', { n: s.estimated_wait_min });
}

function drawNow() {
  if (!queue)
    return;
  $('waits-body').replaceChildren(...queue.services.map((s) => el('tr', { dataset: { service: s.service } },
    el('th', { scope: 'row', text: t('svc.' + s.service) }),
    el('td', { class: 'num', text: t('people', { n: s.waiting }) }),
    el('td', { class: 'wait' }, waitText(s), s.flag !== 'normal' ? el('span', { class: 'muted', text: ' (' + t('flag.' + s.flag) + ')' }) : ''))));
  const calls = (queue.called || []).slice(0, 6);
  $('calling').replaceChildren(el('h3', { text: t('status.calling') }),
    calls.length ? el('ul', { id: 'calls' }, calls.map((c) => el('li', { dataset: { ticket: c.ticket } }, el('strong', { text: c.ticket }), ' → ' + t('counter', { n: c.counter }))))
      : el('p', { text: t('status.no_calls') }));
  $('updated').textContent = t('updated', { time: fmtTime(queue.at) });
}

async function loadForecast(today) {
  const to = addDays(today, 27);
  const r = await get(`/v1/offices/${encodeURIComponent(officeId)}/forecast?from=${today}&to=${to}`);
  // No forecast route, or no forecast yet (too little history): said the same way.
  forecast = r.ok ? r.data : absent(r) || (r.problem && r.problem.code === 'forecast_not_ready') ? 'absent' : null;
  drawForecast();
}

function drawForecast() {
  const box = $('forecast');
  if (forecast === 'absent' || forecast === null) {
    box.replaceChildren(el('p', { class: 'notice', text: t(forecast === 'absent' ? 'status.forecast.absent' : 'status.forecast.failed') }));
    $('best').replaceChildren();
    return;
  }
  const open = forecast.days.filter((d) => d.open);
  const hours = [...new Set(open.flatMap((d) => d.hours.map((h) => h.hour)))].sort((a, b) => a - b);
  // Best times: the quietest open hours of the coming days.
  const slots = open.flatMap((d) => d.hours.map((h) => ({ date: d.date, hour: h.hour, level: h.level, n: h.expected_arrivals })))
    .sort((a, b) => a.level - b.level || a.n - b.n || (a.date < b.date ? -1 : 1)).slice(0, 5);
  $('best').replaceChildren(el('h3', { text: t('status.best') }), el('ul', { id: 'best-times' },
    slots.map((s) => el('li', { text: t('status.best.item', { date: fmtDate(s.date), hour: s.hour, level: t('level.' + s.level) }) }))));
  const head = el('tr', {}, el('th', { scope: 'col', text: t('status.day') }), el('th', { scope: 'col', text: t('status.level') }),
    hours.map((h) => el('th', { scope: 'col', text: t('hour', { h }) })));
  const rows = forecast.days.map((d) => {
    const byHour = new Map((d.hours || []).map((h) => [h.hour, h]));
    return el('tr', {}, el('th', { scope: 'row', text: fmtDate(d.date, { month: 'numeric', day: 'numeric', weekday: 'short' }) }),
      d.open ? el('td', { class: 'lvl-' + d.level, title: t('level.' + d.level), text: d.level }) : el('td', { text: t('closed') }),
      hours.map((h) => {
        const c = byHour.get(h);
        return c ? el('td', { class: 'lvl-' + c.level, title: t('level.' + c.level), text: c.level }) : el('td', { text: '' });
      }));
  });
  box.replaceChildren(el('ul', { class: 'legend' }, [1, 2, 3, 4, 5].map((n) => el('li', {}, el('span', { class: 'sw lvl-' + n, 'aria-hidden': 'true' }), n + ': ' + t('level.' + n)))),
    el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('status.forecast') },
      el('table', { class: 'grid', id: 'calendar' }, el('caption', { class: 'sr-only', text: t('status.forecast.caption') }), el('thead', {}, head), el('tbody', {}, rows))));
}

async function main() {
  $('book-link').href = '/book/' + encodeURIComponent(officeId);
  officeInfo = await findOffice(officeId);
  onLang(() => {
    $('office-name').textContent = officeInfo ? pick(officeInfo.names, officeInfo.name) : '';
    drawNow();
    if (forecast)
      drawForecast();
  });
  await refresh();
  follow(officeId, {
    called: () => soon(200), recalled: () => soon(200), issued: () => soon(500),
    done: () => soon(300), no_show: () => soon(300), transferred: () => soon(300),
  }, {
    onState: (live) => {
      document.body.dataset.live = live ? 'yes' : 'no';
      $('conn').textContent = live ? '' : t('reconnecting');
    },
    onResync: () => soon(0),
  });
  setInterval(() => soon(0), FALLBACK_MS);
  await loadForecast(queue ? tokyoDate(queue.at) : tokyoDate(new Date().toISOString()));
  document.body.dataset.ready = 'yes';
}

main();
