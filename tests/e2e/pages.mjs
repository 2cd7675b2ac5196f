// The pages in headless Chromium (Debian's, driven by playwright-core) against a
// real daemon and the throwaway PostgreSQL of tests/integration/run.sh:
//  - a complete booking on a 390×844 phone, ending with the row in PostgreSQL,
//    and its confirmation redrawn in English when the language is switched;
//  - a refusal before the renewal window that books the offered earliest slot;
//  - reschedule, calendar file and cancel through /manage;
//  - the status page and the ticket page show a call within 2 s;
//  - the manager's heatmap (from eight weeks of imported history), forecast
//    against actual, staffing and what-if, and a day cap and a weekday factor
//    added (the factor also refused with its errors shown) and deleted on the
//    page, which availability obeys;
//  - the status page's congestion calendar from the fitted forecast;
//  - axe-core: no serious or critical violation on every page, both languages,
//    390×844 and 1920×1080; no page scrolls sideways at 360 px.
// Screenshots go to tests/artifacts/. Every JSON answer the pages received is
// recorded for tests/openapi/validate.mjs, like the Check programs' answers.
//
//   node tests/e2e/pages.mjs           (env as tests/integration/run.sh sets it)
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, appendFileSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const ARTIFACTS = join(root, 'tests', 'artifacts');
const OFFICE = 'kasugai-main';
const NOW = '2026-12-16T09:30:00+09:00';         // a Wednesday morning: open, walk-ins taken
const env = (k) => {
  if (!process.env[k])
    throw new Error(`${k} is not set: run this from tests/integration/run.sh`);
  return process.env[k];
};
const DB = env('MADOGUCHI_TEST_DB_URL');
const TMP = env('MADOGUCHI_TEST_TMP');
// The test offices with this run's own limits: a resident's address may hold
// few places (bookings.holds_per_client), and every test here comes from 127.0.0.1.
const CONFIG = join(TMP, 'e2e.yaml');
writeFileSync(CONFIG, `ratelimit: {per_minute: 100000, burst: 10000}
bookings: {holds_per_client: 1000}
include:
  - ${join(root, 'config', 'municipalities')}/*.yaml
`);
env('MADOGUCHI_TEST_CONFIG');
const DAEMON = join(root, 'server', 'madoguchid');

let failures = 0;
const results = [];
const shots = [];

function assert(cond, msg) {
  if (!cond)
    throw new Error(msg);
}

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    results.push(`FAIL ${name}: ${e.stack || e}`);
  }
}

const psql = (sql) => execFileSync('/usr/bin/psql', ['-qtA', '-v', 'ON_ERROR_STOP=1', '-d', DB, '-c', sql], { encoding: 'utf8' }).trim();

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---- the daemon ----

let daemon = null;
process.on('exit', () => {
  if (daemon && daemon.exitCode === null)
    daemon.kill('SIGKILL');
});

// Stops the daemon; a non-zero exit (a sanitizer's report, say) fails the run.
async function stopDaemon() {
  if (daemon.exitCode !== null)
    return daemon.exitCode;
  const done = new Promise((resolve) => daemon.once('exit', (code, sig) => resolve(code === null ? 128 : code)));
  daemon.kill('SIGTERM');
  const timer = setTimeout(() => daemon.kill('SIGKILL'), 15000);
  const code = await done;
  clearTimeout(timer);
  return code;
}

async function startDaemon(port) {
  port = port || await freePort();
  const daemonEnv = { ...process.env, MADOGUCHI_DATABASE_URL: DB, MADOGUCHI_NOW: NOW };
  execFileSync(DAEMON, ['-c', CONFIG, '--migrate'], { env: daemonEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  const log = openSync(join(TMP, `e2e-daemon-${port}.log`), 'a');
  const child = spawn(DAEMON, ['-c', CONFIG, '--listen', `127.0.0.1:${port}`], { env: daemonEnv, stdio: ['ignore', log, log] });
  daemon = child;
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(url + '/healthz');
      if (r.ok)
        return { child, url };
    } catch (e) {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('madoguchid did not become healthy');
}

function token(role) {
  const out = execFileSync(DAEMON, ['-c', CONFIG, '--create-token', role, OFFICE], {
    env: { ...process.env, MADOGUCHI_DATABASE_URL: DB }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.trim().split('\n').pop().trim();
}

// ---- recording answers for the contract check ----

const recordFile = join(TMP, 'responses', `e2e-${process.pid}.jsonl`);
mkdirSync(dirname(recordFile), { recursive: true });

function record(method, path, status, ctype, body) {
  appendFileSync(recordFile, JSON.stringify({ method, path, status, content_type: ctype, body }) + '\n');
}

async function api(base, method, path, body, tok) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined)
    headers['Content-Type'] = 'application/json';
  if (tok)
    headers.Authorization = 'Bearer ' + tok;
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  record(method, path, r.status, r.headers.get('content-type'), text);
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  return { status: r.status, data };
}

function watch(page, base) {
  page.on('response', async (res) => {
    const u = new URL(res.url());
    if (!res.url().startsWith(base))
      return;
    const ctype = res.headers()['content-type'] || '';
    if (ctype.startsWith('text/event-stream'))
      return;
    let body = null;
    if (ctype.includes('json')) {
      try {
        body = await res.text();
      } catch (e) {
        return;       // the page went away first
      }
    }
    record(res.request().method(), u.pathname + u.search, res.status(), ctype, body);
  });
}

// ---- helpers ----

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1920, height: 1080 };

async function newPage(browser, base, viewport = PHONE) {
  const ctx = await browser.newContext({ viewport, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  watch(page, base);
  page.on('pageerror', (e) => results.push(`page error on ${page.url()}: ${e}`));
  return page;
}

async function ready(page) {
  if (new URL(page.url()).pathname.startsWith('/display/'))
    await page.waitForFunction(() => document.getElementById('office-ja') && document.getElementById('office-ja').textContent.trim() !== '');
  else
    await page.waitForSelector('body[data-ready="yes"]');
}

async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  shots.push('tests/artifacts/' + name + '.png');
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Serious or critical axe violations on the page as it is now.
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined')))
    await page.evaluate(axeSource);
  const res = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

async function noViolations(page, what) {
  const v = await axe(page);
  assert(v.length === 0, `${what}: ${v.join('; ')}`);
}

// Chooses the quietest offered day and its quietest time.
async function pickQuietSlot(page, avoidStart) {
  await page.locator('.quiet-days button').first().click();
  const buttons = page.locator('.quiet-times button');
  await buttons.first().waitFor();
  const n = await buttons.count();
  for (let i = 0; i < n; i++) {
    const start = await buttons.nth(i).getAttribute('data-start');
    if (start !== avoidStart) {
      await buttons.nth(i).click();
      return start;
    }
  }
  throw new Error('no other time offered');
}

async function fillFacts(page, birth, issued) {
  await page.locator('#birth_date').fill(birth);
  await page.locator('#card_issued_on').fill(issued);
  await page.locator('#cert_issued_on').fill(issued);
}

// ---- the tests ----

async function bookingOnPhone(browser, base) {
  const page = await newPage(browser, base);
  await page.goto(base + '/book/' + OFFICE + '?lang=ja');
  await ready(page);
  await page.locator('input[name="service"][value="ecert_renewal"]').check();
  await fillFacts(page, '1985-02-15', '2022-03-01');
  await page.locator('#verdict .notice.ok').waitFor();
  const verdict = await page.locator('#verdict').innerText();
  assert(verdict.includes('無料') && verdict.includes('マイナンバーカード'), 'the verdict shows no fee or documents: ' + verdict);
  await page.locator('#to-days').click();
  const start = await pickQuietSlot(page);
  await page.locator('#step-contact').waitFor({ state: 'visible' });
  assert(/^\d+:\d\d$/.test(await page.locator('#countdown').innerText()), 'no countdown');
  await page.locator('#name').fill('春日井 花子');
  await page.locator('#email').fill('not-an-email');
  await page.locator('#submit').click();
  await page.locator('#email[aria-invalid="true"]').waitFor();
  const described = await page.locator('#email').getAttribute('aria-describedby');
  assert(described && (await page.locator('#' + described).innerText()).length > 0, 'the bad email has no message tied to it');
  await noViolations(page, 'booking with a bad email (390)');
  await shot(page, 'book-contact-error-390');
  await page.locator('#email').fill(`hanako.${process.pid}.${Date.now()}@example.jp`);
  await page.locator('#submit').click();
  await page.locator('#reference').waitFor();
  const ref = (await page.locator('#reference').innerText()).trim();
  const link = await page.locator('#manage-link').getAttribute('href');
  assert(link.includes('/manage#ref=' + encodeURIComponent(ref)) && link.includes('&token='), 'manage link: ' + link);
  const row = psql(`SELECT status || '|' || office || '|' || service || '|' || to_char(starts_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"') FROM bookings WHERE reference = '${ref.replace(/[^A-Z0-9-]/g, '')}'`);
  assert(row === `booked|${OFFICE}|ecert_renewal|${start}`, 'the booking row: ' + row + ' expected start ' + start);
  await noViolations(page, 'booking confirmation (390)');
  await shot(page, 'book-confirmation-390');
  // Switching the language redraws the confirmation: its words and the documents.
  const ja = await page.locator('#confirmation').innerText();
  assert(ja.includes('予約が確定しました') && ja.includes('マイナンバーカード'), 'the confirmation in Japanese: ' + ja);
  await page.locator('#lang-switch').click();
  await page.waitForFunction(() => document.getElementById('confirmation').innerText.includes('Your My Number card'));
  const en = await page.locator('#confirmation').innerText();
  assert(en.includes('Your booking is confirmed.') && en.includes('What to bring') &&
    !['予約が確定しました', '予約番号', '持ち物', 'マイナンバーカード'].some((w) => en.includes(w)),
    'the confirmation after switching to English: ' + en);
  assert((await page.locator('#reference').innerText()).trim() === ref, 'the reference changed on the switch');
  await noViolations(page, 'booking confirmation in English (390)');
  await page.context().close();
  return { ref, link, start };
}

async function beforeWindow(browser, base) {
  const page = await newPage(browser, base);
  await page.goto(base + '/book/' + OFFICE + '?lang=en');
  await ready(page);
  await page.locator('input[name="service"][value="ecert_renewal"]').check();
  await fillFacts(page, '1985-03-20', '2022-04-01');
  await page.locator('#verdict .notice.warn').waitFor();
  await page.locator('#to-days').click();
  // A day before the window opens (2026-12-21): the first bookable one.
  await page.locator('table.month button.day').first().click();
  await page.locator('.all-times button').first().click();
  await page.locator('#name').fill('Taro Kasugai');
  await page.locator('#phone').fill('090-' + String(Date.now()).slice(-8));
  await page.locator('#submit').click();
  const earliest = page.locator('#earliest');
  await earliest.waitFor();
  const slot = await earliest.getAttribute('data-start');
  assert(slot >= '2026-12-21', 'earliest slot before the window: ' + slot);
  await noViolations(page, 'refusal before the window (390)');
  await shot(page, 'book-before-window-390');
  await earliest.click();
  await page.locator('#reference').waitFor();
  const ref = (await page.locator('#reference').innerText()).trim();
  const row = psql(`SELECT to_char(starts_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"') FROM bookings WHERE reference = '${ref.replace(/[^A-Z0-9-]/g, '')}' AND status = 'booked'`);
  assert(row === slot, `booked ${row}, offered ${slot}`);
  await page.context().close();
}

async function manage(browser, base, booking) {
  const page = await newPage(browser, base);
  await page.goto(booking.link.replace(/^https?:\/\/[^/]+/, base));
  await page.locator('#h-booking').waitFor({ state: 'visible' });
  assert((await page.locator('#facts').innerText()).includes(booking.ref), 'the booking is not shown');
  await noViolations(page, 'manage (390)');
  await shot(page, 'manage-390');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#ics').click()]);
  assert(download.suggestedFilename().endsWith('.ics'), 'calendar file: ' + download.suggestedFilename());
  const ics = readFileSync(await download.path(), 'utf8');
  assert(ics.includes('BEGIN:VEVENT'), 'not an iCalendar file');
  await page.locator('#reschedule').click();
  const moved = await pickQuietSlot(page, booking.start);
  await page.locator('#moved').waitFor();
  const ref = booking.ref.replace(/[^A-Z0-9-]/g, '');
  let row = psql(`SELECT to_char(starts_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"') FROM bookings WHERE reference = '${ref}'`);
  assert(row === moved, `rescheduled to ${row}, chose ${moved}`);
  await page.locator('#cancel').click();
  await page.locator('#cancel-yes').click();
  await page.locator('#cancelled').waitFor();
  row = psql(`SELECT status FROM bookings WHERE reference = '${ref}'`);
  assert(row === 'cancelled', 'status after cancel: ' + row);
  await page.context().close();
}

async function liveCall(browser, base, staff) {
  const issued = await api(base, 'POST', `/v1/offices/${OFFICE}/tickets`, { service: 'pin_reset' }, staff);
  assert(issued.status === 201, 'issuing: ' + issued.status);
  const number = issued.data.number;
  const ticket = await newPage(browser, base);
  const status = await newPage(browser, base, DESKTOP);
  await ticket.goto(`${base}/ticket/${OFFICE}/${number}?lang=ja`);
  await status.goto(`${base}/status/${OFFICE}?lang=en`);
  await ready(ticket);
  await ready(status);
  await ticket.waitForSelector('body[data-live="yes"]');
  await status.waitForSelector('body[data-live="yes"]');
  await ticket.locator('#position').waitFor();
  await shot(ticket, 'ticket-waiting-390');
  // Call until this ticket is at a counter (others may be ahead).
  const t0 = Date.now();
  let called = null;
  for (let i = 0; i < 500 && called !== number; i++) {
    const r = await api(base, 'POST', `/v1/offices/${OFFICE}/counters/1/next`, {}, staff);
    assert(r.status === 200, 'calling: ' + r.status);
    called = r.data.number;
  }
  const sent = Date.now();
  await Promise.all([
    ticket.locator('#called').waitFor({ timeout: 2000 }),
    status.locator(`#calls li[data-ticket="${number}"]`).waitFor({ timeout: 2000 }),
  ]);
  const took = Date.now() - sent;
  assert(took <= 2000, `shown after ${took} ms`);
  results.push(`     the call of ${number} showed on both pages ${took} ms after it was made (${sent - t0} ms calling)`);
  assert((await ticket.locator('#called').innerText()).includes('1番窓口'), 'the ticket page names no counter');
  await shot(ticket, 'ticket-called-390');
  await shot(status, 'status-1920');

  // The daemon restarts: both pages notice, reconnect by themselves, and follow
  // what happens after (the ticket is done when the next is called).
  const port = Number(new URL(base).port);
  assert(await stopDaemon() === 0, 'madoguchid did not stop cleanly');
  await ticket.waitForSelector('body[data-live="no"]');
  await status.waitForSelector('body[data-live="no"]');
  await startDaemon(port);
  await ticket.waitForSelector('body[data-live="yes"]', { timeout: 30000 });
  await status.waitForSelector('body[data-live="yes"]', { timeout: 30000 });
  const next = await api(base, 'POST', `/v1/offices/${OFFICE}/tickets`, { service: 'pin_reset' }, staff);
  assert(next.status === 201, 'issuing after the restart: ' + next.status);
  for (let i = 0, n = null; i < 500 && n !== next.data.number; i++) {
    const r = await api(base, 'POST', `/v1/offices/${OFFICE}/counters/1/next`, {}, staff);
    assert(r.status === 200, 'calling after the restart: ' + r.status);
    n = r.data.number;
  }
  await Promise.all([
    ticket.locator('#state .notice').waitFor({ timeout: 5000 }),
    status.locator(`#calls li[data-ticket="${next.data.number}"]`).waitFor({ timeout: 5000 }),
  ]);
  assert((await ticket.locator('#state').innerText()).includes(
    (await ticket.evaluate(() => document.documentElement.lang)) === 'ja' ? '終わりました' : 'dealt with'), 'the ticket page did not follow after the restart');
  results.push('     both pages reconnected after the daemon restarted and followed the next call');
  await ticket.context().close();
  await status.context().close();
  return number;
}

// ---- the planning endpoints ----

// "YYYY-MM-DD" n days after ymd.
function addDays(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
const weekdayOf = (ymd) => (new Date(ymd + 'T00:00:00Z').getUTCDay() + 6) % 7 + 1;

async function statusCalendar(browser, base) {
  const page = await newPage(browser, base);
  await page.goto(`${base}/status/${OFFICE}?lang=ja`);
  await ready(page);
  const rows = await page.locator('#calendar tbody tr').count();
  assert(rows === 28, 'calendar rows: ' + rows);
  const best = await page.locator('#best-times li').allInnerTexts();
  assert(best.length > 0, 'no best times');
  {
    // The first best time is at the calendar's lowest hourly level.
    const levels = await page.locator('#calendar tbody tr td:nth-child(n+3)').evaluateAll((tds) => tds.map((td) => Number(td.textContent)).filter((n) => n >= 1));
    const lowest = Math.min(...levels);
    assert(best[0].includes(['', '空いている', 'やや空いている', '普通', 'やや混雑', '混雑'][lowest]), `best ${best[0]}, lowest level ${lowest}`);
  }
  await noViolations(page, 'status calendar (390)');
  await shot(page, 'status-calendar-390');
  await page.setViewportSize(DESKTOP);
  await noViolations(page, 'status calendar (1920)');
  await shot(page, 'status-calendar-1920');
  await page.context().close();
}

// Eight past weeks of tickets as the office's old machine would export them:
// weekdays 9-16 h, more on Mondays and mornings.
function historyCsv() {
  const rows = ['issued_at,service,kind,called_at,done_at,status'];
  const pad = (n) => String(n).padStart(2, '0');
  for (let d = '2026-10-19'; d <= '2026-12-11'; d = addDays(d, 1)) {
    const w = weekdayOf(d);
    if (w > 5)
      continue;
    for (let h = 9; h <= 16; h++) {
      const n = (w === 1 ? 4 : 2) + (h < 11 ? 1 : 0);
      for (let i = 0; i < n; i++) {
        const m = i * 10;
        rows.push(`${d}T${pad(h)}:${pad(m)}:00+09:00,pin_reset,walk_in,${d}T${pad(h)}:${pad(m + 4)}:00+09:00,${d}T${pad(h)}:${pad(m + 9)}:00+09:00,done`);
      }
    }
  }
  return rows.join('\n') + '\n';
}

// Imports the history and waits for the office's first forecast fit.
async function importHistory(base) {
  const tok = token('manager');
  const imported = await fetch(`${base}/v1/offices/${OFFICE}/history`, {
    method: 'POST', headers: { 'Content-Type': 'text/csv', Authorization: 'Bearer ' + tok }, body: historyCsv(),
  });
  const importText = await imported.text();
  record('POST', `/v1/offices/${OFFICE}/history`, imported.status, imported.headers.get('content-type'), importText);
  assert(imported.status === 200, 'history import: ' + imported.status + ' ' + importText);
  results.push('     history imported: ' + importText);
  for (let i = 0; i < 240; i++) {
    const f = await api(base, 'GET', `/v1/offices/${OFFICE}/forecast?from=2026-12-16&to=2026-12-16`);
    if (f.status === 200)
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the forecast never became ready after the history import');
}

async function dashboardDrawing(browser, base) {
  const tok = token('manager');
  const page = await newPage(browser, base, PHONE);
  await page.goto(`${base}/manager/${OFFICE}?lang=ja`);
  await ready(page);
  await page.locator('#token').fill(tok);
  await page.locator('#signin button[type="submit"]').click();
  await page.locator('#heatmap').waitFor();
  const cells = await page.locator('#heatmap tbody td').count();
  assert(cells >= 5 * 8, 'heatmap cells: ' + cells);
  assert(await page.locator('#heatmap tbody tr').count() >= 5, 'heatmap rows');
  await page.locator('#fva canvas').first().waitFor();
  await page.locator('#staffing-table').waitFor();
  assert(await page.locator('#staffing-table tbody tr').count() > 0, 'no staffing rows');
  await page.locator('#whatif-counters').fill('9=3, 10=x');
  await page.locator('#whatif-form button[type="submit"]').click();
  await page.locator('#whatif-counters[aria-invalid="true"]').waitFor();
  await page.locator('#whatif-counters').fill('9=3, 10=4');
  await page.locator('#whatif-form button[type="submit"]').click();
  await page.locator('#whatif-p90').waitFor();
  await noViolations(page, 'dashboard (390)');
  await shot(page, 'manager-dashboard-390');
  await page.setViewportSize(DESKTOP);
  await noViolations(page, 'dashboard (1920)');
  await shot(page, 'manager-dashboard-1920');
  const wide = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert(wide[0] <= wide[1], 'the dashboard scrolls sideways');
  await page.context().close();
}

async function manager(browser, base, staff) {
  const tok = token('manager');
  const probe = await api(base, 'GET', `/v1/reports/load?office=${OFFICE}&from=2026-11-17&to=2026-12-15`, undefined, tok);
  const cap = await api(base, 'GET', `/v1/offices/${OFFICE}/capacity`, undefined, tok);
  const page = await newPage(browser, base, DESKTOP);
  await page.goto(`${base}/manager/${OFFICE}?lang=en`);
  await ready(page);
  await page.locator('#token').fill(tok);
  await page.locator('#signin button[type="submit"]').click();
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  assert(probe.status === 200, 'load report: ' + probe.status);
  await page.locator('#heatmap').waitFor();
  assert(cap.status === 200, 'capacity rules: ' + cap.status);
  {
    const day = '2026-12-23';
    const free = async () => {
      const a = await api(base, 'GET', `/v1/offices/${OFFICE}/availability?service=ecert_renewal&from=${day}&to=${day}`);
      const d = a.data.days[0];
      return d.bookable ? d.slots.reduce((n, x) => n + x.available, 0) : 0;
    };
    assert(await free() > 0, `${day} has no free places to begin with`);
    await page.locator('#cap-service').selectOption('ecert_renewal');
    await page.locator('#cap-date').fill(day);
    await page.locator('#cap-cap').fill('0');
    await page.locator('#capacity-form button[type="submit"]').click();
    await page.locator('#rules li').first().waitFor();
    assert(await free() === 0, 'availability ignores the cap');
    await noViolations(page, 'manager dashboard with a rule (1920)');
    await page.locator('#rules li button').first().click();
    await page.locator('#rules').waitFor({ state: 'detached' });
    assert(await free() > 0, 'availability still capped after the rule was deleted');
  }
  {
    // A weekday factor: refused with the reasons shown at the fields, then added
    // (0 % on Wednesdays) and obeyed, shown in both languages, and deleted.
    const wed = '2026-12-23', thu = '2026-12-24';
    const free = async (day) => {
      const a = await api(base, 'GET', `/v1/offices/${OFFICE}/availability?service=ecert_renewal&from=${day}&to=${day}`);
      const d = a.data.days[0];
      return d.bookable ? d.slots.reduce((n, x) => n + x.available, 0) : 0;
    };
    assert(await free(wed) > 0 && await free(thu) > 0, 'no free places to begin with');
    await page.locator('#fac-pct').fill('150');
    await page.locator('#factor-form button[type="submit"]').click();
    await page.locator('#fac-weekdays-error').waitFor();
    assert((await page.locator('#fac-weekdays').getAttribute('aria-describedby')) === 'fac-weekdays-error', 'the weekday error is not tied to its group');
    assert((await page.locator('#fac-pct').getAttribute('aria-invalid')) === 'true', 'a factor of 150 % is not marked');
    const pctErr = await page.locator('#' + await page.locator('#fac-pct').getAttribute('aria-describedby')).innerText();
    assert(pctErr.includes('0 to 100'), 'the factor error: ' + pctErr);
    await noViolations(page, 'manager weekday factor with errors (1920)');
    await page.locator('#fac-service').selectOption('ecert_renewal');
    await page.locator('#fac-from').fill('2026-12-21');
    await page.locator('#fac-to').fill('2026-12-27');
    await page.getByLabel('Wed', { exact: true }).check();
    await page.locator('#fac-pct').fill('0');
    await page.locator('#factor-form button[type="submit"]').click();
    await page.locator('#rules li', { hasText: '0% on Wed' }).waitFor();
    assert(!(await page.locator('#fac-weekdays-error').count()) && !(await page.locator('#fac-pct').getAttribute('aria-invalid')), 'errors stay after the rule was added');
    const rules = (await api(base, 'GET', `/v1/offices/${OFFICE}/capacity`, undefined, tok)).data.rules;
    assert(rules.length === 1 && rules[0].factor === 0 && JSON.stringify(rules[0].weekdays) === '[3]' && rules[0].from === '2026-12-21' && rules[0].to === '2026-12-27',
      'the stored rule: ' + JSON.stringify(rules));
    assert(await free(wed) === 0, 'availability ignores the weekday factor');
    assert(await free(thu) > 0, 'the factor reached another weekday');
    await page.locator('#lang-switch').click();
    await page.locator('#factor-form legend', { hasText: '曜日ごとの割合を追加' }).waitFor();
    await page.locator('#rules li', { hasText: '水は0%' }).waitFor();
    assert(await page.getByLabel('オンライン予約に出す枠の割合（%）').count() === 1, 'the factor field has no Japanese label');
    await noViolations(page, 'manager weekday factor in Japanese (1920)');
    await page.locator('#lang-switch').click();
    await page.locator('#rules li button').first().click();
    await page.locator('#rules').waitFor({ state: 'detached' });
    assert(await free(wed) > 0, 'availability still scaled after the rule was deleted');
  }
  await noViolations(page, 'manager dashboard (1920)');
  await shot(page, 'manager-1920');
  await page.context().close();
}

async function everyPage(browser, base, number) {
  const paths = {
    home: '/', book: `/book/${OFFICE}`, manage: '/manage', status: `/status/${OFFICE}`,
    ticket: `/ticket/${OFFICE}/${number}`, manager: `/manager/${OFFICE}`, display: `/display/${OFFICE}`,
    notfound: '/book/nowhere',
  };
  for (const [name, path] of Object.entries(paths)) {
    for (const lang of ['ja', 'en']) {
      for (const [vname, vp] of [['390', PHONE], ['1920', DESKTOP], ['360', { width: 360, height: 740 }]]) {
        const page = await newPage(browser, base, vp);
        await page.goto(base + path + (name === 'display' ? '' : '?lang=' + lang));
        await ready(page);
        if (vname === '360') {
          const wide = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
          assert(wide[0] <= wide[1], `${path} (${lang}) scrolls sideways at 360 px: ${wide[0]} > ${wide[1]}`);
        } else {
          await noViolations(page, `${path} (${lang}, ${vname})`);
          if (name !== 'display' || lang === 'ja')
            await shot(page, `${name}${name === 'display' ? '' : '-' + lang}-${vname}`);
        }
        await page.context().close();
      }
    }
  }
}

async function main() {
  const { url: base } = await startDaemon();
  // playwright-core starts Chromium with a fresh profile directory of its own each time.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    headless: true,
  });
  const staff = token('staff');
  await test('history imported and the forecast fitted', () => importHistory(base));
  let booking = null, number = 'A-001';
  await test('a complete booking on a 390×844 phone ends with the row in PostgreSQL', async () => { booking = await bookingOnPhone(browser, base); });
  await test('a refusal before the window books the offered earliest slot', () => beforeWindow(browser, base));
  if (booking)
    await test('reschedule, calendar file and cancel through /manage', () => manage(browser, base, booking));
  await test('the ticket page and the status page show a call within 2 s, and reconnect after a restart', async () => { number = await liveCall(browser, base, staff); });
  await test('the manager page: a day cap and a weekday factor added there are obeyed by availability', () => manager(browser, base, staff));
  await test('the status page\'s congestion calendar and best times', () => statusCalendar(browser, base));
  await test('the dashboard draws the heatmap, forecast against actual, staffing gap and what-if', () => dashboardDrawing(browser, base));
  await test('every page: axe (390×844, 1920×1080, ja and en), nothing sideways at 360 px', () => everyPage(browser, base, number));
  await browser.close();
  const code = await stopDaemon();
  if (code !== 0) {
    failures++;
    results.push(`FAIL madoguchid exited with ${code}; see ${TMP}/e2e-daemon-*.log`);
  }
  for (const r of results)
    console.error('e2e: ' + r);
  console.error('e2e: screenshots: ' + shots.join(' '));
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error('e2e: ' + (e.stack || e));
  process.exit(1);
});
