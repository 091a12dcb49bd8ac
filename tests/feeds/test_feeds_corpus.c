/*
 * test_feeds_corpus.c: MT940/MT942 and camt.052/053/054 files from other
 * open-source parsers' test suites (tests/data/feeds/corpus/, sources and
 * licences in its SOURCES.md) against the figures in its expected.tsv:
 * each file imports with exactly those statements, sums and balances, or
 * fails with the stated error at the stated line. Never a wrong total,
 * never a dropped entry.
 */
#include "feeds.h"
#include "feeds_test.h"
#include "harness.h"

#include <dirent.h>

#define CORPUS     "corpus/"
#define MAX_LINES  256
#define MAX_FIELDS 12

struct row {
    char *f[MAX_FIELDS]; /* tab-separated fields, pointing into the file */
    int n;
};

static struct row rows[MAX_LINES];
static int nrows;

/* Split expected.tsv into rows; comment and empty lines are skipped. */
static char *load_expected(void)
{
    char *all = ft_read(CORPUS "expected.tsv", NULL), *p = all;

    while (*p) {
        char *e = strchr(p, '\n'), *q;
        struct row *r;

        if (e)
            *e = '\0';
        if (*p && *p != '#') {
            if (nrows == MAX_LINES) {
                fprintf(stderr, "expected.tsv: too many lines\n");
                exit(2);
            }
            r = &rows[nrows++];
            r->n = 0;
            for (q = p; q && r->n < MAX_FIELDS;) {
                r->f[r->n++] = q;
                q = strchr(q, '\t');
                if (q)
                    *q++ = '\0';
            }
        }
        if (!e)
            break;
        p = e + 1;
    }
    return all;
}

static const char *check_name(enum feeds_balance_check c)
{
    return c == FEEDS_BAL_OK         ? "ok"
           : c == FEEDS_BAL_MISMATCH ? "mismatch"
                                     : "unchecked";
}

/* A balance as expected.tsv writes it: the integer, or "-" for none. */
static void check_balance(const char *file, size_t i, const char *want, int has,
                          int64_t got)
{
    char buf[32] = "-";

    if (has)
        snprintf(buf, sizeof buf, "%lld", (long long)got);
    if (strcmp(want, buf) != 0)
        fprintf(stderr, "%s statement %zu: balance %s, expected %s\n", file,
                i + 1, buf, want);
    CHECK_STR(buf, want);
}

/* Every transaction belongs to a statement of the file, in its currency,
 * and per statement they add up to the statement's credits and debits. */
static void check_transactions(const char *file, const struct bank_txn_list *l)
{
    size_t i, k;

    for (k = 0; k < l->n; k++) {
        const struct bank_txn *t = &l->txns[k];

        CHECK(t->statement >= 0 && (size_t)t->statement < l->nstmts);
        if (t->statement < 0 || (size_t)t->statement >= l->nstmts)
            return;
        CHECK_STR(t->currency, l->stmts[t->statement].currency);
        CHECK_INT(t->exponent, l->stmts[t->statement].exponent);
        CHECK(t->amount >= 0);
        CHECK(t->booking_date[0] != '\0');
        CHECK(t->provider_txn_id[0] != '\0');
    }
    for (i = 0; i < l->nstmts; i++) {
        int64_t cr = 0, dr = 0;

        for (k = 0; k < l->n; k++) {
            const struct bank_txn *t = &l->txns[k];

            if ((size_t)t->statement != i)
                continue;
            if (t->direction == FEEDS_CREDIT)
                cr += t->amount;
            else
                dr += t->amount;
        }
        if (cr != l->stmts[i].credits || dr != l->stmts[i].debits)
            fprintf(stderr, "%s statement %zu: transactions give %lld/%lld\n",
                    file, i + 1, (long long)cr, (long long)dr);
        CHECK(cr == l->stmts[i].credits);
        CHECK(dr == l->stmts[i].debits);
    }
}

/* Parse `file` with format detection and compare with rows[first..last). */
static void check_file(const char *file, int first, int last)
{
    char path[256];
    size_t len, i;
    char *buf;
    struct bank_txn_list l = {0};
    struct feeds_error e;
    int rc;

    snprintf(path, sizeof path, CORPUS "%s", file);
    buf = ft_read(path, &len);
    memset(&e, 0, sizeof e);
    rc = feeds_parse_statement(buf, len, 0, NULL, &l, &e);
    free(buf);
    if (strcmp(rows[first].f[1], "error") == 0) {
        CHECK_INT(last - first, 1);
        CHECK_INT(rows[first].n, 4);
        if (rc == 0)
            fprintf(stderr, "%s: imported, expected an error\n", file);
        else if (strcmp(feeds_error_name(rc), rows[first].f[2]) ||
                 e.line != atol(rows[first].f[3]))
            fprintf(stderr, "%s: %s at line %ld (%s), expected %s at %s\n",
                    file, feeds_error_name(rc), e.line, e.message,
                    rows[first].f[2], rows[first].f[3]);
        CHECK(rc < 0);
        CHECK_STR(feeds_error_name(rc), rows[first].f[2]);
        CHECK_INT(e.line, atol(rows[first].f[3]));
        CHECK(e.message[0] != '\0');
        CHECK_INT(l.n, 0); /* a refused file yields nothing */
        CHECK_INT(l.nstmts, 0);
        feeds_list_free(&l);
        return;
    }
    if (rc)
        fprintf(stderr, "%s: %s line %ld %s: %s\n", file, feeds_error_name(rc),
                e.line, e.path, e.message);
    CHECK_INT(rc, 0);
    CHECK_INT(l.nstmts, (size_t)(last - first));
    for (i = 0; rc == 0 && i < l.nstmts && (int)i < last - first; i++) {
        const struct feeds_statement *s = &l.stmts[i];
        struct row *r = &rows[first + (int)i];
        long ntx = 0;
        size_t k;

        CHECK_INT(r->n, 11);
        if (r->n != 11)
            continue;
        CHECK_INT(atol(r->f[1]), (long)i + 1);
        CHECK_STR(s->currency, r->f[2]);
        check_balance(file, i, r->f[3], s->has_opening, s->opening);
        check_balance(file, i, r->f[4], s->has_closing, s->closing);
        CHECK_INT(s->n_credits, atol(r->f[5]));
        CHECK_INT(s->credits, atoll(r->f[6]));
        CHECK_INT(s->n_debits, atol(r->f[7]));
        CHECK_INT(s->debits, atoll(r->f[8]));
        for (k = 0; k < l.n; k++)
            ntx += l.txns[k].statement == (long)i;
        CHECK_INT(ntx, atol(r->f[9]));
        CHECK_STR(check_name(s->check), r->f[10]);
        if (s->credits != atoll(r->f[6]) || s->debits != atoll(r->f[8]))
            fprintf(stderr, "%s statement %zu: credits %lld debits %lld\n",
                    file, i + 1, (long long)s->credits, (long long)s->debits);
    }
    check_transactions(file, &l);
    feeds_list_free(&l);
}

/* Every data file of the corpus folder has lines in expected.tsv. */
static void test_all_listed(void)
{
    DIR *d = opendir(FEEDS_DATA CORPUS);
    struct dirent *de;
    int n = 0, i;

    CHECK(d != NULL);
    if (!d)
        return;
    while ((de = readdir(d))) {
        const char *x = strrchr(de->d_name, '.');
        int found = 0;

        if (!x ||
            (strcmp(x, ".xml") && strcmp(x, ".mt940") && strcmp(x, ".mt942")))
            continue;
        n++;
        for (i = 0; i < nrows; i++)
            found |= strcmp(rows[i].f[0], de->d_name) == 0;
        if (!found)
            fprintf(stderr, "%s is not in expected.tsv\n", de->d_name);
        CHECK(found);
    }
    closedir(d);
    CHECK(n >= 20);
}

static void test_corpus(void)
{
    int i = 0, files = 0;

    while (i < nrows) {
        int j = i + 1;

        while (j < nrows && strcmp(rows[j].f[0], rows[i].f[0]) == 0)
            j++;
        check_file(rows[i].f[0], i, j);
        files++;
        i = j;
    }
    CHECK(files >= 20);
}

int main(void)
{
    char *all = load_expected();

    test_all_listed();
    test_corpus();
    free(all);
    return TEST_END();
}
