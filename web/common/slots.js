// Choosing a day and a time: a month view with each day's crowding (the
// forecast's level when the daemon has forecasts, else how full the day's slots
// are), the quietest days offered first, then the day's times with the quieter
// ones first. Used by booking and by rescheduling.
import { get, absent } from './api.js?v=@BUILD@';
import { t, fmtDate, fmtTime, onLang } from './i18n.js?v=@BUILD@';
import { el, announce, focusOn } from './page.js?v=@BUILD@';

const CROWD_RANK = { low: 1, moderate: 2, high: 3, full: 4 };

// "YYYY-MM-DD" n days after ymd.
export function addDays(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

// The first and last day of ymd's month.
function monthBounds(ymd) {
  const [y, m] = ymd.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1, 1)).toISOString().slice(0, 10);
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return [first, last];
}

// ISO weekday of a date, 1 = Monday.
function weekday(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7 + 1;
}

// How busy a bookable day looks from its slots: a level 1..5 like the forecast's.
function levelFromSlots(day) {
  let cap = 0, free = 0;
  for (const s of day.slots) {
    cap += s.capacity;
    free += s.available;
  }
  if (cap === 0)
    return null;
  const taken = 1 - free / cap;
  return taken < 0.2 ? 1 : taken < 0.4 ? 2 : taken < 0.6 ? 3 : taken < 0.8 ? 4 : 5;
}

/*
 * Builds the picker in root. opts: office, service, today (the daemon's date),
 * onSlot(slot, day) when a time is chosen. Returns {show(), refresh()}.
 */
export function picker(root, { office, service, today, onSlot }) {
  let month = today;
  let days = [];
  let levels = new Map();          // date -> forecast level, when forecasts exist
  let chosen = null;
  let forecastKnown = true;
  const nav = el('div', { class: 'month-nav' });
  const quiet = el('div', { class: 'quiet-days' });
  const grid = el('div');
  const times = el('div', { class: 'times' });
  const legend = el('ul', { class: 'legend' });
  root.replaceChildren(nav, quiet, legend, grid, times);

  function levelOf(day) {
    return levels.has(day.date) ? levels.get(day.date) : levelFromSlots(day);
  }

  async function load() {
    const [first, last] = monthBounds(month);
    const from = first < today ? today : first;
    grid.setAttribute('aria-busy', 'true');
    const r = await get(`/v1/offices/${encodeURIComponent(office)}/availability?service=${encodeURIComponent(service)}&from=${from}&to=${last}`);
    days = r.ok ? r.data.days : [];
    levels = new Map();
    if (forecastKnown) {
      const f = await get(`/v1/offices/${encodeURIComponent(office)}/forecast?from=${from}&to=${last}&service=${encodeURIComponent(service)}`);
      if (f.ok)
        for (const d of f.data.days)
          if (d.open)
            levels.set(d.date, d.level);
      if (absent(f))
        forecastKnown = false;
    }
    grid.removeAttribute('aria-busy');
    draw();
  }

  function levelText(n) {
    return t('level.' + n);
  }

  // A day of the month as a button: the number and the level show, the full date is read out.
  function dayButton(day) {
    const lvl = levelOf(day);
    const [, , d] = day.date.split('-').map(Number);
    return el('button', {
      type: 'button', class: 'day' + (lvl ? ' lvl-' + lvl : ''), 'aria-pressed': chosen === day.date ? 'true' : 'false',
      dataset: { date: day.date }, onclick: () => choose(day.date, true),
    }, el('span', { class: 'sr-only', text: fmtDate(day.date) + ' ' }), el('span', { 'aria-hidden': 'true', text: d }),
    el('span', { class: 'lvl', 'aria-hidden': 'true', text: lvl ? t('level.short.' + lvl) : '' }),
    el('span', { class: 'sr-only', text: lvl ? '（' + levelText(lvl) + '）' : '' }));
  }

  function draw() {
    const [first, last] = monthBounds(month);
    const [y, m] = first.split('-').map(Number);
    const [ty, tm] = today.split('-').map(Number);
    const prev = el('button', { type: 'button', class: 'secondary', text: t('month.prev'), disabled: y * 12 + m <= ty * 12 + tm, onclick: () => { month = addDays(first, -1); load(); } });
    const next = el('button', { type: 'button', class: 'secondary', text: t('month.next'), disabled: y * 12 + m >= ty * 12 + tm + 3, onclick: () => { month = addDays(last, 1); load(); } });
    const title = el('h3', { id: 'month-title', text: fmtDate(first, { year: 'numeric', month: 'long' }) });
    nav.replaceChildren(prev, title, next);

    // The quietest bookable days first: one tap each.
    const bookable = days.filter((d) => d.bookable && d.slots.length > 0);
    const ranked = bookable.map((d) => ({ d, lvl: levelOf(d) || 3 })).sort((a, b) => a.lvl - b.lvl || (a.d.date < b.d.date ? -1 : 1)).slice(0, 3);
    quiet.replaceChildren();
    if (ranked.length > 0) {
      quiet.append(el('p', { text: t(levels.size ? 'quiet.days.forecast' : 'quiet.days') }),
        el('ul', { class: 'slots' }, ranked.map(({ d, lvl }) => el('li', {}, el('button', {
          type: 'button', class: 'lvl-' + lvl, dataset: { quietDate: d.date }, onclick: () => choose(d.date, true),
        }, fmtDate(d.date), el('small', { text: levelText(lvl) }))))));
    } else {
      quiet.append(el('p', { class: 'notice', text: t('month.nothing') }));
    }
    legend.replaceChildren(...[1, 2, 3, 4, 5].map((n) => el('li', {}, el('span', { class: 'sw lvl-' + n, 'aria-hidden': 'true' }), levelText(n))));

    const byDate = new Map(days.map((d) => [d.date, d]));
    const head = el('tr', {}, [1, 2, 3, 4, 5, 6, 7].map((w) => el('th', { scope: 'col', abbr: t('wd.long.' + w), text: t('wd.' + w) })));
    const body = el('tbody');
    let row = el('tr');
    for (let i = 1; i < weekday(first); i++)
      row.append(el('td'));
    for (let d = first; d <= last; d = addDays(d, 1)) {
      const day = byDate.get(d);
      const td = el('td');
      if (day && day.bookable && day.slots.length > 0)
        td.append(dayButton(day));
      else
        td.append(el('span', { class: 'closed' }, el('span', { 'aria-hidden': 'true', text: Number(d.slice(8)) }),
          el('span', { class: 'sr-only', text: fmtDate(d) + ' ' + t(day && day.closed_reason ? 'closed.' + day.closed_reason : 'day.unavailable') })));
      row.append(td);
      if (weekday(d) === 7) {
        body.append(row);
        row = el('tr');
      }
    }
    if (row.children.length)
      body.append(row);
    grid.replaceChildren(el('table', { class: 'month', 'aria-labelledby': 'month-title' }, el('thead', {}, head), body));
    if (chosen && byDate.has(chosen))
      drawTimes(byDate.get(chosen));
    else
      times.replaceChildren();
  }

  function choose(date, moveFocus) {
    chosen = date;
    if (date.slice(0, 7) !== month.slice(0, 7)) {
      month = date;
      load().then(() => focusTimes(moveFocus));
      return;
    }
    for (const b of grid.querySelectorAll('button.day'))
      b.setAttribute('aria-pressed', b.dataset.date === date ? 'true' : 'false');
    const day = days.find((d) => d.date === date);
    if (day)
      drawTimes(day);
    focusTimes(moveFocus);
  }

  function focusTimes(moveFocus) {
    const h = times.querySelector('h3');
    if (h) {
      announce(h.textContent);
      if (moveFocus)
        focusOn(h);
    }
  }

  function slotButton(s, day) {
    return el('button', {
      type: 'button', class: 'crowd-' + s.crowding, dataset: { start: s.start }, onclick: () => onSlot(s, day),
    }, fmtTime(s.start), el('small', { text: t('crowd.' + s.crowding) }), el('span', { class: 'sr-only', text: ' ' + t('slot.left', { n: s.available }) }));
  }

  function drawTimes(day) {
    const open = day.slots.filter((s) => s.available > 0);
    const quietest = open.slice().sort((a, b) => CROWD_RANK[a.crowding] - CROWD_RANK[b.crowding] || (a.start < b.start ? -1 : 1)).slice(0, 3);
    times.replaceChildren(el('h3', { text: t('times.for', { date: fmtDate(day.date) }) }));
    if (open.length === 0) {
      times.append(el('p', { text: t('day.none_left') }));
      return;
    }
    times.append(el('p', { text: t('times.quiet') }),
      el('ul', { class: 'slots quiet-times' }, quietest.map((s) => el('li', {}, slotButton(s, day)))),
      el('p', { text: t('times.all') }),
      el('ul', { class: 'slots all-times' }, open.map((s) => el('li', {}, slotButton(s, day)))));
  }

  onLang(() => { if (days.length) draw(); });
  return {
    show: (date) => { if (date) { month = date; chosen = date; } return load(); },
    refresh: load,
  };
}
