/*
 * tool_receipt.c: `chopay receipt keygen|sign|verify`: an organisation's
 * receipt signing key, signing a receipt text (for tests and operations)
 * and verifying receipt QR texts offline with the published public key.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "money.h"
#include "receipt.h"
#include "tool.h"

static const char receipt_usage[] =
    "usage: chopay receipt keygen --out DIR\n"
    "       chopay receipt sign --key PRIVATE.pem --org ORG --number N\n"
    "                           --payer P --amount A --method transfer|cash\n"
    "                           --paid-at YYYY-MM-DDTHH:MM:SSZ [--ref R]\n"
    "       chopay receipt verify --key PUBLIC.pem [TEXT...]\n"
    "\n"
    "keygen  writes DIR/receipt-private.pem (mode 0600, never over an\n"
    "        existing file) and DIR/receipt-public.pem (publish this one)\n"
    "        and prints the key id.\n"
    "sign    prints the receipt's QR text.\n"
    "verify  checks each TEXT (or each line of standard input, e.g. from\n"
    "        'zbarimg --raw -q receipt.png') and prints one JSON object per\n"
    "        receipt: its fields when valid, else the reason (malformed,\n"
    "        unknown_version, wrong_key, bad_signature). Exit 0 when all\n"
    "        are valid, 1 when any is not.\n";

/* Read a whole small file (a PEM key) into buf; 0 or -1. */
static int read_small(const char *path, char *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return -1;
    n = fread(buf, 1, cap - 1, f);
    if (ferror(f) || !feof(f)) { /* error, or larger than cap - 1 */
        fclose(f);
        return -1;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return 0;
}

/* Write `text` to a new file `path` with `mode`; refuses to replace. */
static int write_new(const char *path, const char *text, mode_t mode)
{
    size_t len = strlen(text);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);

    if (fd < 0)
        return -1;
    if (fchmod(fd, mode) != 0 || write(fd, text, len) != (ssize_t)len ||
        fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return -1;
    }
    return close(fd);
}

static int receipt_keygen_cmd(int argc, char **argv)
{
    struct tool_opt opts[] = {{"out", 1, NULL}, {NULL, 0, NULL}};
    const char *cmd = "receipt keygen";
    uint8_t priv[RECEIPT_KEY_LEN], pub[RECEIPT_KEY_LEN];
    char ppem[RECEIPT_PEM_MAX], pem[RECEIPT_PEM_MAX];
    char kid[RECEIPT_KEY_ID_LEN + 1];
    char path_priv[4096], path_pub[4096];
    int npos;
    int rc = TOOL_FAIL;

    if (tool_scan(cmd, argc, argv, opts, &npos) < 0)
        return TOOL_USAGE;
    if (npos > 0)
        return tool_usage_error(cmd, "unexpected argument '%s'", argv[0]);
    if (!opts[0].value || !*opts[0].value)
        return tool_usage_error(cmd, "--out DIR is required");
    if (snprintf(path_priv, sizeof path_priv, "%s/receipt-private.pem",
                 opts[0].value) >= (int)sizeof path_priv ||
        snprintf(path_pub, sizeof path_pub, "%s/receipt-public.pem",
                 opts[0].value) >= (int)sizeof path_pub)
        return tool_usage_error(cmd, "--out path too long");
    if (receipt_keygen(priv, pub) != 0 ||
        receipt_private_pem(priv, ppem, sizeof ppem) != 0 ||
        receipt_public_pem(pub, pem, sizeof pem) != 0 ||
        receipt_key_id(pub, kid) != 0) {
        fprintf(stderr, "chopay %s: key generation failed\n", cmd);
        goto fail;
    }
    if (write_new(path_priv, ppem, 0600) != 0) {
        fprintf(stderr, "chopay %s: cannot create %s: %s\n", cmd, path_priv,
                strerror(errno));
        goto fail;
    }
    if (write_new(path_pub, pem, 0644) != 0) {
        fprintf(stderr, "chopay %s: cannot create %s: %s\n", cmd, path_pub,
                strerror(errno));
        unlink(path_priv);
        goto fail;
    }
    printf("%s\n", kid);
    rc = TOOL_OK;
fail:
    memset(priv, 0, sizeof priv);
    memset(ppem, 0, sizeof ppem);
    return rc;
}

/* "2026-11-22T05:15:33Z" -> seconds, or -1. */
static int64_t parse_utc(const char *s)
{
    int v[6];
    const char *fmt = "dddd-dd-ddTdd:dd:ddZ";
    size_t i;

    if (strlen(s) != strlen(fmt))
        return -1;
    for (i = 0; fmt[i]; i++)
        if (fmt[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != fmt[i])
            return -1;
    v[0] = atoi(s);
    v[1] = atoi(s + 5);
    v[2] = atoi(s + 8);
    v[3] = atoi(s + 11);
    v[4] = atoi(s + 14);
    v[5] = atoi(s + 17);
    return receipt_from_civil(v[0], v[1], v[2], v[3], v[4], v[5]);
}

/* Copy src into dst (capacity cap); -1 when it does not fit. */
static int copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static int receipt_sign_cmd(int argc, char **argv)
{
    struct tool_opt opts[] = {
        {"key", 1, NULL},     {"org", 1, NULL},    {"number", 1, NULL},
        {"payer", 1, NULL},   {"amount", 1, NULL}, {"method", 1, NULL},
        {"paid-at", 1, NULL}, {"ref", 1, NULL},    {NULL, 0, NULL}};
    const char *cmd = "receipt sign";
    char pem[4096];
    size_t len;
    uint8_t priv[RECEIPT_KEY_LEN];
    struct receipt r;
    char text[RECEIPT_TEXT_MAX];
    int npos;
    int rc;

    if (tool_scan(cmd, argc, argv, opts, &npos) < 0)
        return TOOL_USAGE;
    if (npos > 0)
        return tool_usage_error(cmd, "unexpected argument '%s'", argv[0]);
    for (int i = 0; i < 7; i++)
        if (!opts[i].value)
            return tool_usage_error(cmd, "--%s is required", opts[i].name);
    memset(&r, 0, sizeof r);
    if (copy_field(r.org, sizeof r.org, opts[1].value) ||
        copy_field(r.number, sizeof r.number, opts[2].value) ||
        copy_field(r.payer, sizeof r.payer, opts[3].value) ||
        copy_field(r.ref, sizeof r.ref, opts[7].value ? opts[7].value : ""))
        return tool_usage_error(cmd, "a code is too long");
    if (money_parse_nonneg(opts[4].value, &r.amount) != 0)
        return tool_usage_error(cmd, "--amount '%s' is not an amount",
                                opts[4].value);
    if (strcmp(opts[5].value, "transfer") == 0)
        r.method = RECEIPT_TRANSFER;
    else if (strcmp(opts[5].value, "cash") == 0)
        r.method = RECEIPT_CASH;
    else
        return tool_usage_error(cmd, "--method must be transfer or cash");
    if ((r.paid_at = parse_utc(opts[6].value)) < 0)
        return tool_usage_error(cmd, "--paid-at must be "
                                     "YYYY-MM-DDTHH:MM:SSZ (UTC)");
    if (read_small(opts[0].value, pem, sizeof pem, &len) != 0) {
        fprintf(stderr, "chopay %s: cannot read %s\n", cmd, opts[0].value);
        return TOOL_FAIL;
    }
    rc = receipt_private_from_pem(pem, len, priv);
    memset(pem, 0, sizeof pem);
    if (rc != 0) {
        fprintf(stderr, "chopay %s: %s: not an Ed25519 private key\n", cmd,
                opts[0].value);
        return TOOL_FAIL;
    }
    rc = receipt_sign(&r, priv, text, sizeof text);
    memset(priv, 0, sizeof priv);
    if (rc == -RECEIPT_E_ARG)
        return tool_usage_error(cmd, "codes are A-Z 0-9 '-' (ref also a-z), "
                                     "amount 1..10^15, time 2000-9999");
    if (rc != 0) {
        fprintf(stderr, "chopay %s: %s\n", cmd, receipt_strerror(rc));
        return TOOL_FAIL;
    }
    puts(text);
    return TOOL_OK;
}

/* Print one verification result as a JSON line; 1 when valid. */
static int verify_one(const char *text, size_t len,
                      const uint8_t pub[RECEIPT_KEY_LEN])
{
    struct receipt r;
    json_t *o = json_object();
    char *s;
    int rc = receipt_verify(text, len, pub, &r);

    if (!o)
        return 0;
    json_object_set_new(o, "valid", json_boolean(rc == 0));
    if (rc == 0) {
        int y, mo, d, h, mi, se;
        char when[32];
        receipt_civil(r.paid_at, &y, &mo, &d, &h, &mi, &se);
        snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d,
                 h, mi, se);
        json_object_set_new(o, "org", json_string(r.org));
        json_object_set_new(o, "key_id", json_string(r.key_id));
        json_object_set_new(o, "number", json_string(r.number));
        json_object_set_new(o, "payer", json_string(r.payer));
        json_object_set_new(o, "amount", json_integer(r.amount));
        json_object_set_new(
            o, "method",
            json_string(r.method == RECEIPT_CASH ? "cash" : "transfer"));
        json_object_set_new(o, "paid_at", json_string(when));
        json_object_set_new(o, "ref", json_string(r.ref));
    } else {
        json_object_set_new(o, "error", json_string(receipt_error_code(rc)));
        json_object_set_new(o, "message", json_string(receipt_strerror(rc)));
    }
    s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
    if (s)
        puts(s);
    free(s);
    json_decref(o);
    return rc == 0;
}

static int receipt_verify_cmd(int argc, char **argv)
{
    struct tool_opt opts[] = {{"key", 1, NULL}, {NULL, 0, NULL}};
    const char *cmd = "receipt verify";
    uint8_t pub[RECEIPT_KEY_LEN];
    char pem[4096];
    size_t len;
    int npos;
    int total = 0, good = 0;

    if (tool_scan(cmd, argc, argv, opts, &npos) < 0)
        return TOOL_USAGE;
    if (!opts[0].value)
        return tool_usage_error(cmd, "--key PUBLIC.pem is required");
    if (read_small(opts[0].value, pem, sizeof pem, &len) != 0) {
        fprintf(stderr, "chopay %s: cannot read %s\n", cmd, opts[0].value);
        return TOOL_FAIL;
    }
    if (receipt_public_from_pem(pem, len, pub) != 0) {
        fprintf(stderr, "chopay %s: %s: not an Ed25519 key in PEM\n", cmd,
                opts[0].value);
        return TOOL_FAIL;
    }
    if (npos > 0) {
        for (int i = 0; i < npos; i++, total++)
            good += verify_one(argv[i], strlen(argv[i]), pub);
    } else {
        char *line = NULL;
        size_t cap = 0;
        long n;
        while ((n = tool_getline(&line, &cap, stdin)) >= 0) {
            if (n == 0)
                continue;
            good += verify_one(line, (size_t)n, pub);
            total++;
        }
        free(line);
    }
    if (total == 0) {
        fprintf(stderr, "chopay %s: no receipt text given\n", cmd);
        return TOOL_INVALID;
    }
    return good == total ? TOOL_OK : TOOL_INVALID;
}

int tool_receipt(int argc, char **argv)
{
    if (argc < 2 || tool_wants_help(argc, argv)) {
        fputs(receipt_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? TOOL_USAGE : TOOL_OK;
    }
    if (strcmp(argv[1], "keygen") == 0)
        return receipt_keygen_cmd(argc - 2, argv + 2);
    if (strcmp(argv[1], "sign") == 0)
        return receipt_sign_cmd(argc - 2, argv + 2);
    if (strcmp(argv[1], "verify") == 0)
        return receipt_verify_cmd(argc - 2, argv + 2);
    return tool_usage_error("receipt",
                            "expected keygen, sign or verify, not "
                            "'%s'",
                            argv[1]);
}
