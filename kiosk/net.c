/*
 * net.c: HTTP requests on a libcurl multi handle. Each request owns an
 * easy handle, its headers and a growable reply buffer (hard maximum 1 MiB).
 * Failures that may pass (no connection, timeouts, 429, 502-504) are
 * retried after an exponential backoff with jitter; the callback sees only
 * the final outcome. TLS peers and host names are always verified.
 */
#define _DEFAULT_SOURCE
#include "net.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REPLY_MAX (1024 * 1024)

struct req {
    struct req *next;
    struct net *net;
    CURL *easy;
    struct curl_slist *headers;
    char *url;
    char *body; /* request body copy or NULL */
    char *method;
    size_t max_reply;
    long timeout_ms;
    int max_attempts;
    int attempts;
    int background;
    int running;  /* attached to the multi handle */
    int finished; /* result ready, callback pending */
    int cancelled;
    uint32_t retry_at; /* tick to start the next attempt, 0 = none */
    char *buf;         /* reply body */
    size_t len, cap;
    int too_big;
    CURLcode cc;
    long status;
    char etag[128];
    int64_t date;
    char errbuf[CURL_ERROR_SIZE];
    net_done_fn cb;
    void *ctx;
};

struct net {
    CURLM *multi;
    struct req *reqs;
    char *base;
    char *auth;                 /* "Authorization: Bearer ..." */
    char *ca_file, *cert, *key; /* TLS settings, NULL = not set */
    struct kiosk *kiosk;        /* passed to every callback, never read */
    net_status_fn on_status;    /* what each attempt told, NULL = nobody */
    uint32_t rnd;
};

static uint32_t rnd_next(struct net *n)
{
    uint32_t x = n->rnd;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    n->rnd = x ? x : 0x9e3779b9u;
    return n->rnd;
}

uint32_t net_backoff_ms(int attempt, uint32_t rnd)
{
    uint32_t base = 500;

    for (int i = 2; i < attempt && base < 8000; i++)
        base *= 2;
    if (base > 8000)
        base = 8000;
    return base / 2 + rnd % (base / 2 + 1);
}

struct net *net_new(const char *base, const char *key, struct kiosk *kiosk)
{
    struct net *n = calloc(1, sizeof(*n));
    size_t alen;

    if (!n)
        return NULL;
    n->multi = curl_multi_init();
    n->base = strdup(base);
    alen = strlen(key) + 32;
    n->auth = malloc(alen);
    if (!n->multi || !n->base || !n->auth)
        goto fail;
    snprintf(n->auth, alen, "Authorization: Bearer %s", key);
    n->kiosk = kiosk;
    n->rnd = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ 0x5bd1e995u;
    curl_multi_setopt(n->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 4L);
    return n;
fail:
    if (n->multi)
        curl_multi_cleanup(n->multi);
    free(n->base);
    free(n->auth);
    free(n);
    return NULL;
}

static void req_free(struct req *r)
{
    if (!r)
        return;
    if (r->easy) {
        if (r->running)
            curl_multi_remove_handle(r->net->multi, r->easy);
        curl_easy_cleanup(r->easy);
    }
    curl_slist_free_all(r->headers);
    free(r->url);
    if (r->body) /* it may hold a collector's PIN */
        memset(r->body, 0, strlen(r->body));
    free(r->body);
    free(r->method);
    free(r->buf);
    free(r);
}

void net_on_status(struct net *n, net_status_fn fn)
{
    n->on_status = fn;
}

void net_free(struct net *n)
{
    if (!n)
        return;
    while (n->reqs) {
        struct req *r = n->reqs;
        n->reqs = r->next;
        req_free(r);
    }
    curl_multi_cleanup(n->multi);
    free(n->base);
    free(n->auth);
    free(n->ca_file);
    free(n->cert);
    free(n->key);
    free(n);
}

/* *dst = a copy of `v` (NULL for NULL or ""); 0 or -1. */
static int set_opt(char **dst, const char *v)
{
    char *c = NULL;

    if (v && v[0] && !(c = strdup(v)))
        return -1;
    free(*dst);
    *dst = c;
    return 0;
}

int net_tls(struct net *n, const char *ca_file, const char *cert,
            const char *key)
{
    if (set_opt(&n->ca_file, ca_file) < 0 || set_opt(&n->cert, cert) < 0 ||
        set_opt(&n->key, key) < 0)
        return -1;
    return 0;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
    struct req *r = ud;
    size_t add = size * nmemb;

    if (r->len + add + 1 > r->max_reply) {
        r->too_big = 1;
        return 0;
    }
    if (r->len + add + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 1024;
        char *nb;
        while (cap < r->len + add + 1)
            cap *= 2;
        nb = realloc(r->buf, cap);
        if (!nb)
            return 0;
        r->buf = nb;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, data, add);
    r->len += add;
    r->buf[r->len] = '\0';
    return add;
}

/* Copy the value of header line `line` (name already matched) trimmed. */
static void header_value(const char *v, size_t n, char *out, size_t cap)
{
    while (n && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct req *r = ud;
    size_t n = size * nmemb;

    if (n > 5 && !strncasecmp(data, "ETag:", 5)) {
        header_value(data + 5, n - 5, r->etag, sizeof(r->etag));
    } else if (n > 5 && !strncasecmp(data, "Date:", 5)) {
        char d[64];
        time_t t;
        header_value(data + 5, n - 5, d, sizeof(d));
        t = curl_getdate(d, NULL);
        if (t > 0)
            r->date = (int64_t)t;
    }
    return n;
}

/* (Re)arm the easy handle for one attempt and attach it. */
static int req_start(struct req *r)
{
    CURL *e = r->easy;

    r->len = 0;
    if (r->buf)
        r->buf[0] = '\0';
    r->too_big = 0;
    r->etag[0] = '\0';
    r->date = 0;
    r->status = 0;
    r->errbuf[0] = '\0';
    r->retry_at = 0;
    r->attempts++;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
    if (r->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
    }
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (r->net->ca_file) {
        /* Only this bundle: not also the system's CA folder. */
        curl_easy_setopt(e, CURLOPT_CAINFO, r->net->ca_file);
        curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
    }
    if (r->net->cert) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, r->net->cert);
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (r->net->key) {
        curl_easy_setopt(e, CURLOPT_SSLKEY, r->net->key);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "chopay-kiosk/1");
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    if (curl_multi_add_handle(r->net->multi, e) != CURLM_OK)
        return -1;
    r->running = 1;
    return 0;
}

int net_request(struct net *n, const struct net_opts *o, net_done_fn cb,
                void *ctx)
{
    struct req *r;
    struct curl_slist *h = NULL;
    char line[320];
    size_t ulen;

    if (!o->method || !o->path || o->path[0] != '/')
        return -1;
    r = calloc(1, sizeof(*r));
    if (!r)
        return -1;
    r->net = n;
    r->easy = curl_easy_init();
    ulen = strlen(n->base) + strlen(o->path) + 1;
    r->url = malloc(ulen);
    r->method = strdup(o->method);
    if (!r->easy || !r->url || !r->method)
        goto fail;
    snprintf(r->url, ulen, "%s%s", n->base, o->path);
    if (o->body && !(r->body = strdup(o->body)))
        goto fail;
#define ADDH(s)                                                                \
    do {                                                                       \
        struct curl_slist *t_ = curl_slist_append(h, (s));                     \
        if (!t_)                                                               \
            goto fail;                                                         \
        h = t_;                                                                \
    } while (0)
    ADDH(n->auth);
    ADDH("Accept: application/json");
    ADDH("Expect:");
    if (o->body)
        ADDH("Content-Type: application/json");
    if (o->idem_key) {
        snprintf(line, sizeof(line), "Idempotency-Key: %s", o->idem_key);
        ADDH(line);
    }
    if (o->etag && o->etag[0]) {
        snprintf(line, sizeof(line), "If-None-Match: %s", o->etag);
        ADDH(line);
    }
#undef ADDH
    r->headers = h;
    h = NULL;
    r->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
    r->max_reply = o->max_reply > 0 ? o->max_reply : REPLY_MAX;
    r->max_attempts = o->max_attempts;
    r->background = o->background;
    r->cb = cb;
    r->ctx = ctx;
    if (req_start(r) < 0)
        goto fail;
    r->next = n->reqs;
    n->reqs = r;
    return 0;
fail:
    curl_slist_free_all(h);
    req_free(r);
    return -1;
}

void net_cancel_foreground(struct net *n)
{
    for (struct req *r = n->reqs; r; r = r->next) {
        if (r->background || r->cancelled)
            continue;
        r->cancelled = 1;
        if (r->running) {
            curl_multi_remove_handle(n->multi, r->easy);
            r->running = 0;
        }
    }
}

int net_pending(const struct net *n)
{
    int c = 0;

    for (const struct req *r = n->reqs; r; r = r->next)
        c += !r->cancelled;
    return c;
}

int net_running(const struct net *n)
{
    for (const struct req *r = n->reqs; r; r = r->next)
        if (r->running)
            return 1;
    return 0;
}

uint32_t net_next_ms(const struct net *n)
{
    uint32_t best = 0;

    for (const struct req *r = n->reqs; r; r = r->next)
        if (!r->cancelled && r->retry_at && (!best || r->retry_at < best))
            best = r->retry_at;
    return best;
}

void net_wait(struct net *n, int ms)
{
    curl_multi_poll(n->multi, NULL, 0, ms, NULL);
}

static int retryable(const struct req *r)
{
    if (r->cc != CURLE_OK) {
        switch (r->cc) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_WRITE_ERROR:
        case CURLE_OUT_OF_MEMORY:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
            return 0;
        default:
            return 1;
        }
    }
    return r->status == 429 || r->status == 502 || r->status == 503 ||
           r->status == 504;
}

/* 1: the reply is the server's "bad_pin" (a collector's PIN refused). */
static int pin_refused(const struct req *r)
{
    json_t *j = r->buf ? json_loadb(r->buf, r->len, 0, NULL) : NULL;
    const char *c =
        json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    int yes = c != NULL && !strcmp(c, "bad_pin");

    json_decref(j);
    return yes;
}

/* An attempt ended: schedule a retry or mark the request finished. */
static void attempt_done(struct net *n, struct req *r, CURLcode cc,
                         uint32_t now)
{
    curl_multi_remove_handle(n->multi, r->easy);
    r->running = 0;
    r->cc = r->too_big ? CURLE_WRITE_ERROR : cc;
    if (cc == CURLE_OK)
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    if (n->on_status) {
        struct net_status st = {.online = r->cc == CURLE_OK,
                                .status = r->cc == CURLE_OK ? r->status : 0,
                                .server_date = r->date};
        st.pin_refused = st.status == 401 && pin_refused(r);
        n->on_status(n->kiosk, &st);
    }
    if (retryable(r) &&
        (r->max_attempts == 0 || r->attempts < r->max_attempts)) {
        r->retry_at = now + net_backoff_ms(r->attempts + 1, rnd_next(n));
        if (!r->retry_at)
            r->retry_at = 1;
        return;
    }
    r->finished = 1;
}

static const char *transport_code(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return "resolve_failed";
    case CURLE_COULDNT_CONNECT:
        return "connect_failed";
    case CURLE_OPERATION_TIMEDOUT:
        return "timeout";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
        return "tls_failed";
    case CURLE_WRITE_ERROR:
        return "reply_too_large";
    default:
        return "network_error";
    }
}

static void deliver(struct net *n, struct req *r)
{
    struct net_result res;
    json_t *j = NULL;

    memset(&res, 0, sizeof(res));
    res.transport_ok = r->cc == CURLE_OK;
    res.status = r->status;
    res.body = r->buf ? r->buf : "";
    res.len = r->len;
    res.attempts = r->attempts;
    res.server_date = r->date;
    snprintf(res.etag, sizeof(res.etag), "%s", r->etag);
    if (res.transport_ok && r->len)
        j = json_loadb(r->buf, r->len, 0, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    res.json = j;
    if (!res.transport_ok) {
        snprintf(res.err_code, sizeof(res.err_code), "%s",
                 transport_code(r->cc));
        res.tls_error = !strcmp(res.err_code, "tls_failed");
        snprintf(res.err_msg, sizeof(res.err_msg), "%.150s",
                 r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->cc));
    } else if (r->status >= 400) {
        json_t *e = json_object_get(j, "error");
        const char *c = json_string_value(json_object_get(e, "code"));
        const char *m = json_string_value(json_object_get(e, "message"));
        snprintf(res.err_code, sizeof(res.err_code), "%.60s",
                 c ? c : "http_error");
        if (m)
            snprintf(res.err_msg, sizeof(res.err_msg), "%.150s", m);
        else
            snprintf(res.err_msg, sizeof(res.err_msg), "HTTP %ld", r->status);
    }
    if (r->cb)
        r->cb(n->kiosk, &res, r->ctx);
    json_decref(j);
}

void net_update(struct net *n, uint32_t now)
{
    int still, left;
    CURLMsg *m;
    struct req **pp;
    struct req *batch[64];
    int nb = 0;

    curl_multi_perform(n->multi, &still);
    while ((m = curl_multi_info_read(n->multi, &left))) {
        struct req *r = NULL;
        if (m->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        if (r && r->running && !r->cancelled)
            attempt_done(n, r, m->data.result, now);
    }
    for (struct req *r = n->reqs; r; r = r->next) {
        if (r->cancelled || r->running || r->finished || !r->retry_at)
            continue;
        if ((int32_t)(now - r->retry_at) >= 0 && req_start(r) < 0) {
            r->cc = CURLE_OUT_OF_MEMORY;
            r->finished = 1;
        }
    }
    if (still == 0 && net_running(n))
        curl_multi_perform(n->multi, &still);
    /* Deliver finished requests; callbacks may add or cancel requests. */
    for (struct req *r = n->reqs; r && nb < 64; r = r->next)
        if (r->finished && !r->cancelled)
            batch[nb++] = r;
    for (int i = 0; i < nb; i++) {
        batch[i]->finished = 2; /* delivered */
        if (!batch[i]->cancelled)
            deliver(n, batch[i]);
    }
    pp = &n->reqs;
    while (*pp) {
        struct req *r = *pp;
        if (r->cancelled || r->finished == 2) {
            *pp = r->next;
            req_free(r);
        } else {
            pp = &r->next;
        }
    }
}
