// Japanese and English: the chosen language, the message tables, and filling the
// page's [data-i18n] elements. Every text a page shows comes from messages.js.
import { messages } from './messages.js?v=@BUILD@';

const LANGS = ['ja', 'en'];
const KEY = 'madoguchi.lang';

// The language: ?lang= first, then the one chosen before, then the browser's.
function initialLang() {
  const q = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(q))
    return q;
  try {
    const saved = localStorage.getItem(KEY);
    if (LANGS.includes(saved))
      return saved;
  } catch (e) {
    // storage may be off: fall through
  }
  return (navigator.language || 'ja').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export let lang = initialLang();
const listeners = [];

// The message key in the current language, with {name} replaced from vars.
export function t(key, vars) {
  let s = messages[lang][key];
  if (s === undefined)
    s = messages.ja[key];
  if (s === undefined)
    return key;
  if (vars)
    s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : m));
  return s;
}

// True when the table has key (for texts chosen by a code from the server).
export function has(key) {
  return messages[lang][key] !== undefined || messages.ja[key] !== undefined;
}

// Fills [data-i18n] (text), [data-i18n-label] (aria-label) and
// [data-i18n-placeholder] under root, and the document's language and title.
export function apply(root = document) {
  document.documentElement.lang = lang;
  for (const e of root.querySelectorAll('[data-i18n]'))
    e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-label]'))
    e.setAttribute('aria-label', t(e.dataset.i18nLabel));
  for (const e of root.querySelectorAll('[data-i18n-placeholder]'))
    e.setAttribute('placeholder', t(e.dataset.i18nPlaceholder));
}

// Runs fn now and each time the language changes.
export function onLang(fn) {
  listeners.push(fn);
  fn(lang);
}

// Switches the language, keeps the choice, and redraws.
export function setLang(next) {
  if (!LANGS.includes(next) || next === lang)
    return;
  lang = next;
  try {
    localStorage.setItem(KEY, next);
  } catch (e) {
    // not kept: fine
  }
  const u = new URL(location.href);
  u.searchParams.set('lang', next);
  history.replaceState(history.state, '', u.pathname + u.search + u.hash);
  apply();
  for (const fn of listeners)
    fn(lang);
}

const TZ = 'Asia/Tokyo';
const locale = () => (lang === 'ja' ? 'ja-JP' : 'en-GB');

// "2026-12-16" as a date people read, in the current language.
export function fmtDate(ymd, opts = { month: 'long', day: 'numeric', weekday: 'short' }) {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', ...opts }).format(new Date(Date.UTC(y, m - 1, d)));
}

// An ISO instant as a date and time in Tokyo.
export function fmtInstant(iso, opts = { month: 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' }) {
  return new Intl.DateTimeFormat(locale(), { timeZone: TZ, hourCycle: 'h23', ...opts }).format(new Date(iso));
}

// An ISO instant's time of day in Tokyo, "09:30".
export function fmtTime(iso) {
  return fmtInstant(iso, { hour: '2-digit', minute: '2-digit' });
}

// A number of yen.
export function fmtYen(n) {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'JPY' }).format(n);
}

// A name pair {"ja","en"} in the current language.
export function pick(names, fallback) {
  if (!names)
    return fallback || '';
  return names[lang] || names.ja || fallback || '';
}
