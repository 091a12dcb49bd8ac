/*
 * i18n.h: every string the kiosk shows, by id, one table per language
 * (Vietnamese, the default, and English). Screens never hold literals.
 */
#ifndef CHOPAY_KIOSK_I18N_H
#define CHOPAY_KIOSK_I18N_H

enum kiosk_lang { LANG_VI, LANG_EN, LANG__COUNT };

enum kiosk_str {
    S_WELCOME,
    S_WELCOME_SUB,
    S_START,
    S_START_MARKET,
    S_START_SCHOOL,
    S_LANG_OTHER,
    S_COLLECTOR,
    S_CODE_TITLE,
    S_CODE_HINT,
    S_CONTINUE,
    S_BACK,
    S_DELETE,
    S_LOOKING_UP,
    S_CODE_NOT_FOUND,
    S_DUES_TITLE,
    S_NOTHING_DUE,
    S_TOTAL,
    S_PAY_ALL,
    S_PAY_SELECTED,
    S_CASH_SELECTED,
    S_CASH_ALL,
    S_CREATING_QR,
    S_OFFLINE_DUES,
    S_QR_TITLE,
    S_BANK,
    S_ACCOUNT_NAME,
    S_ACCOUNT,
    S_AMOUNT,
    S_CONTENT,
    S_EXPIRES_IN,
    S_I_PAID,
    S_CANCEL,
    S_OFFLINE_QR_NOTE,
    S_WAITING_TITLE,
    S_WAITING_SUB,
    S_WAITING_OFFLINE,
    S_SHOW_QR,
    S_PAID_TITLE,
    S_RECEIPT,
    S_PAYER,
    S_DONE,
    S_PARTIAL_TITLE,
    S_RECEIVED,
    S_REMAINING,
    S_PARTIAL_HINT,
    S_EXPIRED_TITLE,
    S_EXPIRED_HINT,
    S_NEW_QR,
    S_ERROR_TITLE,
    S_ERR_NETWORK,
    S_ERR_NETWORK_HINT,
    S_ERR_SERVER,
    S_ERR_SERVER_HINT,
    S_ERR_NO_OFFLINE,
    S_ERR_BAD_QR,
    S_ERR_AUTH,
    S_ERR_AUTH_HINT,
    S_RETRY,
    S_HOME,
    S_PIN_TITLE,
    S_PIN_WRONG,
    S_COLLECTOR_TITLE,
    S_TODAY_TOTALS,
    S_METHOD_TRANSFER,
    S_METHOD_CASH,
    S_PENDING_SYNC,
    S_RECORD_CASH,
    S_EXIT,
    S_CASH_RECORDED,
    S_CASH_QUEUED,
    S_OFFLINE,
    S_ONLINE,
    S_UNAUTHORIZED,
    S_NOTHING_SELECTED,
    S_PAID_OTHERWISE,
    S_PAID_OTHERWISE_HINT,
    S_ERR_TLS,
    S_ERR_TLS_HINT,
    S_PAGE,
    S_PAGE_UP,
    S_PAGE_DOWN,
    S_SELECT_ALL,
    S_SELECT_NONE,
    S_TOTALS_ORG,
    S_TOTALS_LOCAL,
    S_THIS_KIOSK,
    S_TOTALS_LOADING,
    S_PAYMENTS,
    S__COUNT
};

/* The string `id` in `lang` (falls back to Vietnamese); never NULL. */
const char *i18n_get(int lang, enum kiosk_str id);
/* The language named "vi" or "en"; -1 for anything else. */
int i18n_lang(const char *name);
/* 0 when every string exists in every language, else the first gap. */
int i18n_check(int *lang, int *id);

#endif
