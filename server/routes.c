/*
 * routes.c: the static route table of chopay-server. Unknown paths get
 * 404, known paths with another method 405 (with Allow); the auth column
 * says which credential a route takes.
 */
#include "api.h"

const struct route api_routes[] = {
    /* kiosk side */
    {"GET", "/v1/payers/{code}/dues", h_dues, AUTH_KIOSK, 0},
    {"POST", "/v1/intents", h_intent_create, AUTH_KIOSK, ROUTE_OFFLOAD},
    {"GET", "/v1/intents/{id}", h_intent_get, AUTH_KIOSK, 0}, /* long poll */
    {"POST", "/v1/intents/{id}/cancel", h_intent_cancel, AUTH_KIOSK, 0},
    {"POST", "/v1/cash", h_cash, AUTH_KIOSK, ROUTE_OFFLOAD},
    {"GET", "/v1/kiosk/directory", h_directory, AUTH_KIOSK, 0},
    {"POST", "/v1/kiosk/codes", h_codes, AUTH_KIOSK, 0}, /* offline QR */
    {"GET", "/v1/kiosk/totals", h_kiosk_totals, AUTH_KIOSK, 0},
    {"POST", "/v1/kiosk/collector", h_kiosk_collector, AUTH_KIOSK, 0},
    /* board side */
    /* credentials */
    {"GET", "/v1/kiosks", h_kiosk_list, AUTH_ADMIN, 0},
    {"DELETE", "/v1/kiosks/{id}", h_kiosk_revoke, AUTH_ADMIN, 0},
    {"GET", "/v1/tokens", h_token_list, AUTH_ADMIN, 0},
    {"DELETE", "/v1/tokens/{id}", h_token_revoke, AUTH_ADMIN, 0},
    {"GET", "/v1/orgs/{org}/users", h_user_list, AUTH_ADMIN, 0},
    {"POST", "/v1/orgs/{org}/users/{login}/disable", h_user_disable, AUTH_ADMIN,
     0},
    {"GET", "/v1/orgs", h_org_list, AUTH_READ, 0},
    {"POST", "/v1/orgs", h_org_create, AUTH_ADMIN, 0},
    {"GET", "/v1/orgs/{org}", h_org_get, AUTH_READ, 0},
    {"PATCH", "/v1/orgs/{org}", h_org_update, AUTH_WRITE, 0},
    {"GET", "/v1/orgs/{org}/payers", h_payer_list, AUTH_READ, 0},
    {"POST", "/v1/orgs/{org}/payers", h_payer_create, AUTH_WRITE, 0},
    {"PATCH", "/v1/orgs/{org}/payers/{code}", h_payer_update, AUTH_WRITE, 0},
    {"POST", "/v1/orgs/{org}/payers/{code}/refund", h_payer_refund, AUTH_WRITE,
     0},
    {"POST", "/v1/orgs/{org}/payers/import", h_payer_import, AUTH_WRITE,
     ROUTE_BIG_BODY | ROUTE_OFFLOAD},
    {"GET", "/v1/orgs/{org}/collectors", h_collector_list, AUTH_WRITE, 0},
    {"POST", "/v1/orgs/{org}/collectors", h_collector_add, AUTH_WRITE, 0},
    {"POST", "/v1/orgs/{org}/collectors/{name}/disable", h_collector_disable,
     AUTH_WRITE, 0},
    {"GET", "/v1/orgs/{org}/fees", h_fee_list, AUTH_READ, 0},
    {"POST", "/v1/orgs/{org}/fees", h_fee_create, AUTH_WRITE, 0},
    {"PATCH", "/v1/orgs/{org}/fees/{code}", h_fee_update, AUTH_WRITE, 0},
    {"POST", "/v1/orgs/{org}/invoices/generate", h_invoices_generate,
     AUTH_WRITE, ROUTE_OFFLOAD},
    {"GET", "/v1/orgs/{org}/invoices", h_invoice_list, AUTH_READ, 0},
    {"GET", "/v1/orgs/{org}/intents", h_intent_list, AUTH_READ, 0},
    {"GET", "/v1/orgs/{org}/payments", h_payment_list, AUTH_READ, 0},
    {"GET", "/v1/orgs/{org}/receipts", h_receipt_list, AUTH_READ, 0},
    /* bank confirmation: provider webhooks (their own authentication) */
    {"POST", "/v1/bank/sepay", h_bank_sepay, AUTH_NONE, ROUTE_OFFLOAD},
    {"POST", "/v1/bank/casso", h_bank_casso, AUTH_NONE, ROUTE_OFFLOAD},
    {"POST", "/v1/bank/payos", h_bank_payos, AUTH_NONE, ROUTE_OFFLOAD},
    {"POST", "/v1/bank/generic", h_bank_generic, AUTH_NONE, ROUTE_OFFLOAD},
    {"POST", "/v1/statements", h_statement, AUTH_WRITE,
     ROUTE_BIG_BODY | ROUTE_OFFLOAD},
    /* the review queue */
    {"GET", "/v1/orgs/{org}/bank/transactions", h_bank_list, AUTH_READ, 0},
    {"GET", "/v1/orgs/{org}/bank/transactions/{id}", h_bank_get, AUTH_READ, 0},
    {"POST", "/v1/orgs/{org}/bank/transactions/{id}/match", h_bank_match,
     AUTH_WRITE, 0},
    {"POST", "/v1/orgs/{org}/bank/transactions/{id}/unmatch", h_bank_unmatch,
     AUTH_WRITE, 0},
    {"POST", "/v1/orgs/{org}/bank/transactions/{id}/ignore", h_bank_ignore,
     AUTH_WRITE, 0},
    {"POST", "/v1/orgs/{org}/bank/transactions/{id}/split", h_bank_split,
     AUTH_WRITE, 0},
    {"PUT", "/v1/orgs/{org}/bank/secrets/{provider}", h_bank_secret, AUTH_WRITE,
     0},
    /* receipts: the key is public, a receipt needs a credential
       of its organisation */
    {"GET", "/v1/orgs/{org}/receipt-key", h_receipt_key, AUTH_NONE, 0},
    {"GET", "/v1/orgs/{org}/receipt-key.pem", h_receipt_key, AUTH_NONE, 0},
    {"GET", "/v1/receipts/{number}", h_receipt_get, AUTH_ANY, 0},
    /* a receipt's public page: its address carries a signature */
    {"GET", "/r/{number}", h_receipt_page, AUTH_NONE, 0},
    /* reports and statistics */
    {"GET", "/v1/reports/daily", h_report_daily, AUTH_STATS, 0},
    {"GET", "/v1/stats/adoption", h_stats_adoption, AUTH_STATS, 0},
    {"GET", "/v1/provinces", h_provinces, AUTH_STATS, 0},
    {"GET", "/v1/audit", h_audit_list, AUTH_READ, 0},
    {"PUT", "/v1/orgs/{org}/province", h_org_province, AUTH_WRITE, 0},
    /* day close (board or admin) and reopening (admin, with a reason) */
    {"POST", "/v1/orgs/{org}/close", h_day_close, AUTH_WRITE, 0},
    {"GET", "/v1/orgs/{org}/close", h_day_close_get, AUTH_STATS, 0},
    {"POST", "/v1/orgs/{org}/reopen", h_day_reopen, AUTH_ADMIN, 0},
    /* stall QR standees */
    {"GET", "/v1/payers/{code}/standee.png", h_standee_png, AUTH_WRITE, 0},
    {"GET", "/v1/payers/{code}/standee.pdf", h_standee_pdf, AUTH_WRITE, 0},
    {"POST", "/v1/payers/{code}/standee", h_standee_record, AUTH_WRITE, 0},
    /* a vendor's own payment feed: linked by the board with the vendor's
       consent; its payments are the vendor's (the stall key), the board
       reads daily totals */
    {"POST", "/v1/orgs/{org}/payers/{code}/feed", h_stall_feed_link, AUTH_WRITE,
     0},
    {"DELETE", "/v1/orgs/{org}/payers/{code}/feed", h_stall_feed_unlink,
     AUTH_WRITE, 0},
    {"GET", "/v1/orgs/{org}/payers/{code}/feed", h_stall_feed_get, AUTH_READ,
     0},
    {"GET", "/v1/orgs/{org}/payers/{code}/feed/transactions", h_stall_feed_txns,
     AUTH_ANY, 0},
    {"GET", "/v1/orgs/{org}/stall-activity", h_stall_activity, AUTH_READ, 0},
    {"POST", "/v1/stall-feeds/{id}/{provider}", h_stall_hook, AUTH_NONE,
     ROUTE_OFFLOAD},
    {"GET", "/v1/stall/announcements", h_stall_announcements, AUTH_NONE, 0},
    {"GET", "/loa/{stall}", h_stall_page, AUTH_NONE, 0},
    /* the web dashboard: pages, sign-in, session (h_dash.c) */
    {"GET", "/", h_dash_index, AUTH_NONE, 0},
    {"GET", "/assets/{file}", h_dash_asset, AUTH_NONE, 0},
    {"POST", "/dash/login", h_dash_login, AUTH_NONE, 0},
    {"POST", "/dash/logout", h_dash_logout, AUTH_NONE, 0},
    {"GET", "/dash/session", h_dash_session, AUTH_NONE, 0},
    /* operations */
    {"GET", "/healthz", h_healthz, AUTH_NONE, 0},
    /* money totals of every organisation: an admin token, or the
       loopback-only metrics_listen address without one */
    {"GET", "/metrics", h_metrics, AUTH_ADMIN, 0},
};

const size_t api_n_routes = sizeof(api_routes) / sizeof(api_routes[0]);
