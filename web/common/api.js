// Calls to the daemon's API (same origin) and its event streams. Answers come
// back as {ok, status, data, problem}; nothing here throws for an HTTP status.
import { lang } from './i18n.js?v=@BUILD@';

// Sends method path with an optional JSON body and bearer token.
export async function call(method, path, { body, token, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined)
    h['Content-Type'] = 'application/json';
  if (token)
    h.Authorization = 'Bearer ' + token;
  let res;
  try {
    res = await fetch(path, { method, headers: h, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    return { ok: false, status: 0, data: null, problem: { code: 'network', detail: String(e) } };
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json') && res.status !== 204) {
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
  }
  const out = { ok: res.ok, status: res.status, data: res.ok ? data : null, problem: res.ok ? null : data || { code: 'http_' + res.status }, date: res.headers.get('Date') };
  return out;
}

export const get = (path, opts) => call('GET', path, opts);
export const post = (path, body, opts = {}) => call('POST', path, { ...opts, body });

// True when a route is absent from this daemon (404 for the path itself, not an object).
export function absent(r) {
  return r.status === 404 && r.problem && r.problem.code === 'not_found';
}

// The offices, cached for the page's life.
let officesPromise = null;
export function offices() {
  if (officesPromise === null)
    officesPromise = get('/v1/offices').then((r) => (r.ok ? r.data.offices : []));
  return officesPromise;
}

// The office with id, or null.
export async function office(id) {
  return (await offices()).find((o) => o.id === id) || null;
}

// Today in Tokyo as the daemon sees it ("YYYY-MM-DD"), from an instant it sent.
export function tokyoDate(iso) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

// The language the API should answer documents and notices in.
export const apiLang = () => lang;

/*
 * Follows an office's events. handlers: {event name: fn(payload)}, plus
 * onState(live) when the stream opens or drops and onResync() when events may
 * have been missed (a reconnect, or the server's resync). The browser
 * reconnects by itself (sending Last-Event-ID); when it gives up, this starts
 * again after a pause.
 */
export function follow(officeId, handlers, { onState = () => {}, onResync = () => {} } = {}) {
  let es = null;
  let opened = false;
  let stopped = false;
  const parse = (e) => {
    try {
      return JSON.parse(e.data);
    } catch (err) {
      return null;
    }
  };
  function connect() {
    es = new EventSource('/v1/offices/' + encodeURIComponent(officeId) + '/events');
    es.addEventListener('open', () => {
      onState(true);
      if (opened)
        onResync();
      opened = true;
    });
    es.addEventListener('error', () => {
      onState(false);
      if (es.readyState === EventSource.CLOSED && !stopped)
        setTimeout(connect, 3000);
    });
    es.addEventListener('resync', () => onResync());
    for (const [name, fn] of Object.entries(handlers))
      es.addEventListener(name, (e) => fn(parse(e)));
  }
  connect();
  return () => {
    stopped = true;
    if (es)
      es.close();
  };
}
