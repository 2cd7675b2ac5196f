// The start page: choose a municipality and an office; links to booking and status.
import { offices } from '../common/api.js?v=@BUILD@';
import { pick, onLang } from '../common/i18n.js?v=@BUILD@';
import { t } from '../common/i18n.js?v=@BUILD@';
import { el, $, start } from '../common/page.js?v=@BUILD@';

start('home.title');
let list = [];
let chosen = null;

function drawMunicipalities() {
  const seen = new Map();
  for (const o of list)
    if (!seen.has(o.municipality))
      seen.set(o.municipality, o.municipality_names);
  const sel = $('municipality');
  sel.replaceChildren(...[...seen].map(([id, names]) => el('option', { value: id, selected: id === chosen, text: pick(names, id) })));
  if (chosen === null && seen.size)
    chosen = [...seen.keys()][0];
}

function drawOffices() {
  $('offices').replaceChildren(...list.filter((o) => o.municipality === chosen).map((o) => el('li', {},
    el('span', { class: 'name', text: pick(o.names, o.name) }),
    o.address ? el('span', { class: 'muted', text: o.address }) : null,
    el('p', {},
      el('a', { class: 'button', href: '/book/' + encodeURIComponent(o.id) }, t('home.book'), el('span', { class: 'sr-only', text: ' ' + t('home.for', { office: pick(o.names, o.name) }) })),
      el('a', { class: 'button secondary', href: '/status/' + encodeURIComponent(o.id) }, t('home.status'), el('span', { class: 'sr-only', text: ' ' + t('home.for', { office: pick(o.names, o.name) }) }))))));
}

async function main() {
  list = await offices();
  const m = new URLSearchParams(location.search).get('m');
  if (m)
    chosen = m;
  $('municipality').addEventListener('change', (e) => { chosen = e.target.value; drawOffices(); });
  onLang(() => { drawMunicipalities(); drawOffices(); });
  document.body.dataset.ready = 'yes';
}

main();
