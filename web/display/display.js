// Lobby display: the queue of one office, live. Everything from the network goes
// into the page through textContent, never as markup.
'use strict';
(function () {
  const office = decodeURIComponent(location.pathname.split('/')[2] || '');
  const api = '/v1/offices/' + encodeURIComponent(office);
  const MAX_CALLS = 6;          // rows under the latest call
  const KEEP_LIVE_MS = 15000;   // a call heard live outlives a queue answer that lacks it
  const FALLBACK_MS = 30000;    // the queue is fetched this often even without events
  const TZ = 'Asia/Tokyo';

  const state = { services: [], called: [], latest: null };
  let clockOffset = 0;          // the server's clock minus this screen's, from the queue's "at"
  let refreshTimer = null;

  const $ = (id) => document.getElementById(id);

  // An element with a class and text.
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // A "日本語 / English" pair as two spans.
  function pair(ja, en) {
    const f = document.createDocumentFragment();
    f.append(el('span', 'ja', ja), ' ', el('span', 'en', en));
    return f;
  }

  function serviceNames(id) {
    const s = state.services.find((x) => x.service === id);
    return s && s.names ? s.names : null;
  }

  function timeOf(c) {
    const t = Date.parse(c.at || '');
    return Number.isNaN(t) ? c.seen || 0 : t;
  }

  // The calls, newest first.
  function sortedCalls() {
    return state.called.slice().sort((a, b) => timeOf(b) - timeOf(a));
  }

  function counterText(n) {
    return Number.isInteger(n) ? String(n) : '—';
  }

  function renderLatest(flash) {
    const calls = sortedCalls();
    let latest = calls.find((c) => c.ticket === state.latest) || calls[0] || null;
    $('latest').hidden = latest === null;
    $('calling-idle').hidden = latest !== null;
    if (latest === null)
      return null;
    $('latest-ticket').textContent = latest.ticket;
    $('latest-counter').textContent = counterText(latest.counter);
    $('latest-counter-en').textContent = counterText(latest.counter);
    const names = serviceNames(latest.service);
    const svc = $('latest-service');
    svc.textContent = '';
    if (names)
      svc.append(pair(names.ja, names.en));
    if (flash) {
      const box = $('latest');
      box.classList.remove('flash');
      void box.offsetWidth;     // restarts the animation
      box.classList.add('flash');
    }
    return latest;
  }

  function renderCalls(flash) {
    const latest = renderLatest(flash);
    const body = $('calls-body');
    const rest = sortedCalls().filter((c) => c !== latest).slice(0, MAX_CALLS);
    body.textContent = '';
    for (const c of rest) {
      const tr = el('tr');
      tr.append(el('td', 'ticket', c.ticket), el('td', 'counter', counterText(c.counter)));
      body.append(tr);
    }
    $('calls').hidden = rest.length === 0;
  }

  // The estimated wait: Japanese on the first line (with the flag), English below.
  // "No wait" only when the estimate is 0; a service taken by reservation only says so.
  function waitCell(s, flag) {
    const m = s.estimated_wait_min;
    let ja = '—', en = '';
    if (s.reservation_only === true) {
      ja = '予約制';
      en = 'reservations only';
    } else if (m === 0) {
      ja = '待ちなし';
      en = 'no wait';
    } else if (Number.isFinite(m)) {
      ja = '約' + m + '分';
      en = 'about ' + m + ' min';
    }
    const td = el('td', s.reservation_only === true ? 'est reserved' : 'est');
    td.append(el('span', 'ja', ja));
    if (flag === 'busy')
      td.append(flagBadge(flag, '混雑', 'Busy'));
    else if (flag === 'very_busy')
      td.append(flagBadge(flag, '大変混雑', 'Very busy'));
    td.append(el('span', 'en', en));
    return td;
  }

  function renderServices() {
    const body = $('services-body');
    let veryBusy = false;
    body.textContent = '';
    for (const s of state.services) {
      const flag = s.flag === 'busy' || s.flag === 'very_busy' ? s.flag : 'normal';
      const tr = el('tr', flag);
      const names = s.names || { ja: s.service, en: '' };
      const svc = el('td', 'svc');
      svc.append(el('span', 'ja', names.ja), el('span', 'en', names.en));
      const cnt = el('td', 'cnt', s.reservation_only === true ? '—' : Number.isFinite(s.waiting) ? s.waiting : '—');
      if (s.reservation_only !== true)
        cnt.append(el('small', null, ' 人 / waiting'));
      const est = waitCell(s, flag);
      veryBusy = veryBusy || flag === 'very_busy';
      tr.append(svc, cnt, est);
      body.append(tr);
    }
    $('very-busy').hidden = !veryBusy;
  }

  function flagBadge(flag, ja, en) {
    return el('span', 'flag ' + flag, ja + ' / ' + en);
  }

  function setOffice(names) {
    if (!names)
      return;
    $('office-ja').textContent = names.ja || office;
    $('office-en').textContent = names.en || '';
    document.title = (names.ja || office) + ' / ' + (names.en || '');
  }

  // Takes a queue answer as the truth, keeping calls heard live that it does not know yet.
  function applyQueue(q) {
    const now = Date.now();
    const at = Date.parse(q.at || '');
    if (!Number.isNaN(at)) {
      clockOffset = at - now;
      tick();
    }
    const fromServer = Array.isArray(q.called) ? q.called.filter((c) => c && typeof c.ticket === 'string')
      .map((c) => ({ ticket: c.ticket, counter: c.counter, service: c.service, at: c.called_at })) : [];
    const live = state.called.filter((c) => c.seen && now - c.seen < KEEP_LIVE_MS &&
      !fromServer.some((x) => x.ticket === c.ticket));
    state.called = fromServer.concat(live);
    if (Array.isArray(q.services))
      state.services = q.services.filter((s) => s && typeof s.service === 'string');
    setOffice(q.names);
    renderCalls(false);
    renderServices();
  }

  // Fetches JSON; a refusal carries the server's Retry-After (seconds) as e.retryAfter.
  async function getJSON(path) {
    const res = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!res.ok) {
      const e = new Error(path + ': ' + res.status);
      const secs = parseInt(res.headers.get('Retry-After') || '', 10);
      if (Number.isFinite(secs) && secs > 0)
        e.retryAfter = Math.min(secs, 300);
      throw e;
    }
    return res.json();
  }

  async function refresh() {
    refreshTimer = null;
    try {
      applyQueue(await getJSON(api + '/queue'));
    } catch (e) {
      // Quietly: the screen keeps what it shows. When the server said when to come
      // back (429, 503), ask again then; otherwise the next event or the fallback
      // timer tries again.
      if (e.retryAfter && refreshTimer === null)
        scheduleRefresh(e.retryAfter * 1000);
    }
  }

  function scheduleRefresh(ms) {
    if (refreshTimer !== null)
      clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, ms);
  }

  // The office's names from the office list, for when the queue is not answering.
  async function loadOffice() {
    try {
      const list = await getJSON('/v1/offices');
      const o = (list.offices || []).find((x) => x.id === office);
      if (o && $('office-ja').textContent.trim() === '')
        setOffice(o.names);
    } catch (e) {
      // The queue answer names the office too.
    }
  }

  function onCall(p) {
    if (!p || typeof p.ticket !== 'string')
      return;
    state.called = state.called.filter((c) => c.ticket !== p.ticket);
    state.called.push({ ticket: p.ticket, counter: p.counter, service: p.service,
      at: p.at, seen: Date.now() });
    state.latest = p.ticket;
    renderCalls(true);
    scheduleRefresh(500);
  }

  function onGone(p) {
    if (p && typeof p.ticket === 'string') {
      state.called = state.called.filter((c) => c.ticket !== p.ticket);
      renderCalls(false);
    }
    scheduleRefresh(500);
  }

  function parse(e) {
    try {
      return JSON.parse(e.data);
    } catch (err) {
      return null;
    }
  }

  function connect() {
    const es = new EventSource(api + '/events');
    let opened = false;
    es.addEventListener('open', () => {
      $('status').hidden = true;
      document.body.dataset.live = 'yes';       // for tests and curious technicians
      if (opened)
        scheduleRefresh(0);     // events may have been missed while away
      opened = true;
    });
    es.addEventListener('error', () => {
      $('status').hidden = false;
      document.body.dataset.live = 'no';
      if (es.readyState === EventSource.CLOSED) {
        setTimeout(connect, 5000);      // the browser gave up; start again
      }
    });
    es.addEventListener('called', (e) => onCall(parse(e)));
    es.addEventListener('recalled', (e) => onCall(parse(e)));
    for (const t of ['done', 'no_show', 'transferred'])
      es.addEventListener(t, (e) => onGone(parse(e)));
    es.addEventListener('issued', () => scheduleRefresh(300));
    es.addEventListener('resync', () => scheduleRefresh(0));
  }

  const timeFmt = new Intl.DateTimeFormat('ja-JP', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false });
  const dateJa = new Intl.DateTimeFormat('ja-JP', { timeZone: TZ, month: 'long', day: 'numeric', weekday: 'short' });
  const dateEn = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, weekday: 'short', day: 'numeric', month: 'short' });

  // The server's time, not this screen's: kiosks' clocks drift and are set wrongly.
  function tick() {
    const now = new Date(Date.now() + clockOffset);
    $('clock-time').textContent = timeFmt.format(now);
    $('clock-date').textContent = dateJa.format(now) + ' / ' + dateEn.format(now);
  }

  function start() {
    tick();
    setInterval(tick, 1000);
    $('office-ja').textContent = '';
    connect();
    refresh().then(loadOffice);
    setInterval(() => scheduleRefresh(0), FALLBACK_MS);
  }

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', start);
  else
    start();
})();
