/*
 * offload.h: threads for work that waits (a webhook's share of a group
 * commit), so that libmicrohttpd's few event threads never do: a handler
 * suspends its connection and hands the work here; the thread that runs
 * it resumes the connection, and the handler, called again, answers.
 * Every request waiting at once can so join one commit, whatever the
 * number of event threads and however the connections fall on them.
 */
#ifndef CHOPAY_SERVER_OFFLOAD_H
#define CHOPAY_SERVER_OFFLOAD_H

#include <stddef.h>

struct offload;

/* `threads` threads (at least 1) with room for `queue` waiting jobs;
 * NULL when they cannot be started. */
struct offload *offload_new(int threads, size_t queue);

/* Run fn(arg) on one of the threads: 0, or -1 when the queue is full or
 * the pool closing (the caller answers for itself then). */
int offload_run(struct offload *o, void (*fn)(void *arg), void *arg);

/* Take no more jobs (offload_run answers -1 from now on), run what is
 * queued and stop the threads; offload_free frees the pool after. */
void offload_close(struct offload *o);
void offload_free(struct offload *o);

#endif
