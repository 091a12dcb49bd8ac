/*
 * tool_misc.c: the small `chopay` subcommands: `money format|parse|words`,
 * `text fold` and `bank list|show`.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "money.h"
#include "tool.h"
#include "vntext.h"
#include "vnwords.h"

static const char money_usage[] =
    "usage: chopay money format N      print N đồng the Vietnamese way\n"
    "       chopay money parse TEXT    print TEXT ('15.000 ₫') as đồng\n"
    "       chopay money words AMOUNT  print AMOUNT ('125000', '125.000 ₫')\n"
    "                                  in Vietnamese words, as the payment\n"
    "                                  speaker says it\n";

static const char text_usage[] =
    "usage: chopay text fold TEXT...\n"
    "\n"
    "Folds Vietnamese text to upper-case ASCII, as transfer content and\n"
    "matching use it ('Nguyễn Thị Đào' -> 'NGUYEN THI DAO').\n";

static const char bank_usage[] =
    "usage: chopay bank list [--json]\n"
    "       chopay bank show [--json] BIN|NAME\n"
    "\n"
    "list prints BIN, short name, VietQR code, VietQR transfers (yes/no)\n"
    "and the full name, tab-separated; show prints one bank.\n";

int tool_money(int argc, char **argv)
{
    char buf[MONEY_FORMAT_MAX], words[VNWORDS_MAX];
    int64_t v;
    int rc;

    if (tool_wants_help(argc, argv)) {
        fputs(money_usage, stdout);
        return TOOL_OK;
    }
    if (argc != 3 ||
        (strcmp(argv[1], "format") != 0 && strcmp(argv[1], "parse") != 0 &&
         strcmp(argv[1], "words") != 0)) {
        fputs(money_usage, stderr);
        return TOOL_USAGE;
    }
    if (strcmp(argv[1], "format") == 0) {
        char *end;
        errno = 0;
        long long n = strtoll(argv[2], &end, 10);
        if (errno || *end || end == argv[2] || n > MONEY_MAX || n < -MONEY_MAX)
            return tool_usage_error("money format",
                                    "'%s' is not a whole number of đồng "
                                    "within ±10^15",
                                    argv[2]);
        money_format((int64_t)n, buf, sizeof buf);
        puts(buf);
        return TOOL_OK;
    }
    rc = money_parse(argv[2], &v);
    if (rc != 0) {
        fprintf(stderr, "chopay money %s: '%s': %s\n", argv[1], argv[2],
                money_strerror(rc));
        return TOOL_INVALID;
    }
    if (strcmp(argv[1], "words") == 0) {
        if (vnwords_amount(v, words, sizeof words) != 0)
            return TOOL_FAIL;
        puts(words);
        return TOOL_OK;
    }
    printf("%" PRId64 "\n", v);
    return TOOL_OK;
}

int tool_text(int argc, char **argv)
{
    if (tool_wants_help(argc, argv)) {
        fputs(text_usage, stdout);
        return TOOL_OK;
    }
    if (argc < 3 || strcmp(argv[1], "fold") != 0) {
        fputs(text_usage, stderr);
        return TOOL_USAGE;
    }
    int status = TOOL_OK;
    for (int i = 2; i < argc; i++) {
        size_t len = strlen(argv[i]);
        char *out = malloc(len + 1);
        if (!out)
            return TOOL_FAIL;
        if (vntext_fold(argv[i], len, out, len + 1, NULL) != 0) {
            fprintf(stderr,
                    "chopay text fold: argument %d is not valid "
                    "UTF-8\n",
                    i - 1);
            status = TOOL_INVALID;
        } else {
            puts(out);
        }
        free(out);
    }
    return status;
}

static json_t *bank_json(const struct bank *b)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:b}", "bin", b->bin, "short_name",
                     b->short_name, "code", b->code, "name", b->name, "vietqr",
                     b->vietqr);
}

static void bank_print(const struct bank *b, int as_json)
{
    if (as_json) {
        json_t *o = bank_json(b);
        char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
        if (s)
            puts(s);
        free(s);
        json_decref(o);
        return;
    }
    printf("%s\t%s\t%s\t%s\t%s\n", b->bin, b->short_name, b->code,
           b->vietqr ? "yes" : "no", b->name);
}

int tool_bank(int argc, char **argv)
{
    struct tool_opt opts[] = {{"json", 0, NULL}, {NULL, 0, NULL}};
    int npos;

    if (tool_wants_help(argc, argv)) {
        fputs(bank_usage, stdout);
        return TOOL_OK;
    }
    if (argc < 2) {
        fputs(bank_usage, stderr);
        return TOOL_USAGE;
    }
    const char *verb = argv[1];
    if (tool_scan("bank", argc - 2, argv + 2, opts, &npos) < 0)
        return TOOL_USAGE;
    int as_json = opts[0].value != NULL;
    if (strcmp(verb, "list") == 0) {
        if (npos != 0)
            return tool_usage_error("bank list", "unexpected argument '%s'",
                                    argv[2]);
        for (size_t i = 0; i < bank_count(); i++)
            bank_print(bank_at(i), as_json);
        return TOOL_OK;
    }
    if (strcmp(verb, "show") == 0) {
        if (npos != 1)
            return tool_usage_error("bank show", "expected one BIN or NAME");
        const struct bank *b = bank_lookup(argv[2]);
        if (!b) {
            fprintf(stderr, "chopay bank show: no bank '%s'\n", argv[2]);
            return TOOL_INVALID;
        }
        bank_print(b, as_json);
        return TOOL_OK;
    }
    return tool_usage_error("bank", "expected 'list' or 'show', not '%s'",
                            verb);
}
