/*
 * cmd_report.c: the issue-6 commands of chopay-server: `report daily`,
 * `stats adoption`, `standee` and `audit verify`. They open the store
 * directly (no server needed) and print what the HTTP endpoints return.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "render.h"
#include "server.h"
#include "srv_report.h"

static int usage(const char *msg)
{
    fprintf(stderr, "chopay-server: usage: %s\n", msg);
    return 2;
}

static int fail(void)
{
    fprintf(stderr, "chopay-server: %s\n", store_error_message());
    return 1;
}

/* Write `len` bytes to stdout; 0 or 1. */
static int put(const char *text, size_t len)
{
    if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
        return 1;
    return 0;
}

static int report_daily_cmd(struct store *st, const struct srv_cli *a)
{
    char today[11], *text = NULL;
    const char *date = a->date;
    size_t len = 0;
    int64_t org = 0;
    int rc;

    if (a->org == NULL)
        return usage("report daily --org CODE [--date YYYY-MM-DD] [--csv]");
    if (date == NULL) {
        report_day_format(srv_vn_day((int64_t)time(NULL)), today);
        date = today;
    }
    rc = st->ops->org_id(st, a->org, &org);
    if (rc == 0)
        rc = srv_report_daily(st, org, a->org, date, a->csv ? ',' : 0, &text,
                              &len);
    if (rc != 0)
        return fail();
    rc = put(text, len);
    if (rc == 0 && !a->csv)
        rc = put("\n", 1);
    free(text);
    return rc;
}

static int stats_adoption_cmd(struct store *st, const struct srv_cli *a)
{
    struct srv_adoption_req rq;
    char *text = NULL, prov[STORE_PROVINCE_MAX + 1];
    size_t len = 0;
    int rc;

    memset(&rq, 0, sizeof(rq));
    if (a->from == NULL || a->to == NULL ||
        report_day_parse(a->from, &rq.from) != 0 ||
        report_day_parse(a->to, &rq.to) != 0 ||
        (a->org != NULL && a->province != NULL))
        return usage("stats adoption --from YYYY-MM-DD --to YYYY-MM-DD"
                     " [--org CODE | --province NAME] [--fee CODE] [--csv]");
    if (a->org != NULL && st->ops->org_id(st, a->org, &rq.org_id) != 0)
        return fail();
    if (a->province != NULL &&
        st->ops->province_find(st, a->province, prov, sizeof(prov)) != 0)
        return fail();
    rq.province = a->province != NULL ? prov : NULL;
    rq.fee = a->fee;
    rq.bucket = rq.to - rq.from > 92 ? REPORT_BUCKET_MONTH : REPORT_BUCKET_WEEK;
    rq.sep = a->csv ? ',' : 0;
    rc = srv_report_adoption(st, &rq, &text, &len);
    if (rc != 0)
        return fail();
    rc = put(text, len);
    if (rc == 0 && !a->csv)
        rc = put("\n", 1);
    free(text);
    return rc;
}

/* standee --org CODE (--all | --payer CODE) --out DIR [--paper a5|a6] */
static int standee_cmd(struct store *st, const struct srv_cli *a)
{
    struct render_opts o = {RENDER_PDF, RENDER_A5, 0};
    struct store_standees j;
    int64_t org = 0;
    size_t i, made = 0;
    int rc, bad = 0;

    if (a->org == NULL || a->out == NULL || (a->all == (a->payer != NULL)) ||
        (a->paper != NULL && strcmp(a->paper, "a5") != 0 &&
         strcmp(a->paper, "a6") != 0))
        return usage("standee --org CODE (--all | --payer CODE) --out DIR"
                     " [--paper a5|a6]");
    if (a->paper != NULL && strcmp(a->paper, "a6") == 0)
        o.paper = RENDER_A6;
    if (mkdir(a->out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "chopay-server: %s: %s\n", a->out, strerror(errno));
        return 1;
    }
    memset(&j, 0, sizeof(j));
    rc = st->ops->org_id(st, a->org, &org);
    if (rc == 0)
        rc = st->ops->standee_payers(st, org, a->payer, &j);
    if (rc != 0)
        return fail();
    if (a->payer != NULL && j.n_payers == 0) {
        fprintf(stderr, "chopay-server: no payer %s\n", a->payer);
        store_standees_free(&j);
        return 1;
    }
    for (i = 0; i < j.n_payers; i++) {
        const struct store_standee_payer *p = &j.payers[i];
        struct standee_info si;
        char path[1024];
        int k;

        si.market = j.org_name;
        si.stall_code = p->code;
        si.vendor = p->name;
        si.bin = p->bank_bin;
        si.account = p->bank_account;
        si.holder = p->bank_account_name;
        if (si.holder == NULL || si.holder[0] == '\0')
            si.holder = si.vendor;
        if (si.bin[0] == '\0' || si.account[0] == '\0') {
            if (a->payer != NULL) {
                fprintf(stderr,
                        "chopay-server: %s has no bank account of its"
                        " own\n",
                        si.stall_code);
                bad = 1;
            }
            continue;
        }
        for (k = 0; k < 2; k++) {
            o.format = k == 0 ? RENDER_PDF : RENDER_PNG;
            snprintf(path, sizeof(path), "%s/%s.%s", a->out, si.stall_code,
                     k == 0 ? "pdf" : "png");
            rc = render_standee(&si, &o, path);
            if (rc != 0) {
                fprintf(stderr, "chopay-server: %s: %s\n", si.stall_code,
                        render_strerror(rc));
                bad = 1;
                break;
            }
        }
        if (rc != 0)
            continue;
        rc = st->ops->standee_record(st, org, si.stall_code, "pdf",
                                     o.paper == RENDER_A6 ? "a6" : "a5", "cli",
                                     (int64_t)time(NULL));
        if (rc != 0) {
            store_standees_free(&j);
            return fail();
        }
        printf("%s/%s.pdf\n", a->out, si.stall_code);
        made++;
    }
    fprintf(stderr, "chopay-server: %zu standees in %s\n", made, a->out);
    store_standees_free(&j);
    return bad;
}

static int audit_verify_cmd(struct store *st)
{
    int64_t n = 0;
    int rc = st->ops->audit_verify(st, &n);

    if (rc != 0) {
        fprintf(stderr, "chopay-server: audit chain BROKEN: %s\n",
                store_error_message());
        return 1;
    }
    printf("audit chain ok: %lld entries\n", (long long)n);
    rc = srv_closes_verify(st, stdout, &n);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: BROKEN: %s\n", store_error_message());
        return 1;
    }
    printf("closed days ok: %lld\n", (long long)n);
    return 0;
}

int srv_cli_run(const struct srv_config *c, const struct srv_cli *a)
{
    struct store *st = NULL;
    const char *cmd = a->pos[0];
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    int rc;

    if (strcmp(cmd, "report") == 0 && (a->npos != 2 || strcmp(sub, "daily")))
        return usage("report daily --org CODE [--date D] [--csv]");
    if (strcmp(cmd, "audit") == 0 && (a->npos != 2 || strcmp(sub, "verify")))
        return usage("audit verify");
    if (strcmp(cmd, "stats") == 0 && (a->npos != 2 || strcmp(sub, "adoption")))
        return usage("stats adoption --from D --to D [--org CODE |"
                     " --province NAME] [--fee CODE] [--csv]");
    if (strcmp(cmd, "standee") == 0 && a->npos != 1)
        return usage("standee --org CODE (--all | --payer CODE) --out DIR");
    if (server_open_store(c, 1, &st) != 0)
        return 1;
    if (strcmp(cmd, "report") == 0)
        rc = report_daily_cmd(st, a);
    else if (strcmp(cmd, "audit") == 0)
        rc = audit_verify_cmd(st);
    else if (strcmp(cmd, "stats") == 0)
        rc = stats_adoption_cmd(st, a);
    else if (strcmp(cmd, "standee") == 0)
        rc = standee_cmd(st, a);
    else
        rc = usage("report|stats|standee|audit");
    store_close(st);
    return rc;
}
