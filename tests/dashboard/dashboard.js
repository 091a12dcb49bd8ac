/*
 * dashboard.js: drives chopay's dashboard in headless Chromium (Debian's,
 * through playwright-core) as a board user and an admin would: sign-in (a
 * wrong password first), overview, daily reconciliation with the review
 * queue (suggestions explained in Vietnamese and English from the
 * server's reason codes), a review match, the day close (and closing
 * twice refused, worded from the error code), payers,
 * invoices, both CSV exports (checked the way Excel reads them), the
 * English toggle, sign-out, a forged organisation in the URL, and the
 * admin's organisation picker; a screenshot of each page. Any Content-
 * Security-Policy violation or page error fails the run. No timing
 * assertions: every wait is for a state, with a generous ceiling.
 */
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const base = process.env.CHOPAY_URL;
const day = process.env.CHOPAY_DATE; /* the statement's day (Vietnam's today) */
const shots = process.env.CHOPAY_SHOTS;
const WAIT = 60000; /* ceiling of every wait (a busy 2-core CI box) */
let passed = 0, failed = 0;

function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.error('FAIL: ' + what); }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
}

/* RFC 4180 rows of a CSV text (quotes, doubled quotes, CRLF). */
function csvRows(text, sep) {
  const rows = [];
  let row = [], f = '', q = false, i = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; }
      else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === sep) { row.push(f); f = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++; }
    else f += c;
  }
  if (f !== '' || row.length) { row.push(f); rows.push(row); }
  return rows;
}

/* The rows of the table whose header row starts with `head`. */
function tableAfter(rows, head) {
  const i = rows.findIndex((r) => r[0] === head);
  if (i < 0) return { head: null, body: [] };
  const body = [];
  for (let k = i + 1; k < rows.length && rows[k].length > 1; k++) body.push(rows[k]);
  return { head: rows[i], body: body };
}

/* Wait for the toast to say something containing `text`. */
async function toastSays(page, text) {
  await page.waitForFunction((s) => {
    const b = document.getElementById('toast');
    return b && !b.hidden && b.textContent.includes(s);
  }, text, { timeout: WAIT });
}

/* Sign in and wait until page `where` (default the overview) is drawn. */
async function signIn(page, login, password, where) {
  await page.waitForSelector('#login-form', { timeout: WAIT });
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('#signin');
  await page.waitForFunction((w) => document.body.getAttribute('data-page') === w &&
    document.getElementById('main').getAttribute('aria-busy') === 'false',
    where || 'overview', { timeout: WAIT });
}

async function signOut(page) {
  await page.click('#logout');
  await page.waitForSelector('#login-form', { timeout: WAIT });
}

/* Download the file behind link `sel`; returns [name, Buffer]. */
async function download(page, sel, file) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }),
                                  page.click(sel)]);
  const out = path.join(shots, file);
  await dl.saveAs(out);
  return [dl.suggestedFilename(), fs.readFileSync(out)];
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHOPAY_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 120000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run'],
  });
  const ctx = await browser.newContext({ acceptDownloads: true, locale: 'vi-VN',
                                         viewport: { width: 1200, height: 800 } });
  const page = await ctx.newPage();
  const problems = [];
  const outside = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) outside.push(r.url());
  });
  page.on('dialog', (d) => d.accept()); /* "close this day?" */
  page.setDefaultTimeout(WAIT);
  page.setDefaultNavigationTimeout(WAIT);

  /* sign-in page, a wrong password, then the right one */
  await page.goto(base + '/');
  await page.waitForSelector('#login-form');
  check((await page.textContent('#signin')) === 'Đăng nhập', 'Vietnamese sign-in');
  await shot(page, '01-sign-in');
  await page.fill('#login', 'banquanly');
  await page.fill('#password', 'sai-mat-khau');
  await page.click('#signin');
  await page.waitForFunction(() => document.getElementById('login-error').textContent !== '');
  check((await page.textContent('#login-error')).includes('Sai tên đăng nhập'),
        'wrong password message');
  await signIn(page, 'banquanly', process.env.CHOPAY_PASSWORD);
  const cookies = await ctx.cookies();
  const sc = cookies.find((c) => c.name === 'chopay_session');
  check(sc && sc.httpOnly && sc.sameSite === 'Strict', 'session cookie flags');
  check(await page.evaluate(() => document.cookie.indexOf('chopay_session') < 0),
        'cookie hidden from scripts');

  /* overview: cards and both SVG charts; a board user has no picker */
  await page.waitForSelector('svg.chart path.line', { state: 'attached' });
  check((await page.$$('#today-cards .card')).length === 6, 'six overview cards');
  check((await page.$$('svg.chart')).length === 2, 'two charts');
  check((await page.textContent('#nav')).includes('Đối soát ngày'), 'Vietnamese nav');
  check((await page.textContent('#page-title')).includes('CHO-TT'), 'overview of CHO-TT');
  check(await page.isHidden('#org-pick'), 'no organisation picker for a board user');
  check((await page.textContent('#who')).includes('Chợ Trung tâm'), 'own market named');
  await shot(page, '02-overview');

  /* daily reconciliation of the statement's day (even past midnight):
     the review queue, explained in Vietnamese */
  await page.click('a[data-page=daily]');
  await page.waitForSelector('body[data-page=daily] #review .txn');
  if ((await page.inputValue('#day')) !== day) {
    await page.fill('#day', day);
    await page.click('#day-form button');
    await page.waitForFunction((d) => document.body.getAttribute('data-page') === 'daily' &&
      document.getElementById('main').getAttribute('aria-busy') === 'false' &&
      document.getElementById('day') && document.getElementById('day').value === d, day);
  }
  const before = (await page.$$('#review .txn')).length;
  check(before === 2, 'two transactions to review, got ' + before);
  const head = await page.textContent('#review');
  check(head.includes('Chưa khớp (không có mã thanh toán)'),
        'queue reason in Vietnamese: ' + head.slice(0, 200));
  const whys = await page.$$eval('#review .suggest .why', (l) => l.map((e) => e.textContent));
  const sender = process.env.CHOPAY_SENDER; /* stall A-1's vendor, folded */
  const said = 'Tên người chuyển (' + sender + ') giống tên người nộp (';
  check(whys.some((w) => w.includes(said) &&
                         /^\d+%\)/.test(w.slice(w.indexOf(said) + said.length))),
        'suggestion explained in Vietnamese: ' + whys.join(' | '));
  check(!whys.some((w) => /sender named|open invoice|open intent/.test(w)),
        'no English explanation on the Vietnamese page');
  await shot(page, '03-daily');
  const first = page.locator('#review .txn').first();
  /* no reason: refused in the page, nothing sent */
  await first.locator('.do-ignore').click();
  await toastSays(page, 'Phải nhập lý do');
  check(true, 'reason required');
  const id = await first.getAttribute('data-txn');
  await first.locator('.reason').fill('Chị Ngân nộp tiền thuê sạp A-1, đã gọi xác nhận');
  await first.locator('.payer').fill('A-1');
  await first.locator('.do-match').click();
  await toastSays(page, 'Đã xong');
  await page.waitForFunction((n) => document.body.getAttribute('data-page') === 'daily' &&
                             document.querySelectorAll('#review .txn').length === n,
                             before - 1);
  check(true, 'review match applied');
  const t = await page.evaluate(async (tid) => {
    const r = await fetch('/v1/orgs/CHO-TT/bank/transactions/' + tid,
                          { credentials: 'same-origin' });
    return r.json();
  }, id);
  check(t.state === 'matched', 'transaction matched on the server: ' + t.state);
  check(JSON.stringify(t.audit || []).includes('user:banquanly'),
        'review audited as the signed-in user');
  await page.waitForSelector('#proof');
  await shot(page, '04-daily-after-review');

  /* the day close: confirmed in a dialog, stored once */
  await page.click('#close-day');
  await page.waitForSelector('#day-closed');
  check((await page.textContent('#day-closed')).includes('đã chốt sổ'), 'day closed note');
  const again = await page.evaluate(async (d) => {
    const s = await (await fetch('/dash/session')).json();
    const r = await fetch('/v1/orgs/CHO-TT/close', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
      body: JSON.stringify({ date: d }) });
    return [r.status, (await r.json()).error.code];
  }, day);
  check(again[0] === 409 && again[1] === 'already_closed', 'closed once: ' + again);
  await shot(page, '05-day-closed');
  /* back on the page later: the server says the day is closed, so the
     page shows it and offers no close button */
  await page.click('a[data-page=payers]');
  await page.waitForSelector('body[data-page=payers] table tbody tr');
  await page.click('a[data-page=daily]');
  await page.waitForSelector('body[data-page=daily] #proof');
  if ((await page.inputValue('#day')) !== day) {
    await page.fill('#day', day);
    await page.click('#day-form button');
    await page.waitForFunction((d) => document.getElementById('day') &&
      document.getElementById('day').value === d &&
      document.getElementById('main').getAttribute('aria-busy') === 'false', day);
  }
  await page.waitForSelector('#day-closed');
  check((await page.$('#close-day')) === null, 'a closed day offers no close button');
  const cl = await page.evaluate(async (d) => {
    const r = await fetch('/v1/orgs/CHO-TT/close?date=' + d, { credentials: 'same-origin' });
    return [r.status, (await r.json()).closed];
  }, day);
  check(cl[0] === 200 && cl[1] === true, 'GET close says closed: ' + cl);

  /* a state change without the CSRF header is refused */
  const csrf = await page.evaluate(async () => {
    const r = await fetch('/v1/orgs/CHO-TT/province', {
      method: 'PUT', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ province: 'Đà Nẵng' }) });
    return r.status;
  });
  check(csrf === 403, 'PUT without X-CSRF-Token: ' + csrf);

  /* payers and invoices */
  await page.click('a[data-page=payers]');
  await page.waitForSelector('body[data-page=payers] table tbody tr');
  check((await page.$$('table tbody tr')).length === 120, '120 stalls');
  await shot(page, '06-payers');
  await page.click('a[data-page=invoices]');
  await page.waitForSelector('body[data-page=invoices] table tbody tr');
  await shot(page, '07-invoices');

  /* exports: CSV downloads through the session cookie, as Excel reads them */
  await page.click('a[data-page=exports]');
  await page.waitForSelector('body[data-page=exports] #exp-daily');
  await page.fill('#exp-day', day);
  await page.dispatchEvent('#exp-day', 'change');
  await shot(page, '08-exports');
  let [name, csv] = await download(page, '#exp-daily', 'export-daily.csv');
  check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, 'daily CSV: UTF-8 BOM');
  check(/^doi-soat-CHO-TT-\d{4}-\d\d-\d\d\.csv$/.test(name), 'daily CSV file name ' + name);
  let rows = csvRows(csv.toString('utf8').slice(1), ',');
  let tb = tableAfter(rows, 'Mã');
  check(tb.head && tb.head.join('|') === 'Mã|Chỉ tiêu|Số lượng|Số tiền (đồng)',
        'daily CSV Vietnamese header: ' + (tb.head || []).join('|'));
  check(tb.body.length >= 15 && tb.body.every((r) => /^-?\d+$/.test(r[3]) &&
                                               /^(-?\d+)?$/.test(r[2])),
        'daily CSV amounts and counts are plain numbers');
  const recv = tb.body.find((r) => r[0] === 'received');
  check(recv && recv[2] === '2' && recv[3] === '1700000', 'daily CSV received 2, 1700000');
  check(csv.toString('utf8').includes('Đã thu bằng chuyển khoản'), 'daily CSV diacritics');
  await page.check('#exp-semi');
  [name, csv] = await download(page, '#exp-adoption', 'export-adoption-semicolon.csv');
  check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, 'adoption CSV: UTF-8 BOM');
  check(/^khong-tien-mat-CHO-TT-/.test(name), 'adoption CSV file name ' + name);
  rows = csvRows(csv.toString('utf8').slice(1), ';');
  tb = tableAfter(rows, 'Chỉ tiêu');
  check(tb.head && tb.head.join('|') === 'Chỉ tiêu|Kỳ này|Kỳ trước|Thay đổi',
        'adoption CSV Vietnamese header');
  const share = tb.body.find((r) => r[0] === 'Tỷ lệ theo số lượt');
  check(share && share.slice(1).every((v) => /^-?\d+,\d%$/.test(v)),
        'adoption shares are vi-VN percentages (numbers): ' + share);
  check(tb.body.filter((r) => !/^Tỷ lệ/.test(r[0]))
          .every((r) => r.slice(1).every((v) => /^-?\d+$/.test(v))),
        'adoption counts and amounts are plain numbers');
  const trend = tableAfter(rows, 'Từ ngày');
  check(trend.body.length > 0 &&
        trend.body.every((r) => /^\d{4}-\d\d-\d\d$/.test(r[0]) && /^\d{4}-\d\d-\d\d$/.test(r[1])),
        'adoption trend dates are ISO');

  /* English: the same suggestions, explained in English from the codes */
  await page.click('#lang');
  await page.click('a[data-page=daily]');
  await page.waitForSelector('body[data-page=daily] #review');
  check((await page.textContent('#nav')).includes('Daily reconciliation'), 'English nav');
  check((await page.getAttribute('html', 'lang')) === 'en', 'html lang en');
  check((await page.textContent('#review')).includes('Unmatched (no payment code)'),
        'queue reason in English');
  await shot(page, '09-daily-en');
  await page.click('a[data-page=overview]');
  await page.waitForSelector('body[data-page=overview] #today-cards');
  await shot(page, '10-overview-en');
  await page.click('#lang'); /* back to Vietnamese */

  /* sign out: back to the sign-in page, the session is gone */
  await signOut(page);
  const st = await page.evaluate(async () => (await fetch('/dash/session')).status);
  check(st === 401, 'session ended: ' + st);

  /* a board user with another organisation forged into the URL: ignored
     by the page, refused by the server */
  await page.goto(base + '/#overview?org=THCS-LQD');
  await signIn(page, 'banquanly', process.env.CHOPAY_PASSWORD);
  check((await page.getAttribute('body', 'data-org')) === 'CHO-TT', 'forged org ignored');
  check((await page.textContent('#page-title')).includes('CHO-TT'), 'still CHO-TT');
  check(await page.isHidden('#org-pick'), 'still no picker');
  const forged = await page.evaluate(async () => [
    (await fetch('/v1/reports/daily?org=THCS-LQD')).status,
    (await fetch('/v1/orgs/THCS-LQD/payers')).status,
    (await fetch('/v1/stats/adoption?org=THCS-LQD')).status]);
  check(forged.every((s) => s === 403), 'other organisation refused: ' + forged);
  await signOut(page);

  /* an admin picks the organisation; the choice is kept in the URL */
  await signIn(page, 'quantri', process.env.CHOPAY_ADMIN_PASSWORD);
  check(await page.isVisible('#org-pick'), 'admin has the organisation picker');
  const opts = await page.$$eval('#org-pick option', (l) => l.map((o) => o.value));
  check(opts.join(',') === 'CHO-TT,THCS-LQD', 'picker offers both: ' + opts);
  await page.selectOption('#org-pick', 'THCS-LQD');
  await page.waitForFunction(() => document.body.getAttribute('data-org') === 'THCS-LQD' &&
    document.body.getAttribute('data-page') === 'overview' &&
    document.getElementById('page-title') &&
    document.getElementById('page-title').textContent.includes('THCS-LQD') &&
    document.getElementById('main').getAttribute('aria-busy') === 'false');
  check(/org=THCS-LQD/.test(page.url()), 'choice in the URL: ' + page.url());
  await shot(page, '11-admin-picker');
  await page.click('a[data-page=payers]');
  await page.waitForSelector('body[data-page=payers] table tbody tr');
  check(/#payers\?org=THCS-LQD$/.test(page.url()), 'navigation keeps the choice');
  const school = await page.$$eval('table tbody tr td:first-child', (l) => l.map((e) => e.textContent));
  const own = await page.evaluate(async () =>
    (await (await fetch('/v1/orgs/THCS-LQD/payers?limit=1000')).json()).payers.map((p) => p.code));
  check(school.length > 0 && school.join() === own.join(), 'the school\'s payers listed');
  await page.reload();
  await page.waitForSelector('body[data-page=payers] table tbody tr');
  check((await page.getAttribute('body', 'data-org')) === 'THCS-LQD' &&
        (await page.inputValue('#org-pick')) === 'THCS-LQD', 'kept after a reload');
  await shot(page, '12-admin-school-payers');
  await signOut(page);

  const csp = problems.filter((p) => /Content Security Policy|Refused to/.test(p));
  check(csp.length === 0, 'CSP violations: ' + csp.join(' | '));
  const errs = problems.filter((p) => !/status of 40[139]/.test(p));
  check(errs.length === 0, 'page errors: ' + errs.join(' | '));
  check(outside.length === 0, 'requests outside the server: ' + outside.join(' '));
  await browser.close();
}

main().catch((e) => { failed++; console.error('FAIL: ' + (e.stack || e)); })
  .then(() => {
    console.log(passed + ' passed, ' + failed + ' failed');
    process.exit(failed ? 1 : 0);
  });
