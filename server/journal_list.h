/*
 * journal_list.h: `chopay-server journal list`: the webhook deliveries the
 * server journaled and what became of each (processed, rejected with
 * why, invalid), to find a provider whose signatures fail.
 */
#ifndef CHOPAY_SERVER_JOURNAL_LIST_H
#define CHOPAY_SERVER_JOURNAL_LIST_H

/* Options of `chopay-server journal list`. */
struct journal_list_args {
    const char *state;    /* --state S or NULL */
    const char *provider; /* --provider P or NULL */
    const char *after;    /* --after ID or NULL */
    const char *limit;    /* --limit N or NULL (100) */
    int json;             /* --json */
};

struct srv_config;

/*
 * Print the journal entries of the store of config `c` that `a` asks
 * for, one a line (id, time UTC, provider, organisation, state, verdict,
 * body bytes), or as {"entries": [{id, provider, org, received_at,
 * verified, state, detail, headers, body_bytes, bytes, processed_at}],
 * "total"}
 * with --json. Returns the exit status (0, 1 failure, 2 usage).
 */
int journal_list_cmd(const struct srv_config *c,
                     const struct journal_list_args *a);

#endif
