/*
 * dashboard.js: drives chopay's dashboard in headless Chromium (Debian's,
 * through playwright-core) as a board user and an admin would: sign-in (a
 * wrong password first), overview (dates and periods written the
 * Vietnamese way), a bank statement upload (a line with an error named in
 * Vietnamese, then the corrected file and its balance check), daily
 * reconciliation with the review
 * queue (suggestions explained in Vietnamese and English from the
 * server's reason codes), a review match, the day close (and closing
 * twice refused, worded from the error code), payers,
 * invoices, a refund of a payer's credit (confirmed in the page), a
 * receipt looked up by number with its print views, a stall's standee,
 * fees added, edited and deactivated, invoices generated for a period,
 * both CSV exports (checked the way Excel reads them), the
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
/* the market's earlier days with payments (ISO), oldest first */
const history = (process.env.CHOPAY_HISTORY || '').split(' ').filter(Boolean);
const WAIT = 60000; /* ceiling of every wait (a busy 2-core CI box) */
let passed = 0, failed = 0;
let boardsRefused = false; /* a province user tries the boards' endpoints */

function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.error('FAIL: ' + what); }
}

/* A screenshot of the whole page (`top`: of the window only, for a long one). */
async function shot(page, name, top) {
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: !top });
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

/* Show day `iso` on the daily page and wait until it is drawn. */
async function showDay(page, iso) {
  if ((await page.inputValue('#day')) === dmy(iso) &&
      (await page.getAttribute('#main', 'aria-busy')) === 'false') return;
  await page.fill('#day', dmy(iso));
  await page.click('#day-form button');
  await page.waitForFunction((d) => document.body.getAttribute('data-page') === 'daily' &&
    document.getElementById('main').getAttribute('aria-busy') === 'false' &&
    document.getElementById('day') && document.getElementById('day').value === d &&
    document.getElementById('proof') !== null, dmy(iso));
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

/* Click nav link `name` and wait until its page is drawn. */
async function goPage(page, name) {
  await page.click('a[data-page=' + name + ']');
  await page.waitForFunction((w) => document.body.getAttribute('data-page') === w &&
    document.getElementById('main').getAttribute('aria-busy') === 'false', name,
    { timeout: WAIT });
}

/* Upload statement file `file` on the statements page; returns the text shown. */
async function upload(page, file) {
  const before = await page.getAttribute('body', 'data-stmt');
  await page.setInputFiles('#stmt-file', file);
  await page.click('#stmt-upload');
  await page.waitForFunction((b) => document.body.getAttribute('data-stmt') !== b, before,
                             { timeout: WAIT });
  return page.textContent('#stmt-out');
}

/* 'YYYY-MM-DD' as 'DD/MM/YYYY'. */
function dmy(iso) {
  return iso.slice(8, 10) + '/' + iso.slice(5, 7) + '/' + iso.slice(0, 4);
}

/* Đồng the way the dashboard writes them: '1.234.000 ₫'. */
function vnd(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.') + ' ₫';
}

/* JSON of a GET with the page's session. */
async function get(page, url) {
  return page.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).json(), url);
}

async function signOut(page) {
  /* the page's own requests end first: none is cut off by the sign-out */
  await page.waitForSelector('#main:not([aria-busy=true])', { timeout: WAIT });
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

/* The texts of the cells of column `n` (1-based) of the province table. */
async function provinceColumn(page, n) {
  return page.$$eval('#prov-table tbody tr td:nth-child(' + n + ')',
                     (l) => l.map((e) => e.textContent));
}

/*
 * A provincial officer of Đà Nẵng (added as "Da Nang"): one page, every
 * market and school of the province and nothing of Huế's market, shares
 * as '—' where there were no payments, sortable columns, a CSV for
 * Excel, the month chart with gaps; another province refused.
 */
async function provinceOfficer(page) {
  await page.goto(base + '/#daily');
  await signIn(page, 'tinh.dn', process.env.CHOPAY_PROVINCE_PASSWORD, 'province');
  const title = await page.textContent('#page-title');
  check(title.includes('Đà Nẵng') && title.includes(dmy(day)),
        'province page of Đà Nẵng, dated DD/MM/YYYY: ' + title);
  const nav = await page.$$eval('#nav a', (l) => l.filter((a) => !a.hidden).map((a) => a.dataset.page));
  check(nav.join() === 'province', 'a province user has one page: ' + nav);
  check(await page.isHidden('#org-pick') && (await page.$('#prov-pick')) === null,
        'no organisation or province picker');
  check((await page.textContent('#who')).includes('Đà Nẵng'), 'the province in the header');
  const codes = await provinceColumn(page, 1);
  check(codes.slice().sort().join() === 'CHO-TT,THCS-LQD', 'its two organisations: ' + codes);
  /* every card and chart says its period; dates DD/MM or DD/MM/YYYY */
  const periods = await page.$$eval('#prov-cards .card .period', (l) => l.map((e) => e.textContent));
  check(periods.length === 4 && periods.every((x) => x.includes(dmy(day))),
        'province cards dated: ' + periods);
  const heads = await page.$$eval('main h2', (l) => l.map((e) => e.textContent));
  check(heads.length === 4 && /\d\d\/\d{4} – \d\d\/\d{4}/.test(heads[0]) &&
        heads[1].includes(dmy(day)) && heads[2].includes('Tiền khách trả thẳng cho sạp') &&
        heads[2].includes(dmy(day)) && heads[3] === 'Tổng thu và chốt sổ theo ngày',
        'chart and table headings dated: ' + heads);
  check((await page.$$('#shopper-side .card')).length === 4,
        'the shopper side: four cards beside the fee figures');
  check(!/\d{4}-\d\d/.test(await page.textContent('main')), 'no ISO dates in the page');
  /* the month chart: 12 months, a gap where no payments were made */
  const chart = await page.$eval('svg.chart', (s) => ({
    dots: s.querySelectorAll('circle.dot').length,
    gaps: s.querySelectorAll('line.gap').length,
    pens: (s.querySelector('path.line').getAttribute('d').match(/M/g) || []).length,
    label: s.getAttribute('aria-label') }));
  check(chart.dots + chart.gaps === 12 && chart.gaps >= 8 && chart.dots >= 3,
        'twelve months, the empty ones gaps: ' + JSON.stringify(chart));
  check(chart.pens >= 2, 'the line is broken over a month without payments');
  check(/\d\d\/\d{4}/.test(chart.label), 'the chart says its period: ' + chart.label);
  /* a school without payments shows a dash, not 0 % */
  const lqd = await page.$$eval('#prov-table tr[data-org=THCS-LQD] td', (l) => l.map((e) => e.textContent));
  check(lqd[2] === '—' && lqd[3] === '—', 'no payments: a dash, not 0 %: ' + lqd);
  /* sorting: by code, then reversed */
  await page.click('#prov-table th button[data-key=code]');
  let sorted = await provinceColumn(page, 1);
  check(sorted.join() === 'CHO-TT,THCS-LQD', 'sorted by code: ' + sorted);
  check((await page.getAttribute('#prov-table th:first-child', 'aria-sort')) === 'ascending',
        'aria-sort ascending');
  await page.click('#prov-table th button[data-key=code]');
  sorted = await provinceColumn(page, 1);
  check(sorted.join() === 'THCS-LQD,CHO-TT', 'sorted by code, reversed: ' + sorted);
  await page.click('#prov-table th button[data-key=share_value]');
  sorted = await provinceColumn(page, 1);
  check(sorted[0] === 'CHO-TT', 'by share of value, the empty one last: ' + sorted);
  await shot(page, '25-province');
  /* CSV for Excel: BOM, Vietnamese header, the rows as sorted */
  const [name, csv] = await download(page, '#prov-csv', 'province-da-nang.csv');
  check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, 'province CSV: UTF-8 BOM');
  check(/^ty-le-khong-tien-mat-da-nang-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/.test(name),
        'province CSV name ' + name);
  const rows = csvRows(csv.toString('utf8').slice(1), ',');
  check(rows[0][0] === 'Mã' && rows[0][2] === 'Tỷ lệ theo số lượt', 'province CSV header: ' + rows[0]);
  const shopperAt = rows.findIndex((r) => r[0].startsWith('Tiền khách trả thẳng cho sạp'));
  check(shopperAt > 3 && rows[shopperAt + 2][0] === 'Tổng',
        'province CSV: the shopper side after the organisations: ' + rows.slice(shopperAt));
  check(rows.slice(0, shopperAt).filter((r) => r.join('') !== '').length === 3 &&
        rows[1][0] === 'CHO-TT' && rows[2][0] === 'THCS-LQD' &&
        /^\d+\.\d%$/.test(rows[1][2]) && rows[2][2] === '', 'province CSV rows: ' + rows.slice(1));
  check(rows[2][1] === 'Trường THCS Lê Quý Đôn' || /Trường/.test(rows[2][1]), 'CSV diacritics: ' + rows[2][1]);
  await provinceDays(page);
  /* another province, its market and the boards' endpoints: refused */
  await page.goto(base + '/#province?province=Th%E1%BB%ABa%20Thi%C3%AAn%20Hu%E1%BA%BF');
  await page.waitForFunction(() => document.body.getAttribute('data-page') === 'province' &&
    document.getElementById('main').getAttribute('aria-busy') === 'false');
  check((await page.textContent('#page-title')).includes('Đà Nẵng'), 'a forged province ignored');
  check((await page.textContent('#prov-only')).includes('chỉ xem số liệu của Đà Nẵng'),
        'and the page says so');
  boardsRefused = true;
  const other = await page.evaluate(async () => [
    (await fetch('/v1/stats/adoption?province=Th%E1%BB%ABa%20Thi%C3%AAn%20Hu%E1%BA%BF')).status,
    (await fetch('/v1/stats/adoption?org=CHO-HUE')).status,
    (await fetch('/v1/reports/daily?org=CHO-HUE')).status,
    (await fetch('/v1/orgs/CHO-TT/payers')).status,
    (await fetch('/v1/orgs')).status]);
  boardsRefused = false;
  check(other.every((s) => s === 403), 'another province and the boards\' endpoints refused: ' + other);
  const err = await page.evaluate(async () =>
    (await fetch('/v1/stats/adoption?province=THUA%20THIEN%20HUE')).json());
  check(err.error && err.error.code === 'forbidden' && /Đà Nẵng/.test(err.error.message),
        'the refusal names its province: ' + JSON.stringify(err));
  await shot(page, '26-province-refused', true);
  await signOut(page);
}

/* The cells of the province's day table row of `day` and `org` ('' for
 * the day's sum), or null. */
async function dayRow(page, day, org) {
  const sel = '#prov-days tr[data-day="' + day + '"]' +
    (org ? '[data-org="' + org + '"]' : '.day-sum');
  return page.$$eval(sel + ' td', (l) => l.map((e) => e.textContent))
    .then((c) => (c.length ? c : null));
}

/* The province's days: each organisation's takings of each day as its
 * daily report gives them and whether the day is closed, a week a page. */
async function provinceDays(page) {
  await page.waitForSelector('#prov-days tbody tr');
  check((await page.textContent('#prov-days-pager .page-count')) ===
        dmy(shift(day, -6)).slice(0, 5) + ' – ' + dmy(day),
        'a week a page, the latest first: ' + (await page.textContent('#prov-days-pager .page-count')));
  const report = (org, d) => page.evaluate(async (q) =>
    (await (await fetch('/v1/reports/daily?org=' + q[0] + '&date=' + q[1])).json()).takings, [org, d]);
  /* today: the market's takings, closed by the board; the school's
     nothing, open; the province's sum */
  const tt = await report('CHO-TT', day);
  let row = await dayRow(page, day, 'CHO-TT');
  check(row && row[0] === dmy(day) && row[3] === vnd(tt.transfer.amount) && row[4] === vnd(tt.cash.amount) &&
        row[5] === vnd(tt.total) && row[6] === 'Đã chốt', 'today\'s market row: ' + row);
  row = await dayRow(page, day, 'THCS-LQD');
  check(row && row[5] === '0 ₫' && row[6] === 'Chưa chốt', 'today\'s school row: ' + row);
  row = await dayRow(page, day, '');
  check(row && row[2] === 'Cả tỉnh/thành' && row[5] === vnd(tt.total), 'today\'s sum: ' + row);
  /* yesterday closed with its reason */
  row = await dayRow(page, process.env.CHOPAY_YDAY, 'CHO-TT');
  check(row && row[6].startsWith('Đã chốt, có lý do: '), 'yesterday closed with a reason: ' + row);
  /* five days ago: the market's earlier payments, made through the API */
  const d5 = history[3], t5 = await report('CHO-TT', d5);
  row = await dayRow(page, d5, 'CHO-TT');
  check(t5.total > 0 && row && row[3] === vnd(t5.transfer.amount) && row[4] === vnd(t5.cash.amount) &&
        row[5] === vnd(t5.total) && row[6] === 'Chưa chốt', 'five days ago: ' + row);
  await shot(page, '25b-province-days');
  /* the week before: twelve days ago */
  await page.click('#prov-days-pager .page-next');
  await page.waitForFunction(() =>
    document.getElementById('prov-days-box').getAttribute('data-page') === '1');
  const d12 = history[2], t12 = await report('CHO-TT', d12);
  row = await dayRow(page, d12, 'CHO-TT');
  check(t12.total > 0 && row && row[5] === vnd(t12.total), 'twelve days ago: ' + row);
  check((await dayRow(page, day, 'CHO-TT')) === null, 'today is on the first page only');
  await page.click('#prov-days-pager .page-prev');
  await page.waitForFunction(() =>
    document.getElementById('prov-days-box').getAttribute('data-page') === '0');
}

/* ISO day `iso` moved by `n` days. */
function shift(iso, n) {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/* The admin: every province summed up, then one picked. */
async function provinceAdmin(page) {
  await signIn(page, 'quantri', process.env.CHOPAY_ADMIN_PASSWORD);
  await goPage(page, 'province');
  const picks = await page.$$eval('#prov-pick option', (l) => l.map((o) => o.value));
  check(picks.join('|') === '|Thừa Thiên Huế|Đà Nẵng' || picks.join('|') === '|Đà Nẵng|Thừa Thiên Huế',
        'the admin picks among every province: ' + picks);
  const sum = await page.$$eval('#prov-summary tbody tr td:first-child', (l) => l.map((e) => e.textContent));
  check(sum.length === 2, 'one summary row per province: ' + sum);
  await shot(page, '27-province-admin');
  await page.selectOption('#prov-pick', 'Đà Nẵng');
  await page.waitForFunction(() => document.getElementById('prov-table') &&
    document.getElementById('main').getAttribute('aria-busy') === 'false');
  const codes = await provinceColumn(page, 1);
  check(codes.slice().sort().join() === 'CHO-TT,THCS-LQD', 'the admin sees Đà Nẵng\'s: ' + codes);
  await shot(page, '28-province-admin-da-nang');
  await signOut(page);
}

/* The number of stall A-1's receipt of today's 1.500.000 ₫ transfer. */
async function a1Receipt(page) {
  const l = (await get(page, '/v1/orgs/CHO-TT/receipts?payer=A-1&limit=500')).receipts;
  const r = l.find((x) => x.amount === 1500000 && !x.voided);
  return r ? r.number : 'CHO-TT-none';
}

/* Folded as the server's search folds: 'Nguyễn' -> 'NGUYEN'. */
function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'D').toUpperCase();
}

/*
 * Payers: the list a page of 50 with its total, a search typed without
 * diacritics, a payer's page (what they owe, payments, receipts with
 * their PDF), a payer added then edited (the account holder folded as
 * banks write it), a CSV file with bad lines refused with each line named.
 */
async function payerPages(page, day) {
  const count = () => page.textContent('#payers-pager .page-count');
  await goPage(page, 'payers');
  await page.click('#payers-pager .page-next');
  await page.waitForFunction(() =>
    document.getElementById('payers-box').getAttribute('data-offset') === '50');
  check((await count()) === '51–100 / 120', 'second page: ' + (await count()));
  check((await page.$$('#payers tbody tr')).length === 50, 'second page: 50 rows');

  const all = (await get(page, '/v1/orgs/CHO-TT/payers?limit=1000')).payers;
  const nguyen = all.filter((p) => fold(p.name).includes('NGUYEN'));
  await page.fill('#payer-q', 'nguyen');
  await page.click('#payer-go');
  await page.waitForFunction((n) =>
    document.getElementById('payers-box').getAttribute('data-total') === String(n), nguyen.length);
  const found = await page.$$eval('#payers tbody tr td:nth-child(2)', (l) => l.map((e) => e.textContent));
  check(nguyen.length > 1 && found.length === Math.min(50, nguyen.length) &&
        found.every((n) => n.includes('Nguyễn')),
        'search "nguyen" finds the Nguyễn: ' + found.length + ' of ' + nguyen.length);
  await shot(page, '08a-payer-search');
  await page.fill('#payer-q', 'a12');
  await page.click('#payer-go');
  await page.waitForFunction(() =>
    document.getElementById('payers-box').getAttribute('data-total') === '1');
  check((await page.textContent('#payers tbody tr td:first-child')) === 'A-12', 'a12 finds A-12');
  await page.fill('#payer-q', 'A-1');
  await page.click('#payer-go');
  await page.waitForFunction(() =>
    document.getElementById('payers-box').getAttribute('data-total') === '11');

  /* A-1's page: its receipt of today's transfer */
  await page.click('#payers a.payer-link >> text="A-1"');
  await page.waitForFunction(() => document.body.getAttribute('data-page') === 'payer' &&
    document.getElementById('main').getAttribute('aria-busy') === 'false');
  const a1 = all.find((p) => p.code === 'A-1');
  check((await page.textContent('#payer-title')) === 'A-1 — ' + a1.name,
        'payer title: ' + (await page.textContent('#payer-title')));
  const rno = await a1Receipt(page);
  const rec = await page.textContent('#payer-receipts');
  check(rec.includes(rno) && rec.includes('1.500.000 ₫'), 'A-1\'s receipt listed: ' + rec);
  const href = await page.getAttribute('#payer-receipts a.receipt-pdf', 'href');
  check(href === '/v1/receipts/' + rno + '.pdf', 'receipt PDF link ' + href);
  const pubLink = await page.$('#payer-receipts a.receipt-public >> text="' + rno + '"');
  check(pubLink !== null &&
        (await pubLink.getAttribute('href')) === (await get(page, '/v1/receipts/' + rno)).public_url &&
        (await pubLink.getAttribute('target')) === '_blank',
        'the receipt number links to its public page in a new tab');
  const magic = await page.evaluate(async (u) =>
    new TextDecoder().decode((await (await fetch(u)).arrayBuffer()).slice(0, 5)), href);
  check(magic === '%PDF-', 'the receipt PDF opens');
  check((await page.$$('#payer-payments tbody tr')).length >= 1 &&
        /\/ \d+$/.test(await page.textContent('#payer-payments-pager .page-count')),
        'A-1\'s payments with their total');
  const owed = (await get(page, '/v1/orgs/CHO-TT/invoices?payer=A-1&status=unpaid&limit=1000'))
    .invoices.reduce((s, i) => s + i.due, 0);
  check((await page.textContent('#payer-owed .value')) === vnd(owed),
        'what A-1 owes: ' + (await page.textContent('#payer-owed .value')) + ' = ' + vnd(owed));
  check((await page.textContent('#payer-cards')).includes(vnd(a1.credit)), 'A-1\'s credit shown');
  await shot(page, '08b-payer-page');

  /* B-5 paid on each of the market's earlier days (a transfer through
     the API while the server's clock was that day): its payments and
     receipts carry those dates */
  await page.goto(base + '/#payer?code=B-5');
  await page.waitForFunction(() => document.body.getAttribute('data-page') === 'payer' &&
    document.getElementById('main').getAttribute('aria-busy') === 'false' &&
    (document.getElementById('payer-title') || {}).textContent.startsWith('B-5 — ') &&
    document.getElementById('payer-receipts-box') &&
    document.getElementById('payer-receipts-box').getAttribute('data-total') !== null);
  const paid = await page.$$eval('#payer-payments tbody tr td:first-child',
                                 (l) => l.map((e) => e.textContent));
  const issued = await page.$$eval('#payer-receipts tbody tr td:nth-child(2)',
                                   (l) => l.map((e) => e.textContent));
  const earlier = history.map(dmy);
  const onEarlier = (l) => l.length >= earlier.length &&
    earlier.every((d) => l.some((p) => p.startsWith(d + ' '))) &&
    l.every((p) => earlier.some((d) => p.startsWith(d + ' ')));
  check(earlier.length === 4 && onEarlier(paid),
        'B-5\'s payments dated on the earlier days ' + earlier + ': ' + paid);
  check(onEarlier(issued),
        'B-5\'s receipts dated on the earlier days: ' + issued);
  check(!/1970/.test(await page.textContent('main')), 'no date of 1970 on the payer page');
  await shot(page, '08g-payer-history');

  /* a stall added, with its own account; the holder folded as banks write it */
  await goPage(page, 'payers');
  await page.fill('#pf-code', 'e-99');
  await page.fill('#pf-name', 'Bà Năm Bánh Xèo');
  await page.fill('#pf-zone', 'E');
  await page.fill('#pf-bank_bin', '970436');
  await page.fill('#pf-bank_account', '0123456789');
  await page.fill('#pf-bank_account_name', 'Võ Thị Năm');
  await page.press('#pf-bank_account_name', 'Tab');
  check((await page.inputValue('#pf-bank_account_name')) === 'VO THI NAM', 'holder folded');
  await shot(page, '08c-payer-form');
  await page.click('#pf-save');
  await page.waitForFunction(() => document.body.getAttribute('data-page') === 'payer' &&
    (document.getElementById('payer-title') || {}).textContent === 'E-99 — Bà Năm Bánh Xèo');
  check((await page.textContent('#payer-details')).includes('VO THI NAM') &&
        (await page.textContent('#payer-details')).includes('970436 / 0123456789'),
        'the new stall\'s account: ' + (await page.textContent('#payer-details')));
  await shot(page, '08d-payer-added');

  /* edited: the name, and the holder the standee prints */
  await page.click('#payer-edit');
  await page.fill('#pf-name', 'Bà Năm Bánh Xèo Miền Tây');
  await page.fill('#pf-bank_account_name', 'NGUYEN THI NAM');
  await page.click('#pf-save');
  await page.waitForFunction(() => (document.getElementById('payer-title') || {}).textContent ===
    'E-99 — Bà Năm Bánh Xèo Miền Tây');
  const e99 = (await get(page, '/v1/orgs/CHO-TT/payers?code=E-99')).payers[0];
  check(e99.bank_account_name === 'NGUYEN THI NAM' && e99.name === 'Bà Năm Bánh Xèo Miền Tây',
        'edited on the server: ' + JSON.stringify(e99));
  await shot(page, '08e-payer-edited');

  /* a CSV file with bad lines: refused whole, each line named in Vietnamese */
  await goPage(page, 'payers');
  await page.setInputFiles('#payer-csv', { name: 'tieu-thuong.csv', mimeType: 'text/csv',
    buffer: Buffer.from('Mã,Họ tên,Khu\nE-100,Cô Sáu Bún Riêu,E\n,Không Mã,E\n' +
                        'E-101,,E\nE-100,Lặp Lại,E\n') });
  await page.click('#payer-csv-upload');
  await page.waitForSelector('#payer-csv-errors li');
  const lines = await page.$$eval('#payer-csv-errors li', (l) => l.map((e) => e.textContent));
  check(lines.join('|') === 'Dòng 3: thiếu mã người nộp|Dòng 4: thiếu tên người nộp|' +
        'Dòng 5: mã \'E-100\' xuất hiện hai lần trong tệp', 'CSV errors by line: ' + lines.join('|'));
  check((await get(page, '/v1/orgs/CHO-TT/payers?code=E-100')).total === 0,
        'nothing of the bad file imported');
  await shot(page, '08f-payer-csv-errors');
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
  /* refusals the run provokes on purpose; any other is a fault */
  const refused = [];
  page.on('response', (r) => {
    const u = r.url().slice(base.length);
    if (r.status() >= 400 && !(r.status() === 404 && /^\/v1\/receipts\//.test(u)) &&
        !(r.status() === 422 && u.startsWith('/v1/statements')) &&
        !(r.status() === 400 && /\/payers\/import$/.test(u)) &&
        !(r.status() === 401 && u.startsWith('/dash/')) &&
        !(r.status() === 409 && /\/close$/.test(u)) &&
        !(r.status() === 403 && /THCS-LQD|CHO-HUE|province/.test(u)) &&
        !(r.status() === 403 && boardsRefused))
      refused.push(r.status() + ' ' + u);
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
  check((await page.textContent('#page-title')).includes(dmy(day)),
        'overview dated DD/MM/YYYY: ' + (await page.textContent('#page-title')));
  const subs = await page.$$eval('#today-cards .card .period', (l) => l.map((e) => e.textContent));
  check(subs.length === 6 && subs.every((x) => x.includes(dmy(day))),
        'every card says its period: ' + subs.join(' | '));
  const heads = await page.$$eval('main h2', (l) => l.map((e) => e.textContent));
  check(heads.length === 3 && heads[0].includes('hôm nay ' + dmy(day)) &&
        heads[1].includes('30 ngày') && heads[1].includes(dmy(day)) &&
        heads[2].includes('Sạp có bảng QR nhưng chưa nhận tiền') && heads[2].includes(dmy(day)),
        'every chart says its period: ' + heads.join(' | '));
  const ticks = await page.$$eval('svg.chart text', (l) => l.map((e) => e.textContent));
  check(ticks.includes(dmy(day).slice(0, 5)) && !ticks.some((x) => /\d{4}-\d\d/.test(x)),
        'chart days read DD/MM: ' + ticks.join(' '));
  const cash = await page.textContent('#today-cards');
  check(/\d ₫/.test(cash) && !/\d,\d{3}/.test(cash), 'money as 1.234.000 ₫: ' + cash);
  await shot(page, '02-overview');

  /* a bank statement upload: a typing error named by its line, nothing
     imported; the corrected file imported with its balance check */
  await goPage(page, 'statements');
  let out = await upload(page, process.env.CHOPAY_UPLOAD_BAD);
  check((await page.$('#stmt-error')) !== null && (await page.$('#stmt-result')) === null,
        'a wrong statement is refused');
  check((await page.textContent('#stmt-line')) ===
        'Dòng 4: Số tiền ghi nợ “11.OOO” không phải là số tiền',
        'the error names its line in Vietnamese: ' + out);
  check(out.includes('không giao dịch nào được nhập'), 'nothing imported, said so: ' + out);
  await shot(page, '03-statement-error');
  const none = await get(page, '/v1/orgs/CHO-TT/bank/transactions?state=unmatched');
  check(none.transactions.length === 2, 'the wrong file added nothing');
  out = await upload(page, process.env.CHOPAY_UPLOAD_GOOD);
  check((await page.$('#stmt-error')) === null, 'the corrected statement is taken: ' + out);
  const counts = await page.$$eval('#stmt-result table:first-of-type tbody td',
                                   (l) => l.map((e) => e.textContent));
  check(counts[0] === '2' && counts[2] === '1', 'two new, one to review: ' + counts);
  const bal = await page.$$eval('#stmt-result table:last-of-type tbody td',
                                (l) => l.map((e) => e.textContent));
  check(bal[1] === '10.000.000 ₫' && bal[2] === '2.000.000 ₫' && bal[3] === '11.000 ₫' &&
        bal[4] === '11.989.000 ₫' && bal[6] === 'Khớp', 'balance check shown: ' + bal);
  await shot(page, '04-statement-imported');

  /* daily reconciliation of the statement's day (even past midnight):
     that day's review queue (yesterday's upload waits on its own day's
     page), explained in Vietnamese */
  await page.click('a[data-page=daily]');
  await page.waitForSelector('body[data-page=daily] #review');
  await showDay(page, day);
  await page.waitForSelector('#review .txn');
  check(/^\d\d\/\d\d\/\d{4}$/.test(await page.inputValue('#day')), 'the day field reads DD/MM/YYYY');
  const before = (await page.$$('#review .txn')).length;
  check(before === 2, "the day's two transactions to review, got " + before);
  check(!(await page.textContent('#review')).includes('LE VAN DUNG'),
        "yesterday's transfer is not in today's queue");
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
  await shot(page, '05-daily');
  const first = page.locator('#review .txn', { hasText: sender });
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
                             document.getElementById('main').getAttribute('aria-busy') === 'false' &&
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

  /* 200.000 đ from one parent for two stalls: split in the page; a sum
     that is not the transfer's is refused before anything is sent */
  const sp = page.locator('#review .txn', { hasText: 'TRAN VAN BINH' });
  const spId = await sp.getAttribute('data-txn');
  await sp.locator('.do-split').click();
  await sp.locator('.split').waitFor();
  check((await sp.locator('.split-title').textContent()) ===
        'Chia 200.000 ₫ cho nhiều người nộp', 'split dialog titled with the amount');
  await sp.locator('.split-payer').nth(0).fill('A-2');
  await sp.locator('.split-amount').nth(0).fill('120.000');
  await sp.locator('.split-payer').nth(1).fill('a-3');
  await sp.locator('.split-amount').nth(1).fill('90.000');
  check((await sp.locator('.split-left').textContent()) === 'Còn lại chưa chia: -10.000 ₫',
        'what is left to split: ' + (await sp.locator('.split-left').textContent()));
  await sp.locator('.split-do').click();
  await toastSays(page, 'tổng bằng đúng khoản chuyển');
  await sp.locator('.split-amount').nth(1).fill('80.000');
  await sp.locator('.reason').fill('Anh Bình nộp cho hai sạp A-2 và A-3');
  check((await sp.locator('.split-left').textContent()) === 'Còn lại chưa chia: 0 ₫',
        'nothing left to split');
  await shot(page, '06-daily-split');
  await sp.locator('.split-do').click();
  await toastSays(page, 'Đã xong');
  await page.waitForFunction(() => document.body.getAttribute('data-page') === 'daily' &&
                             document.getElementById('main').getAttribute('aria-busy') === 'false' &&
                             document.querySelectorAll('#review .txn').length === 0);
  const ts = await get(page, '/v1/orgs/CHO-TT/bank/transactions/' + spId);
  check(ts.state === 'matched' && ts.outcome === 'split', 'split on the server: ' +
        ts.state + ' ' + ts.outcome);
  const split = (ts.audit || []).find((a) => a.action === 'bank.review.split');
  check(split && split.actor === 'user:banquanly' && split.detail.parts.length === 2 &&
        split.detail.parts[0].payer === 'A-2' && split.detail.parts[0].amount === 120000 &&
        split.detail.parts[1].payer === 'A-3' && split.detail.parts[1].amount === 80000,
        'split audited with its parts: ' + JSON.stringify(split));

  /* yesterday's page: the uploaded transfer, stall D-1's; the day closed
     anyway with a reason while it waits, then matched (a correction) */
  const yday = process.env.CHOPAY_YDAY;
  await showDay(page, yday);
  await page.waitForSelector('#review .txn');
  const up = page.locator('#review .txn', { hasText: 'LE VAN DUNG' });
  check((await up.textContent()).includes(dmy(yday) + ' 08:05'),
        'booking time read DD/MM/YYYY HH:MM: ' + (await up.textContent()).slice(0, 80));
  const yopen = (await get(page, '/v1/orgs/CHO-TT/close?date=' + yday)).open_items;
  check(yopen.review.count >= 1, 'yesterday has transfers awaiting review');
  await page.click('#close-day');
  await page.waitForSelector('#close-dialog');
  const dlg = await page.textContent('#close-dialog');
  check(dlg.includes('Còn ' + yopen.review.count + ' giao dịch chờ xử lý, tổng ' +
                     vnd(yopen.review.amount)) && dlg.includes('phải ghi lý do'),
        'the close dialog says how many and how much: ' + dlg);
  await page.click('#close-force');
  await toastSays(page, 'Phải nhập lý do');
  check((await get(page, '/v1/orgs/CHO-TT/close?date=' + yday)).closed === false,
        'no reason: not closed');
  const why = 'Anh Dũng chưa xác nhận sạp nào, xử lý sau bằng điều chỉnh';
  await page.fill('#close-reason', why);
  await shot(page, '06b-close-open-items');
  await page.click('#close-force');
  await page.waitForSelector('#day-forced');
  check((await page.textContent('#day-forced')).includes(why), 'the reason shown on the day');
  const yc = await get(page, '/v1/orgs/CHO-TT/close?date=' + yday);
  check(yc.closed === true && yc.force_reason === why, 'closed with its reason: ' +
        JSON.stringify(yc));
  await up.locator('.reason').fill('Anh Dũng nộp tiền sạp D-1, nộp dư');
  await up.locator('.payer').fill('D-1');
  await up.locator('.do-match').click();
  await toastSays(page, 'Đã xong');
  await page.waitForSelector('#day-forced');
  await shot(page, '06c-day-closed-with-reason');

  /* the day close: nothing open, confirmed in the page, stored once */
  await showDay(page, day);
  await page.waitForSelector('#proof');
  await page.click('#close-day');
  await page.waitForSelector('#close-dialog');
  check((await page.textContent('#close-dialog')).includes('Không còn giao dịch chờ xử lý'),
        'a clean day says so');
  check((await page.$('#close-reason')) === null, 'a clean day asks no reason');
  await page.click('#close-yes');
  await page.waitForSelector('#day-closed');
  check((await page.textContent('#day-closed')).includes('đã chốt sổ'), 'day closed note');
  check((await page.$('#day-forced')) === null, 'a clean close has no reason');
  const again = await page.evaluate(async (d) => {
    const s = await (await fetch('/dash/session')).json();
    const r = await fetch('/v1/orgs/CHO-TT/close', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
      body: JSON.stringify({ date: d }) });
    return [r.status, (await r.json()).error.code];
  }, day);
  check(again[0] === 409 && again[1] === 'already_closed', 'closed once: ' + again);
  await shot(page, '07-day-closed');
  /* back on the page later: the server says the day is closed, so the
     page shows it and offers no close button */
  await page.click('a[data-page=payers]');
  await page.waitForSelector('body[data-page=payers] table tbody tr');
  await page.click('a[data-page=daily]');
  await page.waitForSelector('body[data-page=daily] #proof');
  if ((await page.inputValue('#day')) !== dmy(day)) {
    await page.fill('#day', dmy(day));
    await page.click('#day-form button');
    await page.waitForFunction((d) => document.getElementById('day') &&
      document.getElementById('day').value === d &&
      document.getElementById('main').getAttribute('aria-busy') === 'false', dmy(day));
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
  check((await page.$$('#payers tbody tr')).length === 50 &&
        (await page.textContent('#payers-pager .page-count')) === '1–50 / 120',
        '120 stalls, 50 a page: ' + (await page.textContent('#payers-pager .page-count')));
  await shot(page, '08-payers');
  await page.click('a[data-page=invoices]');
  await page.waitForSelector('body[data-page=invoices] table tbody tr');
  const periods = await page.$$eval('table tbody tr td:nth-child(3)', (l) => l.map((e) => e.textContent));
  check(periods.length > 0 && periods.every((p) => /^\d\d\/\d{4}$|^\d\d\/\d\d\/\d{4}$/.test(p)),
        'invoice periods read MM/YYYY: ' + periods.slice(0, 3));
  await shot(page, '09-invoices');
  await shot(page, '09-invoices-top', true);

  /* a refund of D-1's credit: reason required, then confirmed in the page */
  await goPage(page, 'refunds');
  const d1 = page.locator('#refunds tr[data-payer="D-1"]');
  const credit = (await get(page, '/v1/orgs/CHO-TT/payers?limit=1000'))
    .payers.find((p) => p.code === 'D-1').credit;
  check(credit > 100000 && (await d1.textContent()).includes(vnd(credit)),
        'D-1 listed with its credit ' + credit);
  check((await page.textContent('#refunds-pager .page-count')) === '1–1 / 1',
        'payers holding credit paged by the server: ' +
        (await page.textContent('#refunds-pager .page-count')));
  await d1.locator('.refund-open').click();
  await d1.locator('.refund-amount').fill('100.000');
  await d1.locator('.refund-ref').fill('FT26REFUND01');
  await d1.locator('.refund-next').click();
  await toastSays(page, 'Phải nhập lý do');
  check((await page.$('#refund-confirm')) === null, 'no confirmation without a reason');
  await d1.locator('.refund-reason').fill('Trả lại tiền nộp dư cho anh Dũng');
  await d1.locator('.refund-next').click();
  await page.waitForSelector('#refund-confirm');
  check((await page.textContent('#refund-confirm')).includes('Hoàn 100.000 ₫ cho D-1'),
        'the confirmation says what happens: ' + (await page.textContent('#refund-confirm')));
  await shot(page, '10-refund-confirm');
  await page.click('#refund-yes');
  await page.waitForSelector('#refund-done');
  check((await page.textContent('#refund-done')).includes('Tiền thừa còn lại: ' +
        vnd(credit - 100000)), 'refund done: ' + (await page.textContent('#refund-done')));
  const left = (await get(page, '/v1/orgs/CHO-TT/payers?limit=1000'))
    .payers.find((p) => p.code === 'D-1').credit;
  check(left === credit - 100000, 'credit left on the server: ' + left);
  await shot(page, '11-refund-done');

  /* a receipt by its number: A-1's of today's transfer */
  await goPage(page, 'receipts');
  await page.fill('#receipt-no', 'cho-tt-' + day.slice(0, 4) + '-000099');
  await page.click('#receipt-go');
  await page.waitForSelector('#receipt-error');
  check((await page.textContent('#receipt-error')) === 'Không có biên lai với số này.',
        'unknown receipt said in Vietnamese');
  const rno = await a1Receipt(page);
  await page.fill('#receipt-no', rno.toLowerCase());
  await page.click('#receipt-go');
  await page.waitForSelector('#receipt');
  const rtext = await page.textContent('#receipt');
  check(rtext.includes(rno) && rtext.includes('(A-1)') && rtext.includes('1.500.000 ₫') &&
        rtext.includes('Chuyển khoản') && new RegExp(dmy(day) + ' \\d\\d:\\d\\d').test(rtext),
        'receipt shown in Vietnamese: ' + rtext);
  await page.waitForFunction(() => {
    const i = document.getElementById('receipt-img');
    return i && i.complete && i.naturalWidth > 0;
  });
  await shot(page, '12-receipt');
  await page.emulateMedia({ media: 'print' });
  check(await page.isHidden('#top') && await page.isHidden('#receipt-form') &&
        await page.isVisible('#receipt-img'), 'printing shows the receipt alone');
  await shot(page, '13-receipt-print');
  await page.emulateMedia({ media: 'screen' });
  const [view] = await Promise.all([ctx.waitForEvent('page'), page.click('#receipt-html')]);
  await view.waitForLoadState();
  check((await view.textContent('body')).includes('BIÊN LAI THU TIỀN'), 'the print view');
  await shot(view, '14-receipt-print-view');
  await view.close();
  /* its public page, the address the kiosk's receipt QR carries: no
     session, a phone's screen */
  const pub = (await get(page, '/v1/receipts/' + rno)).public_url;
  check(/^\/r\/CHO-TT-\d{4}-\d{6}\?s=[A-Za-z0-9_-]{16}$/.test(pub || ''), 'public address ' + pub);
  /* sent again: the page gives that address whole, to copy */
  check((await page.inputValue('#receipt-link')) === base + pub, 'the address to send again');
  await page.click('#receipt-copy');
  await page.waitForFunction(() => document.getElementById('receipt-copied').textContent !== '');
  check(/sao chép/i.test(await page.textContent('#receipt-copied')), 'copy said: ' +
        await page.textContent('#receipt-copied'));
  const phone = await browser.newContext({ viewport: { width: 390, height: 760 }, locale: 'vi-VN' });
  const pp = await phone.newPage();
  const pr = await pp.goto(base + pub);
  const ptext = await pp.textContent('body');
  check(pr.status() === 200 && ptext.includes('Biên lai hợp lệ') && ptext.includes('1.500.000 ₫') &&
        ptext.includes('Chợ Trung tâm') && ptext.includes(rno) && ptext.includes('(A-1)') &&
        ptext.includes(dmy(day)), 'the public receipt page: ' + ptext);
  await shot(pp, '14b-receipt-public');
  const bad = await pp.goto(base + pub.slice(0, -1) + (pub.slice(-1) === 'A' ? 'B' : 'A'));
  check(bad.status() === 404 && (await pp.textContent('body')).includes('Không tìm thấy biên lai'),
        'a tampered address: 404');
  await phone.close();
  let [fname, pdf] = await download(page, '#receipt-pdf', 'receipt.pdf');
  check(pdf.slice(0, 5).toString() === '%PDF-' && fname === 'bien-lai-' + rno + '.pdf',
        'receipt PDF ' + fname);

  /* a standee of a stall with its own account */
  await goPage(page, 'standees');
  const ownAcct = (await get(page, '/v1/orgs/CHO-TT/payers?limit=1000'))
    .payers.filter((p) => p.bank_account).map((p) => p.code);
  const rowsShown = await page.$$eval('tr[data-payer]', (l) => l.map((e) => e.getAttribute('data-payer')));
  check(ownAcct.length > 0 && rowsShown.join() === ownAcct.slice(0, 50).join(),
        'stalls with their own account listed');
  check((await page.textContent('#standees-pager .page-count')) ===
        '1–' + Math.min(50, ownAcct.length) + ' / ' + ownAcct.length,
        'standees paged by the server: ' + (await page.textContent('#standees-pager .page-count')));
  [fname, pdf] = await download(page, 'tr[data-payer="A-1"] .standee-a5', 'standee-A-1.pdf');
  check(pdf.slice(0, 5).toString() === '%PDF-' && fname === 'bang-qr-A-1-a5.pdf',
        'standee PDF ' + fname + ' ' + pdf.length);
  await shot(page, '15-standees');

  /* fees: add one, change its amount, invoices for next month, deactivate */
  await goPage(page, 'fees');
  await page.fill('#fee-code', 've-sinh');
  await page.fill('#fee-label', 'Phí vệ sinh');
  await page.selectOption('#fee-kind', 'monthly');
  await page.fill('#fee-amount', '50.000');
  await page.click('#fee-add');
  await toastSays(page, 'Đã thêm khoản thu VE-SINH');
  const row = page.locator('tr[data-fee="VE-SINH"]');
  await row.waitFor();
  await row.locator('.fee-amount').fill('60.000');
  await row.locator('.fee-save').click();
  await toastSays(page, 'Đã lưu khoản thu VE-SINH');
  await page.waitForFunction(() => {
    const i = document.querySelector('tr[data-fee="VE-SINH"] .fee-amount');
    return i && i.value === '60.000';
  });
  let fee = (await get(page, '/v1/orgs/CHO-TT/fees')).fees.find((f) => f.code === 'VE-SINH');
  check(fee && fee.amount === 60000 && fee.label === 'Phí vệ sinh' && fee.active,
        'fee added and edited: ' + JSON.stringify(fee));
  const y = +day.slice(0, 4), m = +day.slice(5, 7);
  const next = (m === 12 ? y + 1 : y) + '-' + String(m === 12 ? 1 : m + 1).padStart(2, '0');
  await page.fill('#gen-period', next.slice(5) + '/' + next.slice(0, 4));
  await page.selectOption('#gen-fee', 'VE-SINH');
  await page.click('#gen-go');
  await page.waitForFunction(() => document.getElementById('gen-result').textContent !== '');
  const made = (await get(page, '/v1/orgs/CHO-TT/invoices?limit=1000&period=' + next))
    .invoices.filter((i) => i.fee === 'VE-SINH');
  const genSaid = await page.textContent('#gen-result');
  check(made.length > 0 && genSaid === 'Kỳ ' + next.slice(5) + '/' + next.slice(0, 4) +
        ': đã tạo ' + made.length + ' hoá đơn, tổng ' + vnd(made.length * 60000) +
        ' (1 khoản thu).', 'invoices generated, count and sum: ' + genSaid);
  await shot(page, '16-fees-generated');
  await row.locator('.fee-toggle').click();
  await toastSays(page, 'Đã ngừng thu VE-SINH');
  await page.waitForFunction(() => {
    const r = document.querySelector('tr[data-fee="VE-SINH"]');
    return r && r.className === 'off';
  });
  fee = (await get(page, '/v1/orgs/CHO-TT/fees')).fees.find((f) => f.code === 'VE-SINH');
  check(fee && !fee.active, 'fee deactivated');
  check((await page.textContent('tr[data-fee="VE-SINH"]')).includes('Ngừng thu'),
        'deactivated fee shown so');
  await shot(page, '17-fees');

  /* the other two formats: a camt.053 that balances, an MT940 whose
     closing balance is not what its entries add up to */
  const yd = process.env.CHOPAY_YDAY, yy = yd.slice(2, 4) + yd.slice(5, 7) + yd.slice(8, 10);
  await goPage(page, 'statements');
  const camt = '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>' +
    '<GrpHdr><MsgId>M1</MsgId><CreDtTm>' + yd + 'T18:00:00</CreDtTm></GrpHdr>' +
    '<Stmt><Id>CAMT-DASH-1</Id><Acct><Id><Othr><Id>1023456789</Id></Othr></Id>' +
    '<Ccy>VND</Ccy></Acct>' +
    ['OPBD:11989000', 'CLBD:12239000'].map((b) => '<Bal><Tp><CdOrPrtry><Cd>' +
      b.split(':')[0] + '</Cd></CdOrPrtry></Tp><Amt Ccy="VND">' + b.split(':')[1] +
      '</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>' + yd + '</Dt></Dt></Bal>').join('') +
    '<Ntry><Amt Ccy="VND">250000</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>' +
    '<BookgDt><Dt>' + yd + '</Dt></BookgDt><AcctSvcrRef>FT26CAMT0001</AcctSvcrRef>' +
    '<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>PHAM THI LAN</Nm></Dbtr></RltdPties>' +
    '<RmtInf><Ustrd>nop tien sap C-3</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>' +
    '</Stmt></BkToCstmrStmt></Document>\n';
  out = await upload(page, { name: 'sao-ke.xml', mimeType: 'application/xml',
                             buffer: Buffer.from(camt) });
  check(out.includes('(CAMT)') && out.includes('1023456789'), 'camt imported: ' + out);
  let bal2 = await page.$$eval('#stmt-result table:last-of-type tbody td',
                               (l) => l.map((e) => e.textContent));
  check(bal2[6] === 'Khớp' && bal2[4] === '12.239.000 ₫', 'camt balanced: ' + bal2);
  await shot(page, '18-statement-camt');
  const mt = [':20:MT-DASH-1', ':25:1023456789', ':28C:1/1', ':60F:C' + yy + 'VND12239000,',
              ':61:' + yy + yy.slice(2) + 'C300000,NTRFFT26MT0001//X',
              ':86:chuyen tien sap B-2 NGUYEN VAN AN', ':62F:C' + yy + 'VND12639000,', '-']
    .join('\r\n') + '\r\n';
  out = await upload(page, { name: 'sao-ke.sta', mimeType: 'text/plain', buffer: Buffer.from(mt) });
  bal2 = await page.$$eval('#stmt-result table:last-of-type tbody td',
                           (l) => l.map((e) => e.textContent));
  check(out.includes('(MT940)') && bal2[6] === 'Lệch — Đầu kỳ + ghi có − ghi nợ = ' +
        '12.539.000 ₫, sao kê ghi cuối kỳ 12.639.000 ₫', 'MT940 mismatch explained: ' + bal2);
  check(await page.isVisible('#stmt-review'), 'a way to the transfers to review');
  await shot(page, '19-statement-mt940-mismatch');

  /* exports: CSV downloads through the session cookie, as Excel reads them */
  await page.click('a[data-page=exports]');
  await page.waitForSelector('body[data-page=exports] #exp-daily');
  await page.fill('#exp-day', dmy(day));
  await page.dispatchEvent('#exp-day', 'change');
  await shot(page, '20-exports');
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

  await payerPages(page, day);

  /* English: the same suggestions, explained in English from the codes */
  await page.click('#lang');
  await page.click('a[data-page=daily]');
  await page.waitForSelector('body[data-page=daily] #review');
  /* the day the transfers of the later uploads wait on (the first open
     day after the closed ones) */
  const waiting = (await get(page, '/v1/orgs/CHO-TT/bank/transactions?state=unmatched'))
    .transactions;
  check(waiting.length > 0, 'transfers still wait for review');
  if (waiting.length) await showDay(page, waiting[waiting.length - 1].report_date);
  check((await page.textContent('#nav')).includes('Daily reconciliation'), 'English nav');
  check((await page.getAttribute('html', 'lang')) === 'en', 'html lang en');
  check((await page.textContent('#review')).includes('Unmatched (no payment code)'),
        'queue reason in English');
  await shot(page, '21-daily-en');
  await page.click('a[data-page=overview]');
  await page.waitForSelector('body[data-page=overview] #today-cards');
  await shot(page, '22-overview-en');
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

  /* an auditor reads the accountant's pages without their forms */
  await signIn(page, 'kiemtoan', process.env.CHOPAY_AUDITOR_PASSWORD);
  await goPage(page, 'statements');
  check((await page.$('#stmt-form')) === null, 'no upload for an auditor');
  await goPage(page, 'fees');
  check((await page.$$('#fees tbody tr')).length >= 6 && (await page.$('#fee-form')) === null &&
        (await page.$('#gen-form')) === null && (await page.$('#fees input')) === null,
        'fees listed, not editable, for an auditor');
  await goPage(page, 'payers');
  check((await page.$('#payer-form')) === null && (await page.$('#payer-csv-form')) === null,
        'no payer form nor import for an auditor');
  await goPage(page, 'refunds');
  check((await page.$$('#refunds tbody tr')).length === 1 &&
        (await page.$('.refund-open')) === null, 'no refund for an auditor');
  await goPage(page, 'receipts');
  await page.fill('#receipt-no', rno);
  await page.click('#receipt-go');
  await page.waitForSelector('#receipt');
  check(true, 'an auditor looks a receipt up');
  await signOut(page);

  /* an admin picks the organisation; the choice is kept in the URL */
  await signIn(page, 'quantri', process.env.CHOPAY_ADMIN_PASSWORD);
  check(await page.isVisible('#org-pick'), 'admin has the organisation picker');
  const opts = await page.$$eval('#org-pick option', (l) => l.map((o) => o.value));
  check(opts.join(',') === 'CHO-HUE,CHO-TT,THCS-LQD', 'picker offers all three: ' + opts);
  await page.selectOption('#org-pick', 'THCS-LQD');
  await page.waitForFunction(() => document.body.getAttribute('data-org') === 'THCS-LQD' &&
    document.body.getAttribute('data-page') === 'overview' &&
    document.getElementById('page-title') &&
    document.getElementById('page-title').textContent.includes('THCS-LQD') &&
    document.getElementById('main').getAttribute('aria-busy') === 'false');
  check(/org=THCS-LQD/.test(page.url()), 'choice in the URL: ' + page.url());
  await shot(page, '23-admin-picker');
  await page.click('a[data-page=payers]');
  await page.waitForSelector('body[data-page=payers] table tbody tr');
  check(/#payers\?org=THCS-LQD$/.test(page.url()), 'navigation keeps the choice');
  const school = await page.$$eval('table tbody tr td:first-child', (l) => l.map((e) => e.textContent));
  const own = await page.evaluate(async () =>
    (await (await fetch('/v1/orgs/THCS-LQD/payers?limit=1000')).json()).payers.map((p) => p.code));
  check(school.length > 0 && school.join() === own.slice(0, 50).join(),
        'the school\'s payers listed, a page of 50');
  await page.reload();
  await page.waitForSelector('body[data-page=payers] table tbody tr');
  check((await page.getAttribute('body', 'data-org')) === 'THCS-LQD' &&
        (await page.inputValue('#org-pick')) === 'THCS-LQD', 'kept after a reload');
  await shot(page, '24-admin-school-payers');
  await signOut(page);

  await provinceOfficer(page);
  await provinceAdmin(page);

  const csp = problems.filter((p) => /Content Security Policy|Refused to/.test(p));
  check(csp.length === 0, 'CSP violations: ' + csp.join(' | '));
  const errs = problems.filter((p) => !/status of (40[01349]|422)/.test(p));
  check(refused.length === 0, 'unexpected refusals: ' + refused.join(' | '));
  check(errs.length === 0, 'page errors: ' + errs.join(' | '));
  check(outside.length === 0, 'requests outside the server: ' + outside.join(' '));
  await browser.close();
}

main().catch((e) => { failed++; console.error('FAIL: ' + (e.stack || e)); })
  .then(() => {
    console.log(passed + ' passed, ' + failed + ' failed');
    process.exit(failed ? 1 : 0);
  });
