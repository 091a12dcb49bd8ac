/*
 * tool_qr.c: `chopay qr encode` and `chopay qr decode`: build VietQR
 * payloads (optionally a PNG through libqrencode) and validate payloads,
 * printing one JSON object per payload.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "money.h"
#include "qrimage.h"
#include "tool.h"
#include "vietqr.h"
#include "vntext.h"

static const char encode_usage[] =
    "usage: chopay qr encode (--bin BIN | --bank NAME) --account ACC\n"
    "                        [--card] [--amount N] [--content TEXT]\n"
    "                        [--static] [--png FILE [--scale PX]]\n"
    "\n"
    "Prints the VietQR payload. --amount takes đồng (15000, 15.000,\n"
    "'15.000 ₫'); a payload with an amount is dynamic unless --static.\n"
    "--content is folded to upper-case ASCII first (Vietnamese\n"
    "diacritics removed). --png also writes the QR image (error\n"
    "correction M, 4-module quiet zone, --scale pixels per module,\n"
    "default 8).\n";

static const char decode_usage[] =
    "usage: chopay qr decode [PAYLOAD...]\n"
    "\n"
    "Validates each payload (or each line of standard input) against\n"
    "NAPAS's VietQR spec and prints one JSON object per payload: ok,\n"
    "errors, bin, bank, account, service, dynamic, amount, content, crc.\n"
    "Exit status 1 when any payload is invalid.\n";

static int qr_encode(int argc, char **argv)
{
    struct tool_opt opts[] = {
        {"bin", 1, NULL},    {"bank", 1, NULL},   {"account", 1, NULL},
        {"card", 0, NULL},   {"amount", 1, NULL}, {"content", 1, NULL},
        {"static", 0, NULL}, {"png", 1, NULL},    {"scale", 1, NULL},
        {NULL, 0, NULL},
    };
    enum {
        O_BIN,
        O_BANK,
        O_ACCOUNT,
        O_CARD,
        O_AMOUNT,
        O_CONTENT,
        O_STATIC,
        O_PNG,
        O_SCALE
    };
    const char *cmd = "qr encode";
    struct vietqr_request req = {0};
    char content[256];
    char payload[VIETQR_MAX_PAYLOAD + 1];
    int npos;
    int rc;

    if (tool_wants_help(argc, argv)) {
        fputs(encode_usage, stdout);
        return TOOL_OK;
    }
    if (tool_scan(cmd, argc, argv, opts, &npos) < 0)
        return TOOL_USAGE;
    if (npos > 0)
        return tool_usage_error(cmd, "unexpected argument '%s'", argv[0]);
    if (!opts[O_BIN].value == !opts[O_BANK].value)
        return tool_usage_error(cmd, "give exactly one of --bin or --bank");
    if (!opts[O_ACCOUNT].value)
        return tool_usage_error(cmd, "--account is required");
    if (opts[O_SCALE].value && !opts[O_PNG].value)
        return tool_usage_error(cmd, "--scale goes with --png");

    if (opts[O_BANK].value) {
        const struct bank *b = bank_lookup(opts[O_BANK].value);
        if (!b)
            return tool_usage_error(cmd,
                                    "unknown bank '%s' (see 'chopay "
                                    "bank list')",
                                    opts[O_BANK].value);
        req.bin = b->bin;
    } else {
        req.bin = opts[O_BIN].value;
    }
    req.account = opts[O_ACCOUNT].value;
    req.service = opts[O_CARD].value ? VIETQR_TO_CARD : VIETQR_TO_ACCOUNT;
    req.force_static = opts[O_STATIC].value != NULL;
    if (opts[O_AMOUNT].value) {
        int64_t amount;
        if (money_parse(opts[O_AMOUNT].value, &amount) != 0 || amount <= 0)
            return tool_usage_error(cmd,
                                    "--amount '%s' is not a positive "
                                    "amount in đồng",
                                    opts[O_AMOUNT].value);
        req.amount = amount;
    }
    if (opts[O_CONTENT].value) {
        const char *c = opts[O_CONTENT].value;
        if (vntext_fold(c, strlen(c), content, sizeof content, NULL) != 0)
            return tool_usage_error(cmd, "--content is not valid UTF-8 "
                                         "text (or is too long)");
        if (content[0] == '\0')
            return tool_usage_error(cmd, "--content has no letters or "
                                         "digits left after folding");
        req.content = content;
    }

    rc = vietqr_encode(&req, payload, sizeof payload);
    if (rc != 0) {
        fprintf(stderr, "chopay %s: %s (%s)\n", cmd,
                vietqr_error_message((enum vietqr_error) - rc),
                vietqr_error_code((enum vietqr_error) - rc));
        return TOOL_INVALID;
    }
    if (opts[O_PNG].value) {
        long scale = 8;
        if (opts[O_SCALE].value) {
            char *end;
            scale = strtol(opts[O_SCALE].value, &end, 10);
            if (*end || end == opts[O_SCALE].value || scale < 1 || scale > 100)
                return tool_usage_error(cmd, "--scale must be 1 to 100");
        }
        if (qrimage_write_png(payload, opts[O_PNG].value, (int)scale) != 0) {
            fprintf(stderr, "chopay %s: cannot write PNG '%s'\n", cmd,
                    opts[O_PNG].value);
            return TOOL_FAIL;
        }
    }
    puts(payload);
    return TOOL_OK;
}

/* Set key to a string, or to null when s is NULL. */
static void set_str(json_t *o, const char *key, const char *s)
{
    json_object_set_new(o, key, s ? json_string(s) : json_null());
}

/* Print the JSON decoding of one payload; returns 1 when it is valid. */
static int decode_one(const char *payload, size_t len)
{
    struct vietqr_fields f;
    struct vietqr_report rep;
    json_t *o = json_object();
    json_t *errs = json_array();
    int ok = vietqr_decode(payload, len, &f, &rep) == 0;

    for (int i = 0; i < rep.count; i++)
        json_array_append_new(errs,
                              json_string(vietqr_error_code(rep.errors[i])));
    json_object_set_new(o, "ok", json_boolean(ok));
    json_object_set_new(o, "errors", errs);
    set_str(o, "bin", f.bin[0] ? f.bin : NULL);
    const struct bank *b = f.bin[0] ? bank_by_bin(f.bin) : NULL;
    set_str(o, "bank", b ? b->short_name : NULL);
    set_str(o, "account", f.account[0] ? f.account : NULL);
    set_str(o, "service", f.service[0] ? f.service : NULL);
    json_object_set_new(o, "dynamic", json_boolean(f.dynamic));
    json_object_set_new(o, "amount",
                        f.has_amount ? json_integer(f.amount) : json_null());
    set_str(o, "content", f.has_content ? f.content : NULL);
    set_str(o, "crc", f.crc[0] ? f.crc : NULL);
    if (rep.over_cap)
        json_object_set_new(o, "over_napas247_cap", json_true());
    if (!rep.is_vietqr && rep.emvco_valid && f.merchant_tag > 0) {
        json_object_set_new(o, "merchant_tag", json_integer(f.merchant_tag));
        set_str(o, "merchant_guid", f.merchant_guid);
    }
    char *s =
        json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_ENSURE_ASCII);
    if (s) {
        puts(s);
        free(s);
    }
    json_decref(o);
    return ok;
}

static int qr_decode(int argc, char **argv)
{
    struct tool_opt opts[] = {{NULL, 0, NULL}};
    int npos;
    int all_ok = 1;
    int seen = 0;

    if (tool_wants_help(argc, argv)) {
        fputs(decode_usage, stdout);
        return TOOL_OK;
    }
    if (tool_scan("qr decode", argc, argv, opts, &npos) < 0)
        return TOOL_USAGE;
    if (npos > 0) {
        for (int i = 0; i < npos; i++, seen++)
            all_ok &= decode_one(argv[i], strlen(argv[i]));
    } else {
        char *line = NULL;
        size_t cap = 0;
        long len;
        while ((len = tool_getline(&line, &cap, stdin)) >= 0) {
            if (len == 0)
                continue;
            all_ok &= decode_one(line, (size_t)len);
            seen++;
        }
        free(line);
    }
    if (seen == 0) {
        fprintf(stderr, "chopay qr decode: no payload given\n");
        return TOOL_INVALID;
    }
    fflush(stdout);
    return all_ok ? TOOL_OK : TOOL_INVALID;
}

int tool_qr(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "encode") == 0)
        return qr_encode(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "decode") == 0)
        return qr_decode(argc - 2, argv + 2);
    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(encode_usage, stdout);
        fputs("\n", stdout);
        fputs(decode_usage, stdout);
        return TOOL_OK;
    }
    return tool_usage_error("qr", "expected 'encode' or 'decode'%s%s",
                            argc >= 2 ? ", not " : "",
                            argc >= 2 ? argv[1] : "");
}
