/*
 * cred_cache.c: the principals of recently authenticated bearer
 * credentials, keyed by the SHA-256 of the credential, so that a request
 * with a known key costs no database read.
 *
 * An entry is believed only while two things hold:
 *  - the cache's generation is the one it was looked up under: every
 *    change to a credential made through this store (revoke, disable,
 *    add) moves the generation after its commit, which voids every entry,
 *    and a lookup begun before such a change never enters the table; so
 *    a credential revoked through this server is refused on its very next
 *    request;
 *  - it is younger than CRED_CACHE_MS: a revocation made elsewhere (by
 *    another node on the same PostgreSQL database, or by the command
 *    line) is seen within that time at most. On PostgreSQL the revoking
 *    store also notifies the other nodes, which empty their tables when
 *    they hear it (nodes.c), usually well before.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* Slots of the table (a power of two) and how long an entry is believed. */
#define CC_SLOTS 16384
#define CC_MS    1000

struct cc_slot {
    char hash[65];              /* hex SHA-256 of the key, "" = free */
    struct store_principal who; /* what it authenticates as */
    int64_t last_used;          /* last_used_at as known (unix seconds) */
    int64_t until_ms;           /* believed until (monotonic ms) */
    uint64_t gen;               /* the cache's generation when entered */
};

struct cred_cache {
    pthread_mutex_t mu;   /* guards everything below */
    uint64_t gen;         /* moved by every local credential change */
    struct cc_slot *slot; /* CC_SLOTS slots, direct mapped */
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The slot of `hash` (hex digits; its first eight pick it). */
static size_t slot_of(const char *hash)
{
    uint32_t h = 2166136261u;
    int i;

    for (i = 0; i < 8 && hash[i] != '\0'; i++)
        h = (h ^ (uint8_t)hash[i]) * 16777619u;
    return h & (CC_SLOTS - 1);
}

struct cred_cache *cred_cache_new(void)
{
    struct cred_cache *cc = calloc(1, sizeof(*cc));

    if (cc == NULL)
        return NULL;
    cc->slot = calloc(CC_SLOTS, sizeof(*cc->slot));
    if (cc->slot == NULL) {
        free(cc);
        return NULL;
    }
    pthread_mutex_init(&cc->mu, NULL);
    return cc;
}

void cred_cache_free(struct cred_cache *cc)
{
    if (cc == NULL)
        return;
    pthread_mutex_destroy(&cc->mu);
    free(cc->slot);
    free(cc);
}

int cred_cache_get(struct cred_cache *cc, const char *hash,
                   struct store_principal *who, int64_t *last_used,
                   uint64_t *gen)
{
    struct cc_slot *sl;
    int hit = 0;

    if (cc == NULL) {
        *gen = 0;
        return 0;
    }
    sl = &cc->slot[slot_of(hash)];
    pthread_mutex_lock(&cc->mu);
    *gen = cc->gen;
    if (sl->gen == cc->gen && sl->hash[0] != '\0' &&
        strcmp(sl->hash, hash) == 0 && sl->until_ms > mono_ms()) {
        *who = sl->who;
        *last_used = sl->last_used;
        hit = 1;
    }
    pthread_mutex_unlock(&cc->mu);
    return hit;
}

void cred_cache_put(struct cred_cache *cc, const char *hash,
                    const struct store_principal *who, int64_t last_used,
                    uint64_t gen)
{
    struct cc_slot *sl;

    if (cc == NULL || strlen(hash) >= sizeof(sl->hash))
        return;
    sl = &cc->slot[slot_of(hash)];
    pthread_mutex_lock(&cc->mu);
    if (gen == cc->gen) { /* no credential changed since the lookup began */
        memcpy(sl->hash, hash, strlen(hash) + 1);
        sl->who = *who;
        sl->last_used = last_used;
        sl->until_ms = mono_ms() + CC_MS;
        sl->gen = gen;
    }
    pthread_mutex_unlock(&cc->mu);
}

void cred_cache_used(struct cred_cache *cc, const char *hash, int64_t now)
{
    struct cc_slot *sl;

    if (cc == NULL)
        return;
    sl = &cc->slot[slot_of(hash)];
    pthread_mutex_lock(&cc->mu);
    if (sl->gen == cc->gen && strcmp(sl->hash, hash) == 0 &&
        sl->last_used < now)
        sl->last_used = now;
    pthread_mutex_unlock(&cc->mu);
}

void cred_cache_clear(struct cred_cache *cc)
{
    if (cc == NULL)
        return;
    pthread_mutex_lock(&cc->mu);
    cc->gen++; /* every entry is now of an older generation */
    pthread_mutex_unlock(&cc->mu);
}
