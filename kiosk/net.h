/*
 * net.h: the kiosk's HTTP client on libcurl's multi interface, driven
 * from the main loop so the network never blocks the UI. Requests carry
 * the kiosk key, time out, and are retried with exponential backoff and
 * jitter; replies arrive through a callback with the parsed JSON body.
 */
#ifndef CHOPAY_KIOSK_NET_H
#define CHOPAY_KIOSK_NET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct kiosk;
struct net;

/* What came back from one request (after its last attempt). */
struct net_result {
    int transport_ok;    /* 1: an HTTP response arrived */
    long status;         /* HTTP status, 0 without a response */
    const char *body;    /* the body, NUL-terminated ("" if none) */
    size_t len;          /* its length */
    json_t *json;        /* the body parsed, or NULL; borrowed */
    char err_code[64];   /* "error.code" of an error body, or the
                            transport failure ("connect_failed") */
    char err_msg[160];   /* "error.message", or curl's message */
    char etag[128];      /* ETag header, "" if none */
    int64_t server_date; /* Date header (unix seconds), 0 if none */
    int tls_error;       /* 1: the TLS handshake or verification failed */
    int attempts;        /* how many attempts were made */
};

/* Called once per request unless it was cancelled. */
typedef void (*net_done_fn)(struct kiosk *k, const struct net_result *res,
                            void *ctx);

/* What one attempt told about the server, whatever the request. */
struct net_status {
    int online;          /* 1: an HTTP response arrived */
    long status;         /* its HTTP status, 0 without a response */
    int64_t server_date; /* its Date header (unix seconds), 0 if none */
    int pin_refused;     /* 1: a 401 for a collector's PIN, not the key */
};

/* Called after every attempt of every request (retries included). */
typedef void (*net_status_fn)(struct kiosk *k, const struct net_status *st);

/* One request. Strings are copied. */
struct net_opts {
    const char *method;   /* "GET" or "POST" */
    const char *path;     /* "/v1/...", already URL-escaped */
    const char *body;     /* JSON body or NULL */
    const char *idem_key; /* Idempotency-Key or NULL */
    const char *etag;     /* If-None-Match or NULL */
    long timeout_ms;      /* total per attempt; 0 = 10 s */
    int max_attempts;     /* 0 = retry for ever (until cancelled) */
    int background;       /* 1: survives screen changes */
    size_t max_reply;     /* reply size cap in bytes; 0 = 1 MiB */
};

/*
 * A client for `base` ("https://host:port") sending `key` as a bearer
 * token; `kiosk` is only passed to the callbacks, never read or written.
 * NULL on failure. Free with net_free (NULL is fine).
 */
struct net *net_new(const char *base, const char *key, struct kiosk *kiosk);
/*
 * TLS settings for every later request: `ca_file` a PEM bundle of the CAs
 * to trust instead of the system's (a private CA; verification stays on),
 * `cert`/`key` a client certificate and its key (PEM). NULL or "" = not
 * set. Strings are copied; 0 or -1 (out of memory).
 */
int net_tls(struct net *n, const char *ca_file, const char *cert,
            const char *key);
/*
 * Have `fn` told what every attempt learnt about the server (reachable,
 * its status, its clock); NULL stops it.
 */
void net_on_status(struct net *n, net_status_fn fn);
/* Cancel everything and free the client. */
void net_free(struct net *n);
/* Start a request; returns 0 or -1 (out of memory, bad options). */
int net_request(struct net *n, const struct net_opts *o, net_done_fn cb,
                void *ctx);
/* Cancel every request that is not background (callbacks not called). */
void net_cancel_foreground(struct net *n);
/* Number of requests in flight or waiting to be retried. */
int net_pending(const struct net *n);
/* 1 when a transfer is running right now (sockets to watch). */
int net_running(const struct net *n);
/* SDL tick of the earliest retry due, 0 if none. */
uint32_t net_next_ms(const struct net *n);
/* Wait up to `ms` for socket activity (curl_multi_poll). */
void net_wait(struct net *n, int ms);
/* Drive transfers, start due retries, deliver finished requests. */
void net_update(struct net *n, uint32_t now_ms);
/*
 * The retry delay in ms before attempt `attempt` (2, 3, ...): 500 ms
 * doubling up to 8 s, with the upper half jittered by `rnd`.
 */
uint32_t net_backoff_ms(int attempt, uint32_t rnd);

#endif
