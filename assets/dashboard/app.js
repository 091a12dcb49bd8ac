/*
 * app.js: chopay's web dashboard for market and school boards. Plain
 * JavaScript, no libraries, nothing from outside this server (Content-
 * Security-Policy default-src 'self'); charts are SVG drawn here (two
 * small charts: their words and dates stay text a reader can find). The
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
    adoption_30: 'Tỷ lệ thanh toán không tiền mặt theo ngày (%)',
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
    bad_date: 'Ngày không hợp lệ: hãy viết dạng 07/12/2026.',
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
    err_org_not_found: 'Không có đơn vị này.',
    err_fee_exists: 'Đã có khoản thu với mã này.',
    err_fee_not_found: 'Không có khoản thu này.',
    err_invalid_period: 'Kỳ không hợp lệ: ngày (07/12/2026), tháng (12/2026) hoặc học kỳ (2026-HK1), và phải hợp với loại khoản thu.',
    err_missing_field: 'Thiếu thông tin: mã, tên, loại và số tiền (lớn hơn 0).',
    err_invalid_field: 'Thông tin không hợp lệ.',
    err_receipt_not_found: 'Không có biên lai với số này.',
    err_not_found: 'Không tìm thấy.',
    err_insufficient_credit: 'Số tiền hoàn lớn hơn tiền thừa của người nộp.',
    err_duplicate_reference: 'Đã có một lần hoàn tiền với số tham chiếu này.',
    err_no_own_account: 'Sạp này không có tài khoản riêng.',
    err_body_too_large: 'Tệp quá lớn.',
    err_unknown_format: 'Không nhận ra định dạng: tệp không phải sao kê camt.053/054, MT940 hay CSV.',
    err_invalid_statement: 'Sao kê có lỗi, không giao dịch nào được nhập.',
    err_unknown_account: 'Tài khoản trong sao kê không phải tài khoản thu của đơn vị nào.',
    err_account_mismatch: 'Tài khoản trong sao kê thuộc đơn vị khác.',
    err_rate_limited: 'Quá nhiều yêu cầu, vui lòng chờ một lát.',
    /* pages added for the accountant */
    nav_statements: 'Sao kê', nav_fees: 'Khoản thu', nav_receipts: 'Biên lai',
    nav_refunds: 'Hoàn tiền thừa', nav_standees: 'Bảng QR',
    period_today: 'hôm nay {d}', period_30: '30 ngày, {from} – {to}',
    stmt_intro: 'Tải lên sao kê ngân hàng (camt.053/054, MT940 hoặc CSV) để đối chiếu các khoản đã nhận.',
    stmt_file: 'Tệp sao kê', stmt_format: 'Định dạng', fmt_auto: 'Tự nhận dạng',
    stmt_choose: 'Chọn tệp…', stmt_none: 'Chưa chọn tệp',
    stmt_fix: 'Sửa dòng này trong tệp rồi tải lên lại.',
    stmt_review: 'Xử lý {n} giao dịch chưa khớp ở trang Đối soát ngày →',
    upload: 'Tải lên', stmt_pick: 'Hãy chọn tệp sao kê.',
    stmt_result: 'Kết quả nhập sao kê', stmt_failed: 'Không nhập được sao kê',
    stmt_line: 'Dòng {line}', stmt_nothing: 'Không có giao dịch nào được nhập.',
    stmt_new: 'Giao dịch mới', stmt_replayed: 'Đã nhập trước đó',
    stmt_auto: 'Tự khớp', stmt_statements: 'Số sao kê', fmt_name: 'Định dạng',
    balance_check: 'Kiểm tra số dư', account: 'Tài khoản',
    opening: 'Số dư đầu kỳ', closing: 'Số dư cuối kỳ', credits_sum: 'Tổng ghi có',
    debits_sum: 'Tổng ghi nợ', entries: 'Số bút toán', bal_ok: 'Khớp',
    bal_mismatch: 'Lệch', bal_unchecked: 'Không có số dư để kiểm tra',
    bal_expect: 'Đầu kỳ + ghi có − ghi nợ = {x}, sao kê ghi cuối kỳ {y}',
    bal_row: 'số dư chạy bị lệch ở giao dịch thứ {n}',
    fees_list: 'Các khoản thu', kind: 'Loại', category: 'Nhóm (khu / khối)',
    kind_daily: 'Theo ngày', kind_monthly: 'Theo tháng', kind_term: 'Theo học kỳ',
    kind_oneoff: 'Một lần', active: 'Đang thu', inactive: 'Ngừng thu',
    save: 'Lưu', deactivate: 'Ngừng thu', activate: 'Thu lại',
    fee_add: 'Thêm khoản thu', add: 'Thêm', fee_saved: 'Đã lưu khoản thu {code}.',
    fee_added: 'Đã thêm khoản thu {code}.', fee_off: 'Đã ngừng thu {code}.',
    fee_on: 'Đã thu lại {code}.', bad_amount: 'Số tiền phải là số nguyên dương (đồng).',
    gen_title: 'Tạo hoá đơn cho một kỳ', gen_fee_all: 'Mọi khoản thu của loại kỳ này',
    gen_period_hint: 'Cách viết kỳ: ngày 07/12/2026 · tháng 12/2026 · học kỳ 2026-HK1',
    generate: 'Tạo hoá đơn',
    gen_done: 'Kỳ {period}: đã tạo {n} hoá đơn, tổng {amount} ({fees} khoản thu).',
    gen_none: 'Kỳ {period}: không có hoá đơn mới (đã tạo trước đó hoặc không có người nộp phù hợp).',
    receipt_no: 'Số biên lai', lookup: 'Tra cứu', receipt_title: 'Biên lai thu tiền',
    receipt_hint: 'Ví dụ: CHO-TT-2026-000001', paid_at: 'Thời gian',
    method: 'Hình thức', method_cash: 'Tiền mặt', method_transfer: 'Chuyển khoản',
    purpose: 'Nội dung', voided: 'Đã huỷ', valid: 'Còn hiệu lực',
    print: 'In biên lai', print_view: 'Mở bản in', pdf: 'Tải PDF',
    resend_title: 'Gửi lại biên lai cho người nộp',
    resend_hint: 'Gửi đường dẫn này qua Zalo hoặc tin nhắn: người nộp mở được biên lai trên điện thoại, không cần đăng nhập.',
    resend_copy: 'Sao chép đường dẫn', resend_copied: 'Đã sao chép.',
    resend_select: 'Hãy chọn đường dẫn và sao chép (Ctrl+C).',
    standee_intro: 'Bảng QR cho các sạp có tài khoản ngân hàng riêng: khách quét mã để chuyển thẳng cho sạp.',
    bank_account: 'Số tài khoản', standee_a5: 'PDF khổ A5', standee_a6: 'PDF khổ A6',
    standee_none: 'Không có sạp nào có tài khoản riêng.',
    refund_intro: 'Người nộp có tiền thừa (nộp dư). Hoàn lại bằng chuyển khoản rồi ghi nhận tại đây.',
    refund_none: 'Không có người nộp nào đang có tiền thừa.',
    refund: 'Hoàn tiền', refund_amount: 'Số tiền hoàn', reference: 'Số tham chiếu chuyển khoản',
    refund_next: 'Tiếp tục', back: 'Quay lại', refund_confirm: 'Xác nhận hoàn tiền',
    refund_check: 'Hoàn {amount} cho {payer}? Tham chiếu: {reference}. Lý do: {reason}. Không thể hoàn tác.',
    refund_done: 'Đã hoàn {amount} cho {payer}. Tiền thừa còn lại: {left}.',
    reference_required: 'Phải nhập số tham chiếu chuyển khoản.',
    takings: 'Tiền thu trong ngày', figure: 'Chỉ tiêu', transfer_bank: 'Chuyển khoản ngân hàng ghi nhận',
    transfer_booked: 'Chuyển khoản đã ghi cho người nộp', total_taken: 'Tổng thu',
    credit_created: 'Tiền thừa phát sinh', refunds: 'Hoàn tiền',
    unresolved: 'Chờ xử lý (chưa khớp)', unresolved_note: '{amount} chờ xử lý',
    by_kiosk: 'Theo quầy', by_collector: 'Tiền mặt theo người thu', kiosk: 'Quầy',
    collector: 'Người thu', no_kiosk: 'Không qua quầy',
    invoices_due: 'Hoá đơn đến hạn trong ngày', paid_transfer: 'Đã trả bằng chuyển khoản',
    paid_cash: 'Đã trả bằng tiền mặt',
    close_title: 'Chốt sổ ngày {d}', close_clean: 'Không còn giao dịch chờ xử lý, các sao kê đều khớp số dư.',
    close_review: 'Còn {n} giao dịch chờ xử lý, tổng {amount}.',
    close_unbalanced: 'Có {n} sao kê lệch số dư, chênh tổng {amount}.',
    close_open_note: 'Nên xử lý hết trước khi chốt. Nếu vẫn chốt, phải ghi lý do: lý do được lưu cùng lần chốt sổ và trong nhật ký.',
    close_yes: 'Chốt sổ', close_force: 'Vẫn chốt sổ với lý do này', cancel: 'Huỷ',
    close_reason: 'Lý do vẫn chốt sổ', forced_note: 'Chốt sổ khi còn việc mở. Lý do: {reason}',
    err_open_items: 'Ngày này còn việc chưa xử lý; phải ghi lý do mới chốt được.',
    split: 'Đã chia cho nhiều người nộp', split_open: 'Chia cho nhiều người nộp',
    split_title: 'Chia {amount} cho nhiều người nộp', split_add: 'Thêm người nộp',
    split_left: 'Còn lại chưa chia: {amount}', split_do: 'Chia khoản tiền',
    split_bad: 'Cần ít nhất hai người nộp khác nhau, mỗi người một số tiền nguyên (đồng), tổng bằng đúng khoản chuyển.',
    err_parts_sum: 'Tổng các phần phải bằng đúng số tiền chuyển khoản.',
    err_invalid_parts: 'Mỗi phần cần mã người nộp và số tiền lớn hơn 0; không lặp người nộp.',
    err_payer_not_found: 'Không có người nộp này.',
    err_already_split: 'Khoản này đã được chia theo cách khác.'
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
    adoption_30: 'Cashless share of payments by day (%)',
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
    bad_date: 'Not a date: write it as 07/12/2026 (day/month/year).',
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
    err_org_not_found: 'No such organisation.',
    err_fee_exists: 'A fee with this code exists.',
    err_fee_not_found: 'No such fee.',
    err_invalid_period: 'Invalid period: a day (07/12/2026), a month (12/2026) or a term (2026-HK1), fitting the fee\'s kind.',
    err_missing_field: 'Code, name, kind and amount (above 0) are required.',
    err_invalid_field: 'Invalid value.',
    err_receipt_not_found: 'No receipt has this number.',
    err_not_found: 'Not found.',
    err_insufficient_credit: 'The refund is larger than the payer\'s credit.',
    err_duplicate_reference: 'A refund with this reference exists.',
    err_no_own_account: 'This stall has no account of its own.',
    err_body_too_large: 'The file is too large.',
    err_unknown_format: 'Unknown format: not a camt.053/054, MT940 or CSV statement.',
    err_invalid_statement: 'The statement has errors; nothing was imported.',
    err_unknown_account: 'The statement\'s account is no organisation\'s collecting account.',
    err_account_mismatch: 'The statement\'s account belongs to another organisation.',
    err_rate_limited: 'Too many requests; please wait a moment.',
    nav_statements: 'Statements', nav_fees: 'Fees', nav_receipts: 'Receipts',
    nav_refunds: 'Refunds', nav_standees: 'QR standees',
    period_today: 'today {d}', period_30: '30 days, {from} – {to}',
    stmt_intro: 'Upload a bank statement (camt.053/054, MT940 or CSV) to reconcile what came in.',
    stmt_file: 'Statement file', stmt_format: 'Format', fmt_auto: 'Detect',
    stmt_choose: 'Choose a file…', stmt_none: 'No file chosen',
    stmt_fix: 'Correct this line in the file and upload it again.',
    stmt_review: 'Review {n} unmatched transactions on the daily page →',
    upload: 'Upload', stmt_pick: 'Pick a statement file.',
    stmt_result: 'Import result', stmt_failed: 'The statement was not imported',
    stmt_line: 'Line {line}', stmt_nothing: 'Nothing was imported.',
    stmt_new: 'New transactions', stmt_replayed: 'Imported before',
    stmt_auto: 'Matched automatically', stmt_statements: 'Statements', fmt_name: 'Format',
    balance_check: 'Balance check', account: 'Account',
    opening: 'Opening balance', closing: 'Closing balance', credits_sum: 'Credits',
    debits_sum: 'Debits', entries: 'Entries', bal_ok: 'Balanced',
    bal_mismatch: 'Mismatch', bal_unchecked: 'No balances to check',
    bal_expect: 'Opening + credits − debits = {x}, the statement says {y}',
    bal_row: 'the running balance breaks at entry {n}',
    fees_list: 'Fees', kind: 'Kind', category: 'Group (zone / grade)',
    kind_daily: 'Daily', kind_monthly: 'Monthly', kind_term: 'Per term',
    kind_oneoff: 'One-off', active: 'Active', inactive: 'Inactive',
    save: 'Save', deactivate: 'Deactivate', activate: 'Activate',
    fee_add: 'Add a fee', add: 'Add', fee_saved: 'Fee {code} saved.',
    fee_added: 'Fee {code} added.', fee_off: 'Fee {code} deactivated.',
    fee_on: 'Fee {code} active again.', bad_amount: 'The amount is a positive whole number of đồng.',
    gen_title: 'Generate invoices for a period', gen_fee_all: 'Every fee of the period\'s kind',
    gen_period_hint: 'A period is a day 07/12/2026, a month 12/2026 or a term 2026-HK1',
    generate: 'Generate',
    gen_done: 'Period {period}: {n} invoices created, {amount} in all ({fees} fees).',
    gen_none: 'Period {period}: no new invoice (made before, or no payer it applies to).',
    receipt_no: 'Receipt number', lookup: 'Look up', receipt_title: 'Receipt',
    receipt_hint: 'For example CHO-TT-2026-000001', paid_at: 'Time',
    method: 'Method', method_cash: 'Cash', method_transfer: 'Transfer',
    purpose: 'For', voided: 'Void', valid: 'Valid',
    print: 'Print', print_view: 'Open the print view', pdf: 'Download PDF',
    resend_title: 'Send the receipt to the payer again',
    resend_hint: 'Send this address by Zalo or text message: the payer opens the receipt on their phone without signing in.',
    resend_copy: 'Copy the address', resend_copied: 'Copied.',
    resend_select: 'Select the address and copy it (Ctrl+C).',
    standee_intro: 'QR standees for stalls with their own bank account: customers pay the stall directly.',
    bank_account: 'Account number', standee_a5: 'PDF, A5', standee_a6: 'PDF, A6',
    standee_none: 'No stall has its own account.',
    refund_intro: 'Payers holding credit (over-paid). Send it back by transfer, then record it here.',
    refund_none: 'No payer holds credit.',
    refund: 'Refund', refund_amount: 'Amount', reference: 'Transfer reference',
    refund_next: 'Continue', back: 'Back', refund_confirm: 'Confirm the refund',
    refund_check: 'Refund {amount} to {payer}? Reference: {reference}. Reason: {reason}. This cannot be undone.',
    refund_done: 'Refunded {amount} to {payer}. Credit left: {left}.',
    reference_required: 'The transfer reference is required.',
    takings: "The day's takings", figure: 'Figure', transfer_bank: 'Transfers the bank booked',
    transfer_booked: 'Transfers booked to payers', total_taken: 'Total taken',
    credit_created: 'Credit created', refunds: 'Refunds',
    unresolved: 'Awaiting review (unmatched)', unresolved_note: '{amount} awaiting review',
    by_kiosk: 'By kiosk', by_collector: 'Cash by collector', kiosk: 'Kiosk',
    collector: 'Collector', no_kiosk: 'No kiosk',
    invoices_due: 'Invoices due this day', paid_transfer: 'Paid by transfer',
    paid_cash: 'Paid in cash',
    close_title: 'Close {d}', close_clean: 'Nothing awaits review and every statement balances.',
    close_review: '{n} transfers await review, {amount} in all.',
    close_unbalanced: '{n} statements do not balance, off by {amount} in all.',
    close_open_note: 'Better resolve them first. To close anyway, give a reason: it is kept with the close and in the audit log.',
    close_yes: 'Close the day', close_force: 'Close anyway with this reason', cancel: 'Cancel',
    close_reason: 'Why close anyway', forced_note: 'Closed with items open. Reason: {reason}',
    err_open_items: 'This day has open items; closing it needs a reason.',
    split: 'Split across payers', split_open: 'Split across several payers',
    split_title: 'Split {amount} across several payers', split_add: 'Add a payer',
    split_left: 'Left to split: {amount}', split_do: 'Split the transfer',
    split_bad: 'At least two different payers, each a whole amount in đồng, summing to the transfer exactly.',
    err_parts_sum: 'The parts must sum to the transfer exactly.',
    err_invalid_parts: 'Each part needs a payer code and an amount above 0; no payer twice.',
    err_payer_not_found: 'No such payer.',
    err_already_split: 'This transfer was already split otherwise.'
  }
};

var app = { lang: 'vi', session: null, org: null, orgs: [], shown: 0 };

function t(k) { return (STR[app.lang] && STR[app.lang][k]) || STR.vi[k] || k; }

/* A string with {name} placeholders filled from `params`; amounts as money. */
function tf(k, params) {
  return t(k).replace(/\{(\w+)\}/g, function (m, name) {
    var v = params ? params[name] : undefined;
    if (v === undefined || v === null) return '';
    return name === 'amount' || name === 'left' ? money(v) : String(v);
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

/* 'YYYY-MM-DD' the Vietnamese way: 'DD/MM/YYYY' (short: 'DD/MM'). */
function dmy(iso, short) {
  var m = /^(\d{4})-(\d\d)-(\d\d)/.exec(iso || '');
  if (!m) return iso || '';
  return m[3] + '/' + m[2] + (short ? '' : '/' + m[1]);
}

/* A date field written the Vietnamese way (a browser's own date field
 * follows its interface language, often mm/dd/yyyy). */
function dateInput(id, iso) {
  return el('input', { id: id, value: dmy(iso), size: '11', maxlength: '10',
                       inputmode: 'numeric', placeholder: 'dd/mm/yyyy', 'class': 'date' });
}

/* 'D/M/YYYY' (or 'YYYY-MM-DD') as 'YYYY-MM-DD'; null when not a date. */
function dateValue(s) {
  var v = (s || '').trim(), m = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$/.exec(v), d;
  if (m) v = m[3] + '-' + ('0' + m[2]).slice(-2) + '-' + ('0' + m[1]).slice(-2);
  if (!/^\d{4}-\d\d-\d\d$/.test(v)) return null;
  d = new Date(v + 'T00:00:00Z');
  return isNaN(d) || d.toISOString().slice(0, 10) !== v ? null : v;
}

/* Seconds since 1970 as Vietnam's 'DD/MM/YYYY HH:MM'. */
function vnTime(secs) {
  var d = new Date((secs + 7 * 3600) * 1000).toISOString();
  return dmy(d) + ' ' + d.slice(11, 16);
}

/* A bank's '2026-12-06T08:05:00+07:00' (Vietnam's time) as 'DD/MM/YYYY HH:MM'. */
function bookedText(s) {
  var m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(s || '');
  return m ? dmy(m[1]) + ' ' + m[2] : dmy(s);
}

/* An invoice period as read in Vietnam: '12/2026', '07/12/2026', '2026-HK1'. */
function periodText(p) {
  var m = /^(\d{4})-(\d\d)$/.exec(p || '');
  if (m) return m[2] + '/' + m[1];
  return /^\d{4}-\d\d-\d\d$/.test(p || '') ? dmy(p) : (p || '');
}

/* What a person types as a period ('12/2026', '7/12/2026') as the server's. */
function periodValue(s) {
  var v = (s || '').trim(), m = /^(\d{1,2})\/(\d{4})$/.exec(v);
  if (m) return m[2] + '-' + ('0' + m[1]).slice(-2);
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (m) return m[3] + '-' + ('0' + m[2]).slice(-2) + '-' + ('0' + m[1]).slice(-2);
  return v;
}

/* An invoice label ends with its period: shown the same way. */
function labelText(l) {
  return (l || '').replace(/(\d{4}-\d\d(-\d\d)?)$/, function (p) { return periodText(p); });
}

/* Đồng as typed ('1.500.000', '1500000 ₫'): a whole number, or NaN. */
function moneyValue(s) {
  var v = String(s || '').replace(/[.\s₫đ]/g, '');
  return /^\d{1,15}$/.test(v) ? parseInt(v, 10) : NaN;
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
function api(method, path, body, raw) {
  var h = { 'Accept': 'application/json' };
  if (method !== 'GET') {
    h['Content-Type'] = raw ? 'application/octet-stream' : 'application/json';
    if (app.session) h['X-CSRF-Token'] = app.session.csrf;
  }
  return fetch(path, {
    method: method, headers: h, credentials: 'same-origin',
    body: raw ? body : body === undefined ? undefined : JSON.stringify(body)
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
                message: err.message || txt, line: err.line, rows: err.rows };
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

/* A figure with what it is, a detail line and the period it covers. */
function card(label, value, sub, period) {
  return el('div', { 'class': 'card' }, [
    el('div', { 'class': 'label', text: label }),
    el('div', { 'class': 'value', text: value }),
    sub ? el('div', { 'class': 'sub', text: sub }) : null,
    period ? el('div', { 'class': 'period', text: period }) : null
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

/*
 * A line of percentages: points [{label, value}] (0..100). A point whose
 * value is null had no payments: a gap in the line (no dot), never 0 %.
 * opts (optional): `title` (what the chart shows, for screen readers),
 * `tick(label)` the axis text of a point (default DD/MM) and `every` (a
 * labelled point every so many, default 7; the last is always labelled).
 */
function lineChart(points, opts) {
  var o = opts || {};
  var w = 640, h = 240, l = 40, r = 10, top = 10, b = 30, every = o.every || 7;
  var tick = o.tick || function (lab) { return dmy(lab, true); };
  var s = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, 'class': 'chart',
                       role: 'img', 'aria-label': o.title || t('adoption_30') });
  var n = Math.max(points.length - 1, 1);
  var x = function (i) { return l + (w - l - r) * i / n; };
  var y = function (v) { return top + (h - top - b) * (1 - v / 100); };
  var gap = function (p) { return p.value === null || p.value === undefined; };
  var d = '', pen = false;
  [0, 25, 50, 75, 100].forEach(function (v) {
    s.appendChild(svg('line', { x1: l, x2: w - r, y1: y(v), y2: y(v), 'class': 'grid' }));
    s.appendChild(svg('text', { x: 2, y: y(v) + 4, text: String(v) }));
  });
  /* the pen lifts over every gap */
  points.forEach(function (p, i) {
    if (gap(p)) { pen = false; return; }
    d += (pen ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(p.value).toFixed(1) + ' ';
    pen = true;
  });
  if (d) s.appendChild(svg('path', { d: d.trim(), 'class': 'line' }));
  points.forEach(function (p, i) {
    var c;
    if (gap(p)) {
      c = svg('line', { x1: x(i), x2: x(i), y1: y(0) - 3, y2: y(0) + 3, 'class': 'gap' });
      c.appendChild(svg('title', { text: tick(p.label) + ': ' + t('no_payments') }));
    } else {
      c = svg('circle', { cx: x(i), cy: y(p.value), r: 3, 'class': 'dot' });
      c.appendChild(svg('title', { text: tick(p.label) + ': ' + pct(p.value) }));
    }
    s.appendChild(c);
    /* every `every`th point and the last one (its text ends there), never
       two crowded together (about 6.5 px a character) */
    if ((i % every === 0 &&
         x(points.length - 1) - x(i) >= tick(p.label).length * 6.5 * 1.5 + 4) ||
        i === points.length - 1)
      s.appendChild(svg('text', { x: x(i), y: h - 8, text: tick(p.label),
                                  'text-anchor': i === points.length - 1 ? 'end' : 'middle' }));
  });
  return s;
}

/* The trend of an adoption answer as chart points: a step without
 * payments is a gap. */
function sharePoints(trend) {
  return (trend || []).map(function (p) {
    return { label: p.from, value: p.payments ? p.share_count_pct : null };
  });
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
  var day = tf('period_today', { d: dmy(today) });
  var month = tf('period_30', { from: dmy(from, true), to: dmy(today) });
  main.appendChild(el('h1', { id: 'page-title',
                              text: t('nav_overview') + ' — ' + orgLabel() + ' — ' + dmy(today) }));
  return Promise.all([
    api('GET', '/v1/reports/daily?' + qs({ org: app.org, date: today })),
    api('GET', '/v1/stats/adoption?' + qs({ org: app.org, from: from, to: today, trend: 'day' }))
  ]).then(function (res) {
    var d = res[0], a = res[1], inv = d.invoices, cur = a.current, tk = d.takings;
    var open = d.unresolved.count ?
      tf('unresolved_note', { amount: d.unresolved.amount }) : null;
    main.appendChild(el('div', { 'class': 'cards', id: 'today-cards' }, [
      card(t('collected_transfer'), money(tk.transfer.amount), open, day),
      card(t('collected_cash'), money(tk.cash.amount), null, day),
      card(t('due'), money(inv.due_amount), null, day),
      card(t('outstanding'), money(inv.outstanding), null, day),
      card(t('cashless_share'), pct(cur.share_count_pct),
           t('by_count') + ' · ' + pct(cur.share_value_pct) + ' ' + t('by_value'), month),
      card(t('payers_cashless'), cur.payers_cashless + ' / ' + cur.payers_registered,
           pct(cur.share_payers_pct), month)
    ]));
    main.appendChild(el('h2', { text: t('collections_by_method') + ' — ' + day }));
    main.appendChild(barChart([
      { label: t('transfer'), value: tk.transfer.amount, cls: 'transfer' },
      { label: t('cash'), value: tk.cash.amount, cls: 'cash' }
    ]));
    main.appendChild(el('h2', { text: t('adoption_30') + ' — ' + month }));
    main.appendChild(lineChart(sharePoints(a.trend)));
    main.appendChild(el('p', { 'class': 'hint', text: t('gap_hint') }));
    return stallActivity(main, from, today, month);
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
      bookedText(txn.booked_at || txn.booking_date), ' · ',
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
      } } }, [t('ignore')]),
      splitButton(txn, reason)
    ])
  ]);
}

/* "Split across several payers": opens splitDialog under the row. */
function splitButton(txn, reason) {
  if (txn.direction && txn.direction !== 'credit') return null;
  return el('button', { type: 'button', 'class': 'do-split secondary', on: { click: function (ev) {
    var row = ev.target.closest('.txn'), box = row.querySelector('.split');
    if (box) { box.parentNode.removeChild(box); return; }
    row.appendChild(splitDialog(txn, reason));
  } } }, [t('split_open')]);
}

/* One transfer split across payers: a payer and an amount a line, what is
   left to split, then POST .../split (each part booked as a match to that
   payer; the server checks the sum again). */
function splitDialog(txn, reason) {
  var lines = el('div', { 'class': 'split-lines' });
  var left = el('p', { 'class': 'split-left' });
  function parts() {
    return Array.prototype.map.call(lines.querySelectorAll('.split-line'), function (l) {
      return { payer: l.querySelector('.split-payer').value.trim().toUpperCase(),
               amount: moneyValue(l.querySelector('.split-amount').value) };
    });
  }
  function update() {
    var sum = parts().reduce(function (a, p) { return a + (p.amount > 0 ? p.amount : 0); }, 0);
    left.textContent = tf('split_left', { amount: txn.amount - sum });
    left.className = 'split-left ' + (sum === txn.amount ? 'ok' : 'error');
  }
  function line() {
    lines.appendChild(el('div', { 'class': 'split-line row' }, [
      el('input', { 'class': 'split-payer', placeholder: t('payer_code'), maxlength: '32',
                    'aria-label': t('payer_code'), size: '10' }),
      el('input', { 'class': 'split-amount num', inputmode: 'numeric', size: '12',
                    placeholder: t('amount'), 'aria-label': t('amount'),
                    on: { input: update } })]));
  }
  line();
  line();
  update();
  return el('div', { 'class': 'split confirm' }, [
    el('p', { 'class': 'split-title', text: tf('split_title', { amount: txn.amount }) }),
    lines, left,
    el('div', { 'class': 'row' }, [
      el('button', { type: 'button', 'class': 'split-add secondary', on: { click: function () {
        line();
        update();
      } } }, [t('split_add')]),
      el('button', { type: 'button', 'class': 'split-do', on: { click: function () {
        var p = parts(), sum = 0, seen = {}, ok = p.length >= 2;
        p.forEach(function (x) {
          if (!x.payer || !(x.amount > 0) || seen[x.payer]) ok = false;
          seen[x.payer] = true;
          sum += x.amount > 0 ? x.amount : 0;
        });
        if (!ok || sum !== txn.amount) { toast(t('split_bad'), true); return; }
        var body = { parts: p };
        if (reason.value.trim()) body.reason = reason.value.trim();
        review(txn, 'split', body);
      } } }, [t('split_do')])])]);
}

/* The day's money: what came in by transfer and in cash whatever it
   paid, credit, refunds, what awaits review; by kiosk and by collector
   (the figures each kiosk's collector screen shows). */
function takingsTables(main, d, date) {
  var tk = d.takings;
  function kioskName(k) { return k.kiosk === null ? t('no_kiosk') : k.name; }
  main.appendChild(el('h2', { text: t('takings') + ' — ' + dmy(date) }));
  main.appendChild(el('div', { id: 'takings' }, [table([t('figure'), t('count'), t('amount')], [
    [t('transfer_bank'), d.bank.received_count, money(d.bank.received_amount)],
    [t('transfer_booked'), tk.transfer.count, money(tk.transfer.amount)],
    [t('cash'), tk.cash.count, money(tk.cash.amount)],
    [t('total_taken'), tk.transfer.count + tk.cash.count, money(tk.total)],
    [t('credit_created'), tk.credit_created.count, money(tk.credit_created.amount)],
    [t('refunds'), d.refunds.count, money(d.refunds.amount)],
    [t('unresolved'), d.unresolved.count, money(d.unresolved.amount)]
  ])]));
  if (tk.by_kiosk.length) {
    main.appendChild(el('h2', { text: t('by_kiosk') }));
    main.appendChild(el('div', { id: 'by-kiosk' }, [table([t('kiosk'), t('transfer'), t('cash')],
      tk.by_kiosk.map(function (k) {
        return [kioskName(k), money(k.transfer.amount) + ' (' + k.transfer.count + ')',
                money(k.cash.amount) + ' (' + k.cash.count + ')'];
      }))]));
  }
  if (tk.by_collector.length) {
    main.appendChild(el('h2', { text: t('by_collector') }));
    main.appendChild(el('div', { id: 'by-collector' }, [table([t('collector'), t('kiosk'),
                                                               t('count'), t('cash')],
      tk.by_collector.map(function (c) {
        return [c.collector, kioskName(c), c.cash.count, money(c.cash.amount)];
      }))]));
  }
}

function pageDaily(main) {
  var date = app.date || vnDate(0);
  var o = encodeURIComponent(app.org);
  var input = dateInput('day', date);
  main.appendChild(el('h1', { text: t('nav_daily') }));
  main.appendChild(el('form', { 'class': 'inline', id: 'day-form', on: { submit: function (ev) {
    ev.preventDefault();
    var v = dateValue(input.value);
    if (!v) { toast(t('bad_date'), true); input.focus(); return; }
    app.date = v;
    route();
  } } }, [el('label', { 'for': 'day', text: t('date') }), input,
          el('button', { type: 'submit', text: t('show') })]));
  return Promise.all([
    api('GET', '/v1/reports/daily?' + qs({ org: app.org, date: date })),
    api('GET', '/v1/orgs/' + o + '/bank/transactions?' +
        qs({ state: 'unmatched', date: date, limit: 200 })),
    api('GET', '/v1/orgs/' + o + '/bank/transactions?' +
        qs({ state: 'ambiguous', date: date, limit: 200 })),
    api('GET', '/v1/orgs/' + o + '/bank/transactions?' +
        qs({ state: 'matched', date: date, limit: 1000 })),
    api('GET', '/v1/orgs/' + o + '/close?' + qs({ date: date }))
  ]).then(function (res) {
    var d = res[0], inv = d.invoices, bank = d.bank, pr = d.proof;
    var queue = res[1].transactions.concat(res[2].transactions);
    var matched = res[3].transactions;
    takingsTables(main, d, date);
    main.appendChild(el('h2', { text: t('invoices_due') + ' — ' + dmy(date) }));
    main.appendChild(table([t('due'), t('paid_transfer'), t('paid_cash'),
                            t('outstanding')],
      [[money(inv.due_amount) + ' (' + inv.due_count + ')', money(inv.collected_transfer),
        money(inv.collected_cash), money(inv.outstanding)]]));
    main.appendChild(el('h2', { text: t('bank') + ' — ' + dmy(date) }));
    main.appendChild(table([t('state'), t('count'), t('amount')],
      [[t('received'), bank.received_count, money(bank.received_amount)]].concat(
        Object.keys(bank.by_state).map(function (k) {
          return [t(k), bank.by_state[k].count, money(bank.by_state[k].amount)];
        }))));
    main.appendChild(el('h2', { text: t('proof') + ' — ' + dmy(date) }));
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
                  x.outcome === 'split' ? '' :
                  el('span', {}, [reason, el('button', { type: 'button', 'class': 'secondary',
                    on: { click: function () {
                      if (reasonOk(reason)) review(x, 'unmatch', { reason: reason.value.trim() });
                    } } }, [t('unmatch')])])];
        })));
    }
    main.appendChild(closeSection(date, res[4]));
  });
}

/* A closed day's note (with the reason when it was closed with items
   open), else the close button that opens closeDialog. */
function closedNote(reason) {
  return el('div', { id: 'day-closed-box' }, [
    el('p', { 'class': 'ok', id: 'day-closed', text: t('day_closed_note') }),
    reason ? el('p', { 'class': 'notice bad', id: 'day-forced',
                       text: tf('forced_note', { reason: reason }) }) : null]);
}

function closeSection(date, info) {
  var box = el('div', { id: 'close-box' });
  if (info.closed) return closedNote(info.force_reason);
  if (app.session.role === 'auditor') return box;
  box.appendChild(el('p', {}, [el('button', { type: 'button', id: 'close-day',
    on: { click: function () {
      var d = box.querySelector('#close-dialog');
      if (d) return;
      api('GET', '/v1/orgs/' + encodeURIComponent(app.org) + '/close?' + qs({ date: date }))
        .then(function (now) {
          if (now.closed) { box.parentNode.replaceChild(closedNote(now.force_reason), box); return; }
          box.appendChild(closeDialog(date, now.open_items, box));
        }).catch(fail);
    } } }, [t('close_day') + ' ' + dmy(date)])]));
  return box;
}

/* The close of `date`, confirmed in the page: what is still open (the
   transfers awaiting review, the statements that do not balance) and,
   when anything is, a reason to close anyway (sent as force). */
function closeDialog(date, items, box) {
  var rv = (items && items.review) || { count: 0, amount: 0 };
  var ub = (items && items.unbalanced) || { count: 0, amount: 0 };
  var open = rv.count > 0 || ub.count > 0;
  var why = el('input', { id: 'close-reason', 'class': 'reason', maxlength: '500',
                          placeholder: t('close_reason'), 'aria-label': t('close_reason') });
  var dlg = el('div', { 'class': 'confirm' + (open ? ' open-items' : ''), id: 'close-dialog',
                        role: 'dialog', 'aria-label': tf('close_title', { d: dmy(date) }) }, [
    el('p', { 'class': 'close-title', text: tf('close_title', { d: dmy(date) }) }),
    open ? null : el('p', { id: 'close-clean', text: t('close_clean') }),
    rv.count ? el('p', { 'class': 'error', id: 'close-review',
                         text: tf('close_review', { n: rv.count, amount: rv.amount }) }) : null,
    ub.count ? el('p', { 'class': 'error', id: 'close-unbalanced',
                         text: tf('close_unbalanced', { n: ub.count, amount: ub.amount }) }) : null,
    open ? el('p', { 'class': 'hint', text: t('close_open_note') }) : null,
    open ? el('div', { 'class': 'row' }, [why]) : null,
    el('div', { 'class': 'row' }, [
      el('button', { type: 'button', id: open ? 'close-force' : 'close-yes', on: { click: function () {
        var body = { date: date };
        if (open) {
          if (!reasonOk(why)) return;
          body.force = true;
          body.reason = why.value.trim();
        }
        api('POST', '/v1/orgs/' + encodeURIComponent(app.org) + '/close', body)
          .then(function (r) {
            toast(t('closed') + ' ' + dmy(date));
            box.parentNode.replaceChild(closedNote(r.force_reason), box);
          }).catch(function (e) {
            /* something came in meanwhile: show it and ask again */
            if (e.code === 'open_items') {
              api('GET', '/v1/orgs/' + encodeURIComponent(app.org) + '/close?' +
                  qs({ date: date })).then(function (now) {
                box.replaceChild(closeDialog(date, now.open_items, box), dlg);
              }).catch(fail);
            }
            fail(e);
          });
      } } }, [open ? t('close_force') : t('close_yes')]),
      el('button', { type: 'button', 'class': 'secondary', id: 'close-cancel', on: { click: function () {
        box.removeChild(dlg);
      } } }, [t('cancel')])])]);
  return dlg;
}

function pageExports(main) {
  var day = dateInput('exp-day', vnDate(0));
  var from = dateInput('exp-from', vnDate(-29));
  var to = dateInput('exp-to', vnDate(0));
  var semi = el('input', { type: 'checkbox', id: 'exp-semi' });
  var a1 = el('a', { id: 'exp-daily', download: '' }, [t('download')]);
  var a2 = el('a', { id: 'exp-adoption', download: '' }, [t('download')]);
  function upd() {
    var sep = semi.checked ? 'semicolon' : '';
    [day, from, to].forEach(function (i) {
      i.className = dateValue(i.value) ? 'date' : 'date bad';
    });
    a1.href = '/v1/reports/daily?' + qs({ org: app.org, date: dateValue(day.value) || '',
                                          format: 'csv', sep: sep });
    a2.href = '/v1/stats/adoption?' + qs({ org: app.org, from: dateValue(from.value) || '',
                                           to: dateValue(to.value) || '', format: 'csv', sep: sep });
  }
  [day, from, to, semi].forEach(function (i) {
    i.addEventListener('change', upd);
    i.addEventListener('input', upd);
  });
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

/* 1 when the signed-in user may change things (an auditor only reads). */
function canWrite() {
  return !!app.session && app.session.role !== 'auditor';
}

/* The reason a statement parser gave (English), in the user's words. */
var STMT_WHY = [
  [/^credit "(.+)" \/ debit "" is not an amount$/, 'Số tiền ghi có “$1” không phải là số tiền'],
  [/^credit "" \/ debit "(.+)" is not an amount$/, 'Số tiền ghi nợ “$1” không phải là số tiền'],
  [/^credit "(.*)" \/ debit "(.*)" is not an amount$/,
   'Số tiền ghi có “$1” / ghi nợ “$2” không phải là số tiền'],
  [/^amount "(.*)" is not an amount$/, 'Số tiền “$1” không phải là số tiền'],
  [/^balance "(.*)" is not an amount$/, 'Số dư “$1” không phải là số tiền'],
  [/^date "(.*)" is not (.*)$/, 'Ngày “$1” không đúng dạng $2'],
  [/^row has neither a credit nor a debit amount$/, 'Không có số tiền ghi có hay ghi nợ'],
  [/^row has both a credit and a debit amount$/, 'Có cả số tiền ghi có và ghi nợ'],
  [/^no header row/, 'Không tìm thấy dòng tiêu đề có cột ngày và cột số tiền'],
  [/^not UTF-8/, 'Tệp không phải mã UTF-8 (hãy xuất tệp dạng UTF-8)'],
  [/^quoted field never closed$/, 'Dấu ngoặc kép mở mà không đóng'],
  [/^text after a closing quote in column (\d+)$/, 'Có chữ sau dấu ngoặc kép đóng ở cột $1'],
  [/^description too long$/, 'Nội dung quá dài'],
  [/^empty input$/, 'Tệp rỗng'],
  [/^NUL byte/, 'Tệp không phải văn bản'],
  [/^not a camt, MT940 or CSV statement$/, 'Không phải sao kê camt, MT940 hay CSV']
];

function stmtWhy(msg) {
  var i;
  if (app.lang !== 'vi') return msg || '';
  for (i = 0; i < STMT_WHY.length; i++)
    if (STMT_WHY[i][0].test(msg || '')) return (msg || '').replace(STMT_WHY[i][0], STMT_WHY[i][1]);
  return msg || '';
}

/* Why an import failed: the line first, then what is wrong on it. */
function stmtError(e) {
  var k = 'err_' + (e.code || '');
  var head = STR.vi[k] ? t(k) : (e.message || e.code);
  var kids = [el('strong', { text: t('stmt_failed') })];
  if (e.line) kids.push(el('p', { id: 'stmt-line', text: tf('stmt_line', { line: e.line }) +
                                  ': ' + stmtWhy(e.message) }));
  else if (e.code === 'invalid_statement') kids.push(el('p', { text: stmtWhy(e.message) }));
  kids.push(el('p', { text: head + (e.code === 'invalid_statement' ? '' : ' ' + t('stmt_nothing')) }));
  if (e.line) kids.push(el('p', { text: t('stmt_fix') }));
  return el('div', { 'class': 'notice bad', id: 'stmt-error' }, kids);
}

function balanceRow(b) {
  var word = b.balance_check === 'ok' ? t('bal_ok') :
    b.balance_check === 'mismatch' ? t('bal_mismatch') : t('bal_unchecked');
  var why = '';
  if (b.balance_check === 'mismatch') {
    var m = /\(row (\d+)\)/.exec(b.message || '');
    why = m ? tf('bal_row', { n: m[1] }) :
      tf('bal_expect', { x: money(b.opening + b.credits - b.debits), y: money(b.closing) });
  }
  var check = el('span', { 'class': b.balance_check === 'ok' ? 'ok' :
                           b.balance_check === 'mismatch' ? 'error' : '' },
                 [word + (why ? ' — ' + why : '')]);
  return [b.account || '—', b.balance_check === 'unchecked' ? '—' : money(b.opening),
          money(b.credits), money(b.debits),
          b.balance_check === 'unchecked' ? '—' : money(b.closing), b.entries, check];
}

function stmtResult(j) {
  return el('div', { id: 'stmt-result' }, [
    el('h2', { text: t('stmt_result') + ' (' + (j.format || '').toUpperCase() + ')' }),
    table([t('stmt_new'), t('stmt_auto'), t('unmatched'), t('ambiguous'), t('duplicate'),
           t('ignored'), t('stmt_replayed')],
          [[j['new'], j.matched, j.unmatched, j.ambiguous, j.duplicate, j.ignored, j.replayed]]),
    el('h2', { text: t('balance_check') }),
    table([t('account'), t('opening'), t('credits_sum'), t('debits_sum'), t('closing'),
           t('entries'), t('balance_check')], (j.balances || []).map(balanceRow)),
    j.unmatched + j.ambiguous > 0 ?
      el('p', {}, [el('a', { href: hashFor('daily'), id: 'stmt-review' },
                      [tf('stmt_review', { n: j.unmatched + j.ambiguous })])]) : null
  ]);
}

function pageStatements(main) {
  var file = el('input', { type: 'file', id: 'stmt-file',
                           accept: '.xml,.csv,.txt,.sta,.mt940,.940,.053,.054' });
  var fname = el('span', { 'class': 'name', id: 'stmt-name', text: t('stmt_none') });
  file.addEventListener('change', function () {
    fname.textContent = file.files && file.files[0] ? file.files[0].name : t('stmt_none');
  });
  var fmt = el('select', { id: 'stmt-format', 'aria-label': t('stmt_format') },
    [['', t('fmt_auto')], ['camt', 'camt.053 / camt.054 (XML)'], ['mt940', 'MT940'],
     ['csv', 'CSV']].map(function (f) { return el('option', { value: f[0], text: f[1] }); }));
  var out = el('div', { id: 'stmt-out' });
  var go = el('button', { type: 'submit', id: 'stmt-upload', text: t('upload') });
  main.appendChild(el('h1', { text: t('nav_statements') }));
  main.appendChild(el('p', { text: t('stmt_intro') }));
  if (!canWrite()) return Promise.resolve();
  main.appendChild(el('form', { 'class': 'inline', id: 'stmt-form', on: { submit: function (ev) {
    ev.preventDefault();
    var f = file.files && file.files[0];
    out.textContent = '';
    if (!f) { toast(t('stmt_pick'), true); return; }
    go.disabled = true;
    f.arrayBuffer().then(function (buf) {
      return api('POST', '/v1/statements?' + qs({ org: app.org, format: fmt.value }), buf, true);
    }).then(function (j) {
      out.appendChild(stmtResult(j));
      toast(t('done'));
    }).catch(function (e) {
      out.appendChild(stmtError(e));
    }).then(function () {
      go.disabled = false;
      document.body.setAttribute('data-stmt', String(Date.now()));
    });
  } } }, [el('span', { text: t('stmt_file') }),
          el('span', { 'class': 'file' }, [file, el('label', { 'for': 'stmt-file',
            'class': 'button secondary', text: t('stmt_choose') }), fname]),
          el('label', { 'for': 'stmt-format', text: t('stmt_format') }), fmt, go]));
  main.appendChild(out);
  return Promise.resolve();
}

/* Every row of a list endpoint (1000 a page, `after` the last id). */
function listAll(path, key) {
  var rows = [];
  function more(after) {
    return api('GET', path + (path.indexOf('?') < 0 ? '?' : '&') +
               qs({ limit: 1000, after: after || '' })).then(function (j) {
      rows = rows.concat(j[key]);
      return j[key].length === 1000 ? more(j[key][999].id) : rows;
    });
  }
  return more(0);
}

function kindText(k) { return STR.vi['kind_' + k] ? t('kind_' + k) : k; }

function feeRow(f) {
  var o = encodeURIComponent(app.org);
  var label = el('input', { 'class': 'fee-label', value: f.label, maxlength: '96',
                            'aria-label': t('name') });
  var cat = el('input', { 'class': 'fee-cat', value: f.category || '', maxlength: '32', size: '6',
                          'aria-label': t('category') });
  var amt = el('input', { 'class': 'fee-amount num', value: new Intl.NumberFormat('vi-VN').format(f.amount),
                          inputmode: 'numeric', size: '10', 'aria-label': t('amount') });
  function patch(body, msg) {
    return api('PATCH', '/v1/orgs/' + o + '/fees/' + encodeURIComponent(f.code), body)
      .then(function () { toast(tf(msg, { code: f.code })); route(); }).catch(fail);
  }
  var acts = canWrite() ? el('span', { 'class': 'acts' }, [
    el('button', { type: 'button', 'class': 'fee-save', on: { click: function () {
      var a = moneyValue(amt.value);
      if (!(a > 0)) { toast(t('bad_amount'), true); amt.focus(); return; }
      patch({ label: label.value.trim(), category: cat.value.trim(), amount: a }, 'fee_saved');
    } } }, [t('save')]),
    el('button', { type: 'button', 'class': 'fee-toggle secondary', on: { click: function () {
      patch({ active: !f.active }, f.active ? 'fee_off' : 'fee_on');
    } } }, [f.active ? t('deactivate') : t('activate')])]) : '';
  var tr = el('tr', { 'data-fee': f.code, 'class': f.active ? '' : 'off' },
    [f.code, canWrite() ? label : f.label, kindText(f.kind), canWrite() ? cat : f.category,
     canWrite() ? amt : money(f.amount), f.active ? t('active') : t('inactive'), acts]
      .map(function (c) { return el('td', {}, [c && c.nodeType ? c : String(c)]); }));
  return tr;
}

function feeForm() {
  var code = el('input', { id: 'fee-code', maxlength: '16', size: '10', required: '' });
  var label = el('input', { id: 'fee-label', maxlength: '96', required: '' });
  var kind = el('select', { id: 'fee-kind' }, ['monthly', 'daily', 'term', 'oneoff'].map(
    function (k) { return el('option', { value: k, text: kindText(k) }); }));
  var cat = el('input', { id: 'fee-cat', maxlength: '32', size: '6' });
  var amt = el('input', { id: 'fee-amount', inputmode: 'numeric', size: '10', required: '' });
  return el('form', { 'class': 'panel grid', id: 'fee-form', on: { submit: function (ev) {
    ev.preventDefault();
    var a = moneyValue(amt.value), c = code.value.trim().toUpperCase();
    if (!(a > 0)) { toast(t('bad_amount'), true); amt.focus(); return; }
    var body = { code: c, label: label.value.trim(), kind: kind.value, amount: a };
    if (cat.value.trim()) body.category = cat.value.trim();
    api('POST', '/v1/orgs/' + encodeURIComponent(app.org) + '/fees', body)
      .then(function () { toast(tf('fee_added', { code: c })); route(); }).catch(fail);
  } } }, [
    el('h2', { text: t('fee_add') }),
    el('label', { 'for': 'fee-code', text: t('code') }), code,
    el('label', { 'for': 'fee-label', text: t('name') }), label,
    el('label', { 'for': 'fee-kind', text: t('kind') }), kind,
    el('label', { 'for': 'fee-cat', text: t('category') }), cat,
    el('label', { 'for': 'fee-amount', text: t('amount') + ' (₫)' }), amt,
    el('span'), el('button', { type: 'submit', id: 'fee-add', text: t('add') })
  ]);
}

/* Invoices for a period; what they add up to is what is new in its list. */
function genForm(fees) {
  var o = encodeURIComponent(app.org);
  var now = vnDate(0);
  var period = el('input', { id: 'gen-period', value: periodText(now.slice(0, 7)), size: '12' });
  var fee = el('select', { id: 'gen-fee' }, [el('option', { value: '', text: t('gen_fee_all') })]
    .concat(fees.filter(function (f) { return f.active; }).map(function (f) {
      return el('option', { value: f.code, text: f.code + ' — ' + f.label });
    })));
  var out = el('p', { id: 'gen-result' });
  return el('form', { 'class': 'panel', id: 'gen-form', on: { submit: function (ev) {
    ev.preventDefault();
    var p = periodValue(period.value), path = '/v1/orgs/' + o + '/invoices?' + qs({ period: p });
    var before = {};
    out.textContent = '';
    listAll(path, 'invoices').then(function (l) {
      l.forEach(function (i) { before[i.id] = 1; });
      var body = { period: p };
      if (fee.value) body.fee = fee.value;
      return api('POST', '/v1/orgs/' + o + '/invoices/generate', body);
    }).then(function (g) {
      return listAll(path, 'invoices').then(function (l) {
        var sum = 0;
        l.forEach(function (i) { if (!before[i.id]) sum += i.amount; });
        out.className = 'ok';
        out.textContent = g.created ?
          tf('gen_done', { period: periodText(g.period), n: g.created, amount: sum, fees: g.fees }) :
          tf('gen_none', { period: periodText(g.period) });
      });
    }).catch(function (e) {
      out.className = 'error';
      out.textContent = t('error') + ': ' + (STR.vi['err_' + e.code] ? t('err_' + e.code) : e.message);
    });
  } } }, [
    el('h2', { text: t('gen_title') }),
    el('span', { 'class': 'row' }, [
      el('label', { 'for': 'gen-period', text: t('period') }), period,
      el('label', { 'for': 'gen-fee', text: t('fee') }), fee,
      el('button', { type: 'submit', id: 'gen-go', text: t('generate') })]),
    el('p', { 'class': 'hint', text: t('gen_period_hint') }), out
  ]);
}

function pageFees(main) {
  main.appendChild(el('h1', { text: t('nav_fees') }));
  return api('GET', '/v1/orgs/' + encodeURIComponent(app.org) + '/fees').then(function (j) {
    var tb = el('tbody', {}, j.fees.map(feeRow));
    main.appendChild(el('table', { id: 'fees' }, [
      el('thead', {}, [el('tr', {}, [t('code'), t('name'), t('kind'), t('category'),
        t('amount') + ' (₫)', t('status'), ''].map(function (c) { return el('th', { text: c }); }))]),
      tb]));
    if (!canWrite()) return;
    main.appendChild(feeForm());
    main.appendChild(genForm(j.fees));
  });
}

function receiptView(j) {
  var base = '/v1/receipts/' + encodeURIComponent(j.number);
  return el('div', { 'class': 'receipt', id: 'receipt' }, [
    el('h2', { text: t('receipt_title') + ' ' + j.number }),
    el('div', { 'class': 'receipt-body' }, [
      el('table', { 'class': 'kv' }, [el('tbody', {}, [
        [t('org'), j.org_name + ' (' + j.org + ')'],
        [t('payer'), j.payer_name + ' (' + j.payer + ')'],
        [t('purpose'), labelText(j['for'])],
        [t('method'), STR.vi['method_' + j.method] ? t('method_' + j.method) : j.method],
        [t('paid_at'), vnTime(j.paid_at)],
        [t('amount'), money(j.amount)],
        [t('status'), j.voided ? t('voided') : t('valid')]
      ].map(function (r) {
        return el('tr', {}, [el('th', { text: r[0] }), el('td', { text: r[1] })]);
      }))]),
      el('img', { src: base + '.png', alt: t('receipt_title') + ' ' + j.number,
                  'class': 'receipt-img', id: 'receipt-img' })
    ]),
    el('p', { 'class': 'no-print actions' }, [
      el('button', { type: 'button', id: 'receipt-print', on: { click: function () {
        window.print();
      } } }, [t('print')]), ' ',
      el('a', { href: base + '.html', target: '_blank', rel: 'noopener', id: 'receipt-html',
                'class': 'button secondary' }, [t('print_view')]), ' ',
      el('a', { href: base + '.pdf', download: 'bien-lai-' + j.number + '.pdf',
                id: 'receipt-pdf', 'class': 'button secondary' }, [t('pdf')])]),
    j.public_url ? receiptResend(location.origin + j.public_url) : null
  ]);
}

/* Sending a receipt again: its public address, to give the payer by Zalo
 * or a text message; it opens on their phone without signing in. */
function receiptResend(url) {
  var link = el('input', { id: 'receipt-link', value: url, readonly: 'readonly', size: '48' });
  var done = el('span', { id: 'receipt-copied', 'class': 'hint', role: 'status' });
  return el('div', { 'class': 'no-print', id: 'receipt-resend' }, [
    el('h3', { text: t('resend_title') }),
    el('p', { 'class': 'hint', text: t('resend_hint') }),
    el('p', { 'class': 'inline' }, [link, ' ',
      el('button', { type: 'button', id: 'receipt-copy', on: { click: function () {
        link.select();
        var shown = function () { done.textContent = t('resend_copied'); };
        if (navigator.clipboard && window.isSecureContext)
          navigator.clipboard.writeText(url).then(shown, function () {
            done.textContent = t('resend_select');
          });
        else if (document.execCommand && document.execCommand('copy')) shown();
        else done.textContent = t('resend_select');
      } } }, [t('resend_copy')]), ' ', done])
  ]);
}

function pageReceipts(main) {
  var num = el('input', { id: 'receipt-no', value: app.receipt || '', size: '24', maxlength: '40',
                          placeholder: t('receipt_hint') });
  var out = el('div', { id: 'receipt-out' });
  main.appendChild(el('h1', { text: t('nav_receipts') }));
  main.appendChild(el('form', { 'class': 'inline no-print', id: 'receipt-form', on: { submit: function (ev) {
    ev.preventDefault();
    app.receipt = num.value.trim().toUpperCase();
    route();
  } } }, [el('label', { 'for': 'receipt-no', text: t('receipt_no') }), num,
          el('button', { type: 'submit', id: 'receipt-go', text: t('lookup') })]));
  main.appendChild(out);
  if (!app.receipt) return Promise.resolve();
  return api('GET', '/v1/receipts/' + encodeURIComponent(app.receipt)).then(function (j) {
    out.appendChild(receiptView(j));
  }).catch(function (e) {
    out.appendChild(el('p', { 'class': 'error', id: 'receipt-error',
      text: STR.vi['err_' + e.code] ? t('err_' + e.code) : e.message }));
  });
}

function pageStandees(main) {
  var o = app.org;
  main.appendChild(el('h1', { text: t('nav_standees') }));
  main.appendChild(el('p', { text: t('standee_intro') }));
  function link(p, paper) {
    var href = '/v1/payers/' + encodeURIComponent(p.code) + '/standee.pdf?' +
      qs({ org: o, paper: paper });
    return el('a', { href: href, download: 'bang-qr-' + p.code + '-' + paper + '.pdf',
                     'class': 'standee-' + paper }, [t('standee_' + paper)]);
  }
  var list = pagedTable('standees', '/v1/orgs/' + encodeURIComponent(o) + '/payers?' +
      qs({ own_account: 1 }), 'payers',
    [t('code'), t('name'), t('bank_account'), '', ''], function (p) {
      return [p.code, p.name, p.bank_account,
              canWrite() ? link(p, 'a5') : '', canWrite() ? link(p, 'a6') : ''];
    }, 0, { empty: t('standee_none'),
            mark: function (tr, p) { tr.setAttribute('data-payer', p.code); } });
  main.appendChild(list.el);
  return list.load(0);
}

/* The refund of one payer's credit: a form, then a confirmation. */
function refundForm(p, cell) {
  var amt = el('input', { 'class': 'refund-amount', inputmode: 'numeric', size: '10',
                          value: new Intl.NumberFormat('vi-VN').format(p.credit),
                          'aria-label': t('refund_amount') });
  var ref = el('input', { 'class': 'refund-ref', maxlength: '64', size: '14',
                          'aria-label': t('reference'), placeholder: t('reference') });
  var why = el('input', { 'class': 'refund-reason', maxlength: '256',
                          'aria-label': t('reason'), placeholder: t('reason') });
  var box = el('div', { 'class': 'refund-form' });
  function ask() {
    var a = moneyValue(amt.value);
    if (!(a > 0)) { toast(t('bad_amount'), true); amt.focus(); return; }
    if (!ref.value.trim()) { toast(t('reference_required'), true); ref.focus(); return; }
    if (!reasonOk(why)) return;
    var body = { amount: a, reference: ref.value.trim(), reason: why.value.trim() };
    var who = p.code + ' — ' + p.name;
    document.getElementById('toast').hidden = true; /* a refusal fixed since */
    box.textContent = '';
    box.appendChild(el('div', { 'class': 'confirm', id: 'refund-confirm' }, [
      el('p', { text: tf('refund_check', { amount: a, payer: who, reference: body.reference,
                                           reason: body.reason }) }),
      el('button', { type: 'button', id: 'refund-yes', on: { click: function () {
        api('POST', '/v1/orgs/' + encodeURIComponent(app.org) + '/payers/' +
            encodeURIComponent(p.code) + '/refund', body).then(function (r) {
          app.refunded = tf('refund_done', { amount: r.amount, payer: who, left: r.credit_left });
          route();
        }).catch(fail);
      } } }, [t('refund_confirm')]), ' ',
      el('button', { type: 'button', 'class': 'secondary', on: { click: function () {
        box.textContent = '';
        box.appendChild(form);
      } } }, [t('back')])]));
  }
  var form = el('span', { 'class': 'row' }, [amt, ref, why,
    el('button', { type: 'button', 'class': 'refund-next', on: { click: ask } }, [t('refund_next')])]);
  box.appendChild(form);
  cell.textContent = '';
  cell.appendChild(box);
}

function pageRefunds(main) {
  main.appendChild(el('h1', { text: t('nav_refunds') }));
  main.appendChild(el('p', { text: t('refund_intro') }));
  if (app.refunded) {
    main.appendChild(el('p', { 'class': 'notice ok', id: 'refund-done', text: app.refunded }));
    app.refunded = null;
  }
  var list = pagedTable('refunds', '/v1/orgs/' + encodeURIComponent(app.org) + '/payers?' +
      qs({ credit: 1 }), 'payers', [t('code'), t('name'), t('credit'), ''], function (p) {
      var cell = el('span', { 'class': 'refund-cell' });
      if (canWrite()) cell.appendChild(el('button', { type: 'button', 'class': 'refund-open',
        on: { click: function () { refundForm(p, cell); } } }, [t('refund')]));
      return [p.code, p.name, money(p.credit), cell];
    }, 0, { empty: t('refund_none'),
            mark: function (tr, p) { tr.setAttribute('data-payer', p.code); } });
  main.appendChild(list.el);
  return list.load(0);
}

/* ---- province: a provincial officer's page (an admin's: every province) ---- */

var STR_PROVINCE = {
  vi: {
    nav_province: 'Tỉnh/thành', province: 'Tỉnh/thành', all_provinces: 'Tất cả tỉnh/thành',
    pick_province: 'Chọn tỉnh/thành', provinces_summary: 'Tổng hợp theo tỉnh/thành',
    orgs_of_province: 'Chợ và trường trong tỉnh/thành', orgs_count: 'Số đơn vị',
    col_code: 'Mã', col_name: 'Tên đơn vị', col_share_count: 'Tỷ lệ theo số lượt',
    col_share_value: 'Tỷ lệ theo giá trị', col_trend: 'Xu hướng (so với kỳ trước)',
    col_payers: 'Người nộp đã dùng chuyển khoản', col_account: 'Sạp có tài khoản riêng',
    col_standee: 'Sạp có bảng QR', col_payers_registered: 'Người nộp đang hoạt động',
    col_from: 'Từ ngày', col_to: 'Đến ngày',
    points: '{v} điểm', sort_by: 'Sắp xếp theo {c}', export_csv: 'Xuất CSV (Excel)',
    adoption_by_month: 'Tỷ lệ thanh toán không tiền mặt theo tháng (%)',
    period_months: '{n} tháng, {from} – {to}', no_payments: 'không có giao dịch',
    gap_hint: 'Khoảng trống trên đường: không có giao dịch trong kỳ đó (không phải 0 %).',
    no_province: 'Chưa có đơn vị nào được gán tỉnh/thành.',
    stalls_account: 'Sạp có tài khoản riêng', stalls_standee: 'Sạp có bảng QR',
    province_only: 'Không xem được {asked}: tài khoản này chỉ xem số liệu của {own}.'
  },
  en: {
    nav_province: 'Province', province: 'Province', all_provinces: 'All provinces',
    pick_province: 'Province', provinces_summary: 'Summary by province',
    orgs_of_province: 'Markets and schools of the province', orgs_count: 'Organisations',
    col_code: 'Code', col_name: 'Organisation', col_share_count: 'Share by count',
    col_share_value: 'Share by value', col_trend: 'Trend (against the previous period)',
    col_payers: 'Payers who used transfer', col_account: 'Stalls with their own account',
    col_standee: 'Stalls with a QR standee', col_payers_registered: 'Active payers',
    col_from: 'From', col_to: 'To',
    points: '{v} points', sort_by: 'Sort by {c}', export_csv: 'Export CSV (Excel)',
    adoption_by_month: 'Cashless share of payments by month (%)',
    period_months: '{n} months, {from} – {to}', no_payments: 'no payments',
    gap_hint: 'A gap in the line: no payments in that period (not 0 %).',
    no_province: 'No organisation has a province yet.',
    stalls_account: 'Stalls with their own account', stalls_standee: 'Stalls with a QR standee',
    province_only: 'Cannot show {asked}: this account reads the figures of {own} only.'
  }
};
Object.keys(STR_PROVINCE).forEach(function (lang) {
  Object.keys(STR_PROVINCE[lang]).forEach(function (k) { STR[lang][k] = STR_PROVINCE[lang][k]; });
});

function isProvince() {
  return !!app.session && app.session.role === 'province';
}

/* The page a user may see: a province user only its province's, a
 * board or auditor user not the province page. */
function provincePage(name) {
  if (isProvince()) return 'province';
  if (name === 'province' && !canPick()) return 'overview';
  return name;
}

/* The navigation a role has: a province user one page, the admin all
 * (on page `name`; the province page needs no organisation picked). */
function provinceNav(name) {
  Array.prototype.forEach.call(document.querySelectorAll('#nav a'), function (a) {
    var p = a.getAttribute('data-page');
    a.hidden = isProvince() ? p !== 'province' : p === 'province' && !canPick();
  });
  if (name === 'province') document.getElementById('org-pick').hidden = true;
  if (isProvince())
    document.getElementById('who').textContent = app.session.login + ' · ' +
      t('province') + ' ' + app.session.province;
}

/* The first day of the month `back` months before this one (Vietnam's). */
function monthStart(back) {
  var m = /^(\d{4})-(\d\d)/.exec(vnDate(0)), y = +m[1], mo = +m[2] - 1 - back;
  y += Math.floor(mo / 12);
  mo = ((mo % 12) + 12) % 12;
  return y + '-' + ('0' + (mo + 1)).slice(-2) + '-01';
}

/* 'YYYY-MM-DD' as the month 'MM/YYYY'. */
function monthText(iso) {
  return iso ? iso.slice(5, 7) + '/' + iso.slice(0, 4) : '';
}

/* A share, or a dash when there were no payments to share. */
function shareText(tot, key) {
  return tot && tot.payments ? pct(tot[key]) : '—';
}

/* The change of the share by count against the previous period, in
 * points; null when either period had no payments. */
function trendValue(o) {
  if (!o.current.payments || !o.previous.payments) return null;
  return Math.round((o.current.share_count_pct - o.previous.share_count_pct) * 10) / 10;
}

function trendText(v) {
  if (v === null) return '—';
  var n = new Intl.NumberFormat(app.lang === 'vi' ? 'vi-VN' : 'en-GB',
    { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(v);
  return (v > 0 ? '▲ ' : v < 0 ? '▼ ' : '') + tf('points', { v: n });
}

/* "n / of (share %)" */
function ofText(n, of, share) {
  return n + ' / ' + of + (of ? ' (' + pct(share) + ')' : '');
}

/* The columns of the organisations' table: what each shows, its sort
 * value (null sorts last) and its CSV cells. */
var PROVINCE_COLS = [
  { key: 'code', text: function (o) { return o.code; }, sort: function (o) { return o.code; } },
  { key: 'name', text: function (o) { return o.name; }, sort: function (o) { return o.name; } },
  { key: 'share_count', num: true,
    text: function (o) { return shareText(o.current, 'share_count_pct'); },
    sort: function (o) { return o.current.payments ? o.current.share_count_pct : null; } },
  { key: 'share_value', num: true,
    text: function (o) { return shareText(o.current, 'share_value_pct'); },
    sort: function (o) { return o.current.payments ? o.current.share_value_pct : null; } },
  { key: 'trend', num: true, text: function (o) { return trendText(trendValue(o)); },
    sort: trendValue },
  { key: 'payers', num: true,
    text: function (o) {
      var c = o.current;
      return ofText(c.payers_cashless, c.payers_registered, c.share_payers_pct);
    },
    sort: function (o) { return o.current.payers_cashless; } },
  { key: 'account', num: true,
    text: function (o) {
      var c = o.current;
      return ofText(c.with_bank_account, c.payers_registered, c.share_bank_account_pct);
    },
    sort: function (o) { return o.current.with_bank_account; } },
  { key: 'standee', num: true,
    text: function (o) {
      var c = o.current;
      return ofText(c.with_standee, c.payers_registered, c.share_standee_pct);
    },
    sort: function (o) { return o.current.with_standee; } }
];

/* `rows` sorted by column `key` (dir 1 ascending, -1 descending). */
function provinceSorted(rows, key, dir) {
  var col = PROVINCE_COLS.filter(function (c) { return c.key === key; })[0] || PROVINCE_COLS[0];
  return rows.slice().sort(function (a, b) {
    var x = col.sort(a), y = col.sort(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'string') return dir * x.localeCompare(y, 'vi');
    return dir * (x - y);
  });
}

/* The organisations' table with sortable headers (a click sorts, again
 * reverses); redrawn in place. */
function provinceTable(rows) {
  var state = app.provSort || { key: 'share_count', dir: -1 };
  var box = el('div', { id: 'prov-orgs' });
  function draw() {
    var sorted = provinceSorted(rows, state.key, state.dir);
    var tbl = el('table', { id: 'prov-table' }, [
      el('thead', {}, [el('tr', {}, PROVINCE_COLS.map(function (c) {
        var sortedBy = c.key === state.key;
        var b = el('button', { type: 'button', 'class': 'sort', 'data-key': c.key,
                               title: tf('sort_by', { c: t('col_' + c.key) }),
                               text: t('col_' + c.key) + (sortedBy ? (state.dir > 0 ? ' ▲' : ' ▼') : '') });
        b.addEventListener('click', function () {
          state = { key: c.key, dir: sortedBy ? -state.dir : (c.num ? -1 : 1) };
          app.provSort = state;
          draw();
        });
        return el('th', { 'aria-sort': sortedBy ? (state.dir > 0 ? 'ascending' : 'descending') : 'none',
                          'class': c.num ? 'num' : '' }, [b]);
      }))]),
      el('tbody', {}, sorted.map(function (o) {
        return el('tr', { 'data-org': o.code }, PROVINCE_COLS.map(function (c) {
          return el('td', { 'class': c.num ? 'num' : '', text: c.text(o) });
        }));
      }))
    ]);
    box.textContent = '';
    box.appendChild(tbl);
    box.rows = sorted;
  }
  draw();
  return box;
}

/* One CSV field (RFC 4180). */
function csvField(v) {
  var s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/* A share as a CSV number with '%' ('86.2%'), '' without payments. */
function csvShare(tot, key) {
  return tot.payments ? tot[key].toFixed(1) + '%' : '';
}

/* The organisations as shown (their order) as a CSV file for Excel:
 * UTF-8 with a BOM, Vietnamese headers, dates as YYYY-MM-DD. */
function provinceCsv(rows, a) {
  var head = ['col_code', 'col_name', 'col_share_count', 'col_share_value', 'col_trend',
              'col_payers', 'col_payers_registered', 'col_account', 'col_standee',
              'col_from', 'col_to'];
  var lines = [head.map(function (k) { return csvField(STR.vi[k]); }).join(',')];
  rows.forEach(function (o) {
    var c = o.current, tv = trendValue(o);
    lines.push([o.code, o.name, csvShare(c, 'share_count_pct'), csvShare(c, 'share_value_pct'),
                tv === null ? '' : tv.toFixed(1), c.payers_cashless, c.payers_registered,
                c.with_bank_account, c.with_standee, a.period.from, a.period.to]
               .map(csvField).join(','));
  });
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/* Offer `text` as a download named `name`. */
function saveText(name, text, type) {
  var url = URL.createObjectURL(new Blob([text], { type: type }));
  var a = el('a', { href: url, download: name, hidden: '' });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
}

/* A province's (or everything's) cards: shares, payers, stalls. */
function provinceCards(cur, period) {
  return el('div', { 'class': 'cards', id: 'prov-cards' }, [
    card(t('cashless_share'), shareText(cur, 'share_count_pct'),
         t('by_count') + ' · ' + shareText(cur, 'share_value_pct') + ' ' + t('by_value'), period),
    card(t('payers_cashless'), cur.payers_cashless + ' / ' + cur.payers_registered,
         pct(cur.share_payers_pct), period),
    card(t('stalls_account'), cur.with_bank_account + ' / ' + cur.payers_registered,
         pct(cur.share_bank_account_pct), period),
    card(t('stalls_standee'), cur.with_standee + ' / ' + cur.payers_registered,
         pct(cur.share_standee_pct), period)
  ]);
}

/* The month-by-month chart of the last twelve months, with its period. */
function provinceMonths(main, m) {
  var from = m.period.from, to = m.period.to;
  var period = tf('period_months', { n: (m.trend || []).length, from: monthText(from),
                                     to: monthText(to) });
  main.appendChild(el('h2', { text: t('adoption_by_month') + ' — ' + period }));
  main.appendChild(lineChart(sharePoints(m.trend), {
    title: t('adoption_by_month') + ' — ' + period, every: 1,
    tick: function (lab) { return monthText(lab); } }));
  main.appendChild(el('p', { 'class': 'hint', text: t('gap_hint') }));
}

/* The admin's province picker: every province, or all of them. */
function provincePicker(list) {
  var sel = el('select', { id: 'prov-pick', 'aria-label': t('pick_province') },
    [el('option', { value: '', text: t('all_provinces') })].concat(list.map(function (p) {
      return el('option', { value: p.name, text: p.name + ' (' + p.orgs + ')' });
    })));
  sel.value = app.province || '';
  sel.addEventListener('change', function () { app.province = sel.value; route(); });
  return el('p', { 'class': 'row' }, [el('label', { 'for': 'prov-pick', text: t('pick_province') }), sel]);
}

/* The admin's summary: one row per province over the same period. */
function provinceSummary(list, answers) {
  return table([t('province'), t('orgs_count'), t('col_share_count'), t('col_share_value'),
                t('col_payers'), t('col_account'), t('col_standee')],
    list.map(function (p, i) {
      var c = answers[i].current;
      var link = el('a', { href: '#province', text: p.name });
      link.addEventListener('click', function (ev) {
        ev.preventDefault();
        app.province = p.name;
        route();
      });
      return [link, String(p.orgs), shareText(c, 'share_count_pct'),
              shareText(c, 'share_value_pct'),
              ofText(c.payers_cashless, c.payers_registered, c.share_payers_pct),
              ofText(c.with_bank_account, c.payers_registered, c.share_bank_account_pct),
              ofText(c.with_standee, c.payers_registered, c.share_standee_pct)];
    }));
}

function pageProvince(main) {
  var today = vnDate(0), from = vnDate(-29);
  var period = tf('period_30', { from: dmy(from, true), to: dmy(today) });
  var range = { from: from, to: today };
  var months = { from: monthStart(11), to: today, trend: 'month' };
  return api('GET', '/v1/provinces').then(function (pl) {
    var list = (pl.provinces || []).slice().sort(function (x, y) {
      return x.name.localeCompare(y.name, 'vi');
    });
    var name = isProvince() ? app.session.province : (app.province || '');
    var scope = name ? { province: name } : {};
    if (!list.length && !isProvince()) {
      main.appendChild(el('h1', { id: 'page-title', text: t('nav_province') }));
      main.appendChild(el('p', { text: t('no_province') }));
      return null;
    }
    if (name && !list.some(function (p) { return p.name === name; })) {
      app.province = '';
      name = '';
      scope = {};
    }
    main.appendChild(el('h1', { id: 'page-title', text: t('nav_province') + ' — ' +
      (name || t('all_provinces')) + ' — ' + dmy(today) }));
    provinceAskedNotice(main);
    if (!isProvince()) main.appendChild(provincePicker(list));
    return Promise.all([
      api('GET', '/v1/stats/adoption?' + qs(Object.assign({}, scope, range))),
      api('GET', '/v1/stats/adoption?' + qs(Object.assign({}, scope, months))),
      name ? Promise.resolve(null) : Promise.all(list.map(function (p) {
        return api('GET', '/v1/stats/adoption?' + qs(Object.assign({ province: p.name }, range)));
      }))
    ]).then(function (res) {
      var a = res[0], m = res[1], box;
      main.appendChild(provinceCards(a.current, period));
      provinceMonths(main, m);
      if (!name) {
        main.appendChild(el('h2', { text: t('provinces_summary') + ' — ' + period }));
        main.appendChild(el('div', { id: 'prov-summary' }, [provinceSummary(list, res[2])]));
        if (a.shopper_side) main.appendChild(shopperSide(a.shopper_side, period));
        return;
      }
      main.appendChild(el('h2', { text: t('orgs_of_province') + ' — ' + period }));
      box = provinceTable(a.organisations || []);
      main.appendChild(el('p', { 'class': 'row' }, [
        el('button', { type: 'button', id: 'prov-csv', 'class': 'secondary', text: t('export_csv'),
                       on: { click: function () {
                         saveText('ty-le-khong-tien-mat-' + vnSlug(name) + '-' + a.period.from +
                                  '-' + a.period.to + '.csv', provinceCsv(box.rows, a) + shopperSideCsv(a.shopper_side),
                                  'text/csv;charset=utf-8');
                       } } })]));
      main.appendChild(box);
      if (a.shopper_side) main.appendChild(shopperSide(a.shopper_side, period));
      return provinceDays(main, a.organisations || [], today);
    });
  });
}

/* ---- province: each organisation's daily totals and day closes ---- */

var STR_PROVINCE_DAYS = {
  vi: {
    days_title: 'Tổng thu và chốt sổ theo ngày', day_col: 'Ngày',
    day_transfer: 'Chuyển khoản', day_cash: 'Tiền mặt', day_total: 'Tổng thu',
    day_close: 'Chốt sổ', day_closed: 'Đã chốt', day_open: 'Chưa chốt',
    day_forced: 'Đã chốt, có lý do: {reason}', day_sum: 'Cả tỉnh/thành',
    days_newer: 'Ngày sau', days_older: 'Ngày trước'
  },
  en: {
    days_title: 'Daily totals and day closes', day_col: 'Day',
    day_transfer: 'Transfer', day_cash: 'Cash', day_total: 'Total taken',
    day_close: 'Day close', day_closed: 'Closed', day_open: 'Not closed',
    day_forced: 'Closed with a reason: {reason}', day_sum: 'Whole province',
    days_newer: 'Later days', days_older: 'Earlier days'
  }
};
Object.keys(STR_PROVINCE_DAYS).forEach(function (lang) {
  Object.keys(STR_PROVINCE_DAYS[lang]).forEach(function (k) {
    STR[lang][k] = STR_PROVINCE_DAYS[lang][k];
  });
});

var PROVINCE_DAYS = 7; /* days a page */

/*
 * Under the province's organisations: what each took on each day (from
 * its daily report, the totals a province may read) and whether the day
 * is closed, a week a page, the latest first, with the day's sum for
 * the province. `orgs` the organisations ({code, name}), `today` ISO.
 */
function provinceDays(main, orgs, today) {
  var box = el('div', { 'class': 'paged', id: 'prov-days-box' });
  main.appendChild(el('h2', { id: 'prov-days-title', text: t('days_title') }));
  main.appendChild(box);
  function dayOf(back) {
    var d = new Date(today + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() - back);
    return d.toISOString().slice(0, 10);
  }
  function one(code, date) {
    var q = qs({ org: code, date: date });
    return Promise.all([
      api('GET', '/v1/reports/daily?' + q),
      api('GET', '/v1/orgs/' + encodeURIComponent(code) + '/close?' + qs({ date: date }))
    ]).then(function (r) {
      return { takings: r[0].takings || {}, close: r[1] };
    });
  }
  function closeText(c) {
    if (!c.closed) return t('day_open');
    return c.force_reason ? tf('day_forced', { reason: c.force_reason }) : t('day_closed');
  }
  function load(page) {
    var days = [], asks = [], i;
    for (i = 0; i < PROVINCE_DAYS; i++) days.push(dayOf(page * PROVINCE_DAYS + i));
    days.forEach(function (d) {
      orgs.forEach(function (o) { asks.push(one(o.code, d)); });
    });
    return Promise.all(asks).then(function (res) {
      var rows = [], k = 0;
      days.forEach(function (d) {
        var sum = { transfer: 0, cash: 0, total: 0 };
        orgs.forEach(function (o) {
          var r = res[k++], tk = {
            transfer: (r.takings.transfer || {}).amount || 0,
            cash: (r.takings.cash || {}).amount || 0, total: r.takings.total || 0 };
          sum.transfer += tk.transfer;
          sum.cash += tk.cash;
          sum.total += tk.total;
          rows.push(el('tr', { 'data-day': d, 'data-org': o.code,
                               'class': r.close.closed ? 'closed' : 'open' }, [
            el('td', { text: dmy(d) }), el('td', { text: o.code }), el('td', { text: o.name }),
            el('td', { 'class': 'num', text: money(tk.transfer) }),
            el('td', { 'class': 'num', text: money(tk.cash) }),
            el('td', { 'class': 'num', text: money(tk.total) }),
            el('td', { 'class': 'day-close', text: closeText(r.close) })]));
        });
        if (orgs.length > 1) {
          rows.push(el('tr', { 'data-day': d, 'class': 'day-sum' }, [
            el('td', { text: dmy(d) }), el('td', { text: '' }), el('td', { text: t('day_sum') }),
            el('td', { 'class': 'num', text: money(sum.transfer) }),
            el('td', { 'class': 'num', text: money(sum.cash) }),
            el('td', { 'class': 'num', text: money(sum.total) }), el('td', { text: '' })]));
        }
      });
      var newer = el('button', { type: 'button', 'class': 'secondary page-prev' },
                     ['‹ ' + t('days_newer')]);
      var older = el('button', { type: 'button', 'class': 'secondary page-next' },
                     [t('days_older') + ' ›']);
      newer.disabled = page <= 0;
      newer.addEventListener('click', function () { load(page - 1); });
      older.addEventListener('click', function () { load(page + 1); });
      box.textContent = '';
      box.appendChild(el('div', { 'class': 'pager', id: 'prov-days-pager' }, [
        newer, el('span', { 'class': 'page-count',
          text: dmy(days[days.length - 1], true) + ' – ' + dmy(days[0]) }), older]));
      box.appendChild(el('table', { id: 'prov-days' }, [
        el('thead', {}, [el('tr', {}, [t('day_col'), t('col_code'), t('col_name'),
          t('day_transfer'), t('day_cash'), t('day_total'), t('day_close')].map(function (c, n) {
          return el('th', { 'class': n >= 3 && n <= 5 ? 'num' : '', text: c });
        }))]),
        el('tbody', {}, rows)]));
      box.setAttribute('data-page', String(page));
    });
  }
  return load(0);
}

/* A province user whose URL names another province (a link passed on,
 * a bookmark): said so; the page shows its own, the server refuses any
 * other. */
function provinceAskedNotice(main) {
  var m = /[?&]province=([^&]*)/.exec(location.hash || ''), asked = null;
  if (!isProvince() || !m) return;
  try { asked = decodeURIComponent(m[1]); } catch (e) { asked = m[1]; }
  if (vnSlug(asked) === vnSlug(app.session.province)) return;
  main.appendChild(el('div', { 'class': 'notice bad', id: 'prov-only' }, [
    el('p', { text: tf('province_only', { asked: asked, own: app.session.province }) })]));
}

/* A name for a file: 'Đà Nẵng' -> 'da-nang'. */
function vnSlug(s) {
  return String(s).replace(/[đĐ]/g, 'd').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/* ---- payers: search, add, edit, CSV import, a payer's page; paged lists ---- */

Object.assign(STR.vi, {
  page_prev: 'Trang trước', page_next: 'Trang sau', none_found: 'Không có dòng nào.',
  payer_search: 'Tìm người nộp', payer_search_hint: 'Mã hoặc tên, gõ không dấu cũng được',
  search: 'Tìm', clear: 'Xoá', payer_add: 'Thêm người nộp', payer_edit: 'Sửa thông tin',
  payer_save: 'Lưu', payer_added: 'Đã thêm người nộp {code}.', payer_saved: 'Đã lưu {code}.',
  zone_only: 'Khu', class_name: 'Lớp', guardian: 'Phụ huynh',
  bank_bin: 'Ngân hàng (mã BIN)', bank_bin_hint: '6 chữ số, VD: 970436 (Vietcombank)',
  bank_account: 'Số tài khoản', bank_account_name: 'Tên chủ tài khoản',
  holder_hint: 'Như ngân hàng ghi: chữ in hoa không dấu. Bảng QR in tên này.',
  holder_none: 'Chưa có (bảng QR in tên người nộp)', account_none: 'Không có',
  account_pair: 'Phải nhập cả mã BIN và số tài khoản, hoặc bỏ trống cả hai.',
  csv_title: 'Nhập danh sách từ tệp CSV', upload_csv: 'Tải lên',
  csv_hint: 'Cột: Mã, Họ tên, Khu, Nhóm, Ngân hàng, Số tài khoản, Tên chủ tài khoản. ' +
            'Mã đã có thì được cập nhật.',
  csv_done: 'Đã nhập {n} dòng: {created} người nộp mới, {updated} cập nhật.',
  csv_failed: 'Tệp có lỗi nên chưa nhập dòng nào. Sửa các dòng sau rồi tải lên lại:',
  owed: 'Còn nợ', owed_invoices: 'Hoá đơn còn nợ', payments: 'Các lần nộp tiền',
  receipts: 'Biên lai', view: 'Xem', unallocated: 'Chưa phân bổ',
  details: 'Thông tin', active_payer: 'Đang hoạt động', inactive_payer: 'Ngừng hoạt động',
  credit_note: 'tiền nộp dư, trừ vào kỳ sau hoặc hoàn lại', csv_pick: 'Hãy chọn tệp CSV.',
  err_payer_exists: 'Đã có người nộp với mã này.',
  err_invalid_field: 'Thông tin chưa đúng: kiểm tra mã BIN (6 chữ số), số tài khoản ' +
                     '(4–19 chữ số) và tên chủ tài khoản (chữ in hoa không dấu).',
  err_invalid_parameter: 'Yêu cầu không hợp lệ.'
});
Object.assign(STR.en, {
  page_prev: 'Previous', page_next: 'Next', none_found: 'Nothing here.',
  payer_search: 'Find a payer', payer_search_hint: 'Code or name, diacritics optional',
  search: 'Search', clear: 'Clear', payer_add: 'Add a payer', payer_edit: 'Edit',
  payer_save: 'Save', payer_added: 'Payer {code} added.', payer_saved: '{code} saved.',
  zone_only: 'Zone', class_name: 'Class', guardian: 'Guardian',
  bank_bin: 'Bank (BIN)', bank_bin_hint: '6 digits, e.g. 970436 (Vietcombank)',
  bank_account: 'Account number', bank_account_name: 'Account holder',
  holder_hint: 'As the bank writes it: upper case, no diacritics. The QR standee prints it.',
  holder_none: 'None (the standee prints the payer\'s name)', account_none: 'None',
  account_pair: 'Give both the BIN and the account number, or neither.',
  csv_title: 'Import payers from a CSV file', upload_csv: 'Upload',
  csv_hint: 'Columns: code, name, zone, category, bank_bin, bank_account, ' +
            'bank_account_name. Existing codes are updated.',
  csv_done: '{n} rows imported: {created} new payers, {updated} updated.',
  csv_failed: 'The file has errors, so nothing was imported. Fix these lines and upload again:',
  owed: 'Owed', owed_invoices: 'Unpaid invoices', payments: 'Payments',
  receipts: 'Receipts', view: 'View', unallocated: 'Unallocated',
  details: 'Details', active_payer: 'Active', inactive_payer: 'Inactive',
  credit_note: 'paid in advance, used for the next dues or refunded', csv_pick: 'Pick a CSV file.',
  err_payer_exists: 'A payer with this code exists already.',
  err_invalid_field: 'Something is not right: check the BIN (6 digits), the account ' +
                     '(4–19 digits) and the holder (upper case, no diacritics).',
  err_invalid_parameter: 'Invalid request.'
});

/* A count the Vietnamese way: 1.234. */
function countText(n) { return new Intl.NumberFormat('vi-VN').format(n || 0); }

/*
 * One page of a list endpoint as a table: `path` with its filters, `key`
 * the list's name in the answer, `cols` the headers, `row(item)` its cells.
 * Below it "1–50 / 1.234" and the pages before and after. The table is
 * `id`, its pager `id`-pager; .load(offset) draws a page. `opts`:
 * `mark(tr, item)` dresses each row, `empty` the text for no rows.
 */
function pagedTable(id, path, key, cols, row, limit, opts) {
  var box = el('div', { 'class': 'paged', id: id + '-box' });
  limit = limit || 50;
  function load(offset) {
    return api('GET', path + (path.indexOf('?') < 0 ? '?' : '&') +
               qs({ limit: limit, offset: offset })).then(function (j) {
      var items = j[key] || [], to = offset + items.length, tbl = table(cols, items.map(row));
      /* "1–50 / 1.234" with the pages before and after (when there are) */
      function pager(top) {
        var prev = el('button', { type: 'button', 'class': 'secondary page-prev' },
                      ['‹ ' + t('page_prev')]);
        var next = el('button', { type: 'button', 'class': 'secondary page-next' },
                      [t('page_next') + ' ›']);
        prev.disabled = offset <= 0;
        next.disabled = to >= j.total;
        prev.addEventListener('click', function () { load(Math.max(0, offset - limit)); });
        next.addEventListener('click', function () { load(offset + limit); });
        return el('div', top ? { 'class': 'pager', id: id + '-pager' } : { 'class': 'pager' }, [
          prev.disabled && next.disabled ? null : prev,
          el('span', { 'class': 'page-count', text: (items.length ? countText(offset + 1) : '0') +
                       '–' + countText(to) + ' / ' + countText(j.total) }),
          prev.disabled && next.disabled ? null : next]);
      }
      tbl.id = id;
      if (opts && opts.mark) {
        Array.prototype.forEach.call(tbl.querySelectorAll('tbody tr'), function (tr, i) {
          opts.mark(tr, items[i]);
        });
      }
      box.textContent = '';
      if (j.total > 0) box.appendChild(pager(true));
      box.appendChild(items.length ? tbl : el('p', { 'class': 'hint', id: id + '-none',
        text: (opts && opts.empty) || t('none_found') }));
      if (items.length > 15) box.appendChild(pager(false));
      box.setAttribute('data-total', String(j.total));
      box.setAttribute('data-offset', String(offset));
    });
  }
  return { el: box, load: load };
}

/* The hash of payer `code`'s page. */
function payerHash(code) {
  return '#payer?code=' + encodeURIComponent(code) +
    (canPick() && app.org ? '&org=' + encodeURIComponent(app.org) : '');
}

function orgKind() {
  var o = app.orgs.filter(function (x) { return x.code === app.org; })[0];
  return o && o.kind ? o.kind : 'market';
}

/* A holder's name as banks write it: 'Nguyễn Thị Lan' -> 'NGUYEN THI LAN'. */
function holderFold(s) {
  return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'D').toUpperCase().replace(/[^A-Z0-9 .-]+/g, ' ')
    .replace(/\s+/g, ' ').trim();
}

/* The form that adds a payer (p null) or edits payer `p`. */
function payerForm(p) {
  var school = orgKind() === 'school', f = {}, kids = [];
  function field(k, label, attrs, hint) {
    var a = { id: 'pf-' + k, value: p && p[k] != null ? String(p[k]) : '' }, n;
    for (n in attrs) a[n] = attrs[n];
    f[k] = el('input', a);
    kids.push(el('label', { 'for': 'pf-' + k, text: label }),
              hint ? el('span', { 'class': 'field' }, [f[k], el('span', { 'class': 'hint', text: hint })])
                   : f[k]);
  }
  if (!p) field('code', t('code'), { maxlength: '32', size: '12', required: '', placeholder: 'A-12' });
  field('name', t('name'), { maxlength: '128', required: '' });
  if (school) {
    field('class', t('class_name'), { maxlength: '16', size: '8' });
    field('guardian', t('guardian'), { maxlength: '128' });
  } else field('zone', t('zone_only'), { maxlength: '16', size: '8' });
  field('category', t('category'), { maxlength: '32', size: '8' });
  if (!school) {
    field('bank_bin', t('bank_bin'), { maxlength: '6', size: '8', inputmode: 'numeric' },
          t('bank_bin_hint'));
    field('bank_account', t('bank_account'), { maxlength: '19', size: '20', inputmode: 'numeric' });
    field('bank_account_name', t('bank_account_name'),
          { maxlength: '50', size: '30', placeholder: 'NGUYEN THI LAN' }, t('holder_hint'));
    f.bank_account_name.addEventListener('blur', function () {
      f.bank_account_name.value = holderFold(f.bank_account_name.value);
    });
  }
  if (p) {
    f.active = el('input', { type: 'checkbox', id: 'pf-active' });
    f.active.checked = !!p.active;
    kids.push(el('label', { 'for': 'pf-active', text: t('active_payer') }), f.active);
  }
  kids.push(el('span'), el('button', { type: 'submit', id: 'pf-save',
                                       text: p ? t('payer_save') : t('add') }));
  return el('form', { 'class': 'panel grid', id: p ? 'payer-edit-form' : 'payer-form', on: {
    submit: function (ev) {
      ev.preventDefault();
      var body = {}, code = p ? p.code : f.code.value.trim().toUpperCase();
      Object.keys(f).forEach(function (k) {
        if (k === 'code') return;
        if (k === 'active') { body.active = f.active.checked; return; }
        var v = f[k].value.trim();
        if (k === 'bank_account_name') v = holderFold(v);
        if (p || v) body[k] = v;
      });
      if (!school && !body.bank_bin !== !body.bank_account) {
        toast(t('account_pair'), true);
        return;
      }
      var o = '/v1/orgs/' + encodeURIComponent(app.org) + '/payers';
      (p ? api('PATCH', o + '/' + encodeURIComponent(code), body)
         : api('POST', o, Object.assign({ code: code }, body))).then(function () {
        toast(tf(p ? 'payer_saved' : 'payer_added', { code: code }));
        if (p) route();
        else location.hash = payerHash(code);
      }).catch(fail);
    } } }, [el('h2', { text: p ? t('payer_edit') : t('payer_add') })].concat(kids));
}

/* A CSV file of payers: imported whole, or every bad line listed. */
function payerImport(done) {
  var file = el('input', { type: 'file', id: 'payer-csv', accept: '.csv,.txt' });
  var fname = el('span', { 'class': 'name', id: 'payer-csv-name', text: t('stmt_none') });
  var out = el('div', { id: 'payer-csv-out' });
  var go = el('button', { type: 'submit', id: 'payer-csv-upload', text: t('upload_csv') });
  file.addEventListener('change', function () {
    fname.textContent = file.files && file.files[0] ? file.files[0].name : t('stmt_none');
  });
  return el('form', { 'class': 'panel', id: 'payer-csv-form', on: { submit: function (ev) {
    var f = file.files && file.files[0];
    ev.preventDefault();
    out.textContent = '';
    if (!f) { toast(t('csv_pick'), true); return; }
    go.disabled = true;
    f.arrayBuffer().then(function (buf) {
      return api('POST', '/v1/orgs/' + encodeURIComponent(app.org) + '/payers/import', buf, true);
    }).then(function (j) {
      out.appendChild(el('p', { 'class': 'notice', id: 'payer-csv-done',
        text: tf('csv_done', { n: j.imported, created: j.created, updated: j.updated }) }));
      return done();
    }).catch(function (e) {
      if (!e.rows) { fail(e); return; }
      out.appendChild(el('div', { 'class': 'notice bad', id: 'payer-csv-error' }, [
        el('strong', { text: t('csv_failed') }),
        el('ul', { id: 'payer-csv-errors' }, e.rows.map(function (r) {
          return el('li', { text: app.lang === 'en' && r.message_en ? r.message_en : r.message });
        }))]));
    }).then(function () {
      go.disabled = false;
      document.body.setAttribute('data-csv', String(Date.now()));
    });
  } } }, [
    el('h2', { text: t('csv_title') }),
    el('p', { 'class': 'hint', text: t('csv_hint') }),
    el('span', { 'class': 'row' }, [el('span', { 'class': 'file' }, [file,
      el('label', { 'for': 'payer-csv', 'class': 'button secondary', text: t('stmt_choose') }), fname]),
      go]), out]);
}

function pagePayers(main) {
  var o = encodeURIComponent(app.org), slot = el('div', { id: 'payer-list' });
  /* the search stays while the organisation does */
  var cur = app.payerSearch && app.payerSearch.org === app.org ? app.payerSearch.q : '';
  var q = el('input', { id: 'payer-q', type: 'search', value: cur, size: '30',
                        maxlength: '64', placeholder: t('payer_search_hint') });
  function show() {
    var pt = pagedTable('payers', '/v1/orgs/' + o + '/payers' +
                        (cur ? '?' + qs({ q: cur }) : ''), 'payers',
      [t('code'), t('name'), t('zone'), t('own_account'), t('credit')], function (p) {
        return [el('a', { href: payerHash(p.code), 'class': 'payer-link' }, [p.code]), p.name,
                p.zone || p['class'], p.bank_account ? t('yes') : t('no'), money(p.credit)];
      });
    slot.textContent = '';
    slot.appendChild(pt.el);
    return pt.load(0);
  }
  function search(text) {
    cur = text;
    app.payerSearch = { org: app.org, q: text };
    show().catch(fail);
  }
  main.appendChild(el('h1', { text: t('nav_payers') }));
  main.appendChild(el('form', { 'class': 'inline search', id: 'payer-search', on: {
    submit: function (ev) { ev.preventDefault(); search(q.value.trim()); }
  } }, [el('label', { 'for': 'payer-q', text: t('payer_search') }), q,
        el('button', { type: 'submit', id: 'payer-go', text: t('search') }),
        el('button', { type: 'button', 'class': 'secondary', id: 'payer-clear', on: { click: function () {
          q.value = '';
          search('');
        } } }, [t('clear')])]));
  main.appendChild(slot);
  if (canWrite()) {
    main.appendChild(payerForm(null));
    main.appendChild(payerImport(show));
  }
  return show();
}

/* What a payer owes, what they paid, their receipts and credit. */
function pagePayer(main) {
  var code = parseHash().code || '', o = encodeURIComponent(app.org);
  main.appendChild(el('p', { 'class': 'no-print' }, [
    el('a', { href: hashFor('payers'), id: 'payer-back' }, ['‹ ' + t('nav_payers')])]));
  return api('GET', '/v1/orgs/' + o + '/payers?' + qs({ code: code })).then(function (j) {
    var p = j.payers[0], by = qs({ payer: code });
    if (!p) {
      main.appendChild(el('p', { 'class': 'error', id: 'payer-missing', text: t('err_payer_not_found') }));
      return;
    }
    main.appendChild(el('h1', { id: 'payer-title', text: p.code + ' — ' + p.name }));
    var owedCard = card(t('owed'), '…');
    main.appendChild(el('div', { 'class': 'cards', id: 'payer-cards' }, [owedCard,
      card(t('credit'), money(p.credit), t('credit_note'))]));
    var acct = p.bank_account ? p.bank_bin + ' / ' + p.bank_account : t('account_none');
    main.appendChild(el('table', { 'class': 'kv', id: 'payer-details' }, [el('tbody', {}, [
      [orgKind() === 'school' ? t('class_name') : t('zone_only'), p.zone || p['class'] || '—'],
      [t('category'), p.category || '—'],
      [t('own_account'), acct],
      [t('bank_account_name'), p.bank_account_name || (p.bank_account ? t('holder_none') : '—')],
      [t('status'), p.active ? t('active_payer') : t('inactive_payer')]
    ].map(function (r) {
      return el('tr', {}, [el('th', { text: r[0] }), el('td', { text: r[1] })]);
    }))]));
    if (canWrite()) {
      var edit = el('div', { id: 'payer-edit-slot' });
      main.appendChild(el('p', { 'class': 'no-print' }, [el('button', { type: 'button',
        id: 'payer-edit', 'class': 'secondary', on: { click: function () {
          edit.textContent = '';
          edit.appendChild(payerForm(p));
        } } }, [t('payer_edit')])]));
      main.appendChild(edit);
    }
    var inv = pagedTable('payer-invoices', '/v1/orgs/' + o + '/invoices?' + by + '&status=unpaid',
      'invoices', [t('fee'), t('period'), t('amount'), t('paid_amount'), t('owed'), t('status')],
      function (i) {
        return [labelText(i.label) || i.fee, periodText(i.period), money(i.amount), money(i.paid),
                money(i.due), t(i.status)];
      });
    var pay = pagedTable('payer-payments', '/v1/orgs/' + o + '/payments?' + by, 'payments',
      [t('paid_at'), t('method'), t('amount'), t('unallocated'), t('reference')], function (m) {
        return [vnTime(m.created_at), STR.vi['method_' + m.method] ? t('method_' + m.method) : m.method,
                money(m.amount), money(m.unallocated), m.reference || m.intent || ''];
      });
    var rec = pagedTable('payer-receipts', '/v1/orgs/' + o + '/receipts?' + by, 'receipts',
      [t('receipt_no'), t('paid_at'), t('method'), t('amount'), t('status'), ''], function (r) {
        var base = '/v1/receipts/' + encodeURIComponent(r.number);
        var num = r.public_url ? el('a', { href: r.public_url, target: '_blank', rel: 'noopener',
                                           'class': 'receipt-public' }, [r.number]) : r.number;
        return [num, vnTime(r.paid_at),
                STR.vi['method_' + r.method] ? t('method_' + r.method) : r.method, money(r.amount),
                r.voided ? t('voided') : t('valid'),
                el('span', { 'class': 'acts' }, [
                  el('a', { href: base + '.pdf', download: 'bien-lai-' + r.number + '.pdf',
                            'class': 'receipt-pdf' }, [t('pdf')]),
                  el('a', { href: base + '.html', target: '_blank', rel: 'noopener',
                            'class': 'receipt-view' }, [t('view')])])];
      });
    main.appendChild(el('h2', { text: t('owed_invoices') }));
    main.appendChild(inv.el);
    main.appendChild(el('h2', { text: t('payments') }));
    main.appendChild(pay.el);
    main.appendChild(el('h2', { text: t('receipts') }));
    main.appendChild(rec.el);
    return Promise.all([inv.load(0), pay.load(0), rec.load(0),
      listAll('/v1/orgs/' + o + '/invoices?' + by + '&status=unpaid', 'invoices').then(function (l) {
        owedCard.querySelector('.value').textContent =
          money(l.reduce(function (s, i) { return s + i.due; }, 0));
        owedCard.id = 'payer-owed';
      })]);
  });
}

function pageInvoices(main) {
  var st = app.invStatus || '';
  var sel = el('select', { id: 'inv-status', 'aria-label': t('status') },
    ['', 'unpaid', 'open', 'partial', 'paid'].map(function (s) {
      var op = el('option', { value: s, text: s ? t(s === 'unpaid' ? 'owed' : s) : t('all') });
      if (s === st) op.selected = true;
      return op;
    }));
  sel.addEventListener('change', function () { app.invStatus = sel.value; route(); });
  main.appendChild(el('h1', { text: t('nav_invoices') }));
  main.appendChild(el('p', {}, [sel]));
  var pt = pagedTable('invoices', '/v1/orgs/' + encodeURIComponent(app.org) + '/invoices' +
                      (st ? '?' + qs({ status: st }) : ''), 'invoices',
    [t('payer'), t('fee'), t('period'), t('amount'), t('paid_amount'), t('status')], function (i) {
      return [el('a', { href: payerHash(i.payer), 'class': 'payer-link' }, [i.payer]),
              labelText(i.label) || i.fee, periodText(i.period), money(i.amount), money(i.paid),
              t(i.status)];
    });
  main.appendChild(pt.el);
  return pt.load(0);
}

var PAGES = { overview: pageOverview, daily: pageDaily, statements: pageStatements,
              payers: pagePayers, payer: pagePayer, invoices: pageInvoices, fees: pageFees,
              receipts: pageReceipts, refunds: pageRefunds, standees: pageStandees,
              exports: pageExports, province: pageProvince };

/* ---- shell ---- */

/*
 * The location hash: "#PAGE" or "#PAGE?org=CODE" (a payer's page also
 * "&code=PAYER"). The organisation in it
 * is the admin's choice (kept in the URL, so a reload or a bookmark keeps
 * it); for everyone else it is ignored: the session's organisation is the
 * only one, and the server refuses any other (403) whatever a URL says.
 */
function parseHash() {
  var h = (location.hash || '').slice(1), q = h.indexOf('?'), org = null, code = null;
  var page = q < 0 ? h : h.slice(0, q);
  if (q >= 0) h.slice(q + 1).split('&').forEach(function (kv) {
    var p = kv.split('=');
    if (p[0] === 'org' && p.length === 2) {
      try { org = decodeURIComponent(p[1]); } catch (e) { org = null; }
    }
    if (p[0] === 'code' && p.length === 2) {
      try { code = decodeURIComponent(p[1]); } catch (e) { code = null; }
    }
  });
  return { page: PAGES[page] ? page : 'overview', org: org, code: code };
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
  var h = parseHash(), name = provincePage(h.page), page = PAGES[name];
  chooseOrg(h.org);
  header();
  provinceNav(name);
  main.textContent = '';
  Array.prototype.forEach.call(document.querySelectorAll('#nav a'), function (a) {
    a.className = a.getAttribute('data-page') === (name === 'payer' ? 'payers' : name) ?
      'active' : '';
  });
  document.body.setAttribute('data-org', app.org || '');
  if (!app.org && name !== 'province') {
    app.shown++;
    main.appendChild(el('p', { text: t('no_org') }));
    document.body.setAttribute('data-page', name);
    return;
  }
  /* Each page draws into its own view: one still loading when another
     is asked for draws into a view no longer shown, and says nothing. */
  var view = el('div', { 'class': 'view' }), shown = ++app.shown;
  main.appendChild(view);
  main.setAttribute('aria-busy', 'true');
  page(view).catch(function (e) {
    if (shown === app.shown) fail(e);
  }).then(function () {
    if (shown !== app.shown) return;
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
    app.shown++;
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
  window.addEventListener('hashchange', function () {
    document.getElementById('toast').hidden = true; /* about the page left */
    if (app.session) route();
  });
  fetch('/dash/session', { credentials: 'same-origin' }).then(function (r) {
    return r.ok ? r.json() : null;
  }).then(function (s) {
    if (s) start(s); else render();
  }).catch(function () { render(); });
});

/* ---- the shopper side: stalls' own feeds (province page, market overview) ---- */

Object.assign(STR.vi, {
  shopper_side: 'Tiền khách trả thẳng cho sạp (nguồn báo tiền của sạp)',
  shopper_hint: 'Tiền khách mua hàng chuyển thẳng vào tài khoản của sạp; không phải tiền thu phí.',
  ss_standee: 'Sạp có bảng QR', ss_feed: 'Sạp có nguồn báo tiền',
  ss_active: 'Sạp nhận ≥1 thanh toán', ss_payments: 'Số thanh toán của khách',
  ss_per_stall_day: 'Mỗi sạp hoạt động mỗi ngày',
  ss_scope: 'Phạm vi', ss_total: 'Tổng', ss_amount: 'Giá trị',
  zones_title: 'Sạp có bảng QR nhưng chưa nhận tiền, theo khu', zone: 'Khu',
  ss_stalls: 'Số sạp', ss_idle: 'Có bảng QR, chưa nhận tiền', ss_none: 'Không có'
});
Object.assign(STR.en, {
  shopper_side: 'Paid by shoppers straight to the stalls (the stalls\' own feeds)',
  shopper_hint: 'Shoppers\' transfers into the stalls\' own accounts; not fee collection.',
  ss_standee: 'Stalls with a QR standee', ss_feed: 'Stalls with their own feed',
  ss_active: 'Stalls paid at least once', ss_payments: 'Shopper payments',
  ss_per_stall_day: 'Per active stall per day',
  ss_scope: 'Scope', ss_total: 'Total', ss_amount: 'Value',
  zones_title: 'Stalls with a standee and no payment, by zone', zone: 'Zone',
  ss_stalls: 'Stalls', ss_idle: 'Standee, no payment yet', ss_none: 'None'
});

/* The shopper side of an adoption answer: cards and a table by scope. */
function shopperSide(ss, period) {
  var per = ss.per_active_stall_day || { payments: 0, amount: 0 };
  function row(name, s) {
    return [name, s.stalls + '', s.with_standee + '', s.with_feed + '', s.active + '',
            s.payments + '', money(s.amount)];
  }
  var rows = [row(t('ss_total'), ss)]
    .concat((ss.by_province || []).length > 1 ? ss.by_province.map(function (p) {
      return row(p.province || '—', p);
    }) : [])
    .concat((ss.by_org || []).map(function (o) { return row(o.org, o); }));
  return el('section', { id: 'shopper-side' }, [
    el('h2', { text: t('shopper_side') + ' — ' + period }),
    el('p', { 'class': 'hint', text: t('shopper_hint') }),
    el('div', { 'class': 'cards' }, [
      card(t('ss_standee'), ss.with_standee + ' / ' + ss.stalls, null, period),
      card(t('ss_feed'), ss.with_feed + ' / ' + ss.stalls, null, period),
      card(t('ss_active'), ss.active + ' / ' + ss.stalls, null, period),
      card(t('ss_payments'), ss.payments + ' · ' + money(ss.amount),
           t('ss_per_stall_day') + ': ' + per.payments + ' · ' + money(per.amount), period)
    ]),
    table([t('ss_scope'), t('ss_stalls'), t('ss_standee'), t('ss_feed'), t('ss_active'),
           t('ss_payments'), t('ss_amount')], rows)
  ]);
}

/* The shopper side as lines appended to the province CSV export. */
function shopperSideCsv(ss) {
  if (!ss) return '';
  var head = ['ss_scope', 'ss_stalls', 'ss_standee', 'ss_feed', 'ss_active', 'ss_payments',
              'ss_amount'];
  var lines = ['', csvField(STR.vi.shopper_side + ' ' + ss.from + ' – ' + ss.to),
               head.map(function (k) { return csvField(STR.vi[k]); }).join(',')];
  function line(name, s) {
    lines.push([name, s.stalls, s.with_standee, s.with_feed, s.active, s.payments, s.amount]
               .map(csvField).join(','));
  }
  line(STR.vi.ss_total, ss);
  (ss.by_province || []).forEach(function (p) { line(p.province, p); });
  (ss.by_org || []).forEach(function (o) { line(o.org, o); });
  return lines.join('\r\n') + '\r\n';
}

/* A market's zones: the stalls with a standee and no shopper payment. */
function stallActivity(main, from, to, period) {
  var cur = app.orgs.filter(function (o) { return o.code === app.org; })[0];
  if (!cur || cur.kind !== 'market') return null;
  return api('GET', '/v1/orgs/' + encodeURIComponent(app.org) + '/stall-activity?' +
             qs({ from: from, to: to })).then(function (a) {
    main.appendChild(el('section', { id: 'stall-activity' }, [
      el('h2', { text: t('zones_title') + ' — ' + period }),
      table([t('zone'), t('ss_stalls'), t('ss_standee'), t('ss_feed'), t('ss_active'),
             t('ss_idle')], (a.zones || []).map(function (z) {
        return [z.zone || '—', z.stalls + '', z.with_standee + '', z.with_feed + '',
                z.active + '', z.standee_no_activity.length ?
                  z.standee_no_activity.join(', ') : t('ss_none')];
      }))
    ]));
  });
}
