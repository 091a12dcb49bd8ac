/*
 * api_json.h: the API's JSON for the rows the store returns: each
 * function builds the object (or array) a response carries, with the
 * keys in the order clients have always seen them. The HTTP handlers
 * send what these build; the operator commands print from the structs.
 */
#ifndef CHOPAY_SERVER_API_JSON_H
#define CHOPAY_SERVER_API_JSON_H

#include <jansson.h>

#include "store.h"

/* Organisation `o` as {code, kind, name, account, account_name, prefix,
 * bank: {bin, name, short_name}}; a new reference. */
json_t *api_json_org(const struct store_org_row *o);

/* Organisation `o` as {code, name, kind} (the dashboard's picker). */
json_t *api_json_org_brief(const struct store_org_row *o);

/* The organisations of `l` as an array of api_json_org objects. */
json_t *api_json_orgs(const struct store_org_list *l);

/* Fee `f` as {code, label, kind, category, amount, active}. */
json_t *api_json_fee(const struct store_fee_row *f);

/* The fees of `l` as an array of api_json_fee objects. */
json_t *api_json_fees(const struct store_fee_list *l);

/* Payer `p` as {code, name, category, zone, class, guardian, bank_bin,
 * bank_account, active, credit}. */
json_t *api_json_payer(const struct store_payer_row *p);

/* The payers of `l` as an array of api_json_payer objects, each with
 * its "id" first (for paging). */
json_t *api_json_payers(const struct store_payer_list *l);

/* What an import did: {imported, created, updated}. */
json_t *api_json_payer_import(const struct store_payer_import *im);

/* The invoices of `l` as [{id, payer, fee, period, label, amount, paid,
 * due, status, created_at}]. */
json_t *api_json_invoices(const struct store_invoice_list *l);

/* What generating `period`'s invoices did: {period, fees, created}. */
json_t *api_json_invoices_made(const char *period,
                               const struct store_invoices_made *m);

/*
 * The credentials of `l`, all of `kind` ("kiosk", "token" or "user"), as
 * [{id, org, name (kiosk, user), role (token, user), active, created_at,
 * last_used_at, revoked_at}] (org null for every organisation, times
 * null for never).
 */
json_t *api_json_creds(const char *kind, const struct store_cred_list *l);

/* A revocation of a `kind` credential: {id, kind, revoked, was_active,
 * sessions_ended}. */
json_t *api_json_cred_revoked(const char *kind,
                              const struct store_cred_revoked *v);

/* The intents of `l` as [{id, code, status, amount, paid, payer,
 * created_at, expires_at}]. */
json_t *api_json_intents(const struct store_intent_list *l);

/* The payments of `l` as [{id, method, amount, unallocated, flag, payer,
 * intent, reference, source, collector, created_at, allocations:
 * [{invoice, amount}]}] (null for what a payment has not). */
json_t *api_json_payments(const struct store_payment_list *l);
/* Receipts `l` as [{id, number, payer, method, amount, paid_at, voided}]. */
json_t *api_json_receipts(const struct store_receipt_list *l);

/* Dues `d` as {payer, name, invoices: [{id, label, period, amount, paid,
 * due}], total_due}, the text of a reply (compact, a newline at the end)
 * written without a jansson tree: every kiosk lookup asks for it. NULL
 * when out of memory; *len gets its length. */
char *api_json_dues_text(const struct store_dues *d, size_t *len);

/* Directory `d` as {org (api_json_org), payers: [{code, name, category,
 * zone, class, invoices: [{id, fee, label, period, amount, paid, due}]}],
 * fees: [{code, label, kind, category, amount}]}. */
json_t *api_json_directory(const struct store_directory *d);

/* Closing `date` of organisation `org` by `actor`, as `c` recorded it
 * with the report `totals` (JSON text) stored: {date, closed_at, actor,
 * audit_id, audit_head, org, totals}. */
json_t *api_json_day_closed(const char *org, const char *date,
                            const char *actor, const struct store_day_closed *c,
                            const char *totals);

/* Receipt `r` as {number, org, org_name, payer, payer_name, method,
 * amount, paid_at, text, voided, payment, for}. */
json_t *api_json_receipt(const struct store_receipt *r);

/* Refund `f` asked for by `q` as {refund, payer, amount, reference,
 * reason, credit_left, payments: [{payment, amount}]}. */
json_t *api_json_refund(const struct store_refund_req *q,
                        const struct store_refund *f);

/*
 * Intent `t` as {id, code, status, amount, paid, remaining, payload,
 * bank, account, account_name, expires_at (ISO 8601), payer: {code,
 * name}, invoices: [id], reason (when it has one), expires_in, receipt
 * (when paid), payments: [{id, method, amount, reference, at}]}.
 */
json_t *api_json_intent(const struct store_intent *t);

/* Codes `c` as {codes: [...], count}. */
json_t *api_json_codes(const struct store_codes *c);

/* Cash `p` as {payment, method: "cash", payer, amount, collector,
 * allocations: [{invoice, amount}], remaining_due, receipt}. */
json_t *api_json_cash(const struct store_cash *p);

/* The answer an idempotency record keeps (struct store_idem.render): a
 * struct store_intent, store_codes or store_cash as compact JSON text. */
char *api_json_intent_text(const void *t);
char *api_json_codes_text(const void *c);
char *api_json_cash_text(const void *p);

/* A bank transaction (api_json_bank.c). */
json_t *api_json_bank_txn(const struct store_bank_txn *t);
/* {"transactions": [...], "total"} of a page of bank transactions. */
json_t *api_json_bank_txns(const struct store_bank_txn_list *l);
/* A bank transaction with its "audit" trail. */
json_t *api_json_bank_txn_full(const struct store_bank_txn_full *t);
/* {new, replayed, matched, ..., statements, balances: [...]} of a batch. */
json_t *api_json_bank_summary(const struct store_bank_summary *s);
/* What bank_add decided for one transaction: {id, state} and, as the
 * decision has them, replayed, outcome, intent, reason, duplicate_of,
 * candidates, late_for and dated. */
json_t *api_json_bank_result(const struct store_bank_result *r);
/* The results of a webhook's transactions, as an array. */
json_t *api_json_bank_results(const struct store_bank_results *l);

#endif
