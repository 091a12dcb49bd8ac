/*
 * payer_names.c: an organisation's active payers with their names and
 * guardians' names folded and split into words, as the suggestions for
 * unmatched credits score them, kept between batches: every webhook group
 * would otherwise read and fold them all again. A set is read once and
 * shared (counted references; it never changes once built) until a payer
 * is written in this process (sqi_payers_changed) or PAYER_NAMES_TTL
 * seconds have passed (one written on another node is seen by then; a
 * suggestion is advice, never applied).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match.h"
#include "store_int.h"

#define PAYER_NAMES_TTL 30
#define PAYER_NAMES_MAX                                                        \
    (int)(sizeof(((struct sq *)0)->payer_names) / sizeof(struct payer_names *))

/* Bumped by every payer write of the process: sets read before are old. */
static atomic_uint_fast64_t payers_version;

void sqi_payers_changed(void)
{
    atomic_fetch_add(&payers_version, 1);
}

static int64_t mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static void names_free(struct payer_names *p)
{
    if (p == NULL)
        return;
    free(p->payers);
    free(p->words);
    free(p);
}

/* Name `folded`'s words appended to p->words, as [*at, *at + *n). */
static int split(struct payer_names *p, const char *folded, size_t *at,
                 size_t *n)
{
    if (p->cap_words - p->n_words < MATCH_WORDS_MAX) {
        size_t cap = p->cap_words ? p->cap_words * 2 : 4 * MATCH_WORDS_MAX;
        struct match_word *nw = realloc(p->words, cap * sizeof(*nw));

        if (nw == NULL)
            return -1;
        p->words = nw;
        p->cap_words = cap;
    }
    *at = p->n_words;
    *n = match_words(folded, p->words + p->n_words, MATCH_WORDS_MAX);
    p->n_words += *n;
    return 0;
}

/* Read organisation `org`'s payers on `c` (in its transaction). */
static struct payer_names *names_load(struct sqi_conn *c, int64_t org)
{
    struct payer_names *p = calloc(1, sizeof(*p));
    struct db_stmt *st;
    size_t cap = 0;
    int rc;

    if (p == NULL)
        return NULL;
    p->org = org;
    p->version = atomic_load(&payers_version);
    p->loaded = mono_now();
    st = sqb_q(c, B_PAYERS);
    if (st == NULL) {
        free(p);
        return NULL;
    }
    sqi_bi(st, 1, org);
    while ((rc = sqi_step(c, st)) == 1) {
        struct bpayer *y;

        if (p->n_payers == cap) {
            struct bpayer *ny;

            cap = cap ? cap * 2 : 64;
            ny = realloc(p->payers, cap * sizeof(*ny));
            if (ny == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            p->payers = ny;
        }
        y = &p->payers[p->n_payers++];
        snprintf(y->code, sizeof(y->code), "%s", sqi_col_text(st, 0));
        snprintf(y->name, sizeof(y->name), "%s", sqi_col_text(st, 1));
        match_fold_name(sqi_col_text(st, 1), y->folded, sizeof(y->folded));
        match_fold_name(sqi_col_text(st, 2), y->guardian, sizeof(y->guardian));
        if (split(p, y->folded, &y->folded_at, &y->n_folded) != 0 ||
            split(p, y->guardian, &y->guardian_at, &y->n_guardian) != 0) {
            rc = -STORE_E_IO;
            break;
        }
    }
    db_reset(st);
    if (rc < 0) {
        names_free(p);
        return NULL;
    }
    return p;
}

static int fresh(const struct payer_names *p)
{
    return p->version == atomic_load(&payers_version) &&
           mono_now() - p->loaded < PAYER_NAMES_TTL;
}

/* Drop the cache's reference to set i (under s->mu). */
static void evict(struct sq *s, int i)
{
    struct payer_names *p = s->payer_names[i];

    s->payer_names[i] = NULL;
    if (p != NULL && --p->refs == 0)
        names_free(p);
}

struct payer_names *sqi_payer_names_get(struct sq *s, struct sqi_conn *c,
                                        int64_t org)
{
    struct payer_names *p = NULL, *fresh_set;
    int i, slot = -1;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < PAYER_NAMES_MAX; i++) {
        struct payer_names *q = s->payer_names[i];

        if (q != NULL && q->org == org) {
            if (fresh(q)) {
                q->refs++;
                p = q;
            }
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (p != NULL)
        return p;
    fresh_set = names_load(c, org);
    if (fresh_set == NULL)
        return NULL;
    pthread_mutex_lock(&s->mu);
    for (i = 0; i < PAYER_NAMES_MAX; i++) {
        struct payer_names *q = s->payer_names[i];

        if (q != NULL && q->org == org) {
            slot = i;
            break;
        }
        if (slot < 0 && (q == NULL || !fresh(q)))
            slot = i;
    }
    if (slot < 0)
        slot = (int)(org % PAYER_NAMES_MAX);
    evict(s, slot);
    fresh_set->refs = 2; /* the cache's and the caller's */
    s->payer_names[slot] = fresh_set;
    pthread_mutex_unlock(&s->mu);
    return fresh_set;
}

void sqi_payer_names_put(struct sq *s, struct payer_names *p)
{
    int gone;

    if (p == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    gone = --p->refs == 0;
    pthread_mutex_unlock(&s->mu);
    if (gone)
        names_free(p);
}

void sqi_payer_names_free(struct sq *s)
{
    int i;

    for (i = 0; i < PAYER_NAMES_MAX; i++)
        evict(s, i);
}
