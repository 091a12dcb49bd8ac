/*
 * notify.h: the in-process notifier that wakes long polls. A waiter is
 * keyed by an intent id and has a deadline; notify_signal() (called after
 * a commit that changed the intent) or the deadline fires it, which calls
 * its wake function once (for HTTP: MHD_resume_connection). One timer
 * thread serves every waiter, so a waiting client costs no thread.
 */
#ifndef CHOPAY_SERVER_NOTIFY_H
#define CHOPAY_SERVER_NOTIFY_H

#include <stdint.h>

struct notify;
struct notify_waiter;

/* Called once when a suspended waiter fires, under the notifier's lock. */
typedef void (*notify_wake_fn)(void *arg);

/* A new notifier with its timer thread; NULL on failure. */
struct notify *notify_new(void);
/* Fire every waiter and refuse new ones (server shutdown). */
void notify_close(struct notify *n);
/* Fire every waiter, stop the timer thread and free (NULL is fine). */
void notify_free(struct notify *n);

/*
 * Arm a waiter for `key` until `deadline_ms` (CLOCK_MONOTONIC ms). Not yet
 * suspended: the caller now checks the state, then calls notify_suspend()
 * or notify_disarm(). Returns NULL on allocation failure or after
 * notify_close(): the caller then answers at once.
 */
struct notify_waiter *notify_arm(struct notify *n, int64_t key,
                                 int64_t deadline_ms, notify_wake_fn wake,
                                 void *arg);

/*
 * Suspend an armed waiter: if it already fired since notify_arm(), frees
 * it and returns 1 (the caller must re-check now); otherwise calls
 * `suspend(arg)` under the lock, hands the waiter to the notifier (which
 * frees it when it fires) and returns 0.
 */
int notify_suspend(struct notify *n, struct notify_waiter *w,
                   void (*suspend)(void *arg));

/* Drop an armed (not suspended) waiter. */
void notify_disarm(struct notify *n, struct notify_waiter *w);

/* Wake every waiter for `key`. Safe from any thread. */
void notify_signal(struct notify *n, int64_t key);

/* Wake every waiter, keeping the notifier open: a change may have been
 * missed (a lost database connection), each re-checks its intent. */
void notify_signal_all(struct notify *n);

/* Number of suspended waiters right now. */
int64_t notify_waiting(const struct notify *n);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t notify_now_ms(void);

#endif
