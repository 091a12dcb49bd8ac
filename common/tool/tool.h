/*
 * tool.h: shared pieces of the `chopay` command-line tool: the option
 * scanner, usage errors and the subcommand entry points. Private to
 * common/tool/.
 */
#ifndef CHOPAY_TOOL_H
#define CHOPAY_TOOL_H

#include <stdio.h>

/* Exit statuses of every subcommand. */
enum {
    TOOL_OK = 0,      /* success */
    TOOL_INVALID = 1, /* the input was read but is invalid / not found */
    TOOL_USAGE = 2,   /* the command line is wrong */
    TOOL_FAIL = 3     /* an operation failed (I/O, out of memory) */
};

/* One option a subcommand accepts. */
struct tool_opt {
    const char *name;  /* long name without dashes, e.g. "amount" */
    int takes_value;   /* 1: "--name VALUE" or "--name=VALUE" */
    const char *value; /* out: the value ("" for flags), NULL if absent */
};

/*
 * Scan argv[0..argc) for the options in `opts` (terminated by a NULL
 * name); every other argument is moved, in order, to the front of argv and
 * counted in *npos. "--" ends option scanning. Returns 0, or prints a
 * usage error naming the problem (prefixed with `cmd`) and returns -1.
 */
int tool_scan(const char *cmd, int argc, char **argv, struct tool_opt *opts,
              int *npos);

/* Print "chopay CMD: MESSAGE" to stderr and return TOOL_USAGE. */
int tool_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* 1 when argv has "-h" or "--help" before any "--". */
int tool_wants_help(int argc, char **argv);

/*
 * Read one line from `f` into a growing malloc'd *buf (capacity *cap),
 * without the trailing newline (and CR). Returns the length, or -1 at end
 * of input.
 */
long tool_getline(char **buf, size_t *cap, FILE *f);

/* Subcommands: argv[0] is the subcommand's own name ("qr", "ref", ...). */
int tool_qr(int argc, char **argv);
int tool_ref(int argc, char **argv);
int tool_money(int argc, char **argv);
int tool_text(int argc, char **argv);
int tool_bank(int argc, char **argv);
int tool_receipt(int argc, char **argv);

#endif
