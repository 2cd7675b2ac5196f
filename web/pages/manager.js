// The manager's dashboard: a weekday × hour heatmap of arrivals and waits,
// forecast against actual, the staffing gap for a day, capacity rules (list,
// add a day's cap or a weekday factor, delete) and the what-if form. The token
// stays in sessionStorage (this tab only). Sections whose endpoint this daemon
// lacks say so.
import { get, call, post, absent, office as findOffice, tokyoDate } from '../common/api.js?v=@BUILD@';
import { t, fmtDate, pick, onLang } from '../common/i18n.js?v=@BUILD@';
import { el, $, announce, focusOn, start, segment } from '../common/page.js?v=@BUILD@';
import { markField, problemText, syncClock } from '../common/booking.js?v=@BUILD@';
import { addDays } from '../common/slots.js?v=@BUILD@';
import uPlot from '../vendor/uPlot.esm.js?v=@BUILD@';

const officeId = segment(1);
const KEY = 'madoguchi.manager.' + officeId;
const enc = encodeURIComponent;
const state = { token: null, office: null, today: null, load: null, forecast: null, rules: null };

start('manager.title', () => (state.office ? pick(state.office.names, state.office.name) : ''));

const auth = () => ({ token: state.token });

// A section's message when its endpoint is missing or refuses.
function unavailable(box, r) {
  box.replaceChildren(el('p', { class: 'notice' + (absent(r) ? '' : ' bad'), text: absent(r) ? t('manager.absent') : problemText(r.problem) }));
}

// ---- sign-in ----

async function signIn(token) {
  // The last four whole weeks, yesterday included: today is not over.
  const to = addDays(state.today, -1), from = addDays(to, -27);
  const r = await get(`/v1/reports/load?office=${enc(officeId)}&from=${from}&to=${to}`, { token });
  if (r.status === 401 || r.status === 403) {
    markField('token', problemText(r.problem));
    return false;
  }
  state.token = token;
  try {
    sessionStorage.setItem(KEY, token);
  } catch (e) {
    // kept for this page only
  }
  $('signin').hidden = true;
  $('dashboard').hidden = false;
  $('from').value = from;
  $('to').value = to;
  $('staffing-date').value = state.today;
  $('whatif-date').value = addDays(state.today, 1);
  $('cap-date').value = addDays(state.today, 7);
  $('fac-from').value = addDays(state.today, 7);
  $('fac-to').value = addDays(state.today, 34);
  showLoad(r);
  loadFva();
  loadStaffing();
  loadCapacity();
  focusOn($('h-load'));
  return true;
}

function signOut() {
  try {
    sessionStorage.removeItem(KEY);
  } catch (e) {
    // nothing kept
  }
  state.token = null;
  $('dashboard').hidden = true;
  $('signin').hidden = false;
  $('token').value = '';
  focusOn($('token'));
}

// ---- load: the heatmap ----

async function loadRange(ev) {
  if (ev)
    ev.preventDefault();
  const r = await get(`/v1/reports/load?office=${enc(officeId)}&from=${$('from').value}&to=${$('to').value}`, auth());
  showLoad(r);
  loadFva();
}

function showLoad(r) {
  const box = $('load');
  if (!r.ok) {
    state.load = null;
    unavailable(box, r);
    return;
  }
  state.load = r.data;
  drawLoad();
}

function drawLoad() {
  const box = $('load');
  const L = state.load;
  if (!L)
    return;
  const cells = L.by_weekday_hour || [];
  const hours = [...new Set(cells.map((c) => c.hour))].sort((a, b) => a - b);
  const max = Math.max(1, ...cells.map((c) => c.arrivals_mean || 0));
  const at = new Map(cells.map((c) => [c.weekday + ':' + c.hour, c]));
  const head = el('tr', {}, el('th', { scope: 'col', text: t('manager.weekday') }), hours.map((h) => el('th', { scope: 'col', text: t('hour', { h }) })));
  const rows = [1, 2, 3, 4, 5, 6, 7].filter((w) => cells.some((c) => c.weekday === w)).map((w) => el('tr', {},
    el('th', { scope: 'row', text: t('wd.long.' + w) }),
    hours.map((h) => {
      const c = at.get(w + ':' + h);
      if (!c)
        return el('td', { text: '' });
      const lvl = Math.min(5, 1 + Math.floor(4.999 * (c.arrivals_mean || 0) / max));
      const p90 = c.wait_p90_min === null || c.wait_p90_min === undefined ? '—' : Math.round(c.wait_p90_min);
      return el('td', { class: 'lvl-' + lvl, title: t('manager.cell', { n: (c.arrivals_mean || 0).toFixed(1), w: p90 }) },
        el('span', { text: (c.arrivals_mean || 0).toFixed(1) }), el('br'), el('small', { text: p90 + t('min.short') }));
    })));
  const tot = L.totals || {};
  box.replaceChildren(
    el('p', { text: t('manager.totals', { arrivals: tot.arrivals ?? '—', served: tot.served ?? '—', p90: tot.wait_p90_min ?? '—', share: tot.within_target == null ? '—' : Math.round(tot.within_target * 100) }) }),
    el('p', { class: 'muted', text: t('manager.heatmap.how') }),
    el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('manager.heatmap') },
      el('table', { class: 'grid', id: 'heatmap' }, el('caption', { text: t('manager.heatmap') }), el('thead', {}, head), el('tbody', {}, rows))));
}

// ---- forecast against actual ----

let chart = null;
async function loadFva() {
  const box = $('fva');
  const from = $('from').value, to = $('to').value;
  const f = await get(`/v1/offices/${enc(officeId)}/forecast?from=${from}&to=${addDays(to, 14)}`);
  state.forecast = f.ok ? f.data : null;
  if (!f.ok && !state.load) {
    unavailable(box, f);
    return;
  }
  const actual = new Map(((state.load && state.load.by_day) || []).map((d) => [d.date, d.arrivals]));
  const predicted = new Map(((state.forecast && state.forecast.days) || []).filter((d) => d.open).map((d) => [d.date, d.expected_arrivals]));
  const dates = [...new Set([...actual.keys(), ...predicted.keys()])].sort();
  const xs = dates.map((d) => Date.parse(d + 'T00:00:00+09:00') / 1000);
  const ya = dates.map((d) => (actual.has(d) ? actual.get(d) : null));
  const yf = dates.map((d) => (predicted.has(d) ? predicted.get(d) : null));
  const chartBox = el('div', { class: 'chart', role: 'img', 'aria-label': t('manager.fva.chart') });
  const table = el('table', { class: 'grid', id: 'fva-table' }, el('caption', { text: t('manager.fva') }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('status.day') }), el('th', { scope: 'col', text: t('manager.actual') }), el('th', { scope: 'col', text: t('manager.forecast') }))),
    el('tbody', {}, dates.map((d, i) => el('tr', {}, el('th', { scope: 'row', text: fmtDate(d, { month: 'numeric', day: 'numeric', weekday: 'short' }) }),
      el('td', { text: ya[i] ?? '—' }), el('td', { text: yf[i] == null ? '—' : Math.round(yf[i] * 10) / 10 })))));
  box.replaceChildren(f.ok ? '' : el('p', { class: 'notice', text: t('manager.forecast.absent') }), chartBox,
    el('details', {}, el('summary', { text: t('manager.fva.table') }), el('div', { class: 'scroll' }, table)));
  if (chart)
    chart.destroy();
  chart = null;
  if (dates.length > 1) {
    const width = Math.max(280, Math.min(900, box.clientWidth || 320));
    chart = new uPlot({
      width, height: 260, scales: { x: { time: true } },
      series: [{}, { label: t('manager.actual'), stroke: '#0b5cab', width: 2 }, { label: t('manager.forecast'), stroke: '#8a4b00', width: 2, dash: [6, 4] }],
      axes: [{}, { label: t('manager.arrivals') }],
    }, [xs, ya, yf], chartBox);
  }
}

// ---- staffing ----

async function loadStaffing(ev) {
  if (ev)
    ev.preventDefault();
  const box = $('staffing');
  const r = await get(`/v1/offices/${enc(officeId)}/staffing?date=${$('staffing-date').value}`, auth());
  if (!r.ok) {
    unavailable(box, r);
    return;
  }
  const hours = r.data.hours || [];
  box.replaceChildren(el('div', { class: 'scroll' }, el('table', { class: 'grid', id: 'staffing-table' },
    el('caption', { text: t('manager.staffing.caption', { date: fmtDate($('staffing-date').value) }) }),
    el('thead', {}, el('tr', {}, ['hour.h', 'manager.expected', 'manager.planned', 'manager.needed', 'manager.gap', 'manager.p90.planned'].map((k) => el('th', { scope: 'col', text: t(k) })))),
    el('tbody', {}, hours.map((h) => {
      const gap = h.counters_needed - h.counters_planned;
      return el('tr', {}, el('th', { scope: 'row', text: t('hour', { h: h.hour }) }), el('td', { text: Math.round(h.expected_arrivals * 10) / 10 }),
        el('td', { text: h.counters_planned }), el('td', { text: h.counters_needed }),
        el('td', { class: gap > 0 ? 'lvl-5' : 'lvl-1', text: gap > 0 ? t('manager.gap.short', { n: gap }) : gap < 0 ? t('manager.gap.spare', { n: -gap }) : '0' }),
        el('td', { text: h.wait_p90_min_planned == null ? '—' : Math.round(h.wait_p90_min_planned) }));
    })))));
}

// ---- capacity rules ----

async function loadCapacity() {
  const box = $('capacity');
  const r = await get(`/v1/offices/${enc(officeId)}/capacity`, auth());
  if (!r.ok) {
    state.rules = null;
    unavailable(box, r);
    $('capacity-form').hidden = $('factor-form').hidden = absent(r);
    return;
  }
  $('capacity-form').hidden = $('factor-form').hidden = false;
  state.rules = r.data.rules || [];
  drawRules();
}

// The rules in force, in the current language.
function drawRules() {
  const rules = state.rules;
  $('capacity').replaceChildren(rules.length === 0 ? el('p', { text: t('manager.capacity.none') }) : el('ul', { id: 'rules' }, rules.map((rule) => el('li', { dataset: { id: rule.id } },
    t('svc.' + rule.service) + ': ' + ruleText(rule) + ' ',
    el('button', { type: 'button', class: 'secondary', onclick: () => deleteRule(rule.id) }, t('manager.capacity.delete'), el('span', { class: 'sr-only', text: ' ' + t('manager.capacity.delete.for', { rule: ruleText(rule) }) }))))));
}

function ruleText(rule) {
  if (rule.cap !== undefined && rule.cap !== null)
    return t('manager.rule.cap', { date: rule.date ? fmtDate(rule.date) : fmtDate(rule.from), n: rule.cap });
  return t('manager.rule.factor', { from: fmtDate(rule.from), to: fmtDate(rule.to), days: (rule.weekdays || []).map((w) => t('wd.' + w)).join('・'), pct: Math.round(rule.factor * 100) });
}

async function addRule(ev) {
  ev.preventDefault();
  markField('cap-cap', null);
  markField('cap-date', null);
  const n = Number($('cap-cap').value);
  if ($('cap-cap').value === '' || !Number.isInteger(n) || n < 0) {
    markField('cap-cap', t('manager.cap.invalid'));
    return;
  }
  const r = await post(`/v1/offices/${enc(officeId)}/capacity`, { service: $('cap-service').value, date: $('cap-date').value, cap: n }, auth());
  if (!r.ok) {
    const id = r.problem && r.problem.field === 'date' ? 'cap-date' : 'cap-cap';
    markField(id, problemText(r.problem));
    return;
  }
  announce(t('manager.capacity.added'));
  await loadCapacity();
}

// Shows message at the weekday choices (tied to the group), or clears it.
function markWeekdays(message) {
  const group = $('fac-weekdays');
  const old = $('fac-weekdays-error');
  if (old)
    old.remove();
  group.removeAttribute('aria-describedby');
  if (!message)
    return;
  group.append(el('p', { id: 'fac-weekdays-error', class: 'error', text: message }));
  group.setAttribute('aria-describedby', 'fac-weekdays-error');
}

// The form's field for a member of the rule the API names in a problem.
const FACTOR_FIELDS = { from: 'fac-from', to: 'fac-to', factor: 'fac-pct' };

// Checks the weekday-factor form; the rule's body, or null after marking what is wrong.
function factorBody() {
  const weekdays = [...document.querySelectorAll('input[name="fac-weekday"]:checked')].map((c) => Number(c.value));
  const pct = $('fac-pct').value === '' ? NaN : Number($('fac-pct').value);
  let first = null;
  const wrong = (id, message) => {
    if (id === 'fac-weekdays')
      markWeekdays(message);
    else
      markField(id, message);
    first = first || (id === 'fac-weekdays' ? 'fac-wd-1' : id);
  };
  for (const id of ['fac-from', 'fac-to'])
    if (!/^\d{4}-\d{2}-\d{2}$/.test($(id).value))
      wrong(id, t('manager.factor.date.invalid'));
  if (!first && $('fac-to').value < $('fac-from').value)
    wrong('fac-to', t('manager.factor.range.invalid'));
  if (weekdays.length === 0)
    wrong('fac-weekdays', t('manager.factor.weekdays.none'));
  if (!(pct >= 0 && pct <= 100))
    wrong('fac-pct', t('manager.factor.pct.invalid'));
  if (first) {
    focusOn($(first));
    return null;
  }
  return { service: $('fac-service').value, from: $('fac-from').value, to: $('fac-to').value, weekdays, factor: pct / 100 };
}

async function addFactorRule(ev) {
  ev.preventDefault();
  for (const id of Object.values(FACTOR_FIELDS))
    markField(id, null);
  markWeekdays(null);
  $('fac-error').replaceChildren();
  const body = factorBody();
  if (!body)
    return;
  const r = await post(`/v1/offices/${enc(officeId)}/capacity`, body, auth());
  if (!r.ok) {
    const p = r.problem || {};
    const text = p.code === 'invalid_range' ? t('manager.factor.range.invalid') : problemText(p);
    if (p.field === 'weekdays')
      markWeekdays(text);
    else if (FACTOR_FIELDS[p.field])
      markField(FACTOR_FIELDS[p.field], text);
    else
      $('fac-error').replaceChildren(el('p', { class: 'notice bad', text }));
    return;
  }
  announce(t('manager.capacity.added'));
  await loadCapacity();
}

async function deleteRule(id) {
  const r = await call('DELETE', `/v1/offices/${enc(officeId)}/capacity/${enc(id)}`, auth());
  if (!r.ok && r.status !== 404)
    announce(problemText(r.problem));
  else
    announce(t('manager.capacity.deleted'));
  await loadCapacity();
}

// ---- what-if ----

function parseCounters(text) {
  const out = {};
  for (const part of text.split(/[,、\s]+/).filter(Boolean)) {
    const m = /^(\d{1,2})[=:](\d{1,2})$/.exec(part);
    if (!m || Number(m[1]) > 23)
      return null;
    out[String(Number(m[1]))] = Number(m[2]);
  }
  return out;
}

async function whatIf(ev) {
  ev.preventDefault();
  markField('whatif-counters', null);
  const body = { date: $('whatif-date').value, arrivals_factor: Number($('whatif-factor').value) || 1 };
  if ($('whatif-counters').value.trim()) {
    const c = parseCounters($('whatif-counters').value);
    if (c === null) {
      markField('whatif-counters', t('manager.whatif.counters.invalid'));
      return;
    }
    body.counters = c;
  }
  const box = $('whatif');
  const r = await post(`/v1/offices/${enc(officeId)}/simulate`, body, auth());
  if (!r.ok) {
    unavailable(box, r);
    return;
  }
  const s = r.data;
  box.replaceChildren(el('dl', { class: 'facts' },
    el('dt', { text: t('manager.whatif.p50') }), el('dd', { text: t('wait.about', { n: Math.round(s.wait_p50_min) }) }),
    el('dt', { text: t('manager.whatif.p90') }), el('dd', { id: 'whatif-p90', text: t('wait.about', { n: Math.round(s.wait_p90_min) }) }),
    el('dt', { text: t('manager.whatif.served') }), el('dd', { text: s.served }),
    el('dt', { text: t('manager.whatif.max_queue') }), el('dd', { text: s.max_queue })));
}

async function main() {
  state.office = await findOffice(officeId);
  const at = await syncClock(officeId);
  state.today = at ? tokyoDate(at) : tokyoDate(new Date().toISOString());
  onLang(() => {
    $('office-name').textContent = state.office ? pick(state.office.names, state.office.name) : '';
    for (const id of ['cap-service', 'fac-service']) {
      const chosen = $(id).value;
      $(id).replaceChildren(...(state.office ? state.office.services : []).map((s) => el('option', { value: s, text: t('svc.' + s), selected: s === chosen })));
    }
    drawLoad();
    if (state.rules)
      drawRules();
  });
  $('signin').addEventListener('submit', (e) => {
    e.preventDefault();
    markField('token', null);
    const tok = $('token').value.trim();
    if (!tok) {
      markField('token', t('manager.token.missing'));
      return;
    }
    signIn(tok);
  });
  $('signout').addEventListener('click', signOut);
  $('range').addEventListener('submit', loadRange);
  $('staffing-form').addEventListener('submit', loadStaffing);
  $('capacity-form').addEventListener('submit', addRule);
  $('factor-form').addEventListener('submit', addFactorRule);
  $('whatif-form').addEventListener('submit', whatIf);
  let saved = null;
  try {
    saved = sessionStorage.getItem(KEY);
  } catch (e) {
    saved = null;
  }
  if (saved)
    await signIn(saved);
  document.body.dataset.ready = 'yes';
}

main();
