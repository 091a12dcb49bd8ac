/*
 * i18n.c: the kiosk's string tables. Vietnamese is written with its full
 * diacritics (UTF-8, precomposed); English mirrors it. A missing entry is
 * caught by i18n_check, which the test suite runs (--check-strings).
 */
#include "i18n.h"

#include <string.h>

static const char *const vi[S__COUNT] = {
    [S_WELCOME] = "Xin chào!",
    [S_WELCOME_SUB] = "Gõ mã sạp hoặc mã học sinh",
    [S_LANG_OTHER] = "English",
    [S_COLLECTOR] = "Người thu",
    [S_CODE_TITLE] = "Nhập mã sạp hoặc mã học sinh",
    [S_CODE_HINT] = "Ví dụ: A-12",
    [S_CONTINUE] = "Tiếp tục",
    [S_BACK] = "Quay lại",
    [S_DELETE] = "Xóa",
    [S_LOOKING_UP] = "Đang tìm…",
    [S_CODE_NOT_FOUND] = "Không tìm thấy mã này",
    [S_DUES_TITLE] = "Các khoản cần nộp",
    [S_NOTHING_DUE] = "Bạn không còn khoản nào cần nộp.",
    [S_TOTAL] = "Tổng cộng",
    [S_PAY_ALL] = "Nộp tất cả",
    [S_PAY_SELECTED] = "Nộp khoản đã chọn",
    [S_CASH_SELECTED] = "Thu tiền mặt khoản đã chọn",
    [S_CASH_ALL] = "Thu tiền mặt tất cả",
    [S_CREATING_QR] = "Đang tạo mã QR…",
    [S_OFFLINE_DUES] = "Mất kết nối: số tiền theo bảng phí đã lưu",
    [S_QR_TITLE] = "Quét mã bằng ứng dụng ngân hàng",
    [S_BANK] = "Ngân hàng",
    [S_ACCOUNT_NAME] = "Chủ tài khoản",
    [S_ACCOUNT] = "Số tài khoản",
    [S_AMOUNT] = "Số tiền",
    [S_CONTENT] = "Nội dung chuyển khoản",
    [S_EXPIRES_IN] = "Hết hạn sau",
    [S_I_PAID] = "Tôi đã chuyển khoản",
    [S_CANCEL] = "Hủy",
    [S_OFFLINE_QR_NOTE] = "Máy đang mất kết nối. Bạn vẫn chuyển khoản được; "
                          "xác nhận sẽ đến sau.",
    [S_WAITING_TITLE] = "Đang chờ ngân hàng xác nhận…",
    [S_WAITING_SUB] = "Thường chỉ mất vài giây sau khi bạn chuyển tiền.",
    [S_WAITING_OFFLINE] = "Chưa có kết nối. Máy sẽ tự kiểm tra lại; "
                          "đừng chuyển lại.",
    [S_SHOW_QR] = "Xem lại mã QR",
    [S_PAID_TITLE] = "Đã nhận tiền. Cảm ơn!",
    [S_RECEIPT] = "Số biên nhận",
    [S_PAYER] = "Người nộp",
    [S_DONE] = "Xong",
    [S_PARTIAL_TITLE] = "Đã nhận một phần",
    [S_RECEIVED] = "Đã nhận",
    [S_REMAINING] = "Còn thiếu",
    [S_PARTIAL_HINT] = "Quét mã mới để nộp phần còn lại.",
    [S_EXPIRED_TITLE] = "Mã QR đã hết hạn",
    [S_EXPIRED_HINT] = "Chưa nhận được tiền. Nếu bạn đã chuyển, đừng chuyển "
                       "lại: hãy báo người thu phí.",
    [S_NEW_QR] = "Tạo mã mới",
    [S_ERROR_TITLE] = "Có lỗi xảy ra",
    [S_ERR_NETWORK] = "Máy không kết nối được với máy chủ.",
    [S_ERR_NETWORK_HINT] = "Vui lòng thử lại sau ít phút hoặc báo người "
                           "thu phí.",
    [S_ERR_SERVER] = "Máy chủ không xử lý được yêu cầu.",
    [S_ERR_SERVER_HINT] = "Hãy báo người thu phí và đọc mã lỗi bên dưới.",
    [S_ERR_NO_OFFLINE] = "Máy đang mất kết nối và chưa có mã thanh toán "
                         "dự phòng.",
    [S_ERR_BAD_QR] = "Mã QR nhận từ máy chủ không hợp lệ.",
    [S_ERR_AUTH] = "Máy này chưa được cấp quyền.",
    [S_ERR_AUTH_HINT] = "Hãy báo ban quản lý để cấp lại khóa cho máy.",
    [S_RETRY] = "Thử lại",
    [S_HOME] = "Về đầu",
    [S_PIN_TITLE] = "Nhập mã PIN người thu",
    [S_PIN_WRONG] = "Sai mã PIN.",
    [S_COLLECTOR_TITLE] = "Chế độ người thu",
    [S_TODAY_TOTALS] = "Tổng thu hôm nay (máy này)",
    [S_METHOD_TRANSFER] = "Chuyển khoản",
    [S_METHOD_CASH] = "Tiền mặt",
    [S_PENDING_SYNC] = "Chờ gửi lên máy chủ",
    [S_RECORD_CASH] = "Ghi tiền mặt",
    [S_EXIT] = "Thoát",
    [S_CASH_RECORDED] = "Đã ghi tiền mặt",
    [S_CASH_QUEUED] = "Đã lưu; sẽ gửi khi có mạng",
    [S_OFFLINE] = "Mất kết nối",
    [S_ONLINE] = "Đã kết nối",
    [S_UNAUTHORIZED] = "Chưa được cấp quyền",
    [S_NOTHING_SELECTED] = "Hãy chọn ít nhất một khoản.",
    [S_PAID_OTHERWISE] = "Các khoản này đã được thanh toán",
    [S_PAID_OTHERWISE_HINT] = "Người thu phí đã ghi nhận (ví dụ tiền mặt). "
                              "Không cần chuyển khoản nữa.",
    [S_ERR_TLS] = "Máy không xác minh được chứng chỉ của máy chủ.",
    [S_ERR_TLS_HINT] = "Hãy báo ban quản lý kiểm tra chứng chỉ (ca_file, "
                       "client_cert) và giờ của máy.",
    [S_PAGE] = "Trang",
    [S_PAGE_UP] = "▲",
    [S_PAGE_DOWN] = "▼",
    [S_SELECT_ALL] = "Chọn tất cả",
    [S_SELECT_NONE] = "Bỏ chọn tất cả",
    [S_TOTALS_ORG] = "Tổng thu hôm nay (cả đơn vị)",
    [S_TOTALS_LOCAL] = "Mất kết nối: chỉ số liệu của máy này",
    [S_THIS_KIOSK] = "Qua máy này",
    [S_TOTALS_LOADING] = "Đang tải tổng thu…",
    [S_PAYMENTS] = "khoản",
    [S_CODE_CHECK] = "Hãy kiểm tra lại mã.",
    [S_DID_YOU_MEAN] = "Có phải mã:",
    [S_TYPE_AGAIN] = "Nhập lại",
    [S_CASH_CONFIRM_TITLE] = "Xác nhận thu tiền mặt",
    [S_CASH_RECEIVED] = "Số tiền mặt nhận",
    [S_OTHER_AMOUNT] = "Số tiền khác",
    [S_CONFIRM] = "Xác nhận",
    [S_CASH_AMOUNT_TITLE] = "Nhập số tiền mặt nhận",
    [S_AT_MOST] = "Tối đa",
    [S_CASH_TOO_MUCH] = "Không được nhiều hơn số tiền cần nộp.",
    [S_CASH_SENDING] = "Đang gửi lên máy chủ…",
    [S_WELCOME_SUB_MARKET] = "Gõ mã sạp",
    [S_WELCOME_SUB_SCHOOL] = "Gõ mã học sinh",
    [S_CODE_TITLE_MARKET] = "Nhập mã sạp",
    [S_CODE_TITLE_SCHOOL] = "Nhập mã học sinh",
    [S_EXAMPLE] = "Ví dụ",
    [S_OR_PICK_ZONE] = "hoặc chọn khu:",
    [S_OR_PICK_CLASS] = "hoặc chọn lớp:",
    [S_ZONE] = "Khu",
    [S_CLASS] = "Lớp",
    [S_PICK_ZONES] = "Chọn khu",
    [S_PICK_CLASSES] = "Chọn lớp",
    [S_PICK_STALL] = "Chọn sạp",
    [S_PICK_STUDENT] = "Chọn học sinh",
    [S_PAID_IN_ALL] = "Tổng đã nộp",
    [S_RECEIPT_SCAN] = "Quét để xem biên nhận",
    [S_CASH_PIN_TITLE] = "Nhập mã PIN của người thu",
    [S_PIN_LEFT] = "Số lần thử còn lại",
    [S_PIN_LOCKED] = "Sai mã PIN nhiều lần: người thu này tạm bị khoá. "
                     "Thử lại sau 15 phút.",
    [S_PIN_CHECKING] = "Đang kiểm tra mã PIN…",
    [S_MY_TODAY] = "Bạn đã thu hôm nay",
    [S_NEEDS_PIN] = "Tiền mặt chờ mã PIN của người thu",
    [S_ENTER_PIN_AGAIN] = "Nhập lại mã PIN",
};

static const char *const en[S__COUNT] = {
    [S_WELCOME] = "Welcome!",
    [S_WELCOME_SUB] = "Type the stall or student code",
    [S_LANG_OTHER] = "Tiếng Việt",
    [S_COLLECTOR] = "Collector",
    [S_CODE_TITLE] = "Enter your stall or student code",
    [S_CODE_HINT] = "For example: A-12",
    [S_CONTINUE] = "Continue",
    [S_BACK] = "Back",
    [S_DELETE] = "Delete",
    [S_LOOKING_UP] = "Looking up…",
    [S_CODE_NOT_FOUND] = "This code was not found",
    [S_DUES_TITLE] = "Amounts due",
    [S_NOTHING_DUE] = "You have nothing left to pay.",
    [S_TOTAL] = "Total",
    [S_PAY_ALL] = "Pay all",
    [S_PAY_SELECTED] = "Pay selected",
    [S_CASH_SELECTED] = "Cash for selected",
    [S_CASH_ALL] = "Cash for all",
    [S_CREATING_QR] = "Creating the QR code…",
    [S_OFFLINE_DUES] = "Offline: amounts from the saved fee list",
    [S_QR_TITLE] = "Scan with your banking app",
    [S_BANK] = "Bank",
    [S_ACCOUNT_NAME] = "Account holder",
    [S_ACCOUNT] = "Account number",
    [S_AMOUNT] = "Amount",
    [S_CONTENT] = "Transfer content",
    [S_EXPIRES_IN] = "Expires in",
    [S_I_PAID] = "I have paid",
    [S_CANCEL] = "Cancel",
    [S_OFFLINE_QR_NOTE] = "The kiosk is offline. You can still pay; "
                          "confirmation will come later.",
    [S_WAITING_TITLE] = "Waiting for the bank to confirm…",
    [S_WAITING_SUB] = "This usually takes a few seconds after you pay.",
    [S_WAITING_OFFLINE] = "No connection yet. The kiosk keeps trying; "
                          "do not pay again.",
    [S_SHOW_QR] = "Show the QR again",
    [S_PAID_TITLE] = "Payment received. Thank you!",
    [S_RECEIPT] = "Receipt number",
    [S_PAYER] = "Payer",
    [S_DONE] = "Done",
    [S_PARTIAL_TITLE] = "Partly paid",
    [S_RECEIVED] = "Received",
    [S_REMAINING] = "Still to pay",
    [S_PARTIAL_HINT] = "Scan the new code to pay the rest.",
    [S_EXPIRED_TITLE] = "The QR code has expired",
    [S_EXPIRED_HINT] = "No money arrived. If you already paid, do not pay "
                       "again: tell the fee collector.",
    [S_NEW_QR] = "New QR code",
    [S_ERROR_TITLE] = "Something went wrong",
    [S_ERR_NETWORK] = "The kiosk cannot reach the server.",
    [S_ERR_NETWORK_HINT] = "Please try again in a few minutes or ask the "
                           "fee collector.",
    [S_ERR_SERVER] = "The server could not handle the request.",
    [S_ERR_SERVER_HINT] = "Tell the fee collector and read them the error "
                          "below.",
    [S_ERR_NO_OFFLINE] = "The kiosk is offline and has no spare payment "
                         "codes.",
    [S_ERR_BAD_QR] = "The server sent an invalid QR code.",
    [S_ERR_AUTH] = "This kiosk is not authorised.",
    [S_ERR_AUTH_HINT] = "Ask the market office to issue a new kiosk key.",
    [S_RETRY] = "Try again",
    [S_HOME] = "Start over",
    [S_PIN_TITLE] = "Collector PIN",
    [S_PIN_WRONG] = "Wrong PIN.",
    [S_COLLECTOR_TITLE] = "Collector mode",
    [S_TODAY_TOTALS] = "Today's totals (this kiosk)",
    [S_METHOD_TRANSFER] = "Bank transfer",
    [S_METHOD_CASH] = "Cash",
    [S_PENDING_SYNC] = "Waiting to be sent",
    [S_RECORD_CASH] = "Record cash",
    [S_EXIT] = "Exit",
    [S_CASH_RECORDED] = "Cash recorded",
    [S_CASH_QUEUED] = "Saved; will be sent when online",
    [S_OFFLINE] = "Offline",
    [S_ONLINE] = "Online",
    [S_UNAUTHORIZED] = "Not authorised",
    [S_NOTHING_SELECTED] = "Choose at least one item.",
    [S_PAID_OTHERWISE] = "These items are already paid",
    [S_PAID_OTHERWISE_HINT] = "The fee collector recorded the payment (for "
                              "example in cash). No transfer is needed.",
    [S_ERR_TLS] = "The kiosk could not verify the server's certificate.",
    [S_ERR_TLS_HINT] = "Ask the office to check the certificates (ca_file, "
                       "client_cert) and the kiosk's clock.",
    [S_PAGE] = "Page",
    [S_PAGE_UP] = "▲",
    [S_PAGE_DOWN] = "▼",
    [S_SELECT_ALL] = "Select all",
    [S_SELECT_NONE] = "Clear all",
    [S_TOTALS_ORG] = "Today's totals (whole organisation)",
    [S_TOTALS_LOCAL] = "Offline: this kiosk's figures only",
    [S_THIS_KIOSK] = "Through this kiosk",
    [S_TOTALS_LOADING] = "Loading the totals…",
    [S_PAYMENTS] = "payments",
    [S_CODE_CHECK] = "Please check the code.",
    [S_DID_YOU_MEAN] = "Did you mean:",
    [S_TYPE_AGAIN] = "Type again",
    [S_CASH_CONFIRM_TITLE] = "Confirm the cash received",
    [S_CASH_RECEIVED] = "Cash received",
    [S_OTHER_AMOUNT] = "Other amount",
    [S_CONFIRM] = "Confirm",
    [S_CASH_AMOUNT_TITLE] = "Enter the cash received",
    [S_AT_MOST] = "At most",
    [S_CASH_TOO_MUCH] = "It cannot be more than is due.",
    [S_CASH_SENDING] = "Sending to the server…",
    [S_WELCOME_SUB_MARKET] = "Type your stall code",
    [S_WELCOME_SUB_SCHOOL] = "Type the student code",
    [S_CODE_TITLE_MARKET] = "Enter your stall code",
    [S_CODE_TITLE_SCHOOL] = "Enter the student code",
    [S_EXAMPLE] = "For example",
    [S_OR_PICK_ZONE] = "or pick your zone:",
    [S_OR_PICK_CLASS] = "or pick the class:",
    [S_ZONE] = "Zone",
    [S_CLASS] = "Class",
    [S_PICK_ZONES] = "Pick your zone",
    [S_PICK_CLASSES] = "Pick the class",
    [S_PICK_STALL] = "Pick your stall",
    [S_PICK_STUDENT] = "Pick the student",
    [S_PAID_IN_ALL] = "Paid in all",
    [S_RECEIPT_SCAN] = "Scan for your receipt",
    [S_CASH_PIN_TITLE] = "Enter the collector's PIN",
    [S_PIN_LEFT] = "Tries left",
    [S_PIN_LOCKED] = "Too many wrong PINs: this collector is locked for "
                     "a while. Try again in 15 minutes.",
    [S_PIN_CHECKING] = "Checking the PIN…",
    [S_MY_TODAY] = "You collected today",
    [S_NEEDS_PIN] = "Cash waiting for the collector's PIN",
    [S_ENTER_PIN_AGAIN] = "Enter the PIN again",
};

static const char *const *const tables[LANG__COUNT] = {vi, en};

const char *i18n_get(int lang, enum kiosk_str id)
{
    const char *s;

    if ((unsigned)id >= S__COUNT)
        return "?";
    if (lang < 0 || lang >= LANG__COUNT)
        lang = LANG_VI;
    s = tables[lang][id];
    if (!s)
        s = vi[id];
    return s ? s : "?";
}

int i18n_lang(const char *name)
{
    if (!strcmp(name, "vi"))
        return LANG_VI;
    if (!strcmp(name, "en"))
        return LANG_EN;
    return -1;
}

int i18n_check(int *lang, int *id)
{
    for (int l = 0; l < LANG__COUNT; l++) {
        for (int i = 0; i < S__COUNT; i++) {
            if (!tables[l][i] || !tables[l][i][0]) {
                *lang = l;
                *id = i;
                return -1;
            }
        }
    }
    return 0;
}
