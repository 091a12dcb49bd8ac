/*
 * gen_payloads.c: prints N randomized VietQR payloads made by chopay's
 * encoder, one per line with the fields that went in (tab-separated:
 * payload, bin, account, service, dynamic, amount, content; an empty
 * amount or content means none), for tests/interop/run.sh to feed to an
 * independent decoder.
 */
#include "vietqr.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint64_t rnd(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Du;
}

static void rnd_string(char *s, size_t n, const char *alphabet)
{
    size_t a = strlen(alphabet);

    for (size_t i = 0; i < n; i++)
        s[i] = alphabet[rnd() % a];
    s[n] = '\0';
}

int main(int argc, char **argv)
{
    static const char *bins[] = {"970436", "970415", "970418", "970405",
                                 "970422", "970407", "970416", "970432",
                                 "970423", "970403", "546034", "963388",
                                 "971025", "422589", "970454"};
    static const char alnum[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char printable[96];
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
    unsigned long seed = argc > 2 ? strtoul(argv[2], NULL, 10) : 20240311;

    if (n <= 0 || n > 1000000) {
        fprintf(stderr, "usage: gen_payloads [COUNT [SEED]]\n");
        return 2;
    }
    state = 0x9E3779B97F4A7C15u ^ seed;
    for (int c = 0; c < 95; c++)
        printable[c] = (char)(0x20 + c);
    printable[95] = '\0';
    for (long i = 0; i < n; i++) {
        struct vietqr_request req = {0};
        char acc[20], content[26], out[VIETQR_MAX_PAYLOAD];
        int rc;

        req.bin = bins[rnd() % (sizeof(bins) / sizeof(bins[0]))];
        rnd_string(acc, 1 + rnd() % 19, alnum);
        req.account = acc;
        req.service = (enum vietqr_service)(rnd() % 2);
        switch (rnd() % 3) {
        case 0:
            req.amount = 0;
            break;
        case 1:
            req.amount = (int64_t)(1 + rnd() % 499999999);
            break;
        default:
            req.amount = (int64_t)(1 + rnd() % INT64_C(9999999999999));
        }
        /* Content: printable ASCII, 1-25 characters; empty = none. */
        rnd_string(content, rnd() % 26, printable);
        req.content = rnd() % 4 ? content : NULL;
        req.force_static = rnd() % 4 == 0;
        rc = vietqr_encode(&req, out, sizeof(out));
        if (rc != 0) {
            fprintf(stderr, "encode failed: %s\n",
                    vietqr_error_code((enum vietqr_error) - rc));
            return 1;
        }
        printf("%s\t%s\t%s\t%s\t%d\t", out, req.bin, req.account,
               req.service == VIETQR_TO_CARD ? "QRIBFTTC" : "QRIBFTTA",
               req.amount > 0 && !req.force_static);
        if (req.amount > 0)
            printf("%" PRId64, req.amount);
        printf("\t%s\n", req.content ? req.content : "");
    }
    return 0;
}
