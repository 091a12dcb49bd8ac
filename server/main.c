/*
 * main.c: chopay-server's command line: global flags and the INI config,
 * the operator subcommands (init, serve, kiosk add, token add, import
 * payers, invoices generate) and --demo. Usage errors exit 2, runtime
 * failures 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ini.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "api_json.h"
#include "audit_list.h"
#include "copy_db.h"
#include "crypto.h"
#include "csv_payers.h"
#include "dash.h"
#include "ingest.h"
#include "journal_list.h"
#include "nodes.h"
#include "server.h"
#include "srv_report.h"

static const char usage_text[] =
    "usage: chopay-server [OPTIONS] [COMMAND]\n"
    "\n"
    "Commands:\n"
    "  serve                         run the HTTP server (default)\n"
    "  init                          create the data directory and database\n"
    "  kiosk add --org CODE --name NAME    register a kiosk; prints its key "
    "once\n"
    "  token add --role admin|board|auditor|province [--org CODE]\n"
    "           [--province NAME]    create an API token; prints it once\n"
    "  user add --org CODE --name LOGIN [--role board|auditor|admin]\n"
    "  user add --name LOGIN --role province --province NAME\n"
    "  collector add --org CODE --name NAME --pin PIN\n"
    "                                a collector who takes cash at the\n"
    "                                kiosks, with a PIN of 4-8 digits\n"
    "  collector list --org CODE     the collectors (never their PINs)\n"
    "                                a dashboard user; the password is read\n"
    "                                from stdin (none: one is generated and\n"
    "                                printed once); a province user reads\n"
    "                                the statistics of that province only\n"
    "  kiosk list [--org CODE]       kiosks: id, org, name, created, last "
    "used\n"
    "  kiosk revoke ID [--org CODE]  revoke a kiosk's key (refused from its\n"
    "                                next request on)\n"
    "  token list                    API tokens: id, role, org, created, last "
    "used\n"
    "  token revoke ID               revoke an API token\n"
    "  user list [--org CODE]        dashboard users\n"
    "  user disable --org CODE --name LOGIN\n"
    "                                disable a user and end its sessions\n"
    "  import payers --org CODE FILE.csv   import payers (all or nothing)\n"
    "  invoices generate --org CODE --period P [--fee CODE]\n"
    "                                create the period's invoices "
    "(idempotent)\n"
    "  import statement FILE [--format camt|mt940|csv] [--org CODE]\n"
    "                                import a bank statement (all or "
    "nothing)\n"
    "  review list [--org CODE] [--state STATE]\n"
    "                                unmatched/ambiguous bank transactions\n"
    "  review match TXN --intent ID|--payer CODE --reason TEXT\n"
    "  review unmatch TXN --reason TEXT\n"
    "  review ignore TXN --reason TEXT\n"
    "  simulate transfer --org CODE --code PAYCODE --amount N\n"
    "           [--via sepay|casso|payos|generic] [--server URL]\n"
    "                                post a signed provider notification\n"
    "  report daily --org CODE [--date YYYY-MM-DD] [--csv]\n"
    "                                the day's reconciliation (JSON or CSV)\n"
    "  stats adoption --from D --to D [--org CODE | --province NAME]\n"
    "           [--fee CODE] [--csv]    cashless-adoption statistics\n"
    "  standee --org CODE (--all | --payer CODE) --out DIR [--paper a5|a6]\n"
    "                                print stall QR standees (PDF and PNG)\n"
    "  audit verify                  check the audit hash chain and every "
    "closed day\n"
    "  audit list [--org CODE] [--action A] [--after ID] [--limit N] [--json]\n"
    "                                the audit entries, oldest first\n"
    "  journal list [--state S] [--provider P] [--after ID] [--limit N]\n"
    "           [--json]             the webhook deliveries and their fate\n"
    "  check                         verify the ledger's invariants "
    "(read-only;\n"
    "                                exit 0 all hold, 1 a violation)\n"
    "  copy-db --from URL --to URL   copy a whole deployment into an empty\n"
    "                                database (SQLite or PostgreSQL) and\n"
    "                                verify the copy\n"
    "\n"
    "Options:\n"
    "  --config FILE      INI file ([server], [bank.ORG]; see docs/api.md)\n"
    "  --listen ADDR:PORT listen address (default 127.0.0.1:8080; port 0 "
    "picks one)\n"
    "  --metrics-listen ADDR:PORT\n"
    "                     also serve /metrics without a credential on this\n"
    "                     loopback address (e.g. 127.0.0.1:9464)\n"
    "  --data-dir DIR     state directory (default ./var)\n"
    "  --db URL           database (default sqlite:DATA_DIR/chopay.db)\n"
    "  --demo             seed demo data (idempotent) and serve\n"
    "  --help             this text\n";

static int usage(const char *msg)
{
    if (msg != NULL)
        fprintf(stderr, "chopay-server: %s\n", msg);
    fputs(usage_text, stderr);
    return 2;
}

/* ---- configuration ------------------------------------------------------ */

static void config_defaults(struct srv_config *c)
{
    memset(c, 0, sizeof(*c));
    csvmap_init(&c->csv);
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    snprintf(c->data_dir, sizeof(c->data_dir), "./var");
    c->threads = 4;
    c->write_threads = 64;
    c->body_limit = 64 * 1024;
    c->import_limit = 8 * 1024 * 1024;
    c->per_ip = 256;
    c->conn_limit = 60000;
    c->conn_timeout = 90;
    c->rate = 50;
    c->burst = 100;
    c->intent_ttl = 15 * 60;
    c->max_wait = 60;
    c->housekeep = 300;
    c->db_writers = 4;
    ingest_limits_default(&c->journal);
}

struct ini_ctx {
    struct srv_config *c; /* being filled */
    char err[256];        /* first problem */
};

static int set_int(const char *v, long min, long max, long *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

static int on_ini(void *user, const char *section, const char *name,
                  const char *value)
{
    struct ini_ctx *x = user;
    struct srv_config *c = x->c;
    long n = 0;
    static const struct {
        const char *key;
        long min, max;
    } ints[] = {
        {"threads", 1, 64},
        {"body_limit", 1024, 1 << 24},
        {"import_limit", 1024, 1 << 28},
        {"per_ip_connections", 1, 100000},
        {"max_connections", 16, 200000},
        {"connection_timeout", 5, 3600},
        {"rate", 0, 1000000},
        {"burst", 1, 1000000},
        {"intent_ttl", 60, 86400},
        {"max_wait", 1, 60},
        {"housekeeping_interval", 1, 86400},
        {"db_writers", 1, 64},
        {"write_threads", 1, 1024},
    };
    size_t i;

    if (strncmp(section, "bank.", 5) == 0) {
        if (ingest_conf_set(&c->bank, section, name, value, x->err,
                            sizeof(x->err)) != 0)
            return 0;
        return 1;
    }
    if (strcmp(section, "csv") == 0)
        return csvmap_set(&c->csv, name, value, x->err, sizeof(x->err)) == 0;
    if (strcmp(section, "server") != 0) {
        snprintf(x->err, sizeof(x->err), "unknown section [%s]", section);
        return 0;
    }
    switch (
        ingest_limits_set(&c->journal, name, value, x->err, sizeof(x->err))) {
    case 1:
        return 1;
    case -1:
        return 0;
    default:
        break;
    }
    if (strcmp(name, "listen") == 0) {
        snprintf(c->listen, sizeof(c->listen), "%s", value);
        return 1;
    }
    if (strcmp(name, "metrics_listen") == 0) {
        snprintf(c->metrics_listen, sizeof(c->metrics_listen), "%s", value);
        return 1;
    }
    if (strcmp(name, "data_dir") == 0) {
        snprintf(c->data_dir, sizeof(c->data_dir), "%s", value);
        return 1;
    }
    if (strcmp(name, "db") == 0) {
        snprintf(c->db, sizeof(c->db), "%s", value);
        return 1;
    }
    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        if (strcmp(name, ints[i].key) != 0)
            continue;
        if (set_int(value, ints[i].min, ints[i].max, &n) != 0) {
            snprintf(x->err, sizeof(x->err), "%s: a number from %ld to %ld",
                     name, ints[i].min, ints[i].max);
            return 0;
        }
        switch (i) {
        case 0:
            c->threads = (int)n;
            break;
        case 1:
            c->body_limit = (size_t)n;
            break;
        case 2:
            c->import_limit = (size_t)n;
            break;
        case 3:
            c->per_ip = (int)n;
            break;
        case 4:
            c->conn_limit = (int)n;
            break;
        case 5:
            c->conn_timeout = (int)n;
            break;
        case 6:
            c->rate = (int)n;
            break;
        case 7:
            c->burst = (int)n;
            break;
        case 8:
            c->intent_ttl = (int)n;
            break;
        case 9:
            c->max_wait = (int)n;
            break;
        case 11:
            c->db_writers = (int)n;
            break;
        case 12:
            c->write_threads = (int)n;
            break;
        default:
            c->housekeep = (int)n;
            break;
        }
        return 1;
    }
    snprintf(x->err, sizeof(x->err), "unknown key '%s'", name);
    return 0;
}

/* ---- the command line --------------------------------------------------- */

struct opts {
    const char *config, *listen, *data_dir, *db; /* global flags */
    const char *metrics_listen;                  /* global flag */
    int demo, help;
    const char *org, *name, *role, *period, *fee; /* subcommand flags */
    const char *format, *intent, *payer, *reason, *code, *amount, *via;
    const char *server, *state;
    const char *date, *from, *to, *province, *out, *paper;
    const char *action, *after, *limit, *provider, *pin;
    int csv, all, json;
    const char *pos[4]; /* positional words */
    int npos;
};

static int parse_args(int argc, char **argv, struct opts *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = 1;
            continue;
        }
        if (strcmp(a, "--demo") == 0) {
            o->demo = 1;
            continue;
        }
        if (strcmp(a, "--csv") == 0) {
            o->csv = 1;
            continue;
        }
        if (strcmp(a, "--all") == 0) {
            o->all = 1;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            o->json = 1;
            continue;
        }
        if (strcmp(a, "--config") == 0)
            slot = &o->config;
        else if (strcmp(a, "--listen") == 0)
            slot = &o->listen;
        else if (strcmp(a, "--metrics-listen") == 0)
            slot = &o->metrics_listen;
        else if (strcmp(a, "--data-dir") == 0)
            slot = &o->data_dir;
        else if (strcmp(a, "--db") == 0)
            slot = &o->db;
        else if (strcmp(a, "--org") == 0)
            slot = &o->org;
        else if (strcmp(a, "--name") == 0)
            slot = &o->name;
        else if (strcmp(a, "--role") == 0)
            slot = &o->role;
        else if (strcmp(a, "--pin") == 0)
            slot = &o->pin;
        else if (strcmp(a, "--period") == 0)
            slot = &o->period;
        else if (strcmp(a, "--fee") == 0)
            slot = &o->fee;
        else if (strcmp(a, "--format") == 0)
            slot = &o->format;
        else if (strcmp(a, "--intent") == 0)
            slot = &o->intent;
        else if (strcmp(a, "--payer") == 0)
            slot = &o->payer;
        else if (strcmp(a, "--reason") == 0)
            slot = &o->reason;
        else if (strcmp(a, "--code") == 0)
            slot = &o->code;
        else if (strcmp(a, "--amount") == 0)
            slot = &o->amount;
        else if (strcmp(a, "--via") == 0)
            slot = &o->via;
        else if (strcmp(a, "--server") == 0)
            slot = &o->server;
        else if (strcmp(a, "--state") == 0)
            slot = &o->state;
        else if (strcmp(a, "--date") == 0)
            slot = &o->date;
        else if (strcmp(a, "--from") == 0)
            slot = &o->from;
        else if (strcmp(a, "--to") == 0)
            slot = &o->to;
        else if (strcmp(a, "--province") == 0)
            slot = &o->province;
        else if (strcmp(a, "--out") == 0)
            slot = &o->out;
        else if (strcmp(a, "--action") == 0)
            slot = &o->action;
        else if (strcmp(a, "--provider") == 0)
            slot = &o->provider;
        else if (strcmp(a, "--after") == 0)
            slot = &o->after;
        else if (strcmp(a, "--limit") == 0)
            slot = &o->limit;
        else if (strcmp(a, "--paper") == 0)
            slot = &o->paper;
        if (slot != NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "chopay-server: %s needs a value\n", a);
                return -1;
            }
            *slot = argv[++i];
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "chopay-server: unknown option %s\n", a);
            return -1;
        }
        if (o->npos >= 4) {
            fprintf(stderr, "chopay-server: too many arguments\n");
            return -1;
        }
        o->pos[o->npos++] = a;
    }
    return 0;
}

static int load_config(const struct opts *o, struct srv_config *c)
{
    config_defaults(c);
    if (o->config != NULL) {
        struct ini_ctx x = {c, ""};
        int rc = ini_parse(o->config, on_ini, &x);

        if (rc < 0) {
            fprintf(stderr, "chopay-server: cannot read %s\n", o->config);
            return -1;
        }
        if (rc > 0) {
            fprintf(stderr, "chopay-server: %s:%d: %s\n", o->config, rc,
                    x.err[0] ? x.err : "syntax error");
            return -1;
        }
    }
    if (o->listen)
        snprintf(c->listen, sizeof(c->listen), "%s", o->listen);
    if (o->metrics_listen)
        snprintf(c->metrics_listen, sizeof(c->metrics_listen), "%s",
                 o->metrics_listen);
    if (o->data_dir)
        snprintf(c->data_dir, sizeof(c->data_dir), "%s", o->data_dir);
    if (o->db)
        snprintf(c->db, sizeof(c->db), "%s", o->db);
    if (c->db[0] == '\0')
        snprintf(c->db, sizeof(c->db), "sqlite:%s/chopay.db", c->data_dir);
    snprintf(c->journal.data_dir, sizeof(c->journal.data_dir), "%s",
             c->data_dir);
    return 0;
}

/* mkdir -p for the data directory (mode 0700). */
static int make_dirs(const char *path)
{
    char buf[512];
    size_t i, n = strlen(path);

    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char save = buf[i];

            buf[i] = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                return -1;
            buf[i] = save;
        }
    }
    return 0;
}

int server_open_store(const struct srv_config *c, int pool, struct store **out)
{
    int rc;

    if (make_dirs(c->data_dir) != 0) {
        fprintf(stderr, "chopay-server: cannot create %s: %s\n", c->data_dir,
                strerror(errno));
        return -1;
    }
    rc = store_open(c->db, pool, out);
    if (rc != 0) {
        char shown[sizeof(c->db)];

        store_url_shown(c->db, shown, sizeof(shown));
        fprintf(stderr, "chopay-server: %s: %s\n", shown,
                store_error_message());
        return -1;
    }
    return 0;
}

int server_new_secret(const char *prefix, char *key, char hash[65])
{
    uint8_t raw[32], d[CRYPTO_SHA256_LEN];
    char hex[65];

    if (crypto_random(raw, sizeof(raw)) != 0)
        return -1;
    crypto_hex(raw, sizeof(raw), hex);
    snprintf(key, SERVER_KEY_MAX, "%s%s", prefix, hex);
    crypto_sha256(key, strlen(key), d);
    crypto_hex(d, sizeof(d), hash);
    return 0;
}

/* ---- subcommands ------------------------------------------------------- */

static int cmd_init(const struct srv_config *c)
{
    struct store *st = NULL;
    char shown[sizeof(c->db)];
    int64_t n = 0;

    if (server_open_store(c, 1, &st) != 0)
        return 1;
    st->ops->audit_verify(st, &n);
    store_url_shown(c->db, shown, sizeof(shown));
    printf("chopay-server: database %s ready (%lld audit entries)\n", shown,
           (long long)n);
    store_close(st);
    return 0;
}

static int cmd_kiosk_add(const struct srv_config *c, const struct opts *o)
{
    struct store *st = NULL;
    char key[SERVER_KEY_MAX], hash[65];
    int64_t id = 0;
    int rc;

    if (o->org == NULL || o->name == NULL || o->npos != 2)
        return usage("kiosk add needs --org CODE --name NAME");
    if (server_open_store(c, 1, &st) != 0)
        return 1;
    if (server_new_secret("ck_", key, hash) != 0) {
        store_close(st);
        return 1;
    }
    rc = st->ops->kiosk_add(st, o->org, o->name, hash, &id);
    store_close(st);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    printf("kiosk %lld for %s: key (shown once, only its hash is "
           "stored):\n%s\n",
           (long long)id, o->org, key);
    return 0;
}

/* Unix time `v` as "YYYY-MM-DD HH:MM" UTC, or "-" for 0 (never). */
static const char *when(int64_t v, char *buf, size_t cap)
{
    time_t t;
    struct tm tm;

    if (v == 0)
        return "-";
    t = (time_t)v;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(buf, cap, "%Y-%m-%d %H:%M", &tm) == 0)
        return "?";
    return buf;
}

/* `kiosk list`, `token list`, `user list`: one credential a line, never
 * its secret. */
static int cmd_cred_list(const struct srv_config *c, const struct opts *o,
                         const char *kind)
{
    struct store *st = NULL;
    struct store_cred_list list = {0};
    size_t i;
    int rc;

    if (o->npos != 2 || (strcmp(kind, "token") == 0 && o->org != NULL))
        return usage("kiosk list [--org CODE] | token list | user list "
                     "[--org CODE]");
    if (server_open_store(c, 1, &st) != 0)
        return 1;
    rc = st->ops->cred_list(st, kind, o->org, &list);
    store_close(st);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    printf("%-6s %-10s %-24s %-8s %-16s %-16s %s\n", "ID", "ORG",
           strcmp(kind, "token") == 0 ? "-" : "NAME", "ROLE", "CREATED",
           "LAST USED", "STATE");
    for (i = 0; i < list.n; i++) {
        const struct store_cred_row *e = &list.rows[i];
        const char *role = strcmp(kind, "kiosk") == 0 ? NULL : e->role;
        char b1[32], b2[32], b3[32];

        printf("%-6lld %-10s %-24s %-8s %-16s %-16s %s%s\n", (long long)e->id,
               e->org ? e->org : "*", e->name ? e->name : "-",
               role ? role : kind, when(e->created_at, b1, sizeof(b1)),
               when(e->last_used_at, b2, sizeof(b2)),
               e->active ? "active" : "revoked ",
               e->active ? "" : when(e->revoked_at, b3, sizeof(b3)));
    }
    store_cred_list_free(&list);
    return 0;
}

/* `kiosk revoke ID [--org CODE]`, `token revoke ID`,
 * `user disable --org CODE --name LOGIN`. */
static int cmd_cred_revoke(const struct srv_config *c, const struct opts *o,
                           const char *kind)
{
    struct store *st = NULL;
    struct store_cred_revoked out;
    long long id = 0;
    char *end = NULL;
    int user = strcmp(kind, "user") == 0, rc;

    if (user) {
        if (o->npos != 2 || o->org == NULL || o->name == NULL)
            return usage("user disable --org CODE --name LOGIN");
    } else {
        if (o->npos != 3 || (strcmp(kind, "token") == 0 && o->org != NULL))
            return usage("kiosk revoke ID [--org CODE] | token revoke ID");
        id = strtoll(o->pos[2], &end, 10);
        if (*end != '\0' || id <= 0)
            return usage("the ID is a number from the list");
    }
    if (server_open_store(c, 1, &st) != 0)
        return 1;
    rc = st->ops->cred_revoke(st, kind, o->org, id, user ? o->name : NULL,
                              "cli", (int64_t)time(NULL), &out);
    store_close(st);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    if (user)
        printf("user %s of %s disabled; %lld session(s) ended\n", o->name,
               o->org, (long long)out.sessions_ended);
    else
        printf("%s %lld revoked%s\n", kind, id,
               out.was_active ? "" : " (it already was)");
    return 0;
}

/* The password for `user add`: stdin's first line, or a generated one. */
static int read_password(char *pw, size_t cap, int *generated)
{
    size_t n;

    *generated = 0;
    pw[0] = '\0';
    if (!isatty(0) && fgets(pw, (int)cap, stdin) != NULL) {
        n = strcspn(pw, "\r\n");
        if (pw[n] == '\0' && n + 1 >= cap) {
            fprintf(stderr, "chopay-server: password too long\n");
            return -1;
        }
        pw[n] = '\0';
    }
    if (pw[0] == '\0') {
        uint8_t raw[12];

        if (crypto_random(raw, sizeof(raw)) != 0)
            return -1;
        crypto_base64(raw, sizeof(raw), pw); /* 16 characters */
        *generated = 1;
        return 0;
    }
    if (strlen(pw) < 10) {
        fprintf(stderr, "chopay-server: a password needs at least 10 "
                        "characters\n");
        return -1;
    }
    return 0;
}

/*
 * A role's scope on the command line: board and auditor take --org CODE,
 * province takes --province NAME, admin neither. 0, or -1 with the usage
 * printed (`what`: "tokens" or "users").
 */
static int role_scope_check(const char *what, const char *role,
                            const struct opts *o)
{
    char msg[96];
    int by_org = strcmp(role, "board") == 0 || strcmp(role, "auditor") == 0;
    int by_province = strcmp(role, "province") == 0;

    msg[0] = '\0';
    if (by_org && o->org == NULL)
        snprintf(msg, sizeof(msg), "board and auditor %s need --org CODE",
                 what);
    else if (!by_org && o->org != NULL)
        snprintf(msg, sizeof(msg), "%s %s are not bound to an organisation",
                 role, what);
    else if (by_province && o->province == NULL)
        snprintf(msg, sizeof(msg), "province %s need --province NAME", what);
    else if (!by_province && o->province != NULL)
        snprintf(msg, sizeof(msg), "only province %s take --province", what);
    if (msg[0] == '\0')
        return 0;
    usage(msg);
    return -1;
}

static int cmd_user_add(const struct srv_config *c, const struct opts *o)
{
    const char *role = o->role ? o->role : "board";
    struct store *st = NULL;
    char pw[DASH_PW_MAXLEN + 2], hash[DASH_PW_MAX];
    int64_t id = 0;
    int rc, generated;

    if (o->name == NULL || o->npos != 2)
        return usage("user add needs --org CODE --name LOGIN");
    if (strcmp(role, "admin") && strcmp(role, "board") &&
        strcmp(role, "auditor") && strcmp(role, "province"))
        return usage("--role must be board, auditor, province or admin");
    if (role_scope_check("users", role, o) != 0)
        return 2;
    if (read_password(pw, sizeof(pw), &generated) != 0)
        return 1;
    rc = dash_pw_hash(pw, hash, sizeof(hash));
    if (rc != 0 || server_open_store(c, 1, &st) != 0) {
        explicit_bzero(pw, sizeof(pw));
        return 1;
    }
    rc = st->ops->dash_user_add(st, o->org, o->province, o->name, role, hash,
                                "cli", &id);
    store_close(st);
    if (rc != 0) {
        explicit_bzero(pw, sizeof(pw));
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    printf("%s user %lld '%s' added", role, (long long)id, o->name);
    if (generated)
        printf("; password (shown once, only its scrypt hash is "
               "stored):\n%s",
               pw);
    printf("\n");
    explicit_bzero(pw, sizeof(pw));
    return 0;
}

/* `collector add --org CODE --name NAME --pin PIN`, `collector list
 * --org CODE`. */
static int cmd_collector(const struct srv_config *c, const struct opts *o)
{
    struct store_collector_list l = {NULL, 0};
    char hash[DASH_PW_MAX];
    struct store *st = NULL;
    int64_t org = 0;
    size_t i;
    int add, rc;

    add = o->npos == 2 && strcmp(o->pos[1], "add") == 0;
    if (!add && !(o->npos == 2 && strcmp(o->pos[1], "list") == 0))
        return usage("collector add|list");
    if (o->org == NULL || (add && (o->name == NULL || o->pin == NULL)))
        return usage("collector add --org CODE --name NAME --pin PIN | "
                     "collector list --org CODE");
    if (add && !collector_pin_ok(o->pin))
        return usage("a PIN is 4-8 digits");
    if (add && dash_pw_hash(o->pin, hash, sizeof(hash)) != 0)
        return 1;
    if (server_open_store(c, 1, &st) != 0)
        return 1;
    rc = st->ops->org_id(st, o->org, &org);
    if (rc == 0 && add)
        rc = st->ops->collector_add(st, org, o->name, hash, "cli",
                                    (int64_t)time(NULL));
    else if (rc == 0)
        rc = st->ops->collector_list(st, org, 0, &l);
    store_close(st);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    if (add) {
        printf("collector '%s' of %s added\n", o->name, o->org);
        return 0;
    }
    printf("%-32s %-8s %s\n", "NAME", "STATE", "CREATED");
    for (i = 0; i < l.n; i++) {
        char b[32];

        printf("%-32s %-8s %s\n", l.rows[i].name,
               l.rows[i].active ? "active" : "disabled",
               when(l.rows[i].created_at, b, sizeof(b)));
    }
    store_collector_list_free(&l);
    return 0;
}

static int cmd_token_add(const struct srv_config *c, const struct opts *o)
{
    struct store *st = NULL;
    char key[SERVER_KEY_MAX], hash[65], prov[STORE_PROVINCE_MAX + 1];
    int64_t id = 0;
    int rc;

    if (o->role == NULL || o->npos != 2)
        return usage("token add needs --role admin|board|auditor|province");
    if (strcmp(o->role, "admin") && strcmp(o->role, "board") &&
        strcmp(o->role, "auditor") && strcmp(o->role, "province"))
        return usage("--role must be admin, board, auditor or province");
    if (role_scope_check("tokens", o->role, o) != 0)
        return 2;
    if (server_open_store(c, 1, &st) != 0)
        return 1;
    if (server_new_secret("ct_", key, hash) != 0) {
        store_close(st);
        return 1;
    }
    rc = st->ops->token_add(st, o->role, o->org, o->province, hash, &id);
    /* the province as stored, however it was typed */
    if (rc == 0 && o->province != NULL &&
        st->ops->province_find(st, o->province, prov, sizeof(prov)) == 0)
        printf("province %s: ", prov);
    store_close(st);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    printf("%s token %lld: (shown once, only its hash is stored):\n%s\n",
           o->role, (long long)id, key);
    return 0;
}

/* Read a whole file into a malloc'd buffer (NUL-terminated). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *nb;
    size_t cap = 0, n = 0, got;

    if (f == NULL) {
        fprintf(stderr, "chopay-server: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            nb = realloc(buf, cap + 1);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                fprintf(stderr, "chopay-server: %s: out of memory\n", path);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "chopay-server: %s: read error\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int cmd_import_statement(const struct srv_config *c,
                                const struct opts *o)
{
    struct store *st = NULL;
    json_t *sum = NULL, *err = NULL;
    struct feeds_csv_map map;
    int64_t org = 0;
    size_t len = 0, i;
    char *data;
    int fmt = 0, rc = 1;

    if (o->format != NULL && (fmt = ingest_format(o->format)) == 0)
        return usage("--format: camt, mt940 or csv");
    data = slurp(o->pos[2], &len);
    if (data == NULL)
        return 1;
    if (server_open_store(c, 1, &st) != 0) {
        free(data);
        return 1;
    }
    if (o->org != NULL && st->ops->org_id(st, o->org, &org) != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        goto out;
    }
    csvmap_apply(&c->csv, &map);
    if (ingest_statement(st, org, data, len, fmt, &map, "cli",
                         (int64_t)time(NULL), &sum, &err) != 0) {
        json_t *e = json_object_get(err, "error");

        fprintf(stderr, "chopay-server: %s", o->pos[2]);
        if (json_integer_value(json_object_get(e, "line")) > 0)
            fprintf(stderr, ":%lld",
                    (long long)json_integer_value(json_object_get(e, "line")));
        if (json_object_get(e, "path") != NULL)
            fprintf(stderr, " (%s)", api_str(e, "path"));
        fprintf(stderr, ": %s\nchopay-server: nothing imported\n",
                api_str(e, "message"));
        goto out;
    }
    printf("imported %s: %lld rows (%lld matched, %lld unmatched, %lld "
           "ambiguous, %lld records of known transfers, %lld ignored), "
           "%lld replayed\n",
           api_str(sum, "format"),
           (long long)json_integer_value(json_object_get(sum, "new")),
           (long long)json_integer_value(json_object_get(sum, "matched")),
           (long long)json_integer_value(json_object_get(sum, "unmatched")),
           (long long)json_integer_value(json_object_get(sum, "ambiguous")),
           (long long)json_integer_value(json_object_get(sum, "duplicate")),
           (long long)json_integer_value(json_object_get(sum, "ignored")),
           (long long)json_integer_value(json_object_get(sum, "replayed")));
    for (i = 0; i < json_array_size(json_object_get(sum, "balances")); i++) {
        json_t *b = json_array_get(json_object_get(sum, "balances"), i);

        printf("statement %s account %s: balance %s%s%s\n", api_str(b, "id"),
               api_str(b, "account"), api_str(b, "balance_check"),
               *api_str(b, "message") ? ": " : "", api_str(b, "message"));
    }
    rc = 0;
out:
    json_decref(sum);
    json_decref(err);
    free(data);
    store_close(st);
    return rc;
}

static void print_txn(json_t *t)
{
    size_t i;
    json_t *sg = json_object_get(t, "suggestions");

    printf("#%lld %s %s %lld %s %s [%s %s] %s\n",
           (long long)json_integer_value(json_object_get(t, "id")),
           api_str(t, "booking_date"), api_str(t, "direction"),
           (long long)json_integer_value(json_object_get(t, "amount")),
           api_str(t, "provider"), api_str(t, "provider_txn_id"),
           api_str(t, "state"), api_str(t, "reason"),
           api_str(t, "description"));
    for (i = 0; i < json_array_size(sg); i++) {
        json_t *e = json_array_get(sg, i);

        if (json_object_get(e, "transaction") != NULL) {
            printf("    maybe the same transfer as #%lld\n",
                   (long long)json_integer_value(
                       json_object_get(e, "transaction")));
            continue;
        }
        printf("    suggestion: payer %s (%s) score %lld%s%s\n",
               api_str(e, "payer") ? api_str(e, "payer") : "-",
               api_str(e, "name") ? api_str(e, "name") : "",
               (long long)json_integer_value(json_object_get(e, "score")),
               json_object_get(e, "intent") ? " intent " : "",
               json_object_get(e, "intent") ? api_str(e, "code") : "");
    }
}

static int cmd_review(const struct srv_config *c, const struct opts *o)
{
    struct store *st = NULL;
    struct store_org_list orgs = {0};
    json_t *out = NULL;
    const char *act = o->npos >= 2 ? o->pos[1] : "";
    int64_t txn = 0;
    size_t i, k;
    int rc = 1;

    if (strcmp(act, "list") == 0) {
        if (o->npos != 2)
            return usage("review list [--org CODE] [--state STATE]");
    } else if (strcmp(act, "match") == 0 || strcmp(act, "unmatch") == 0 ||
               strcmp(act, "ignore") == 0) {
        if (o->npos != 3 || o->reason == NULL || o->reason[0] == '\0')
            return usage("review match|unmatch|ignore TXN --reason TEXT");
        txn = atoll(o->pos[2]);
        if (txn <= 0)
            return usage("TXN: a bank transaction id");
        if (strcmp(act, "match") == 0 &&
            (o->intent != NULL) == (o->payer != NULL))
            return usage("review match needs --intent ID or --payer CODE");
    } else {
        return usage("review list|match|unmatch|ignore");
    }
    if (server_open_store(c, 1, &st) != 0)
        return 1;
    if (st->ops->org_list(st, 0, &orgs) != 0)
        goto fail;
    for (i = 0; i < orgs.n; i++) {
        const char *code = orgs.rows[i].code;
        int64_t org = orgs.rows[i].id;

        if (o->org != NULL && strcmp(o->org, code) != 0)
            continue;
        if (strcmp(act, "list") == 0) {
            static const char *const def[] = {"unmatched", "ambiguous"};
            size_t s;

            for (s = 0; s < (o->state ? 1u : 2u); s++) {
                struct store_filter f = {0};
                size_t got;

                f.status = o->state ? o->state : def[s];
                f.limit = 1000;
                do { /* every page, by id */
                    struct store_bank_txn_list l = {0};

                    if (st->ops->bank_list(st, org, &f, &l) != 0)
                        goto fail;
                    got = l.n;
                    for (k = 0; k < got; k++) {
                        json_t *t = api_json_bank_txn(&l.rows[k]);

                        printf("%s ", code);
                        print_txn(t);
                        json_decref(t);
                    }
                    if (got > 0)
                        f.after_id = l.rows[got - 1].id;
                    store_bank_txn_list_free(&l);
                } while (got == (size_t)f.limit);
            }
            continue;
        }
        {
            struct store_bank_txn_full t = {0};

            if (st->ops->bank_get(st, org, txn, &t) != 0)
                continue; /* not this organisation's */
            store_bank_txn_full_free(&t);
        }
        {
            struct store_review rv = {act, o->intent ? atoll(o->intent) : 0,
                                      o->payer, o->reason};
            struct store_bank_txn t = {0};

            if (st->ops->bank_review(st, org, txn, &rv, "cli",
                                     (int64_t)time(NULL), &t) != 0)
                goto fail;
            out = api_json_bank_txn(&t);
            store_bank_txn_clear(&t);
        }
        printf("%s ", code);
        print_txn(out);
        rc = 0;
        goto out;
    }
    if (strcmp(act, "list") == 0)
        rc = 0;
    else
        fprintf(stderr, "chopay-server: no bank transaction %lld\n",
                (long long)txn);
    goto out;
fail:
    fprintf(stderr, "chopay-server: %s\n", store_error_message());
out:
    store_org_list_free(&orgs);
    json_decref(out);
    store_close(st);
    return rc;
}

static int cmd_simulate(const struct srv_config *c, const struct opts *o)
{
    char *end = NULL;
    long long amount;

    if (o->npos != 2 || strcmp(o->pos[1], "transfer") != 0 || !o->org ||
        !o->code || !o->amount)
        return usage("simulate transfer --org CODE --code PAYCODE --amount N"
                     " [--via sepay|casso|payos|generic] [--server URL]");
    amount = strtoll(o->amount, &end, 10);
    if (*o->amount == '\0' || *end != '\0' || amount <= 0 ||
        amount > 1000000000000LL)
        return usage("--amount: a whole number of đồng > 0");
    return server_simulate(c, o->org, o->code, (int64_t)amount,
                           o->via ? o->via : "sepay", o->server);
}

static int cmd_import(const struct srv_config *c, const struct opts *o)
{
    struct store *st = NULL;
    struct store_org_row org = {0};
    struct store_payer_import out;
    json_t *errs = NULL;
    struct payers_csv csv = {0};
    char *data = NULL;
    size_t len = 0;
    int64_t org_id = 0;
    FILE *f;
    int rc = 1;

    if (o->npos == 3 && strcmp(o->pos[1], "statement") == 0)
        return cmd_import_statement(c, o);
    if (o->npos != 3 || strcmp(o->pos[1], "payers") != 0 || o->org == NULL)
        return usage("import payers --org CODE FILE.csv");
    f = fopen(o->pos[2], "rb");
    if (f == NULL) {
        fprintf(stderr, "chopay-server: %s: %s\n", o->pos[2], strerror(errno));
        return 1;
    }
    data = malloc(c->import_limit + 1);
    if (data != NULL)
        len = fread(data, 1, c->import_limit + 1, f);
    fclose(f);
    if (data != NULL && len <= c->import_limit)
        data[len] = '\0';
    if (data == NULL || len > c->import_limit) {
        fprintf(stderr, "chopay-server: %s: larger than %zu bytes\n", o->pos[2],
                c->import_limit);
        free(data);
        return 1;
    }
    if (server_open_store(c, 1, &st) != 0) {
        free(data);
        return 1;
    }
    if (st->ops->org_get(st, o->org, &org) != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        goto out;
    }
    if (payers_csv_parse(data, len, org.kind, &csv, &errs) != 0) {
        size_t i;

        for (i = 0; i < json_array_size(errs); i++) {
            json_t *e = json_array_get(errs, i);

            fprintf(stderr, "%s:%lld: %s\n", o->pos[2],
                    (long long)json_integer_value(json_object_get(e, "line")),
                    json_string_value(json_object_get(e, "message")));
        }
        fprintf(stderr, "chopay-server: nothing imported\n");
        goto out;
    }
    if (st->ops->org_id(st, o->org, &org_id) != 0 ||
        st->ops->payer_import(st, org_id, csv.rows, csv.n, "cli", &out) != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        goto out;
    }
    printf("imported %lld payers (%lld new, %lld updated)\n",
           (long long)out.imported, (long long)out.created,
           (long long)out.updated);
    rc = 0;
out:
    payers_csv_free(&csv);
    store_org_row_clear(&org);
    json_decref(errs);
    free(data);
    store_close(st);
    return rc;
}

static int cmd_invoices(const struct srv_config *c, const struct opts *o)
{
    struct store *st = NULL;
    struct store_invoices_made out;
    int64_t org = 0;
    int rc;

    if (o->npos != 2 || strcmp(o->pos[1], "generate") != 0 || o->org == NULL ||
        o->period == NULL)
        return usage("invoices generate --org CODE --period P [--fee CODE]");
    if (server_open_store(c, 1, &st) != 0)
        return 1;
    rc = st->ops->org_id(st, o->org, &org);
    if (rc == 0)
        rc =
            st->ops->invoices_generate(st, org, o->period, o->fee, "cli", &out);
    store_close(st);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    printf("period %s: %lld new invoices from %lld fees\n", o->period,
           (long long)out.created, (long long)out.fees);
    return 0;
}

/* Take the hard limit of open files as the soft one; say so when it is
 * below max_connections (and a margin for the database and the journal):
 * connections past it are refused by the kernel, not by the server. */
static void raise_nofile(int conn_limit)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)conn_limit + 256)
        api_log(4,
                "event=warning what=open_files limit=%llu "
                "max_connections=%d msg=\"raise LimitNOFILE (ulimit -n) "
                "above max_connections\"",
                (unsigned long long)rl.rlim_cur, conn_limit);
}

/* Seconds between retries of a journal recovery that failed. */
#define RECOVER_RETRY_S 5

static void on_changed(void *ctx, int64_t intent_id)
{
    if (intent_id == STORE_CHANGED_ALL)
        notify_signal_all(ctx);
    else
        notify_signal(ctx, intent_id);
}

/*
 * Process the journal entries a crash left unprocessed; on failure log it
 * and mark s->recovering (/healthz says degraded) for a later retry.
 */
static void recover_journal(struct srv *s)
{
    int n = ingest_recover(s->st);

    if (n < 0) {
        api_log(3,
                "event=error what=journal_recovery msg=\"%s\" "
                "retry_s=%d",
                store_error_message(), RECOVER_RETRY_S);
        atomic_store(&s->recovering, 1);
        return;
    }
    if (n > 0)
        api_log(5, "event=journal_recovered entries=%d", n);
    atomic_store(&s->recovering, 0);
}

int server_serve(struct srv_config *c, struct store *st)
{
    struct nodes *peers = NULL;
    struct srv s;
    sigset_t set;
    char path[600], tmp[620], shown[sizeof(c->db)];
    int sig = 0;
    FILE *f;

    memset(&s, 0, sizeof(s));
    s.cfg = *c;
    s.st = st;
    raise_nofile(c->conn_limit);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    s.nt = notify_new();
    if (s.nt == NULL)
        return 1;
    st->changed = on_changed;
    st->changed_ctx = s.nt;
    /* other nodes on the same database wake our long polls */
    if (nodes_start(c->db, st, s.nt, &peers) != 0) {
        st->changed = NULL;
        notify_free(s.nt);
        return 1;
    }
    /* notifications journaled but not processed before a crash; when
       that fails (a full disk) reads are still served and it is retried */
    recover_journal(&s);
    if (srv_start(&s) != 0) {
        nodes_stop(peers);
        st->changed = NULL;
        notify_free(s.nt);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/server.addr", c->data_dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f != NULL) {
        const char *colon = strrchr(c->listen, ':');

        fprintf(f, "%.*s:%u\n", (int)(colon - c->listen), c->listen,
                (unsigned)s.port);
        if (fclose(f) != 0 || rename(tmp, path) != 0)
            unlink(tmp);
    }
    store_url_shown(c->db, shown, sizeof(shown));
    api_log(6, "event=listening addr=%.*s:%u threads=%d db=\"%s\"",
            (int)(strrchr(c->listen, ':') - c->listen), c->listen,
            (unsigned)s.port, c->threads, shown);
    if (s.md != NULL)
        api_log(6, "event=listening what=metrics addr=%.*s:%u",
                (int)(strrchr(c->metrics_listen, ':') - c->metrics_listen),
                c->metrics_listen, (unsigned)s.metrics_port);
    /* wait for SIGINT/SIGTERM, housekeeping every c->housekeep seconds */
    for (;;) {
        int every = c->housekeep > 0 ? c->housekeep : 300;
        struct timespec ts = {every, 0};

        if (atomic_load(&s.recovering) && every > RECOVER_RETRY_S)
            ts.tv_sec = RECOVER_RETRY_S;
        sig = sigtimedwait(&set, NULL, &ts);
        if (sig > 0)
            break;
        if (errno != EAGAIN && errno != EINTR) {
            sigwait(&set, &sig);
            break;
        }
        if (errno == EAGAIN) {
            int64_t gone = 0;

            if (atomic_load(&s.recovering))
                recover_journal(&s);
            /* the rest is shared: one node at a time does it */
            if (!nodes_housekeeper(peers))
                continue;
            dash_housekeep(st, (int64_t)time(NULL));
            if (ingest_housekeep(st, &c->journal, (int64_t)time(NULL), &gone) !=
                0)
                api_log(3, "event=error what=journal_prune msg=\"%s\"",
                        store_error_message());
            else if (gone > 0)
                api_log(6, "event=journal_pruned entries=%lld",
                        (long long)gone);
        }
    }
    api_log(6, "event=stopping signal=%d", sig);
    srv_stop(&s);
    nodes_stop(peers);
    st->changed = NULL;
    notify_free(s.nt);
    unlink(path);
    return 0;
}

/* copy-db --from URL --to URL */
static int cmd_copy_db(const struct opts *o)
{
    char err[600];
    int rc;

    if (o->npos != 1 || o->from == NULL || o->to == NULL)
        return usage("copy-db --from URL --to URL");
    rc = copy_db(o->from, o->to, stdout, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "chopay-server: copy-db: %s\n", err);
    return rc;
}

static int run(struct srv_config *cfg_in, const struct opts *op)
{
    struct srv_config cfg = *cfg_in;
    const struct opts o = *op;
    struct store *st = NULL;
    const char *cmd;
    int rc;

    cmd = o.npos > 0 ? o.pos[0] : "serve";
    if (o.demo) {
        if (o.npos > 1 || strcmp(cmd, "serve") != 0)
            return usage("--demo only goes with serve");
        return server_demo(&cfg);
    }
    if (strcmp(cmd, "init") == 0)
        return o.npos == 1 ? cmd_init(&cfg)
                           : usage("init takes no "
                                   "arguments");
    if (o.npos >= 2 &&
        (strcmp(cmd, "kiosk") == 0 || strcmp(cmd, "token") == 0 ||
         strcmp(cmd, "user") == 0)) {
        if (strcmp(o.pos[1], "list") == 0)
            return cmd_cred_list(&cfg, &o, cmd);
        if (strcmp(o.pos[1], strcmp(cmd, "user") == 0 ? "disable" : "revoke") ==
            0)
            return cmd_cred_revoke(&cfg, &o, cmd);
    }
    if (strcmp(cmd, "kiosk") == 0) {
        if (o.npos < 2 || strcmp(o.pos[1], "add") != 0)
            return usage("kiosk add|list|revoke");
        return cmd_kiosk_add(&cfg, &o);
    }
    if (strcmp(cmd, "token") == 0) {
        if (o.npos < 2 || strcmp(o.pos[1], "add") != 0)
            return usage("token add|list|revoke");
        return cmd_token_add(&cfg, &o);
    }
    if (strcmp(cmd, "user") == 0) {
        if (o.npos < 2 || strcmp(o.pos[1], "add") != 0)
            return usage("user add|list|disable");
        return cmd_user_add(&cfg, &o);
    }
    if (strcmp(cmd, "collector") == 0)
        return cmd_collector(&cfg, &o);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(&cfg, &o);
    if (strcmp(cmd, "invoices") == 0)
        return cmd_invoices(&cfg, &o);
    if (strcmp(cmd, "review") == 0)
        return cmd_review(&cfg, &o);
    if (strcmp(cmd, "simulate") == 0)
        return cmd_simulate(&cfg, &o);
    if (strcmp(cmd, "check") == 0)
        return o.npos == 1 ? server_check(&cfg)
                           : usage("check takes no arguments");
    if (strcmp(cmd, "copy-db") == 0)
        return cmd_copy_db(&o);
    if (strcmp(cmd, "audit") == 0 && o.npos == 2 &&
        strcmp(o.pos[1], "list") == 0) {
        struct audit_list_args a = {o.org, o.action, o.after, o.limit, o.json};

        return audit_list_cmd(&cfg, &a);
    }
    if (strcmp(cmd, "journal") == 0) {
        struct journal_list_args a = {o.state, o.provider, o.after, o.limit,
                                      o.json};

        if (o.npos != 2 || strcmp(o.pos[1], "list") != 0)
            return usage("journal list [--state S] [--provider P] [--json]");
        return journal_list_cmd(&cfg, &a);
    }
    if (strcmp(cmd, "report") == 0 || strcmp(cmd, "stats") == 0 ||
        strcmp(cmd, "standee") == 0 || strcmp(cmd, "audit") == 0) {
        struct srv_cli a = {o.org, o.date,  o.from, o.to,    o.province,
                            o.fee, o.payer, o.out,  o.paper, o.reason,
                            o.csv, o.all,   o.pos,  o.npos};

        return srv_cli_run(&cfg, &a);
    }
    if (strcmp(cmd, "serve") != 0 || o.npos > 1)
        return usage("unknown command");
    if (server_open_store(&cfg, cfg.threads + 2, &st) != 0)
        return 1;
    store_set_writers(st, cfg.db_writers);
    rc = server_serve(&cfg, st);
    store_close(st);
    return rc;
}

int main(int argc, char **argv)
{
    struct srv_config cfg;
    struct opts o;
    int rc;

    if (parse_args(argc, argv, &o) != 0)
        return usage(NULL);
    if (o.help) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (load_config(&o, &cfg) != 0) {
        ingest_conf_free(cfg.bank);
        return 2;
    }
    feeds_global_init(); /* libxml2, before any thread starts */
    rc = run(&cfg, &o);
    ingest_conf_free(cfg.bank);
    return rc;
}
