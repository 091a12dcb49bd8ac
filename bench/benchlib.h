/*
 * benchlib.h: helpers the server benchmarks share: a monotonic clock,
 * sorting latencies, libcurl write callbacks, a process's RSS and
 * starting chopay-server on the demo data.
 */
#ifndef CHOPAY_BENCHLIB_H
#define CHOPAY_BENCHLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Seconds on the monotonic clock. */
double now_s(void);
/* qsort comparator of doubles, ascending. */
int cmp_d(const void *a, const void *b);

/* libcurl write callback that drops the answer. */
size_t discard(char *p, size_t sz, size_t n, void *ud);

/* An answer's first bytes, NUL-terminated (the rest is dropped). */
struct body {
    char s[8192];
    size_t n;
};
/* libcurl write callback appending to the struct body `ud`. */
size_t keep_body(char *p, size_t sz, size_t n, void *ud);

/* VmRSS of process `pid` in kB, or -1. */
long rss_kb(pid_t pid);

/* A free loopback TCP port (bound and released), or 0. */
uint16_t bench_free_port(void);

/*
 * Start `bin` (chopay-server) with --demo on 127.0.0.1:0 in data dir
 * `dir` with configuration text `ini` (written to dir/bench.ini), its
 * output to /dev/null, and wait up to 60 s for the address it writes:
 * 0 with "http://HOST:PORT" in `base`, or -1. *pid gets the process
 * whenever it was started (0 otherwise).
 */
int demo_server_start(const char *bin, const char *dir, const char *ini,
                      pid_t *pid, char *base, size_t cap);
/* The demo market's kiosk key (CHO-TT in dir/demo-credentials.json)
 * into `out`: 0, or -1 when there is none. */
int demo_kiosk_key(const char *dir, char *out, size_t cap);
/*
 * `n` intents on the server at `base` with kiosk key `kiosk`, for the
 * demo stalls A-1.. D-30 in turn, each with idempotency key `idem` and
 * its number; their payment codes into codes[]: 0, or -1 (the failing
 * answer on stderr).
 */
int demo_intents(const char *base, const char *kiosk, const char *idem,
                 char (*codes)[16], int n);

#endif
