/*
 * tool_ref.c: `chopay ref new|check|find`: payment codes, the reference a
 * payer's bank carries in the transfer content.
 */
#include <stdlib.h>
#include <string.h>

#include "payref.h"
#include "tool.h"

static const char ref_usage[] =
    "usage: chopay ref new [--prefix P] [--count N]\n"
    "       chopay ref check CODE\n"
    "       chopay ref find [--prefix P[,P...]] [TEXT...]\n"
    "\n"
    "new    prints N (default 1) new random payment codes, one per line;\n"
    "       P is 2-3 letters (default " PAYREF_DEFAULT_PREFIX ").\n"
    "check  exit 0 when CODE is a valid code, 1 when not (and says why).\n"
    "find   prints the code found in each TEXT (or each line of standard\n"
    "       input), an empty line where none; exit 1 when none was found\n"
    "       at all. Codes whose check symbol fails are never printed.\n";

static const char *const check_reasons[] = {
    [PAYREF_OK] = "valid",
    [PAYREF_E_PREFIX] = "the prefix is not 2-3 letters of the alphabet",
    [PAYREF_E_LENGTH] = "wrong length",
    [PAYREF_E_SYMBOL] = "bad character, or no digit after the prefix",
    [PAYREF_E_CHECK] = "the check character does not match",
    [PAYREF_E_RANDOM] = "no secure random bytes",
    [PAYREF_E_NOT_FOUND] = "not found",
};

static int ref_new(int argc, char **argv)
{
    struct tool_opt opts[] = {
        {"prefix", 1, NULL}, {"count", 1, NULL}, {NULL, 0, NULL}};
    const char *cmd = "ref new";
    char code[PAYREF_MAX + 1];
    long count = 1;
    int npos;

    if (tool_scan(cmd, argc, argv, opts, &npos) < 0)
        return TOOL_USAGE;
    if (npos > 0)
        return tool_usage_error(cmd, "unexpected argument '%s'", argv[0]);
    const char *prefix = opts[0].value ? opts[0].value : PAYREF_DEFAULT_PREFIX;
    if (payref_prefix_valid(prefix) != 0)
        return tool_usage_error(cmd,
                                "prefix '%s' must be 2-3 letters from "
                                "%s",
                                prefix, PAYREF_ALPHABET);
    if (opts[1].value) {
        char *end;
        count = strtol(opts[1].value, &end, 10);
        if (*end || end == opts[1].value || count < 1 || count > 1000000)
            return tool_usage_error(cmd, "--count must be 1 to 1000000");
    }
    for (long i = 0; i < count; i++) {
        if (payref_new(prefix, code) != 0) {
            fprintf(stderr, "chopay %s: no secure random bytes\n", cmd);
            return TOOL_FAIL;
        }
        puts(code);
    }
    return TOOL_OK;
}

static int ref_check(int argc, char **argv)
{
    struct tool_opt opts[] = {{NULL, 0, NULL}};
    int npos;

    if (tool_scan("ref check", argc, argv, opts, &npos) < 0)
        return TOOL_USAGE;
    if (npos != 1)
        return tool_usage_error("ref check", "expected one CODE");
    int rc = -payref_check(argv[0]);
    int known =
        rc >= 0 && (size_t)rc < sizeof check_reasons / sizeof check_reasons[0];
    printf("%s: %s\n", argv[0], known ? check_reasons[rc] : "invalid");
    return rc == PAYREF_OK ? TOOL_OK : TOOL_INVALID;
}

/* Split "CP,HP" into a NULL-terminated list in `list` (max n-1 items). */
static int split_prefixes(char *s, const char **list, int n)
{
    int k = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        if (k == n - 1 || payref_prefix_valid(tok) != 0)
            return -1;
        list[k++] = tok;
    }
    list[k] = NULL;
    return k > 0 ? 0 : -1;
}

/* Print the code found in text (or an empty line); 1 when found. */
static int find_one(const char *text, size_t len, const char *const *pre)
{
    char code[PAYREF_MAX + 1];

    if (payref_find(text, len, pre, code) == 0) {
        puts(code);
        return 1;
    }
    putchar('\n');
    return 0;
}

static int ref_find(int argc, char **argv)
{
    struct tool_opt opts[] = {{"prefix", 1, NULL}, {NULL, 0, NULL}};
    const char *cmd = "ref find";
    const char *list[9];
    const char *const *prefixes = NULL;
    char *pbuf = NULL;
    int npos;
    int found = 0;

    if (tool_scan(cmd, argc, argv, opts, &npos) < 0)
        return TOOL_USAGE;
    if (opts[0].value) {
        pbuf = strdup(opts[0].value);
        if (!pbuf)
            return TOOL_FAIL;
        if (split_prefixes(pbuf, list, 9) != 0) {
            free(pbuf);
            return tool_usage_error(cmd,
                                    "--prefix takes up to 8 prefixes "
                                    "of 2-3 letters from %s, comma-"
                                    "separated",
                                    PAYREF_ALPHABET);
        }
        prefixes = list;
    }
    if (npos > 0) {
        for (int i = 0; i < npos; i++)
            found += find_one(argv[i], strlen(argv[i]), prefixes);
    } else {
        char *line = NULL;
        size_t cap = 0;
        long len;
        while ((len = tool_getline(&line, &cap, stdin)) >= 0)
            found += find_one(line, (size_t)len, prefixes);
        free(line);
    }
    free(pbuf);
    return found ? TOOL_OK : TOOL_INVALID;
}

int tool_ref(int argc, char **argv)
{
    if (argc < 2 || tool_wants_help(argc, argv)) {
        fputs(ref_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? TOOL_USAGE : TOOL_OK;
    }
    if (strcmp(argv[1], "new") == 0)
        return ref_new(argc - 2, argv + 2);
    if (strcmp(argv[1], "check") == 0)
        return ref_check(argc - 2, argv + 2);
    if (strcmp(argv[1], "find") == 0)
        return ref_find(argc - 2, argv + 2);
    return tool_usage_error("ref", "expected new, check or find, not '%s'",
                            argv[1]);
}
