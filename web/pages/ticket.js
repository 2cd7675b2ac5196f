// One ticket, live: its place in line and expected wait, and the counter when it
// is called. Follows the office's events and asks again after every reconnect.
import { get, follow, office as findOffice } from '../common/api.js?v=@BUILD@';
import { t, fmtTime, pick, onLang } from '../common/i18n.js?v=@BUILD@';
import { el, $, announce, start, segment } from '../common/page.js?v=@BUILD@';

const officeId = segment(1);
const number = segment(2).toUpperCase();
const FALLBACK_MS = 30000;
let view = null;
let officeInfo = null;
let timer = null;
let lastStatus = null;

start('ticket.title', () => number);

async function refresh() {
  timer = null;
  const r = await get('/v1/offices/' + encodeURIComponent(officeId) + '/tickets/' + encodeURIComponent(number));
  if (r.ok)
    view = r.data;
  else if (r.status === 404 || r.status === 400)
    view = { status: 'unknown' };
  draw();
}

function soon(ms) {
  if (timer !== null)
    clearTimeout(timer);
  timer = setTimeout(refresh, ms);
}

function draw() {
  $('number').textContent = number;
  $('office-name').textContent = officeInfo ? pick(officeInfo.names, officeInfo.name) : '';
  if (!view)
    return;
  const box = $('state');
  if (view.status === 'called') {
    box.replaceChildren(el('div', { class: 'called-now', id: 'called' },
      el('p', { class: 'big', text: t('ticket.called') }),
      el('p', { text: t('ticket.go', { counter: view.counter }) })));
  } else if (view.status === 'waiting') {
    box.replaceChildren(el('dl', { class: 'facts' },
      el('dt', { text: t('ticket.service') }), el('dd', { text: t('svc.' + view.service) }),
      el('dt', { text: t('ticket.position') }), el('dd', { id: 'position', text: view.ahead === 0 ? t('ticket.next') : t('ticket.ahead', { n: view.ahead }) }),
      el('dt', { text: t('ticket.wait') }), el('dd', { id: 'wait', text: view.estimated_wait_min === 0 ? t('wait.none') : t('wait.about', { n: view.estimated_wait_min }) })));
  } else if (view.status === 'done') {
    box.replaceChildren(el('p', { class: 'notice', text: t('ticket.done') }));
  } else {
    box.replaceChildren(el('p', { class: 'notice warn', text: t('ticket.unknown') }));
  }
  if (view.at)
    $('updated').textContent = t('updated', { time: fmtTime(view.at) });
  if (view.status !== lastStatus && lastStatus !== null && view.status === 'called')
    announce(t('ticket.called') + ' ' + t('ticket.go', { counter: view.counter }));
  lastStatus = view.status;
}

async function main() {
  $('status-link').href = '/status/' + encodeURIComponent(officeId);
  officeInfo = await findOffice(officeId);
  onLang(draw);
  await refresh();
  const onCall = (p) => {
    if (p && p.ticket === number) {
      view = { ...(view || {}), status: 'called', counter: p.counter, at: p.at || (view && view.at) };
      draw();
    }
    soon(400);
  };
  follow(officeId, {
    called: onCall, recalled: onCall,
    issued: () => soon(800), done: () => soon(400), no_show: () => soon(400), transferred: () => soon(400),
  }, {
    onState: (live) => {
      document.body.dataset.live = live ? 'yes' : 'no';
      $('conn').textContent = live ? '' : t('reconnecting');
    },
    onResync: () => soon(0),
  });
  setInterval(() => soon(0), FALLBACK_MS);
  document.body.dataset.ready = 'yes';
}

main();
