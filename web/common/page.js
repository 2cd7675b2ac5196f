// What every page shares: the header with the language switch, a live region
// for results, and building elements without markup from the network.
import { apply, lang, setLang, t, onLang } from './i18n.js?v=@BUILD@';

// An element: el('p', {class: 'x', text: '...'}, child, ...). Text is never parsed as HTML.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false)
      continue;
    if (k === 'text')
      e.textContent = String(v);
    else if (k === 'class')
      e.className = v;
    else if (k.startsWith('on'))
      e.addEventListener(k.slice(2), v);
    else if (k === 'dataset')
      Object.assign(e.dataset, v);
    else
      e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false)
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export const $ = (id) => document.getElementById(id);

// Says msg to screen readers (and shows it in the status line).
export function announce(msg) {
  const live = $('live');
  if (live) {
    live.textContent = '';
    setTimeout(() => { live.textContent = msg; }, 50);
  }
}

// Moves focus to a heading or section that has just appeared.
export function focusOn(node) {
  if (!node)
    return;
  if (!node.hasAttribute('tabindex'))
    node.setAttribute('tabindex', '-1');
  node.focus({ preventScroll: false });
}

// Sets up the header's language switch and fills the page's texts; titleKey names
// the page in the tab title.
export function start(titleKey, extra) {
  const sw = $('lang-switch');
  if (sw) {
    sw.addEventListener('click', () => setLang(lang === 'ja' ? 'en' : 'ja'));
  }
  onLang(() => {
    apply();
    if (sw) {
      sw.textContent = lang === 'ja' ? 'English' : '日本語';
      sw.setAttribute('lang', lang === 'ja' ? 'en' : 'ja');
    }
    document.title = (extra ? extra() + ' — ' : '') + t(titleKey) + ' | ' + t('site.name');
  });
}

// The path segment at index (after the leading slash), decoded.
export function segment(i) {
  try {
    return decodeURIComponent(location.pathname.split('/')[i + 1] || '');
  } catch (e) {
    return '';
  }
}
