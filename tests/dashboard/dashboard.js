/*
 * dashboard.js: drives chopay's dashboard in headless Chromium (Debian's,
 * through playwright-core): sign-in (a wrong password first), overview,
 * daily reconciliation with a review action, payers, invoices, a CSV
 * export, the English toggle and sign-out, with a screenshot of each page.
 * Any Content-Security-Policy violation or page error fails the run.
 */
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const base = process.env.CHOPAY_URL;
const shots = process.env.CHOPAY_SHOTS;
let passed = 0, failed = 0;

function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.error('FAIL: ' + what); }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHOPAY_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
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
  page.setDefaultTimeout(10000);

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
  await page.fill('#password', process.env.CHOPAY_PASSWORD);
  await page.click('#signin');
  await page.waitForSelector('#today-cards');
  const cookies = await ctx.cookies();
  const sc = cookies.find((c) => c.name === 'chopay_session');
  check(sc && sc.httpOnly && sc.sameSite === 'Strict', 'session cookie flags');
  check(await page.evaluate(() => document.cookie.indexOf('chopay_session') < 0),
        'cookie hidden from scripts');

  /* overview: cards and both SVG charts */
  await page.waitForSelector('svg.chart path.line', { state: 'attached' });
  check((await page.$$('#today-cards .card')).length === 6, 'six overview cards');
  check((await page.$$('svg.chart')).length === 2, 'two charts');
  check((await page.textContent('#nav')).includes('Đối soát ngày'), 'Vietnamese nav');
  await shot(page, '02-overview');

  /* daily reconciliation and the review queue */
  await page.click('a[data-page=daily]');
  await page.waitForSelector('#review .txn');
  const before = (await page.$$('#review .txn')).length;
  check(before === 2, 'two transactions to review, got ' + before);
  await shot(page, '03-daily');
  const first = page.locator('#review .txn').first();
  /* no reason: refused in the page, nothing sent */
  await first.locator('.do-ignore').click();
  await page.waitForSelector('#toast.bad');
  check((await page.textContent('#toast')).includes('Phải nhập lý do'), 'reason required');
  const id = await first.getAttribute('data-txn');
  await first.locator('.reason').fill('Chị Ngân nộp tiền thuê sạp A-1, đã gọi xác nhận');
  await first.locator('.payer').fill('A-1');
  await first.locator('.do-match').click();
  await page.waitForSelector('#toast.good');
  await page.waitForFunction((n) => document.querySelectorAll('#review .txn').length === n,
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
  await shot(page, '05-payers');
  await page.click('a[data-page=invoices]');
  await page.waitForSelector('body[data-page=invoices] table tbody tr');
  await shot(page, '06-invoices');

  /* exports: a CSV download through the session cookie */
  await page.click('a[data-page=exports]');
  await page.waitForSelector('#exp-daily');
  await shot(page, '07-exports');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#exp-daily')]);
  const file = path.join(shots, 'export-daily.csv');
  await dl.saveAs(file);
  const csv = fs.readFileSync(file);
  check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, 'CSV starts with a UTF-8 BOM');
  check(csv.toString('utf8').includes('CHO-TT'), 'CSV names the market');
  check(/doi-soat-CHO-TT-\d{4}-\d\d-\d\d\.csv/.test(dl.suggestedFilename()),
        'CSV file name ' + dl.suggestedFilename());

  /* English */
  await page.click('#lang');
  await page.click('a[data-page=overview]');
  await page.waitForSelector('body[data-page=overview] #today-cards');
  check((await page.textContent('#nav')).includes('Daily reconciliation'), 'English nav');
  check((await page.getAttribute('html', 'lang')) === 'en', 'html lang en');
  await shot(page, '08-overview-en');

  /* sign out: back to the sign-in page, the session is gone */
  await page.click('#logout');
  await page.waitForSelector('#login-form');
  const st = await page.evaluate(async () => (await fetch('/dash/session')).status);
  check(st === 401, 'session ended: ' + st);

  const csp = problems.filter((p) => /Content Security Policy|Refused to/.test(p));
  check(csp.length === 0, 'CSP violations: ' + csp.join(' | '));
  const errs = problems.filter((p) => !/status of 40[13]/.test(p));
  check(errs.length === 0, 'page errors: ' + errs.join(' | '));
  check(outside.length === 0, 'requests outside the server: ' + outside.join(' '));
  await browser.close();
}

main().catch((e) => { failed++; console.error('FAIL: ' + (e.stack || e)); })
  .then(() => {
    console.log(passed + ' passed, ' + failed + ' failed');
    process.exit(failed ? 1 : 0);
  });
