/*
 * app.js: chopay's web dashboard for market and school boards. Plain
 * JavaScript, no libraries, nothing from outside this server (Content-
 * Security-Policy default-src 'self'); charts are SVG drawn here. The
 * session cookie is HttpOnly; state changes carry the session's CSRF
 * token in X-CSRF-Token. Vietnamese first, English on request.
 */
'use strict';

var STR = {
  vi: {
    title: 'Bảng điều khiển chopay',
    signin: 'Đăng nhập', login: 'Tên đăng nhập', password: 'Mật khẩu',
    logout: 'Đăng xuất', bad_credentials: 'Sai tên đăng nhập hoặc mật khẩu.',
    locked: 'Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.',
    nav_overview: 'Tổng quan', nav_daily: 'Đối soát ngày',
    nav_payers: 'Người nộp', nav_invoices: 'Hoá đơn', nav_exports: 'Xuất dữ liệu',
    today: 'Hôm nay', collected_transfer: 'Thu chuyển khoản',
    collected_cash: 'Thu tiền mặt', outstanding: 'Còn phải thu',
    due: 'Phải thu trong ngày', cashless_share: 'Tỷ lệ không tiền mặt',
    by_count: 'theo số giao dịch', by_value: 'theo giá trị',
    payers_cashless: 'Người nộp đã dùng chuyển khoản',
    collections_by_method: 'Số tiền thu theo hình thức',
    adoption_30: 'Tỷ lệ thanh toán không tiền mặt 30 ngày qua (%)',
    transfer: 'Chuyển khoản', cash: 'Tiền mặt', date: 'Ngày', show: 'Xem',
    invoices: 'Hoá đơn', bank: 'Giao dịch ngân hàng', received: 'Đã nhận',
    matched_exact: 'Khớp đủ', matched_partial: 'Khớp một phần',
    matched_over: 'Nộp thừa', unmatched: 'Chưa khớp', ignored: 'Bỏ qua',
    duplicate: 'Trùng', debit: 'Ghi nợ', count: 'Số lượng', amount: 'Số tiền',
    proof: 'Đối chiếu số dư', balanced: 'Khớp sổ', not_balanced: 'Lệch sổ',
    difference: 'Chênh lệch', credits: 'Tiền thừa giữ cho người nộp',
    review_queue: 'Giao dịch cần xử lý', review_empty: 'Không có giao dịch cần xử lý.',
    matched_today: 'Giao dịch đã khớp trong ngày',
    reason: 'Lý do', reason_required: 'Phải nhập lý do.',
    match_to: 'Khớp với', payer_code: 'Mã người nộp', match: 'Khớp',
    unmatch: 'Huỷ khớp', ignore: 'Bỏ qua', suggestions: 'Gợi ý',
    no_suggestion: 'Không có gợi ý', sender: 'Người chuyển', content: 'Nội dung',
    close_day: 'Chốt sổ ngày', close_confirm: 'Chốt sổ ngày này? Sau khi chốt không thể sửa.',
    closed: 'Đã chốt sổ ngày', done: 'Đã xong.', error: 'Lỗi',
    code: 'Mã', name: 'Tên', zone: 'Khu / lớp', own_account: 'Tài khoản riêng',
    credit: 'Tiền thừa', yes: 'Có', no: 'Không', status: 'Trạng thái',
    all: 'Tất cả', open: 'Chưa nộp', partial: 'Nộp một phần', paid: 'Đã nộp',
    period: 'Kỳ', fee: 'Khoản thu', paid_amount: 'Đã nộp', payer: 'Người nộp',
    export_daily: 'Báo cáo đối soát ngày (CSV)',
    export_adoption: 'Thống kê không tiền mặt (CSV)', from: 'Từ ngày', to: 'Đến ngày',
    excel_vn: 'Dấu chấm phẩy (Excel tiếng Việt)', download: 'Tải về',
    org: 'Đơn vị', loading: 'Đang tải…', lang: 'English', state: 'Trạng thái',
    exact: 'Đủ', over: 'Thừa', ambiguous: 'Nhiều mã', matched: 'Đã khớp',
    pick_org: 'Chọn đơn vị', no_org: 'Chưa có đơn vị nào.',
    day_closed_note: 'Ngày này đã chốt sổ.',
    /* why a transfer is suggested for a payer (server reason codes) */
    why_intent_amount_same_day:
      'Có yêu cầu thanh toán {intent_code} đúng số tiền {amount}, tạo cùng ngày',
    why_intent_amount: 'Có yêu cầu thanh toán {intent_code} đúng số tiền {amount}',
    why_invoice_amount: 'Có hoá đơn chưa thu đúng số tiền {amount}',
    why_sender_like_payer: 'Tên người chuyển ({sender}) giống tên người nộp ({similarity}%)',
    why_sender_like_guardian:
      'Tên người chuyển ({sender}) giống tên phụ huynh ({similarity}%)',
    why_code_in_content: 'Nội dung chuyển khoản có mã {intent_code}',
    why_possible_duplicate: 'Có thể trùng với giao dịch #{transaction}',
    /* why a transfer is in the queue (its state's reason) */
    reason_no_code: 'không có mã thanh toán',
    reason_unknown_code: 'mã thanh toán không tồn tại',
    reason_several_codes: 'có nhiều mã thanh toán',
    reason_reserved_unclaimed: 'mã đã cấp nhưng chưa có yêu cầu thanh toán',
    reason_possible_duplicate: 'có thể trùng với một giao dịch đã có',
    reason_debit: 'tiền ra', reason_zero: 'số tiền bằng 0',
    reason_reversal: 'giao dịch bị hoàn', reason_currency: 'không phải VND',
    reason_review: 'đã xử lý',
    /* server error codes */
    err_day_closed: 'Ngày này đã chốt sổ, không thể thay đổi.',
    err_already_closed: 'Ngày này đã được chốt sổ trước đó.',
    err_reason_required: 'Phải nhập lý do.',
    err_forbidden: 'Bạn không có quyền làm việc này.',
    err_csrf: 'Phiên làm việc không hợp lệ, vui lòng tải lại trang.',
    err_unauthorized: 'Vui lòng đăng nhập lại.',
    err_payer_not_found: 'Không có người nộp với mã này.',
    err_org_not_found: 'Không có đơn vị này.'
  },
  en: {
    title: 'chopay dashboard',
    signin: 'Sign in', login: 'Login', password: 'Password',
    logout: 'Sign out', bad_credentials: 'Wrong login or password.',
    locked: 'Too many failed sign-ins. Please try again later.',
    nav_overview: 'Overview', nav_daily: 'Daily reconciliation',
    nav_payers: 'Payers', nav_invoices: 'Invoices', nav_exports: 'Exports',
    today: 'Today', collected_transfer: 'Collected by transfer',
    collected_cash: 'Collected in cash', outstanding: 'Outstanding',
    due: 'Due today', cashless_share: 'Cashless share',
    by_count: 'by count', by_value: 'by value',
    payers_cashless: 'Payers who paid cashless',
    collections_by_method: 'Collections by method',
    adoption_30: 'Cashless payments over the last 30 days (%)',
    transfer: 'Transfer', cash: 'Cash', date: 'Date', show: 'Show',
    invoices: 'Invoices', bank: 'Bank transactions', received: 'Received',
    matched_exact: 'Matched exactly', matched_partial: 'Matched partly',
    matched_over: 'Over-paid', unmatched: 'Unmatched', ignored: 'Ignored',
    duplicate: 'Duplicate', debit: 'Debit', count: 'Count', amount: 'Amount',
    proof: 'Balance proof', balanced: 'Balanced', not_balanced: 'Not balanced',
    difference: 'Difference', credits: 'Credit held for payers',
    review_queue: 'Review queue', review_empty: 'Nothing to review.',
    matched_today: 'Transactions matched this day',
    reason: 'Reason', reason_required: 'A reason is required.',
    match_to: 'Match to', payer_code: 'Payer code', match: 'Match',
    unmatch: 'Unmatch', ignore: 'Ignore', suggestions: 'Suggestions',
    no_suggestion: 'No suggestion', sender: 'Sender', content: 'Description',
    close_day: 'Close the day', close_confirm: 'Close this day? Nothing dated that day can change afterwards.',
    closed: 'Day closed', done: 'Done.', error: 'Error',
    code: 'Code', name: 'Name', zone: 'Zone / class', own_account: 'Own account',
    credit: 'Credit', yes: 'Yes', no: 'No', status: 'Status',
    all: 'All', open: 'Open', partial: 'Partly paid', paid: 'Paid',
    period: 'Period', fee: 'Fee', paid_amount: 'Paid', payer: 'Payer',
    export_daily: 'Daily reconciliation (CSV)',
    export_adoption: 'Cashless adoption statistics (CSV)', from: 'From', to: 'To',
    excel_vn: 'Semicolons (Vietnamese Excel)', download: 'Download',
    org: 'Organisation', loading: 'Loading…', lang: 'Tiếng Việt', state: 'State',
    exact: 'Exact', over: 'Over-paid', ambiguous: 'Ambiguous', matched: 'Matched',
    pick_org: 'Organisation', no_org: 'There is no organisation yet.',
    day_closed_note: 'This day is closed.',
    why_intent_amount_same_day:
      'Open payment request {intent_code} for exactly {amount}, made the same day',
    why_intent_amount: 'Open payment request {intent_code} for exactly {amount}',
    why_invoice_amount: 'Open invoice for exactly {amount}',
    why_sender_like_payer: 'Sender ({sender}) named like the payer ({similarity}% alike)',
    why_sender_like_guardian:
      'Sender ({sender}) named like the guardian ({similarity}% alike)',
    why_code_in_content: 'The transfer content holds code {intent_code}',
    why_possible_duplicate: 'Maybe the same transfer as #{transaction}',
    reason_no_code: 'no payment code',
    reason_unknown_code: 'unknown payment code',
    reason_several_codes: 'several payment codes',
    reason_reserved_unclaimed: 'reserved code without a payment request',
    reason_possible_duplicate: 'maybe a transfer already known',
    reason_debit: 'money out', reason_zero: 'zero amount',
    reason_reversal: 'reversed', reason_currency: 'not VND',
    reason_review: 'reviewed',
    err_day_closed: 'This day is closed and cannot change.',
    err_already_closed: 'This day was already closed.',
    err_reason_required: 'A reason is required.',
    err_forbidden: 'You may not do this.',
    err_csrf: 'The session is not valid; please reload the page.',
    err_unauthorized: 'Please sign in again.',
    err_payer_not_found: 'No payer has this code.',
    err_org_not_found: 'No such organisation.'
  }
};

var app = { lang: 'vi', session: null, org: null, orgs: [] };

function t(k) { return (STR[app.lang] && STR[app.lang][k]) || STR.vi[k] || k; }

/* A string with {name} placeholders filled from `params`; amounts as money. */
function tf(k, params) {
  return t(k).replace(/\{(\w+)\}/g, function (m, name) {
    var v = params ? params[name] : undefined;
    if (v === undefined || v === null) return '';
    return name === 'amount' ? money(v) : String(v);
  });
}

/* The words for one suggestion reason {code, ...}: from its code, else the
 * server's English `why` text. */
function explain(r, fallback) {
  if (r && r.code && STR.vi['why_' + r.code]) return tf('why_' + r.code, r);
  return fallback || '';
}

/* Why a transaction is where it is (its state's reason code). */
function reasonText(code) {
  if (!code) return '';
  if (code.indexOf('review: ') === 0) return t('reason_review') + ': ' + code.slice(8);
  return STR.vi['reason_' + code] ? t('reason_' + code) : code;
}

function el(tag, attrs, kids) {
  var e = document.createElement(tag);
  var k;
  for (k in attrs || {}) {
    if (k === 'text') e.textContent = attrs[k];
    else if (k === 'on') {
      var ev;
      for (ev in attrs.on) e.addEventListener(ev, attrs.on[ev]);
    } else e.setAttribute(k, attrs[k]);
  }
  (kids || []).forEach(function (c) {
    if (c !== null && c !== undefined)
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return e;
}

var SVGNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, kids) {
  var e = document.createElementNS(SVGNS, tag);
  var k;
  for (k in attrs || {}) {
    if (k === 'text') e.textContent = attrs[k];
    else e.setAttribute(k, attrs[k]);
  }
  (kids || []).forEach(function (c) { e.appendChild(c); });
  return e;
}

function money(n) {
  return new Intl.NumberFormat('vi-VN').format(n || 0) + ' ₫';
}

function pct(x) {
  return new Intl.NumberFormat(app.lang === 'vi' ? 'vi-VN' : 'en-GB',
    { maximumFractionDigits: 1 }).format(x || 0) + ' %';
}

/* Vietnam's date (UTC+7) as YYYY-MM-DD, `days` from today. */
function vnDate(days) {
  var d = new Date(Date.now() + 7 * 3600 * 1000 + (days || 0) * 86400000);
  return d.toISOString().slice(0, 10);
}

function toast(msg, bad) {
  var b = document.getElementById('toast');
  b.textContent = msg;
  b.className = bad ? 'bad' : 'good';
  b.hidden = false;
  clearTimeout(toast.tm);
  toast.tm = setTimeout(function () { b.hidden = true; }, 5000);
}

/* Call the server: JSON in and out; throws {status, code, message}. */
function api(method, path, body) {
  var h = { 'Accept': 'application/json' };
  if (method !== 'GET') {
    h['Content-Type'] = 'application/json';
    if (app.session) h['X-CSRF-Token'] = app.session.csrf;
  }
  return fetch(path, {
    method: method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body)
  }).then(function (r) {
    return r.text().then(function (txt) {
      var j = null;
      try { j = txt ? JSON.parse(txt) : null; } catch (e) { j = null; }
      if (!r.ok) {
        var err = (j && j.error) || {};
        if (r.status === 401 && path.indexOf('/dash/login') !== 0) {
          app.session = null;
          render();
        }
        throw { status: r.status, code: err.code || String(r.status),
                message: err.message || txt };
      }
      return j;
    });
  });
}

function fail(e) {
  var k = e && e.code ? 'err_' + e.code : '';
  toast(t('error') + ': ' + (k && STR.vi[k] ? t(k) : (e.message || e.code || e)), true);
}

function qs(o) {
  return Object.keys(o).filter(function (k) { return o[k] !== '' && o[k] != null; })
    .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(o[k]); })
    .join('&');
}

function table(cols, rows) {
  return el('table', {}, [
    el('thead', {}, [el('tr', {}, cols.map(function (c) {
      return el('th', { text: c });
    }))]),
    el('tbody', {}, rows.map(function (r) {
      return el('tr', {}, r.map(function (c) {
        return (c && c.nodeType) ? el('td', {}, [c]) :
          el('td', { text: c === undefined || c === null ? '' : String(c) });
      }));
    }))
  ]);
}

function card(label, value, sub) {
  return el('div', { 'class': 'card' }, [
    el('div', { 'class': 'label', text: label }),
    el('div', { 'class': 'value', text: value }),
    sub ? el('div', { 'class': 'sub', text: sub }) : null
  ]);
}

/* ---- charts (SVG) ---- */

/* Horizontal bars: [{label, value, cls}]. */
function barChart(items) {
  var w = 520, bh = 28, gap = 14, left = 130;
  var max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([1]));
  var s = svg('svg', { viewBox: '0 0 ' + w + ' ' + (items.length * (bh + gap) + gap),
                       'class': 'chart', role: 'img',
                       'aria-label': t('collections_by_method') });
  items.forEach(function (it, i) {
    var y = gap + i * (bh + gap);
    var bw = Math.round((w - left - 150) * it.value / max);
    s.appendChild(svg('text', { x: 0, y: y + bh * 0.7, text: it.label }));
    s.appendChild(svg('rect', { x: left, y: y, width: Math.max(bw, 1), height: bh,
                                'class': it.cls }));
    s.appendChild(svg('text', { x: left + bw + 8, y: y + bh * 0.7, text: money(it.value) }));
  });
  return s;
}

/* A line of percentages over days: points [{label, value}] (0..100). */
function lineChart(points) {
  var w = 640, h = 240, l = 40, r = 10, top = 10, b = 30;
  var s = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, 'class': 'chart',
                       role: 'img', 'aria-label': t('adoption_30') });
  var n = Math.max(points.length - 1, 1);
  var x = function (i) { return l + (w - l - r) * i / n; };
  var y = function (v) { return top + (h - top - b) * (1 - v / 100); };
  [0, 25, 50, 75, 100].forEach(function (v) {
    s.appendChild(svg('line', { x1: l, x2: w - r, y1: y(v), y2: y(v), 'class': 'grid' }));
    s.appendChild(svg('text', { x: 2, y: y(v) + 4, text: String(v) }));
  });
  var d = points.map(function (p, i) {
    return (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(p.value).toFixed(1);
  }).join(' ');
  if (points.length) s.appendChild(svg('path', { d: d, 'class': 'line' }));
  points.forEach(function (p, i) {
    var c = svg('circle', { cx: x(i), cy: y(p.value), r: 3, 'class': 'dot' });
    c.appendChild(svg('title', { text: p.label + ': ' + pct(p.value) }));
    s.appendChild(c);
    if (i % 7 === 0 || (i === points.length - 1 && i % 7 > 3))
      s.appendChild(svg('text', { x: x(i) - 18, y: h - 8, text: p.label.slice(5) }));
  });
  return s;
}

/* ---- pages ---- */

function pageLogin(main) {
  var msg = el('p', { 'class': 'error', id: 'login-error' });
  var u = el('input', { id: 'login', name: 'login', autocomplete: 'username', required: '' });
  var p = el('input', { id: 'password', name: 'password', type: 'password',
                        autocomplete: 'current-password', required: '' });
  var f = el('form', { id: 'login-form', 'class': 'login' }, [
    el('h1', { text: t('signin') }),
    el('label', { 'for': 'login', text: t('login') }), u,
    el('label', { 'for': 'password', text: t('password') }), p,
    el('button', { type: 'submit', id: 'signin', text: t('signin') }), msg
  ]);
  f.addEventListener('submit', function (ev) {
    ev.preventDefault();
    msg.textContent = '';
    api('POST', '/dash/login', { login: u.value.trim(), password: p.value })
      .then(function (s) {
        p.value = '';
        start(s);
      }).catch(function (e) {
        msg.textContent = e.code === 'locked' ? t('locked') :
          e.code === 'bad_credentials' ? t('bad_credentials') : (e.message || e.code);
      });
  });
  main.appendChild(f);
  u.focus();
}

/* "CODE — Name" of the organisation shown. */
function orgLabel() {
  var cur = app.orgs.filter(function (o) { return o.code === app.org; })[0];
  return app.org + (cur && cur.name ? ' — ' + cur.name : '');
}

function pageOverview(main) {
  var today = vnDate(0), from = vnDate(-29);
  main.appendChild(el('h1', { id: 'page-title',
                              text: t('nav_overview') + ' — ' + orgLabel() + ' — ' + today }));
  return Promise.all([
    api('GET', '/v1/reports/daily?' + qs({ org: app.org, date: today })),
    api('GET', '/v1/stats/adoption?' + qs({ org: app.org, from: from, to: today, trend: 'day' }))
  ]).then(function (res) {
    var d = res[0], a = res[1], inv = d.invoices, cur = a.current;
    main.appendChild(el('div', { 'class': 'cards', id: 'today-cards' }, [
      card(t('collected_transfer'), money(inv.collected_transfer)),
      card(t('collected_cash'), money(inv.collected_cash)),
      card(t('due'), money(inv.due_amount)),
      card(t('outstanding'), money(inv.outstanding)),
      card(t('cashless_share'), pct(cur.share_count_pct),
           t('by_count') + ' · ' + pct(cur.share_value_pct) + ' ' + t('by_value')),
      card(t('payers_cashless'), cur.payers_cashless + ' / ' + cur.payers_registered,
           pct(cur.share_payers_pct))
    ]));
    main.appendChild(el('h2', { text: t('collections_by_method') + ' (' + t('today') + ')' }));
    main.appendChild(barChart([
      { label: t('transfer'), value: inv.collected_transfer, cls: 'transfer' },
      { label: t('cash'), value: inv.collected_cash, cls: 'cash' }
    ]));
    main.appendChild(el('h2', { text: t('adoption_30') }));
    main.appendChild(lineChart((a.trend || []).map(function (p) {
      return { label: p.from, value: p.share_count_pct };
    })));
  });
}

function reasonOk(input) {
  if (!input.value.trim()) {
    toast(t('reason_required'), true);
    input.focus();
    return false;
  }
  return true;
}

function review(txn, action, body) {
  return api('POST', '/v1/orgs/' + encodeURIComponent(app.org) +
             '/bank/transactions/' + txn.id + '/' + action, body)
    .then(function () { toast(t('done')); route(); })
    .catch(fail);
}

function reviewRow(txn) {
  var reason = el('input', { 'class': 'reason', placeholder: t('reason'),
                             'aria-label': t('reason'), maxlength: '200' });
  var payer = el('input', { 'class': 'payer', placeholder: t('payer_code'),
                            'aria-label': t('payer_code'), maxlength: '32' });
  var sugg = (txn.suggestions || []).map(function (s) {
    var why = (s.reasons || []).map(function (r, i) {
      return explain(r, (s.why || [])[i]);
    });
    if (!why.length && s.why) why = s.why;
    /* a transfer it may repeat: a hint, ignore or match decides */
    if (!s.payer && !s.intent)
      return el('span', { 'class': 'suggest-note', text: why.join('; ') });
    return el('button', { type: 'button', 'class': 'suggest', on: { click: function () {
      if (!reasonOk(reason)) return;
      review(txn, 'match', s.intent ? { intent: s.intent, reason: reason.value.trim() }
                                    : { payer: s.payer, reason: reason.value.trim() });
    } } }, [t('match') + ' ' + (s.payer || s.code) + (s.name ? ' · ' + s.name : ''),
            why.length ? el('span', { 'class': 'why', text: why.join('; ') }) : null]);
  });
  return el('div', { 'class': 'txn', 'data-txn': String(txn.id) }, [
    el('div', { 'class': 'txn-head' }, [
      el('strong', { text: money(txn.amount) }), ' · ',
      (txn.booked_at || txn.booking_date || ''), ' · ',
      t(txn.state) + (txn.reason ? ' (' + reasonText(txn.reason) + ')' : '')
    ]),
    el('div', {}, [t('sender') + ': ' + (txn.counter_name || '—') + ' · ' +
                   t('content') + ': ' + (txn.description || '')]),
    el('div', { 'class': 'sugg' }, sugg.length ? sugg :
       [el('em', { text: t('no_suggestion') })]),
    el('div', { 'class': 'actions' }, [
      reason, payer,
      el('button', { type: 'button', 'class': 'do-match', on: { click: function () {
        if (!payer.value.trim()) { payer.focus(); return; }
        if (!reasonOk(reason)) return;
        review(txn, 'match', { payer: payer.value.trim().toUpperCase(),
                               reason: reason.value.trim() });
      } } }, [t('match')]),
      el('button', { type: 'button', 'class': 'do-ignore secondary', on: { click: function () {
        if (!reasonOk(reason)) return;
        review(txn, 'ignore', { reason: reason.value.trim() });
      } } }, [t('ignore')])
    ])
  ]);
}

function pageDaily(main) {
  var date = app.date || vnDate(0);
  var o = encodeURIComponent(app.org);
  var input = el('input', { type: 'date', id: 'day', value: date, max: vnDate(0) });
  main.appendChild(el('h1', { text: t('nav_daily') }));
  main.appendChild(el('form', { 'class': 'inline', id: 'day-form', on: { submit: function (ev) {
    ev.preventDefault();
    app.date = input.value;
    route();
  } } }, [el('label', { 'for': 'day', text: t('date') }), input,
          el('button', { type: 'submit', text: t('show') })]));
  return Promise.all([
    api('GET', '/v1/reports/daily?' + qs({ org: app.org, date: date })),
    api('GET', '/v1/orgs/' + o + '/bank/transactions?state=unmatched&limit=200'),
    api('GET', '/v1/orgs/' + o + '/bank/transactions?state=ambiguous&limit=200'),
    api('GET', '/v1/orgs/' + o + '/bank/transactions?state=matched&limit=1000'),
    api('GET', '/v1/orgs/' + o + '/close?' + qs({ date: date }))
  ]).then(function (res) {
    var d = res[0], inv = d.invoices, bank = d.bank, pr = d.proof;
    var queue = res[1].transactions.concat(res[2].transactions);
    var matched = res[3].transactions.filter(function (x) {
      return x.booking_date === date;
    });
    main.appendChild(el('h2', { text: t('invoices') }));
    main.appendChild(table([t('due'), t('collected_transfer'), t('collected_cash'),
                            t('outstanding')],
      [[money(inv.due_amount) + ' (' + inv.due_count + ')', money(inv.collected_transfer),
        money(inv.collected_cash), money(inv.outstanding)]]));
    main.appendChild(el('h2', { text: t('bank') }));
    main.appendChild(table([t('state'), t('count'), t('amount')],
      [[t('received'), bank.received_count, money(bank.received_amount)]].concat(
        Object.keys(bank.by_state).map(function (k) {
          return [t(k), bank.by_state[k].count, money(bank.by_state[k].amount)];
        }))));
    main.appendChild(el('h2', { text: t('proof') }));
    main.appendChild(el('p', { 'class': pr.balanced ? 'ok' : 'error', id: 'proof',
      text: (pr.balanced ? t('balanced') : t('not_balanced')) + ' · ' +
            t('difference') + ': ' + money(pr.difference) + ' · ' + t('credits') + ': ' +
            money(d.payer_credits.amount) }));
    main.appendChild(el('h2', { text: t('review_queue') + ' (' + queue.length + ')' }));
    var q = el('div', { id: 'review' });
    if (!queue.length) q.appendChild(el('p', { text: t('review_empty') }));
    queue.forEach(function (x) { q.appendChild(reviewRow(x)); });
    main.appendChild(q);
    if (matched.length) {
      main.appendChild(el('h2', { text: t('matched_today') }));
      main.appendChild(table([t('amount'), t('sender'), t('content'), t('status'), ''],
        matched.map(function (x) {
          var reason = el('input', { 'class': 'reason', placeholder: t('reason'),
                                     'aria-label': t('reason') });
          return [money(x.amount), x.counter_name, x.description, t(x.outcome),
                  el('span', {}, [reason, el('button', { type: 'button', 'class': 'secondary',
                    on: { click: function () {
                      if (reasonOk(reason)) review(x, 'unmatch', { reason: reason.value.trim() });
                    } } }, [t('unmatch')])])];
        })));
    }
    if (res[4].closed)
      main.appendChild(el('p', { 'class': 'ok', id: 'day-closed', text: t('day_closed_note') }));
    else if (app.session.role !== 'auditor')
      main.appendChild(el('p', {}, [el('button', { type: 'button', id: 'close-day',
        on: { click: function () {
          if (!window.confirm(t('close_confirm'))) return;
          api('POST', '/v1/orgs/' + o + '/close', { date: date })
            .then(function () {
              toast(t('closed') + ' ' + date);
              var b = document.getElementById('close-day');
              if (b) b.parentNode.replaceChild(
                el('p', { 'class': 'ok', id: 'day-closed', text: t('day_closed_note') }), b);
            }).catch(fail);
        } } }, [t('close_day') + ' ' + date])]));
  });
}

function pagePayers(main) {
  main.appendChild(el('h1', { text: t('nav_payers') }));
  return api('GET', '/v1/orgs/' + encodeURIComponent(app.org) + '/payers?limit=1000')
    .then(function (j) {
      main.appendChild(table([t('code'), t('name'), t('zone'), t('own_account'), t('credit')],
        j.payers.map(function (p) {
          return [p.code, p.name, p.zone || p['class'],
                  p.bank_account ? t('yes') : t('no'), money(p.credit)];
        })));
    });
}

function pageInvoices(main) {
  var st = app.invStatus || '';
  var sel = el('select', { id: 'inv-status', 'aria-label': t('status') },
    ['', 'open', 'partial', 'paid'].map(function (s) {
      var op = el('option', { value: s, text: s ? t(s) : t('all') });
      if (s === st) op.selected = true;
      return op;
    }));
  sel.addEventListener('change', function () { app.invStatus = sel.value; route(); });
  main.appendChild(el('h1', { text: t('nav_invoices') }));
  main.appendChild(el('p', {}, [sel]));
  return api('GET', '/v1/orgs/' + encodeURIComponent(app.org) + '/invoices?' +
             qs({ limit: 1000, status: st }))
    .then(function (j) {
      main.appendChild(table([t('payer'), t('fee'), t('period'), t('amount'),
                              t('paid_amount'), t('status')],
        j.invoices.map(function (i) {
          return [i.payer, i.label || i.fee, i.period, money(i.amount), money(i.paid),
                  t(i.status)];
        })));
    });
}

function pageExports(main) {
  var day = el('input', { type: 'date', id: 'exp-day', value: vnDate(0) });
  var from = el('input', { type: 'date', id: 'exp-from', value: vnDate(-29) });
  var to = el('input', { type: 'date', id: 'exp-to', value: vnDate(0) });
  var semi = el('input', { type: 'checkbox', id: 'exp-semi' });
  var a1 = el('a', { id: 'exp-daily', download: '' }, [t('download')]);
  var a2 = el('a', { id: 'exp-adoption', download: '' }, [t('download')]);
  function upd() {
    var sep = semi.checked ? 'semicolon' : '';
    a1.href = '/v1/reports/daily?' + qs({ org: app.org, date: day.value, format: 'csv', sep: sep });
    a2.href = '/v1/stats/adoption?' + qs({ org: app.org, from: from.value, to: to.value,
                                           format: 'csv', sep: sep });
  }
  [day, from, to, semi].forEach(function (i) { i.addEventListener('change', upd); });
  upd();
  main.appendChild(el('h1', { text: t('nav_exports') }));
  main.appendChild(el('section', { 'class': 'export' }, [
    el('h2', { text: t('export_daily') }),
    el('label', { 'for': 'exp-day', text: t('date') }), day, ' ', a1]));
  main.appendChild(el('section', { 'class': 'export' }, [
    el('h2', { text: t('export_adoption') }),
    el('label', { 'for': 'exp-from', text: t('from') }), from,
    el('label', { 'for': 'exp-to', text: t('to') }), to, ' ', a2]));
  main.appendChild(el('p', {}, [semi, el('label', { 'for': 'exp-semi', text: t('excel_vn') })]));
  return Promise.resolve();
}

var PAGES = { overview: pageOverview, daily: pageDaily, payers: pagePayers,
              invoices: pageInvoices, exports: pageExports };

/* ---- shell ---- */

/*
 * The location hash: "#PAGE" or "#PAGE?org=CODE". The organisation in it
 * is the admin's choice (kept in the URL, so a reload or a bookmark keeps
 * it); for everyone else it is ignored: the session's organisation is the
 * only one, and the server refuses any other (403) whatever a URL says.
 */
function parseHash() {
  var h = (location.hash || '').slice(1), q = h.indexOf('?'), org = null;
  var page = q < 0 ? h : h.slice(0, q);
  if (q >= 0) h.slice(q + 1).split('&').forEach(function (kv) {
    var p = kv.split('=');
    if (p[0] === 'org' && p.length === 2) {
      try { org = decodeURIComponent(p[1]); } catch (e) { org = null; }
    }
  });
  return { page: PAGES[page] ? page : 'overview', org: org };
}

function canPick() {
  return !!app.session && app.session.role === 'admin';
}

function orgKnown(code) {
  return app.orgs.some(function (o) { return o.code === code; });
}

/* The organisation the pages show, from the session or the admin's pick. */
function chooseOrg(wanted) {
  if (!canPick()) {
    app.org = app.session.org;
    return;
  }
  if (wanted && orgKnown(wanted)) app.org = wanted;
  else if (!app.org || !orgKnown(app.org)) {
    var kept = null;
    try { kept = sessionStorage.getItem('chopay.org'); } catch (e) { kept = null; }
    app.org = kept && orgKnown(kept) ? kept :
      (app.orgs.length ? app.orgs[0].code : null);
  }
  try { if (app.org) sessionStorage.setItem('chopay.org', app.org); } catch (e) { /* */ }
}

function hashFor(page) {
  return '#' + page + (canPick() && app.org ? '?org=' + encodeURIComponent(app.org) : '');
}

function applyStrings() {
  document.documentElement.lang = app.lang;
  document.title = t('title');
  Array.prototype.forEach.call(document.querySelectorAll('[data-t]'), function (e) {
    e.textContent = t(e.getAttribute('data-t'));
  });
  document.getElementById('lang').textContent = t('lang');
  document.getElementById('org-pick').setAttribute('aria-label', t('pick_org'));
}

/* The header: who is signed in, the organisation picker for admins. */
function header() {
  var pick = document.getElementById('org-pick');
  var cur = app.orgs.filter(function (o) { return o.code === app.org; })[0];
  document.getElementById('who').textContent = app.session ?
    app.session.login + (app.org && !canPick() ?
      ' · ' + app.org + (cur && cur.name ? ' — ' + cur.name : '') : '') : '';
  pick.hidden = !canPick();
  pick.textContent = '';
  if (canPick()) app.orgs.forEach(function (o) {
    var op = el('option', { value: o.code, text: o.code + ' — ' + o.name });
    if (o.code === app.org) op.selected = true;
    pick.appendChild(op);
  });
  Array.prototype.forEach.call(document.querySelectorAll('#nav a'), function (a) {
    a.setAttribute('href', hashFor(a.getAttribute('data-page')));
  });
}

function route() {
  var main = document.getElementById('main');
  var h = parseHash(), name = h.page, page = PAGES[name];
  chooseOrg(h.org);
  header();
  main.textContent = '';
  Array.prototype.forEach.call(document.querySelectorAll('#nav a'), function (a) {
    a.className = a.getAttribute('data-page') === name ? 'active' : '';
  });
  document.body.setAttribute('data-org', app.org || '');
  if (!app.org) {
    main.appendChild(el('p', { text: t('no_org') }));
    document.body.setAttribute('data-page', name);
    return;
  }
  main.setAttribute('aria-busy', 'true');
  page(main).catch(fail).then(function () {
    main.setAttribute('aria-busy', 'false');
    document.body.setAttribute('data-page', name);
  });
}

function render() {
  var logged = !!app.session;
  applyStrings();
  document.getElementById('nav').hidden = !logged;
  document.getElementById('logout').hidden = !logged;
  header();
  if (!logged) {
    var main = document.getElementById('main');
    main.textContent = '';
    document.body.setAttribute('data-page', 'login');
    pageLogin(main);
  }
}

/* Signed in: the organisations this user may see come with the session. */
function start(s) {
  app.session = s;
  app.orgs = s.orgs || [];
  app.org = null;
  render();
  route();
}

document.addEventListener('DOMContentLoaded', function () {
  try { app.lang = localStorage.getItem('chopay.lang') || 'vi'; } catch (e) { app.lang = 'vi'; }
  document.getElementById('lang').addEventListener('click', function () {
    app.lang = app.lang === 'vi' ? 'en' : 'vi';
    document.getElementById('toast').hidden = true; /* in the other language */
    try { localStorage.setItem('chopay.lang', app.lang); } catch (e) { /* private mode */ }
    render();
    if (app.session) route();
  });
  document.getElementById('org-pick').addEventListener('change', function (ev) {
    if (!canPick() || !orgKnown(ev.target.value)) return;
    app.org = ev.target.value;
    app.date = null;
    location.hash = hashFor(parseHash().page);  /* hashchange: route() */
  });
  document.getElementById('logout').addEventListener('click', function () {
    api('POST', '/dash/logout', {}).catch(function () {}).then(function () {
      document.getElementById('toast').hidden = true;
      app.session = null;
      app.org = null;
      app.orgs = [];
      try { sessionStorage.removeItem('chopay.org'); } catch (e) { /* */ }
      location.hash = '';
      render();
    });
  });
  window.addEventListener('hashchange', function () { if (app.session) route(); });
  fetch('/dash/session', { credentials: 'same-origin' }).then(function (r) {
    return r.ok ? r.json() : null;
  }).then(function (s) {
    if (s) start(s); else render();
  }).catch(function () { render(); });
});
