/*
 * http.c: the libmicrohttpd side of chopay-server: the daemon (epoll, a
 * small thread pool, suspend/resume for long polls), routing through the
 * static table in routes.c, bodies with a hard limit, bearer
 * authentication, per-credential rate limits, the one error reply, the
 * request log and the Prometheus counters.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api.h"
#include "crypto.h"
#include "dash.h"
#include "offload.h"

static int64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- rate limiting
 * ------------------------------------------------------------ */

/*
 * Token buckets in a fixed table: a key hashes to a window of RL_PROBE
 * slots. A key without a slot takes a free one, else one whose bucket
 * has refilled completely (idle long enough that forgetting it changes
 * nothing), else the least recently used slot of its window. Every key
 * therefore always has a bucket: a full table never lets a request pass
 * unmetered.
 */
#define RL_SLOTS 4096
#define RL_PROBE 16

struct rl_slot {
    char key[64];   /* credential ("kiosk:3") or prefix, "" = free */
    int64_t tokens; /* micro-tokens */
    int64_t last;   /* monotonic us of last refill (and use) */
};

struct ratelimit {
    pthread_mutex_t mu;         /* guards slots and evictions */
    struct rl_slot s[RL_SLOTS]; /* open addressing */
    int64_t rate;               /* tokens per second */
    int64_t burst;              /* bucket size */
    uint64_t evictions;         /* slots taken from a live key */
};

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

/* 1 when the bucket of `sl` has refilled to the burst by time `t`. */
static int rl_idle(const struct ratelimit *rl, const struct rl_slot *sl,
                   int64_t t)
{
    int64_t full = rl->burst * 1000000;

    return sl->tokens + (t - sl->last) * rl->rate >= full;
}

/* 1 when `key` may make one more request now. */
static int rl_take(struct ratelimit *rl, const char *key)
{
    uint32_t h = fnv(key);
    int64_t t = now_us();
    struct rl_slot *sl = NULL, *spare = NULL, *lru = NULL;
    int i, ok = 1;

    if (rl->rate <= 0)
        return 1;
    pthread_mutex_lock(&rl->mu);
    for (i = 0; i < RL_PROBE; i++) {
        struct rl_slot *c = &rl->s[(h + (uint32_t)i) % RL_SLOTS];

        if (c->key[0] != '\0' && strcmp(c->key, key) == 0) {
            sl = c;
            break;
        }
        if (spare == NULL && (c->key[0] == '\0' || rl_idle(rl, c, t)))
            spare = c;
        if (lru == NULL || c->last < lru->last)
            lru = c;
    }
    if (sl == NULL) {
        sl = spare;
        if (sl == NULL) {
            sl = lru;
            rl->evictions++;
        }
        snprintf(sl->key, sizeof(sl->key), "%s", key);
        sl->tokens = rl->burst * 1000000;
        sl->last = t;
    }
    sl->tokens += (t - sl->last) * rl->rate;
    if (sl->tokens > rl->burst * 1000000)
        sl->tokens = rl->burst * 1000000;
    sl->last = t;
    if (sl->tokens >= 1000000)
        sl->tokens -= 1000000;
    else
        ok = 0;
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

/*
 * The rate-limit key of an unauthenticated client: its network prefix,
 * /24 for IPv4 and /64 for IPv6 ("net:203.0.113.0/24"), so that one
 * holder of a block of addresses shares one budget. Text that is not an
 * address is used as it is.
 */
static void rl_prefix_key(const char *ip, char *key, size_t cap)
{
    struct in_addr a4;
    struct in6_addr a6;
    char txt[INET6_ADDRSTRLEN];

    if (inet_pton(AF_INET, ip, &a4) == 1) {
        ((uint8_t *)&a4.s_addr)[3] = 0;
        inet_ntop(AF_INET, &a4, txt, sizeof(txt));
        snprintf(key, cap, "net:%s/24", txt);
    } else if (inet_pton(AF_INET6, ip, &a6) == 1 && IN6_IS_ADDR_V4MAPPED(&a6)) {
        memcpy(&a4.s_addr, a6.s6_addr + 12, 4);
        ((uint8_t *)&a4.s_addr)[3] = 0;
        inet_ntop(AF_INET, &a4, txt, sizeof(txt));
        snprintf(key, cap, "net:%s/24", txt);
    } else if (inet_pton(AF_INET6, ip, &a6) == 1) {
        memset(a6.s6_addr + 8, 0, 8);
        inet_ntop(AF_INET6, &a6, txt, sizeof(txt));
        snprintf(key, cap, "net:%s/64", txt);
    } else {
        snprintf(key, cap, "addr:%.50s", ip);
    }
}

/* ---- metrics ----------------------------------------------------------------
 */

#define N_BUCKETS 10
static const double bucket_le[N_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,  0.1,    0.5,   1,    10};
#define MAX_ROUTES 128

struct route_metrics {
    _Atomic uint64_t by_class[6];            /* 1xx..5xx by status / 100 */
    _Atomic uint64_t buckets[N_BUCKETS + 1]; /* latency, last is +Inf */
    _Atomic uint64_t sum_us;                 /* total latency */
};

struct metrics {
    struct route_metrics r[MAX_ROUTES + 1]; /* last: unmatched */
};

static void metrics_record(struct metrics *m, int route, int status, int64_t us)
{
    struct route_metrics *rm = &m->r[route < 0 ? MAX_ROUTES : route];
    double s = (double)us / 1e6;
    int i, cls = status / 100;

    if (cls < 0 || cls > 5)
        cls = 0;
    atomic_fetch_add(&rm->by_class[cls], 1);
    for (i = 0; i < N_BUCKETS; i++)
        if (s <= bucket_le[i])
            break;
    atomic_fetch_add(&rm->buckets[i], 1);
    atomic_fetch_add(&rm->sum_us, (uint64_t)us);
}

/* A growable text buffer for the metrics page. */
struct tbuf {
    char *p;
    size_t len, cap;
};

static void tb_add(struct tbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tb_add(struct tbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        if (b->p == NULL || b->cap - b->len < 256) {
            size_t nc = b->cap ? b->cap * 2 : 8192;
            char *np = realloc(b->p, nc);

            if (np == NULL)
                return;
            b->p = np;
            b->cap = nc;
        }
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->len + (size_t)n + 1 > b->cap * 2 ? b->len + (size_t)n + 1
                                                     : b->cap * 2;
        {
            char *np = realloc(b->p, b->cap);

            if (np == NULL)
                return;
            b->p = np;
        }
    }
}

char *srv_metrics_text(struct srv *s, size_t *len)
{
    struct tbuf b = {0};
    struct store_stats stats;
    size_t i;
    int k;

    tb_add(&b, "# HELP chopay_http_requests_total HTTP requests by route "
               "and status class.\n"
               "# TYPE chopay_http_requests_total counter\n");
    for (i = 0; i <= api_n_routes; i++) {
        struct route_metrics *rm = &s->m->r[i == api_n_routes ? MAX_ROUTES : i];
        const char *pat =
            i == api_n_routes ? "unmatched" : api_routes[i].pattern;
        const char *meth = i == api_n_routes ? "" : api_routes[i].method;

        for (k = 1; k <= 5; k++) {
            uint64_t v = atomic_load(&rm->by_class[k]);

            if (v)
                tb_add(&b,
                       "chopay_http_requests_total{method=\"%s\","
                       "route=\"%s\",code=\"%dxx\"} %llu\n",
                       meth, pat, k, (unsigned long long)v);
        }
    }
    tb_add(&b, "# HELP chopay_http_request_duration_seconds Latency by "
               "route.\n"
               "# TYPE chopay_http_request_duration_seconds histogram\n");
    for (i = 0; i <= api_n_routes; i++) {
        struct route_metrics *rm = &s->m->r[i == api_n_routes ? MAX_ROUTES : i];
        const char *pat =
            i == api_n_routes ? "unmatched" : api_routes[i].pattern;
        const char *meth = i == api_n_routes ? "" : api_routes[i].method;
        uint64_t cum = 0;

        for (k = 0; k <= N_BUCKETS; k++)
            cum += atomic_load(&rm->buckets[k]);
        if (cum == 0)
            continue;
        cum = 0;
        for (k = 0; k <= N_BUCKETS; k++) {
            char le[32];

            cum += atomic_load(&rm->buckets[k]);
            if (k == N_BUCKETS)
                snprintf(le, sizeof(le), "+Inf");
            else
                snprintf(le, sizeof(le), "%g", bucket_le[k]);
            tb_add(&b,
                   "chopay_http_request_duration_seconds_bucket{method="
                   "\"%s\",route=\"%s\",le=\"%s\"} %llu\n",
                   meth, pat, le, (unsigned long long)cum);
        }
        tb_add(&b,
               "chopay_http_request_duration_seconds_sum{method=\"%s\","
               "route=\"%s\"} %.6f\n"
               "chopay_http_request_duration_seconds_count{method=\"%s\","
               "route=\"%s\"} %llu\n",
               meth, pat, (double)atomic_load(&rm->sum_us) / 1e6, meth, pat,
               (unsigned long long)cum);
    }
    tb_add(&b,
           "# HELP chopay_longpoll_waiting Long polls suspended now.\n"
           "# TYPE chopay_longpoll_waiting gauge\n"
           "chopay_longpoll_waiting %lld\n",
           (long long)notify_waiting(s->nt));
    if (s->rl != NULL) {
        uint64_t ev;

        pthread_mutex_lock(&s->rl->mu);
        ev = s->rl->evictions;
        pthread_mutex_unlock(&s->rl->mu);
        tb_add(&b,
               "# HELP chopay_ratelimit_evictions_total Rate-limit buckets "
               "taken from a recently active key because the table was "
               "full.\n"
               "# TYPE chopay_ratelimit_evictions_total counter\n"
               "chopay_ratelimit_evictions_total %llu\n",
               (unsigned long long)ev);
    }
    if (s->st->ops->stats(s->st, &stats) == 0) {
        tb_add(&b, "# HELP chopay_intents Payment intents by status.\n"
                   "# TYPE chopay_intents gauge\n");
        for (i = 0; i < stats.n_intents; i++)
            tb_add(&b, "chopay_intents{status=\"%s\"} %lld\n",
                   stats.intents[i].key, (long long)stats.intents[i].count);
        tb_add(&b, "# HELP chopay_payments_total Payments by method.\n"
                   "# TYPE chopay_payments_total counter\n");
        for (i = 0; i < stats.n_payments; i++)
            tb_add(&b, "chopay_payments_total{method=\"%s\"} %lld\n",
                   stats.payments[i].key, (long long)stats.payments[i].count);
        tb_add(&b, "# HELP chopay_payments_dong_total Đồng received by "
                   "method.\n"
                   "# TYPE chopay_payments_dong_total counter\n");
        for (i = 0; i < stats.n_payments; i++)
            tb_add(&b, "chopay_payments_dong_total{method=\"%s\"} %lld\n",
                   stats.payments[i].key, (long long)stats.payments[i].amount);
        store_stats_free(&stats);
    }
    *len = b.len;
    return b.p;
}

/* The client's address as text ("?" when unknown). */
static void client_ip(struct MHD_Connection *conn, char *ip, size_t cap)
{
    const union MHD_ConnectionInfo *ci;

    snprintf(ip, cap, "?");
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET,
                  &((const struct sockaddr_in *)ci->client_addr)->sin_addr, ip,
                  (socklen_t)cap);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
                  ip, (socklen_t)cap);
}

void api_client_addr(struct req *r, char *ip, size_t cap)
{
    const char *xr;

    client_ip(r->conn, ip, cap);
    xr = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Real-IP");
    if (xr != NULL && (strcmp(ip, "127.0.0.1") == 0 || strcmp(ip, "::1") == 0))
        snprintf(ip, cap, "%.45s", xr);
}

/* ---- replies
 * ------------------------------------------------------------------- */

static enum MHD_Result queue(struct req *r, unsigned status, char *text,
                             size_t len, const char *ctype, const char *hname,
                             const char *hval)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (hname != NULL && hval != NULL)
        MHD_add_response_header(resp, hname, hval);
    r->status = (int)status;
    r->replied = 1;
    if (r->hold) {
        /* sent by send_held() once the body has been read and dropped */
        r->held = resp;
        r->held_status = status;
        return MHD_YES;
    }
    ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result api_reply_json_h(struct req *r, unsigned status, json_t *body,
                                 const char *hname, const char *hval)
{
    char *text = NULL;

    if (body != NULL)
        text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text == NULL)
        return MHD_NO;
    {
        size_t n = strlen(text);
        char *t2 = realloc(text, n + 2);

        if (t2 == NULL) {
            free(text);
            return MHD_NO;
        }
        t2[n] = '\n';
        t2[n + 1] = '\0';
        return queue(r, status, t2, n + 1, "application/json", hname, hval);
    }
}

enum MHD_Result api_reply_json(struct req *r, unsigned status, json_t *body)
{
    return api_reply_json_h(r, status, body, NULL, NULL);
}

enum MHD_Result api_reply_json_text(struct req *r, unsigned status, char *text,
                                    size_t len)
{
    if (text == NULL)
        return MHD_NO;
    return queue(r, status, text, len, "application/json", NULL, NULL);
}

enum MHD_Result api_reply_text(struct req *r, unsigned status,
                               const char *ctype, const char *text, size_t len)
{
    char *copy = malloc(len + 1);

    if (copy == NULL)
        return MHD_NO;
    memcpy(copy, text, len);
    copy[len] = '\0';
    return queue(r, status, copy, len, ctype, NULL, NULL);
}

enum MHD_Result api_reply_bytes(struct req *r, unsigned status,
                                const char *ctype, const void *data, size_t len,
                                const char *hname, const char *hval)
{
    char *copy = malloc(len + 1);

    if (copy == NULL)
        return MHD_NO;
    memcpy(copy, data, len);
    copy[len] = '\0';
    return queue(r, status, copy, len, ctype, hname, hval);
}

enum MHD_Result api_error(struct req *r, unsigned status, const char *code,
                          const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return api_reply_json(
        r, status,
        json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

enum MHD_Result api_store_error(struct req *r, int rc)
{
    unsigned status;

    switch (-rc) {
    case STORE_E_NOT_FOUND:
        status = MHD_HTTP_NOT_FOUND;
        break;
    case STORE_E_CONFLICT:
        /* a write dated a closed day, refused by the store */
        if (strcmp(store_error_message(), "day_closed") == 0)
            return api_error(r, MHD_HTTP_CONFLICT, "day_closed",
                             "that day is closed; record a correction "
                             "dated today instead");
        status = MHD_HTTP_CONFLICT;
        break;
    case STORE_E_IDEM:
        status = MHD_HTTP_CONFLICT;
        break;
    case STORE_E_INVALID:
    case STORE_E_OVERFLOW:
        status = MHD_HTTP_BAD_REQUEST;
        break;
    default:
        return api_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "storage_unavailable",
                         "storage failed; nothing was changed, retry later");
    }
    return api_error(r, status, store_error_code(), "%s",
                     store_error_message());
}

/* ---- bodies and queries
 * ------------------------------------------------------ */

const char *api_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int api_body(struct req *r, const struct api_field *fields, json_t **out,
             enum MHD_Result *res)
{
    json_error_t err;
    json_t *o;
    const char *key;
    json_t *v;
    const struct api_field *f;

    if (r->len == 0) {
        *res = api_error(r, 400, "invalid_json", "a JSON body is required");
        return -1;
    }
    o = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &err);
    if (o == NULL) {
        *res = api_error(r, 400, "invalid_json", "line %d: %s", err.line,
                         err.text);
        return -1;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        *res = api_error(r, 400, "invalid_json",
                         "the body must be an "
                         "object");
        return -1;
    }
    json_object_foreach(o, key, v)
    {
        int ok = 0;

        for (f = fields; f->name != NULL; f++)
            if (strcmp(f->name, key) == 0)
                break;
        if (f->name == NULL) {
            *res =
                api_error(r, 400, "unknown_field", "unknown field '%s'", key);
            goto fail;
        }
        switch (f->type) {
        case T_STR:
            ok = json_is_string(v) &&
                 json_string_length(v) <= (f->max ? f->max : 256) &&
                 strlen(json_string_value(v)) == json_string_length(v);
            break;
        case T_INT:
            ok = json_is_integer(v) && json_integer_value(v) >= 0 &&
                 json_integer_value(v) <=
                     (f->max ? (json_int_t)f->max
                             : (json_int_t)1000000000000000LL);
            break;
        case T_BOOL:
            ok = json_is_boolean(v);
            break;
        case T_IDS:
            ok = json_is_array(v) || (json_is_string(v) &&
                                      strcmp(json_string_value(v), "all") == 0);
            break;
        case T_OBJ:
            ok = json_is_object(v);
            break;
        }
        if (!ok) {
            *res = api_error(r, 400, "invalid_type",
                             "field '%s' has the wrong type or is out of "
                             "range",
                             key);
            goto fail;
        }
    }
    for (f = fields; f->name != NULL; f++)
        if (f->required && json_object_get(o, f->name) == NULL) {
            *res = api_error(r, 400, "missing_field", "field '%s' is required",
                             f->name);
            goto fail;
        }
    *out = o;
    return 0;
fail:
    json_decref(o);
    return -1;
}

int api_ids(struct req *r, json_t *v, int64_t **ids, size_t *n,
            enum MHD_Result *res)
{
    size_t i, cnt;
    int64_t *a;

    if (v == NULL || json_is_string(v)) {
        *ids = NULL;
        *n = 0;
        return 0;
    }
    cnt = json_array_size(v);
    if (cnt == 0 || cnt > 256) {
        *res = api_error(r, 400, "invalid_field",
                         "invoices: 1 to 256 ids, or \"all\"");
        return -1;
    }
    a = calloc(cnt, sizeof(*a));
    if (a == NULL)
        return -1;
    for (i = 0; i < cnt; i++) {
        json_t *e = json_array_get(v, i);

        if (!json_is_integer(e) || json_integer_value(e) <= 0) {
            free(a);
            *res = api_error(r, 400, "invalid_type",
                             "invoices: ids are positive integers");
            return -1;
        }
        a[i] = json_integer_value(e);
    }
    *ids = a;
    *n = cnt;
    return 0;
}

struct qcheck {
    const char *const *allowed;
    const char *bad;
};

static enum MHD_Result q_iter(void *cls, enum MHD_ValueKind kind,
                              const char *key, const char *value)
{
    struct qcheck *qc = cls;
    const char *const *a;

    (void)kind;
    (void)value;
    for (a = qc->allowed; a && *a; a++)
        if (strcmp(*a, key) == 0)
            return MHD_YES;
    qc->bad = key;
    return MHD_NO;
}

int api_query_check(struct req *r, const char *const *allowed,
                    enum MHD_Result *res)
{
    struct qcheck qc = {allowed, NULL};

    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, q_iter, &qc);
    if (qc.bad != NULL) {
        *res = api_error(r, 400, "unknown_parameter",
                         "unknown query parameter '%.64s'", qc.bad);
        return -1;
    }
    return 0;
}

const char *api_query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int api_decimal(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 19)
        return -1;
    v = strtoll(s, &end, 10);
    if (*end != '\0' || v < min || v > max)
        return -1;
    *out = (int64_t)v;
    return 0;
}

int api_code_ok(const char *s, size_t min, size_t max)
{
    size_t n;

    if (s == NULL)
        return 0;
    n = strlen(s);
    if (n < min || n > max)
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

void api_body_hash(struct req *r, char out[65])
{
    const struct route *rt = &api_routes[r->route];
    uint8_t h[CRYPTO_SHA256_LEN];
    size_t ml = strlen(rt->method), pl = strlen(rt->pattern);
    char *buf = malloc(ml + pl + r->len + 3);

    if (buf == NULL) {
        memset(out, '0', 64);
        out[64] = '\0';
        return;
    }
    memcpy(buf, rt->method, ml);
    buf[ml] = ' ';
    memcpy(buf + ml + 1, rt->pattern, pl);
    buf[ml + 1 + pl] = '\n';
    if (r->len)
        memcpy(buf + ml + pl + 2, r->body, r->len);
    crypto_sha256(buf, ml + pl + 2 + r->len, h);
    crypto_hex(h, sizeof(h), out);
    free(buf);
}

/* ---- routing ----------------------------------------------------------------
 */

/* Match `url` against `pat`, filling r->arg; 1 on match. */
static int match(const char *pat, const char *url, struct req *r)
{
    int na = 0;

    while (*pat && *url) {
        if (*pat == '{') {
            size_t n = strcspn(url, "/");

            if (n == 0 || n >= sizeof(r->arg[0]) || na >= API_MAX_ARGS)
                return 0;
            memcpy(r->arg[na], url, n);
            r->arg[na][n] = '\0';
            na++;
            url += n;
            pat = strchr(pat, '}');
            if (pat == NULL)
                return 0;
            pat++;
            continue;
        }
        if (*pat != *url)
            return 0;
        pat++;
        url++;
    }
    return *pat == '\0' && *url == '\0';
}

/* Find the route; -1 unknown path, -2 known path with another method. */
static int find_route(struct req *r, const char *url, char *allow, size_t cap)
{
    size_t i;
    int path_seen = 0;

    allow[0] = '\0';
    for (i = 0; i < api_n_routes; i++) {
        if (!match(api_routes[i].pattern, url, r))
            continue;
        if (strcmp(api_routes[i].method, r->method) == 0)
            return (int)i;
        path_seen = 1;
        if (strlen(allow) + 10 < cap) {
            if (allow[0])
                strcat(allow, ", ");
            strcat(allow, api_routes[i].method);
        }
    }
    return path_seen ? -2 : -1;
}

/* ---- authentication ---------------------------------------------------------
 */

/*
 * The 401 of a missing or unknown bearer key, counted against the
 * caller's network prefix like any unauthenticated request: a network
 * that keeps guessing gets 429 instead.
 */
enum MHD_Result api_unauthorized(struct req *r, const char *msg)
{
    char ip[64], key[80];

    api_client_addr(r, ip, sizeof(ip));
    rl_prefix_key(ip, key, sizeof(key));
    if (!rl_take(r->s->rl, key))
        return api_error(r, 429, "rate_limited",
                         "too many requests from this network; slow down");
    return api_error(r, 401, "unauthorized", "%s", msg);
}

static enum MHD_Result authenticate(struct req *r, int need, int *ok)
{
    const char *h =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    uint8_t d[CRYPTO_SHA256_LEN];
    char hex[65];
    int rc;

    *ok = 0;
    if (h == NULL && dash_cookie(r) != NULL) {
        /* a dashboard session (h_dash.c): the principal of its user, and
           the CSRF header on anything but GET */
        enum MHD_Result res;

        if (dash_authenticate(r, &res) != 0)
            return res;
    } else {
        if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) < 16 ||
            strlen(h + 7) > 256)
            return api_unauthorized(r, "send 'Authorization: Bearer <key>'");
        crypto_sha256(h + 7, strlen(h + 7), d);
        crypto_hex(d, sizeof(d), hex);
        rc = r->s->st->ops->auth(r->s->st, hex, &r->who);
        if (rc == -STORE_E_NOT_FOUND)
            return api_unauthorized(r, "unknown or revoked key");
        if (rc != 0)
            return api_store_error(r, rc);
    }
    switch (need) {
    case AUTH_KIOSK:
        rc = r->who.role == STORE_ROLE_KIOSK;
        break;
    case AUTH_READ:
        rc = r->who.role != STORE_ROLE_KIOSK &&
             r->who.role != STORE_ROLE_PROVINCE;
        break;
    case AUTH_STATS:
        rc = r->who.role != STORE_ROLE_KIOSK;
        break;
    case AUTH_WRITE:
        rc = r->who.role == STORE_ROLE_ADMIN || r->who.role == STORE_ROLE_BOARD;
        break;
    case AUTH_ADMIN:
        rc = r->who.role == STORE_ROLE_ADMIN;
        break;
    default:
        rc = r->who.role != STORE_ROLE_PROVINCE;
    }
    if (!rc)
        return api_error(r, 403, "forbidden",
                         "this credential may not do that");
    if (!rl_take(r->s->rl, r->who.actor))
        return api_error(r, 429, "rate_limited",
                         "too many requests for this credential; slow down");
    *ok = 1;
    return MHD_YES;
}

/* ---- the access handler
 * ------------------------------------------------------ */

/* Queue the refusal that was held while the body was dropped. */
static enum MHD_Result send_held(struct req *r)
{
    enum MHD_Result ret;

    ret = MHD_queue_response(r->conn, r->held_status, r->held);
    MHD_destroy_response(r->held);
    r->held = NULL;
    return ret;
}

/* On a write thread: the route's handler, its answer held (r->hold) for
 * the access handler, which libmicrohttpd calls again once resumed and
 * which sends it as it sends a held refusal. */
static void run_offloaded(void *arg)
{
    struct req *r = arg;

    api_routes[r->route].fn(r);
    atomic_store(&r->resumed, 1);
    MHD_resume_connection(r->conn);
}

/* Hand the request to a write thread (ROUTE_OFFLOAD), the connection
 * suspended first: the thread may resume it at once. */
static enum MHD_Result offload(struct req *r)
{
    r->offloaded = 1;
    r->hold = 1;
    MHD_suspend_connection(r->conn);
    r->suspended = 1;
    if (offload_run(r->s->work, run_offloaded, r) != 0) {
        /* the server is stopping */
        api_error(r, 503, "unavailable", "the server is stopping; retry");
        atomic_store(&r->resumed, 1);
        MHD_resume_connection(r->conn);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct srv *s = cls;
    struct req *r = *con_cls;
    const struct route *rt;
    size_t limit;
    int ok;

    (void)version;
    if (r == NULL) {
        char allow[64];
        const char *cl;

        r = calloc(1, sizeof(*r));
        if (r == NULL)
            return MHD_NO;
        r->s = s;
        r->conn = conn;
        r->method = method;
        r->t0_us = now_us();
        *con_cls = r;
        r->route = find_route(r, url, allow, sizeof(allow));
        if (r->route == -1)
            return api_error(r, 404, "not_found", "no such endpoint");
        if (r->route == -2) {
            r->route = -1;
            return api_reply_json_h(
                r, 405,
                json_pack("{s:{s:s, s:s}}", "error", "code",
                          "method_not_allowed", "message",
                          "this endpoint does not take that method"),
                "Allow", allow);
        }
        rt = &api_routes[r->route];
        limit = (rt->flags & ROUTE_BIG_BODY) ? s->cfg.import_limit
                                             : s->cfg.body_limit;
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                         "Content-Length");
        /* The credential is checked as soon as the headers are in, before
           a byte of the body is stored: only an authorised caller gets
           the body limit of its route (import_limit on upload routes).
           A refusal of a request with a body is held until the body has
           been read and dropped (a proxy still sending it would see a
           reset and report 502), unless the body is larger than the
           route takes. */
        r->hold = (cl != NULL && strtoull(cl, NULL, 10) > 0 &&
                   strtoull(cl, NULL, 10) <= limit + (1u << 20)) ||
                  MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                              "Transfer-Encoding") != NULL;
        if (rt->auth != AUTH_NONE) {
            enum MHD_Result res = authenticate(r, rt->auth, &ok);

            if (!ok)
                return res;
        } else if (strcmp(method, "POST") == 0) {
            /* unauthenticated writes (bank webhooks, which are journaled,
               and sign-in): limited per client network prefix with the
               same budget as a credential */
            char ip[64], key[80];

            api_client_addr(r, ip, sizeof(ip));
            rl_prefix_key(ip, key, sizeof(key));
            if (!rl_take(s->rl, key))
                return api_error(r, 429, "rate_limited",
                                 "too many requests from this network; "
                                 "slow down");
        }
        r->hold = 0;
        /* A body a little over the limit is read (and discarded) before
           the 413: answering mid-upload makes a proxy that is still
           sending see a reset (nginx reports 502). A much larger one is
           refused at once, without reading it. */
        if (cl != NULL && strtoull(cl, NULL, 10) > limit + (1u << 20))
            return api_error(r, 413, "body_too_large",
                             "request bodies are limited to %zu bytes", limit);
        return MHD_YES;
    }
    if (r->route < 0 || r->replied) {
        /* a reply is queued or held: drop the body; a held refusal goes
           out when the body ends, or once more than the route takes has
           been dropped */
        if (r->held != NULL) {
            limit =
                r->route >= 0 && (api_routes[r->route].flags & ROUTE_BIG_BODY)
                    ? s->cfg.import_limit
                    : s->cfg.body_limit;
            r->discarded += *upload_data_size;
            if (*upload_data_size == 0 || r->discarded > limit + (1u << 20)) {
                *upload_data_size = 0;
                return send_held(r);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    rt = &api_routes[r->route];
    if (*upload_data_size != 0) {
        limit = (rt->flags & ROUTE_BIG_BODY) ? s->cfg.import_limit
                                             : s->cfg.body_limit;
        if (!r->too_big && r->len + *upload_data_size <= limit) {
            if (r->len + *upload_data_size + 1 > r->cap) {
                size_t nc = r->cap ? r->cap : 4096;
                char *nb;

                while (nc < r->len + *upload_data_size + 1)
                    nc *= 2;
                nb = realloc(r->body, nc);
                if (nb == NULL)
                    return MHD_NO;
                r->body = nb;
                r->cap = nc;
            }
            memcpy(r->body + r->len, upload_data, *upload_data_size);
            r->len += *upload_data_size;
            r->body[r->len] = '\0';
        } else {
            r->too_big = 1;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->offloaded)
        return MHD_NO; /* its handler answered nothing (out of memory) */
    if (r->suspended || atomic_load(&r->resumed))
        return rt->fn(r); /* a long poll coming back */
    if (r->too_big)
        return api_error(r, 413, "body_too_large",
                         "request bodies are limited to %zu bytes",
                         (rt->flags & ROUTE_BIG_BODY) ? s->cfg.import_limit
                                                      : s->cfg.body_limit);
    if (rt->flags & ROUTE_OFFLOAD)
        return offload(r);
    return rt->fn(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct srv *s = cls;
    struct req *r = *con_cls;
    int64_t us;
    char ip[64];

    (void)toe;
    if (r == NULL)
        return;
    us = now_us() - r->t0_us;
    client_ip(conn, ip, sizeof(ip));
    metrics_record(s->m, r->route, r->status, us);
    api_log(6,
            "event=request method=%s route=\"%s\" status=%d ms=%.2f "
            "who=%s client=%s%s",
            r->method, r->route >= 0 ? api_routes[r->route].pattern : "-",
            r->status, (double)us / 1000.0,
            r->who.actor[0] ? r->who.actor : "-", ip,
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    if (r->held != NULL)
        MHD_destroy_response(r->held);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

/* ---- start and stop
 * ---------------------------------------------------------- */

static int parse_listen(const char *s, struct sockaddr_storage *ss,
                        socklen_t *len, int *v6)
{
    char host[128];
    const char *colon;
    char *end;
    unsigned long port;

    memset(ss, 0, sizeof(*ss));
    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (close == NULL || close[1] != ':' ||
            (size_t)(close - s - 1) >= sizeof(host))
            return -1;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
        *v6 = 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        *v6 = 0;
    }
    port = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port > 65535)
        return -1;
    if (*v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return -1;
        *len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;

        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &a->sin_addr) != 1)
            return -1;
        *len = sizeof(*a);
    }
    return 0;
}

/* 1 when the address of `ss` is a loopback one (127.0.0.0/8, ::1). */
static int is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >>
                24) == 127;
    if (ss->ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(
            &((const struct sockaddr_in6 *)ss)->sin6_addr);
    return 0;
}

/* A plain-text answer of the metrics listener. */
static enum MHD_Result metrics_answer(struct MHD_Connection *conn,
                                      unsigned status, const char *ctype,
                                      char *text, size_t len)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/*
 * The access handler of the metrics listener: GET /metrics and nothing
 * else, without a credential (the address is loopback only). Bodies are
 * never read.
 */
static enum MHD_Result on_metrics(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct srv *s = cls;
    size_t len = 0;
    char *text;

    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)con_cls;
    if (strcmp(url, "/metrics") != 0 ||
        (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
        static const char nf[] = "{\"error\":{\"code\":\"not_found\","
                                 "\"message\":\"only GET /metrics here\"}}\n";

        text = strdup(nf);
        if (text == NULL)
            return MHD_NO;
        return metrics_answer(conn, 404, "application/json", text,
                              sizeof(nf) - 1);
    }
    text = srv_metrics_text(s, &len);
    if (text == NULL)
        return MHD_NO;
    return metrics_answer(conn, 200, "text/plain; version=0.0.4", text, len);
}

/* Start the metrics listener on s->cfg.metrics_listen (loopback only). */
static int metrics_start(struct srv *s)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    int v6 = 0;
    const union MHD_DaemonInfo *di;

    if (parse_listen(s->cfg.metrics_listen, &ss, &sl, &v6) != 0 ||
        !is_loopback(&ss)) {
        api_log(3,
                "event=error what=metrics_listen value=\"%s\" "
                "msg=\"expected a loopback ADDR:PORT (127.0.0.1:9464)\"",
                s->cfg.metrics_listen);
        return -1;
    }
    /* epoll: with tens of thousands of long polls open, its sockets are
       numbered far past select()'s FD_SETSIZE */
    s->md = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
            (v6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL, on_metrics, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 16u,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(32 * 1024), MHD_OPTION_END);
    if (s->md == NULL) {
        api_log(3,
                "event=error what=metrics_listen addr=%s msg=\"cannot "
                "start the metrics listener\"",
                s->cfg.metrics_listen);
        return -1;
    }
    di = MHD_get_daemon_info(s->md, MHD_DAEMON_INFO_BIND_PORT);
    s->metrics_port = di ? di->port : 0;
    return 0;
}

/*
 * Memory of one connection (libmicrohttpd's pool: the request's headers,
 * the read buffer a body passes through, the answer's headers). The pool
 * is zeroed whole after every answer, so a kept-alive connection costs
 * all of it: with a province's 50,000 kiosks each holding a long poll,
 * this is most of the server's memory. 8 KiB holds headers several
 * times larger than a kiosk's, a browser's or nginx's; bodies stream
 * through in pieces.
 */
#define CONN_MEMORY (8 * 1024)

int srv_start(struct srv *s)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    int v6 = 0;
    unsigned flags;
    const union MHD_DaemonInfo *di;

    if (parse_listen(s->cfg.listen, &ss, &sl, &v6) != 0) {
        api_log(3,
                "event=error what=listen value=\"%s\" "
                "msg=\"expected ADDR:PORT\"",
                s->cfg.listen);
        return -1;
    }
    s->rl = calloc(1, sizeof(*s->rl));
    s->m = calloc(1, sizeof(*s->m));
    if (s->rl == NULL || s->m == NULL || api_n_routes > MAX_ROUTES)
        return -1;
    pthread_mutex_init(&s->rl->mu, NULL);
    pthread_mutex_init(&s->hp.mu, NULL);
    s->rl->rate = s->cfg.rate;
    s->rl->burst = s->cfg.burst;
    /* a connection has one request at a time: room for all */
    s->work = offload_new(s->cfg.write_threads, (size_t)s->cfg.conn_limit);
    if (s->work == NULL)
        return -1;
    flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG;
    if (v6)
        flags |= MHD_USE_IPv6;
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)s->cfg.threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)s->cfg.conn_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned int)s->cfg.per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)s->cfg.conn_timeout, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY, MHD_OPTION_END);
    if (s->d == NULL) {
        api_log(3,
                "event=error what=listen addr=%s msg=\"cannot start "
                "the HTTP daemon\"",
                s->cfg.listen);
        return -1;
    }
    di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    if (s->cfg.metrics_listen[0] != '\0' && metrics_start(s) != 0) {
        MHD_stop_daemon(s->d);
        s->d = NULL;
        return -1;
    }
    return 0;
}

void srv_stop(struct srv *s)
{
    if (s->md != NULL) {
        MHD_stop_daemon(s->md);
        s->md = NULL;
    }
    if (s->d != NULL) {
        notify_close(s->nt);    /* resumes every suspended long poll */
        offload_close(s->work); /* ... and every offloaded write */
        MHD_stop_daemon(s->d);
        s->d = NULL;
    }
    offload_free(s->work);
    s->work = NULL;
    if (s->rl != NULL) {
        pthread_mutex_destroy(&s->rl->mu);
        pthread_mutex_destroy(&s->hp.mu);
    }
    free(s->rl);
    free(s->m);
    s->rl = NULL;
    s->m = NULL;
}
