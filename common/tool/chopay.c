/*
 * chopay.c: entry point of the `chopay` tool (VietQR payloads, payment
 * codes, money, Vietnamese text and the bank directory for operators and
 * scripts), and the option scanner its subcommands share.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static const char usage[] =
    "usage: chopay COMMAND [ARGS...]\n"
    "\n"
    "VietQR payloads, payment codes, money and Vietnamese text, for\n"
    "operators and scripts.\n"
    "\n"
    "commands:\n"
    "  qr encode    build a VietQR payload (and optionally a PNG)\n"
    "  qr decode    validate payloads and print their fields as JSON\n"
    "  ref new      make new payment codes\n"
    "  ref check    check a payment code\n"
    "  ref find     find payment codes in bank descriptions\n"
    "  money format | parse | words   amounts in đồng (words: as spoken)\n"
    "  text fold    fold Vietnamese text to upper-case ASCII\n"
    "  bank list | bank show        the bank directory\n"
    "  receipt keygen | sign | verify   signed receipts (Ed25519)\n"
    "\n"
    "Run 'chopay COMMAND --help' for a command's options.\n"
    "Exit status: 0 ok, 1 invalid input or nothing found, 2 usage error,\n"
    "3 failure.\n";

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "chopay %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return TOOL_USAGE;
}

int tool_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

static struct tool_opt *find_opt(struct tool_opt *opts, const char *name,
                                 size_t len)
{
    for (struct tool_opt *o = opts; o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

int tool_scan(const char *cmd, int argc, char **argv, struct tool_opt *opts,
              int *npos)
{
    int n = 0;
    int only_positional = 0;

    for (struct tool_opt *o = opts; o->name; o++)
        o->value = NULL;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0' ||
            (a[1] != '-' && !(a[1] >= 'a' && a[1] <= 'z'))) {
            argv[n++] = a; /* positional, including "-5.000" */
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (a[1] != '-') {
            tool_usage_error(cmd, "unknown option '%s'", a);
            return -1;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        struct tool_opt *o = find_opt(opts, name, len);
        if (!o) {
            tool_usage_error(cmd, "unknown option '--%.*s'", (int)len, name);
            return -1;
        }
        if (o->value) {
            tool_usage_error(cmd, "option '--%s' given twice", o->name);
            return -1;
        }
        if (!o->takes_value) {
            if (eq) {
                tool_usage_error(cmd, "option '--%s' takes no value", o->name);
                return -1;
            }
            o->value = "";
        } else if (eq) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            tool_usage_error(cmd, "option '--%s' needs a value", o->name);
            return -1;
        }
    }
    *npos = n;
    return 0;
}

long tool_getline(char **buf, size_t *cap, FILE *f)
{
    size_t len = 0;
    int c;

    while ((c = getc(f)) != EOF && c != '\n') {
        if (len + 2 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 256;
            char *nbuf = realloc(*buf, ncap);
            if (!nbuf)
                return -1;
            *buf = nbuf;
            *cap = ncap;
        }
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && len == 0)
        return -1;
    if (!*buf) {
        *buf = malloc(1);
        if (!*buf)
            return -1;
        *cap = 1;
    }
    if (len > 0 && (*buf)[len - 1] == '\r')
        len--;
    (*buf)[len] = '\0';
    return (long)len;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"qr", tool_qr},       {"ref", tool_ref},
    {"money", tool_money}, {"receipt", tool_receipt},
    {"text", tool_text},   {"bank", tool_bank},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return TOOL_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return TOOL_OK;
    }
    for (int i = 0; commands[i].name; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "chopay: unknown command '%s' (see 'chopay --help')\n",
            argv[1]);
    return TOOL_USAGE;
}
