/*
 * bank_intake.c: bank transactions into the ledger. A batch (a webhook or
 * an imported statement) records each transaction once however it arrives
 * (transfer_identity.c), lets the matching engine decide, applies the
 * decision to the ledger with its audit entry, dates it after a close,
 * and applies transfers held for a reserved code once a kiosk claims it.
 * See docs/matching.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "payref.h"
#include "store_int.h"

int sqb_begin(struct store *base, const char *actor, int64_t now,
              const char *import_kind, struct store_bank **out)
{
    struct sq *s = (struct sq *)base;
    struct store_bank *b = calloc(1, sizeof(*b));
    struct db_stmt *st;
    int rc;

    if (b == NULL)
        return -STORE_E_IO;
    b->s = s;
    b->c = sqi_get_conn(s);
    b->now = now;
    snprintf(b->actor, sizeof(b->actor), "%s", actor);
    /* a webhook's batch begins with its first transaction, whose
       organisation the caller names (bank_open); an import, which
       records itself first, at once, and locks the organisation once an
       account names it */
    b->open = import_kind != NULL;
    rc = b->open ? sqi_begin_write_shared(s, b->c) : 0;
    if (rc != 0) {
        sqi_put_conn(s, b->c);
        free(b);
        return rc;
    }
    if (import_kind != NULL) {
        st = sqb_q(b->c, B_IMPORT_ADD);
        rc = st ? 0 : -STORE_E_IO;
        if (rc == 0) {
            sqi_bt(st, 1, import_kind);
            sqi_bt(st, 2, actor);
            sqi_bi(st, 3, now);
            rc = sqb_insert(b->c, st, &b->import_id);
        }
        b->rc = rc;
    }
    *out = b;
    return 0;
}

struct store_bank *sqb_begin_in(struct sq *s, struct sqi_conn *c,
                                const char *actor, int64_t now)
{
    struct store_bank *b = calloc(1, sizeof(*b));

    if (b == NULL) {
        store_set_error("storage_unavailable", "out of memory");
        return NULL;
    }
    b->s = s;
    b->c = c;
    b->now = now;
    b->open = 1;
    b->borrowed = 1;
    snprintf(b->actor, sizeof(b->actor), "%s", actor);
    return b;
}

/* Begin the batch's write transaction unless it has begun: holding the
 * lock of organisation `org`, the one the caller names (0 for none). */
static int bank_open(struct store_bank *b, int64_t org)
{
    int rc;

    if (b->open)
        return 0;
    rc = org > 0 ? sqi_begin_write_org(b->s, b->c, org)
                 : sqi_begin_write_shared(b->s, b->c);
    b->open = rc == 0;
    return rc;
}

static int load_org(struct store_bank *b, int64_t org)
{
    struct db_stmt *st;
    int rc;

    if (b->org == org)
        return 0;
    st = sqb_q(b->c, B_ORG_PREFIX);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    rc = sqi_step(b->c, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("org_not_found", "no organisation %lld",
                            (long long)org);
            rc = -STORE_E_NOT_FOUND;
        }
        return rc;
    }
    snprintf(b->prefix, sizeof(b->prefix), "%s", sqi_col_text(st, 0));
    db_reset(st);
    b->org = org;
    sqi_payer_names_put(b->s, b->pn);
    b->pn = NULL;
    free(b->names);
    b->names = NULL;
    b->n_names = 0;
    return 0;
}

int sqb_set_state(struct store_bank *b, int64_t id, const char *state,
                  const char *outcome, const char *reason, const char *code,
                  const char *sugg)
{
    struct db_stmt *st = sqb_q(b->c, B_SET_STATE);

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, id);
    sqi_bt(st, 2, state);
    sqi_bt(st, 3, outcome);
    sqi_bt(st, 4, reason);
    sqi_bt(st, 5, code);
    sqi_bt(st, 6, sugg ? sugg : "[]");
    sqi_bi(st, 7, b->now);
    return sqi_exec1(b->c, st);
}

/* "exact", "partial", "over" or "credit" from a transfer result. */
static const char *outcome_of(const struct store_transfer_made *r,
                              int64_t amount)
{
    if (r->unallocated >= amount)
        return "credit"; /* its invoices were already paid */
    if (r->unallocated > 0)
        return "over";
    if (strcmp(r->status, "partial") == 0)
        return "partial";
    return "exact";
}

/* Apply credit `id` of `amount` to intent `intent` and mark it matched. */
int sqb_apply_intent(struct sqi_conn *c, int64_t org, int64_t id,
                     int64_t intent, int64_t amount, const char *provider,
                     const char *code, const char *reason, const char *actor,
                     int64_t now, const char **outcome_out, json_t **res)
{
    char ref[32], obj[32];
    const char *outcome;
    struct store_transfer_made r;
    struct db_stmt *st;
    int rc;

    memset(&r, 0, sizeof(r));
    snprintf(ref, sizeof(ref), "bank:%lld", (long long)id);
    rc = sqi_transfer_intent(c, org, intent, amount, ref, provider, actor, now,
                             &r);
    if (rc != 0)
        return rc;
    outcome = outcome_of(&r, amount);
    st = sqb_q(c, B_SET_MATCHED);
    if (st == NULL) {
        store_transfer_made_free(&r);
        return -STORE_E_IO;
    }
    sqi_bi(st, 1, id);
    sqi_bt(st, 2, outcome);
    sqi_bt(st, 3, reason);
    sqi_bt(st, 4, code);
    sqi_bi(st, 5, r.payment);
    sqi_bi(st, 6, intent);
    sqi_bi(st, 7, now);
    rc = sqi_exec1(c, st);
    if (rc == 0) {
        snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
        rc = sqi_audit(
            c, org, now, actor, "bank.matched", obj,
            json_pack("{s:s, s:s, s:I, s:I, s:s, s:o}", "outcome", outcome,
                      "code", code, "intent", (json_int_t)intent, "payment",
                      (json_int_t)r.payment, "reason", reason, "allocations",
                      sqi_allocations_json(r.allocations, r.n_allocations)));
    }
    if (rc == 0) {
        sqi_queue_woken(c, intent);
        if (outcome_out != NULL)
            *outcome_out = outcome;
        if (res != NULL)
            *res = sqi_transfer_json(&r);
    }
    store_transfer_made_free(&r);
    return rc;
}

/* Decide a fresh credit: a known intent, a held code, or review. */
static int decide(struct store_bank *b, int64_t id, const struct bank_txn *t,
                  const char *provider, char (*codes)[PAYREF_MAX + 1],
                  size_t n_codes, struct store_bank_result *res)
{
    int64_t intents[MATCH_CODES_MAX];
    const char *icodes[MATCH_CODES_MAX];
    const char *held = NULL;
    size_t n_int = 0, i;
    struct db_stmt *st;
    char *sugg = NULL, obj[32];
    const char *reason;
    int rc;

    for (i = 0; i < n_codes; i++) {
        st = sqb_q(b->c, B_INTENT_BY_CODE);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bt(st, 1, codes[i]);
        sqi_bi(st, 2, b->org);
        rc = sqi_step(b->c, st);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            intents[n_int] = db_column_int64(st, 0);
            icodes[n_int++] = codes[i];
            db_reset(st);
            continue;
        }
        st = sqb_q(b->c, B_RESERVED);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bt(st, 1, codes[i]);
        sqi_bi(st, 2, b->org);
        rc = sqi_step(b->c, st);
        if (rc < 0)
            return rc;
        if (rc == 1 && held == NULL)
            held = codes[i];
        db_reset(st);
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    if (n_int == 1) {
        const char *outcome = "";

        rc = sqb_apply_intent(b->c, b->org, id, intents[0], t->amount, provider,
                              icodes[0], "code", b->actor, b->now, &outcome,
                              NULL);
        if (rc != 0)
            return rc;
        b->n_matched++;
        snprintf(res->state, sizeof(res->state), "matched");
        snprintf(res->outcome, sizeof(res->outcome), "%s", outcome);
        res->intent = intents[0];
        return 0;
    }
    if (n_int > 1) {
        json_t *a = json_array();

        for (i = 0; i < n_int; i++)
            json_array_append_new(
                a,
                json_pack("{s:I, s:s, s:i, s:[s], s:[{s:s, s:s}]}", "intent",
                          (json_int_t)intents[i], "code", icodes[i], "score",
                          50, "why", "code in the content", "reasons", "code",
                          "code_in_content", "intent_code", icodes[i]));
        sugg = json_dumps(a, JSON_COMPACT);
        json_decref(a);
        rc = sqb_set_state(b, id, "ambiguous", "", "several_codes", icodes[0],
                           sugg);
        if (rc == 0)
            rc =
                sqi_audit(b->c, b->org, b->now, b->actor, "bank.ambiguous", obj,
                          json_pack("{s:s, s:I}", "reason", "several_codes",
                                    "amount", (json_int_t)t->amount));
        free(sugg);
        b->n_ambiguous++;
        snprintf(res->state, sizeof(res->state), "ambiguous");
        return rc;
    }
    if (held != NULL) {
        reason = "reserved_unclaimed";
    } else {
        reason = n_codes > 0 ? "unknown_code" : "no_code";
        sugg = sqb_suggestions(b, t);
    }
    rc = sqb_set_state(b, id, "unmatched", "", reason,
                       held ? held : (n_codes > 0 ? codes[0] : ""), sugg);
    if (rc == 0)
        rc = sqi_audit(b->c, b->org, b->now, b->actor, "bank.unmatched", obj,
                       json_pack("{s:s, s:I, s:s}", "reason", reason, "amount",
                                 (json_int_t)t->amount, "code",
                                 held ? held : (n_codes > 0 ? codes[0] : "")));
    free(sugg);
    b->n_unmatched++;
    snprintf(res->state, sizeof(res->state), "unmatched");
    snprintf(res->reason, sizeof(res->reason), "%s", reason);
    return rc;
}

/* The org whose collecting account is `account`, on the batch's
 * connection (the write lock is held). */
static int resolve_org(struct store_bank *b, const char *account, int64_t *org)
{
    return sqb_org_of_account(b->c, account, org, NULL);
}

/*
 * The day a new transaction of `org` booked on `booking` counts on, into
 * out (11 bytes): its booking day, or the first open day when that one is
 * closed. Looked up once per organisation and booking day of the batch
 * (the batch holds the write lock: no close comes between).
 */
static int report_date(struct store_bank *b, int64_t org, const char *booking,
                       char *out)
{
    int closed = 0, rc;

    if (b->rd_org != org || strcmp(b->rd_booking, booking) != 0) {
        rc = sqr_is_closed(b->c, org, booking, &closed);
        if (rc == 0 && closed)
            rc = sqr_dated_day(b->c, org, b->now, b->rd_date);
        else if (rc == 0)
            snprintf(b->rd_date, sizeof(b->rd_date), "%s", booking);
        if (rc != 0) {
            b->rd_org = 0;
            return rc;
        }
        b->rd_org = org;
        snprintf(b->rd_booking, sizeof(b->rd_booking), "%s", booking);
    }
    memcpy(out, b->rd_date, 11);
    return 0;
}

/*
 * Transaction `id` was booked on a day closed before it came, so it is
 * dated `rdate`: unless it only repeats one already known, record the
 * correction that points at the closed day, and flag the payment made
 * from it (if any) "late for" that day. Sets res's late_for and dated.
 */
static int late_note(struct store_bank *b, int64_t id, const struct bank_txn *t,
                     const char *rdate, struct store_bank_result *res)
{
    struct db_stmt *st;
    int64_t pay = 0, payer = 0;
    char obj[32], state[16] = "";
    int rc;

    st = sqb_q(b->c, B_LATE_OF);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, id);
    rc = sqi_step(b->c, st);
    if (rc == 1) {
        snprintf(state, sizeof(state), "%s", sqi_col_text(st, 0));
        pay = db_column_int64(st, 1);
        payer = db_column_int64(st, 2);
        rc = 0;
    } else if (rc == 0) {
        rc = sqi_db_error(sqi_dbh(b->c), -DB_E_IO, "late transaction");
    }
    db_reset(st);
    if (rc != 0 || strcmp(state, "duplicate") == 0)
        return rc;
    if (pay != 0) {
        st = sqb_q(b->c, B_CORRECTS_DATE);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bi(st, 1, pay);
        sqi_bt(st, 2, t->booking_date);
        rc = sqi_exec1(b->c, st);
        if (rc < 0)
            return rc;
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    {
        int debit = t->direction == FEEDS_DEBIT;
        struct sqr_correction k = {
            b->org,
            debit ? "late_debit" : "late_credit",
            t->booking_date,
            obj,
            id,
            pay,
            0,
            payer,
            debit ? -t->amount : t->amount,
            b->actor,
            "booked on a closed day, reported after its close",
            b->now};

        rc = sqr_correction_add(b->c, &k, NULL, NULL);
    }
    if (rc == 0) {
        snprintf(res->late_for, sizeof(res->late_for), "%s", t->booking_date);
        snprintf(res->dated, sizeof(res->dated), "%s", rdate);
    }
    return rc;
}

int sqb_add(struct store_bank *b, int64_t org, const struct bank_txn *t,
            const char *channel, int64_t journal_id,
            struct store_bank_result *out)
{
    char codes[MATCH_CODES_MAX][PAYREF_MAX + 1], joined[128] = "";
    char refkey[MATCH_KEY_MAX], obj[32], rdate[11] = "";
    char ckey[FEEDS_ACCOUNT_MAX], source[32], key[FEEDS_ID_MAX];
    const char *provider = feeds_provider_name(t->provider);
    const char *dir = t->direction == FEEDS_DEBIT ? "debit" : "credit";
    int stmt = strcmp(channel, "statement") == 0;
    size_t n_codes = 0, n_held = 0, i;
    struct store_bank_result res;
    int64_t *held = NULL;
    char *dkey = NULL;
    struct db_stmt *st;
    int64_t id = 0, of = 0;
    int rc, by_ref = 0, late = 0;

    memset(&res, 0, sizeof(res));
    if (b->rc != 0)
        return b->rc;
    rc = bank_open(b, org);
    if (rc != 0)
        goto fail;
    {
        /* the account decides, and must not name another organisation */
        int64_t found = org;

        if (t->account[0] != '\0' && strcmp(t->account, b->last_account) == 0) {
            found = b->last_org;
        } else if (t->account[0] != '\0' || org == 0) {
            rc = resolve_org(b, t->account, &found);
            if (rc != 0)
                goto fail;
            b->last_org = found;
            snprintf(b->last_account, sizeof(b->last_account), "%s",
                     t->account);
        }
        if (org != 0 && found != org) {
            store_set_error("account_mismatch",
                            "account '%s' belongs to another organisation",
                            t->account);
            rc = -STORE_E_CONFLICT;
            goto fail;
        }
        org = found;
    }
    rc = sqi_lock_org(b->c, org);
    if (rc == 0)
        rc = load_org(b, org);
    if (rc != 0)
        goto fail;
    match_transfer_ref(t->bank_ref, refkey, sizeof(refkey));
    match_counter_key(t->counter_account, ckey, sizeof(ckey));
    match_codes(t, b->prefix, codes, MATCH_CODES_MAX, &n_codes);
    for (i = 0; i < n_codes; i++) {
        if (i > 0)
            strcat(joined, " ");
        strcat(joined, codes[i]);
    }
    dkey = match_desc_key(n_codes > 0 ? codes[0] : "", t->description);
    if (dkey == NULL) {
        store_set_error("storage_unavailable", "out of memory");
        rc = -STORE_E_IO;
        goto fail;
    }
    if (stmt) {
        /* a statement row's key names the record (this import, this
           row), never the transfer: identity is decided below */
        snprintf(source, sizeof(source), "imp:%lld", (long long)b->import_id);
        snprintf(key, sizeof(key), "imp:%lld:%lld", (long long)b->import_id,
                 (long long)++b->n_rows);
    } else {
        snprintf(source, sizeof(source), "%s", provider);
        snprintf(key, sizeof(key), "%s", t->provider_txn_id);
    }
    st = sqb_q(b->c, B_TXN_INSERT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto fail;
    }
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, provider);
    sqi_bt(st, 3, key);
    sqi_bt(st, 4, channel);
    if (journal_id > 0)
        sqi_bi(st, 5, journal_id);
    if (b->import_id > 0)
        sqi_bi(st, 6, b->import_id);
    sqi_bt(st, 7, t->account);
    sqi_bt(st, 8, dir);
    sqi_bi(st, 9, t->amount);
    sqi_bt(st, 10, t->currency);
    sqi_bt(st, 11, t->booking_date);
    sqi_bt(st, 12, t->datetime);
    sqi_bt(st, 13, t->bank_ref);
    sqi_bt(st, 14, refkey);
    sqi_bt(st, 15, n_codes > 0 ? codes[0] : "");
    sqi_bt(st, 16, joined);
    sqi_bt(st, 17, t->description ? t->description : "");
    sqi_bt(st, 18, t->counter_name);
    sqi_bt(st, 19, t->counter_account);
    sqi_bi(st, 20, b->now);
    /* a running balance of 0 after money came in is a provider that does
       not report balances (SePay BankHub, simulators), not a real one */
    if (t->has_balance &&
        !(t->balance == 0 && t->direction == FEEDS_CREDIT && t->amount > 0))
        sqi_bi(st, 21, t->balance);
    rc = report_date(b, org, t->booking_date, rdate);
    if (rc != 0)
        goto fail;
    sqi_bt(st, 22, rdate);
    sqi_bi(st, 23, stmt ? t->pos : 0);
    sqi_bt(st, 24, dkey);
    sqi_bt(st, 25, ckey);
    sqi_bt(st, 26, source);
    rc = sqb_insert(b->c, st, &id);
    if (rc != 0)
        goto fail;
    if (id == 0) {
        if (stmt) {
            /* import and row are unique: never expected */
            store_set_error("storage_unavailable",
                            "statement record %s already stored", key);
            rc = -STORE_E_IO;
            goto fail;
        }
        /* the same provider id again: one record, same answer */
        st = sqb_q(b->c, B_TXN_BY_KEY);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto fail;
        }
        sqi_bi(st, 1, org);
        sqi_bt(st, 2, provider);
        sqi_bt(st, 3, key);
        rc = sqi_step(b->c, st);
        if (rc <= 0) {
            rc = rc ? rc : -STORE_E_IO;
            goto fail;
        }
        res.id = db_column_int64(st, 0);
        snprintf(res.state, sizeof(res.state), "%s", sqi_col_text(st, 1));
        res.replayed = 1;
        db_reset(st);
        b->n_replay++;
        goto done;
    }
    b->n_new++;
    res.id = id;
    /* booked on a day closed before it came: it counts on rdate */
    late = strcmp(rdate, t->booking_date) != 0;
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    /* the same transfer already known from another source? */
    {
        struct ident_key k = {org,
                              id,
                              t->amount,
                              dir,
                              t->currency,
                              refkey,
                              stmt ? t->pos : 0,
                              t->booking_date,
                              dkey,
                              ckey,
                              source};

        rc = sqb_identity_of(b, &k, &of, &by_ref, &held, &n_held);
    }
    if (rc != 0)
        goto fail;
    if (of != 0) {
        st = sqb_q(b->c, B_SET_DUP);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto fail;
        }
        sqi_bi(st, 1, id);
        sqi_bi(st, 2, of);
        sqi_bt(st, 3, by_ref ? "same_reference" : "same_content");
        sqi_bi(st, 4, stmt);
        sqi_bi(st, 5, b->now);
        rc = sqi_exec1(b->c, st);
        if (rc == 0 && stmt) {
            st = sqb_q(b->c, B_CONFIRM);
            rc = st ? 0 : -STORE_E_IO;
            if (rc == 0) {
                sqi_bi(st, 1, of);
                sqi_bi(st, 2, b->now);
                rc = sqi_exec1(b->c, st);
            }
        }
        if (rc == 0)
            rc = sqi_audit(b->c, org, b->now, b->actor, "bank.duplicate", obj,
                           json_pack("{s:I, s:s, s:s}", "of", (json_int_t)of,
                                     "by", by_ref ? "reference" : "content",
                                     "channel", channel));
        if (rc != 0)
            goto fail;
        b->n_dup++;
        snprintf(res.state, sizeof(res.state), "duplicate");
        res.duplicate_of = of;
        goto done;
    }
    if (held != NULL) {
        /* alike by content, told apart by reference or counter-account:
           which one it repeats (if any) is for a person to say */
        rc = sqb_hold_possible_duplicate(b, id, t, n_codes ? codes[0] : "",
                                         held, n_held);
        if (rc != 0)
            goto fail;
        b->n_unmatched++;
        snprintf(res.state, sizeof(res.state), "unmatched");
        snprintf(res.reason, sizeof(res.reason), "possible_duplicate");
        res.candidates = held; /* the answer's now */
        res.n_candidates = n_held;
        held = NULL;
        goto done;
    }
    if (t->direction == FEEDS_DEBIT || t->amount == 0 || t->reversal ||
        strcmp(t->currency, "VND") != 0) {
        const char *why = t->direction == FEEDS_DEBIT ? "debit"
                          : t->amount == 0            ? "zero"
                          : t->reversal               ? "reversal"
                                                      : "currency";

        rc = sqb_set_state(b, id, "ignored", "", why, n_codes ? codes[0] : "",
                           NULL);
        if (rc == 0)
            rc = sqi_audit(b->c, org, b->now, b->actor, "bank.ignored", obj,
                           json_pack("{s:s, s:I}", "reason", why, "amount",
                                     (json_int_t)t->amount));
        if (rc != 0)
            goto fail;
        b->n_ignored++;
        snprintf(res.state, sizeof(res.state), "ignored");
        snprintf(res.reason, sizeof(res.reason), "%s", why);
        goto done;
    }
    rc = decide(b, id, t, provider, codes, n_codes, &res);
    if (rc != 0)
        goto fail;
done:
    if (late) {
        rc = late_note(b, id, t, rdate, &res);
        if (rc != 0)
            goto fail;
    }
    if (out != NULL)
        *out = res;
    else
        store_bank_result_free(&res);
    free(dkey);
    free(held);
    return 0;
fail:
    store_bank_result_free(&res);
    free(dkey);
    free(held);
    b->rc = rc;
    return rc;
}

int sqb_statement(struct store_bank *b, int64_t org,
                  const struct feeds_statement *s)
{
    static const char *const checks[] = {"unchecked", "ok", "mismatch"};
    const char *chk = checks[s->check <= FEEDS_BAL_MISMATCH ? s->check : 0];
    struct db_stmt *st;
    void *grown;
    int rc;

    if (b->rc != 0)
        return b->rc;
    rc = bank_open(b, org);
    if (rc != 0) {
        b->rc = rc;
        return rc;
    }
    if (org == 0 || s->account[0] != '\0') {
        /* the account decides, and must not name another organisation */
        int64_t found = 0;

        rc = resolve_org(b, s->account, &found);
        if (rc == 0 && org != 0 && found != org) {
            store_set_error("account_mismatch",
                            "account '%s' belongs to another organisation",
                            s->account);
            rc = -STORE_E_CONFLICT;
        }
        if (rc != 0) {
            b->rc = rc;
            return rc;
        }
        org = found;
    }
    rc = sqi_lock_org(b->c, org);
    if (rc != 0) {
        b->rc = rc;
        return rc;
    }
    st = sqb_q(b->c, B_STMT_ADD);
    if (st == NULL) {
        b->rc = -STORE_E_IO;
        return b->rc;
    }
    sqi_bi(st, 1, b->import_id);
    sqi_bi(st, 2, org);
    sqi_bt(st, 3, feeds_provider_name(s->format));
    sqi_bt(st, 4, s->id);
    sqi_bt(st, 5, s->sequence);
    sqi_bt(st, 6, s->account);
    sqi_bt(st, 7, s->currency);
    if (s->has_opening)
        sqi_bi(st, 8, s->opening);
    if (s->has_closing)
        sqi_bi(st, 9, s->closing);
    sqi_bi(st, 10, s->credits);
    sqi_bi(st, 11, s->debits);
    sqi_bi(st, 12, s->n_credits);
    sqi_bi(st, 13, s->n_debits);
    sqi_bi(st, 14, s->n_skipped);
    sqi_bt(st, 15, chk);
    sqi_bt(st, 16, s->check_message);
    sqi_bi(st, 17, b->now);
    rc = sqi_exec1(b->c, st);
    if (rc != 0) {
        b->rc = rc;
        return rc;
    }
    b->n_stmts++;
    if (s->check == FEEDS_BAL_MISMATCH)
        b->n_bal_mismatch++;
    grown = b->sum.balances;
    rc = sqi_room(&grown, b->sum.n_balances, sizeof(*b->sum.balances));
    b->sum.balances = grown;
    if (rc != 0) {
        b->rc = rc;
        return rc;
    }
    {
        struct store_bank_balance *k = &b->sum.balances[b->sum.n_balances++];

        memset(k, 0, sizeof(*k));
        snprintf(k->id, sizeof(k->id), "%s", s->id);
        snprintf(k->account, sizeof(k->account), "%s", s->account);
        snprintf(k->balance_check, sizeof(k->balance_check), "%s", chk);
        k->opening = s->opening;
        k->credits = s->credits;
        k->debits = s->debits;
        k->closing = s->closing;
        k->entries = s->n_credits + s->n_debits;
        k->skipped = s->n_skipped;
        snprintf(k->message, sizeof(k->message), "%s", s->check_message);
    }
    return 0;
}

int sqb_end(struct store_bank *b, int commit, int64_t journal_id,
            struct store_bank_summary *summary)
{
    struct sq *s = b->s;
    int rc = commit ? b->rc : -STORE_E_INVALID;

    if (rc == 0 && journal_id > 0 && !b->open) {
        rc = sqi_begin_write_shared(s, b->c); /* a batch of nothing */
        b->open = rc == 0;
    }
    if (rc == 0 && journal_id > 0) {
        struct db_stmt *st = sqb_q(b->c, B_JOURNAL_SET);

        rc = st ? 0 : -STORE_E_IO;
        if (rc == 0) {
            sqi_bi(st, 1, journal_id);
            sqi_bt(st, 2, "processed");
            sqi_bt(st, 3, "");
            sqi_bi(st, 4, b->now);
            rc = sqi_exec1(b->c, st);
        }
    }
    if (b->open && !b->borrowed)
        rc = sqi_end_write(s, b->c, commit ? rc : -STORE_E_INVALID);
    if (!commit)
        rc = 0;
    if (rc == 0 && commit && summary != NULL) {
        b->sum.n_new = b->n_new;
        b->sum.n_replayed = b->n_replay;
        b->sum.n_matched = b->n_matched;
        b->sum.n_unmatched = b->n_unmatched;
        b->sum.n_ambiguous = b->n_ambiguous;
        b->sum.n_duplicate = b->n_dup;
        b->sum.n_ignored = b->n_ignored;
        b->sum.n_statements = b->n_stmts;
        *summary = b->sum;
        memset(&b->sum, 0, sizeof(b->sum));
    }
    store_bank_summary_free(&b->sum);
    if (!b->borrowed)
        sqi_put_conn(s, b->c);
    sqi_payer_names_put(s, b->pn);
    free(b->names);
    free(b);
    return rc;
}

int sqi_bank_claim(struct sqi_conn *c, int64_t org, const char *code,
                   int64_t intent, const char *actor, int64_t now)
{
    struct db_stmt *st;
    int64_t ids[64], amounts[64];
    char provs[64][16];
    int n = 0, i, rc;

    st = sqb_q(c, B_HELD);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, code);
    while ((rc = sqi_step(c, st)) == 1 && n < 64) {
        ids[n] = db_column_int64(st, 0);
        amounts[n] = db_column_int64(st, 1);
        snprintf(provs[n], sizeof(provs[n]), "%s", sqi_col_text(st, 2));
        n++;
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        rc = sqb_apply_intent(c, org, ids[i], intent, amounts[i], provs[i],
                              code, "code_claimed", actor, now, NULL, NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void store_bank_result_free(struct store_bank_result *r)
{
    if (r == NULL)
        return;
    free(r->candidates);
    memset(r, 0, sizeof(*r));
}

void store_bank_results_free(struct store_bank_results *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++)
        store_bank_result_free(&l->rows[i]);
    free(l->rows);
    memset(l, 0, sizeof(*l));
}

void store_bank_summary_free(struct store_bank_summary *s)
{
    if (s == NULL)
        return;
    free(s->balances);
    memset(s, 0, sizeof(*s));
}
