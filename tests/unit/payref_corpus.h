/*
 * payref_corpus.h: generator of bank-style transfer descriptions for the
 * payref tests and benchmark, modelled on what receiving accounts' feeds
 * show (reference vietqr.md §7): bank prefixes and suffixes, account and
 * FT numbers, Vietnamese names with and without diacritics, re-casing,
 * dots turned into spaces, spaces inserted into or removed around a code.
 */
#ifndef CHOPAY_PAYREF_CORPUS_H
#define CHOPAY_PAYREF_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Deterministic PRNG (splitmix64). */
struct corpus_rng {
    uint64_t s;
};

static uint64_t corpus_next(struct corpus_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform-enough integer in [0, n) for test data (n small). */
static size_t corpus_below(struct corpus_rng *r, size_t n)
{
    return (size_t)(corpus_next(r) % n);
}

static const char *corpus_pick(struct corpus_rng *r, const char *const *list,
                               size_t n)
{
    return list[corpus_below(r, n)];
}

#define CORPUS_PICK(r, arr) corpus_pick(r, arr, sizeof(arr) / sizeof(arr[0]))

/* A bounded string builder; silently truncates at the capacity. */
struct corpus_sb {
    char *p;
    size_t n;
    size_t cap;
};

static void sb_put(struct corpus_sb *b, const char *s)
{
    size_t k = strlen(s);

    if (b->n + k >= b->cap)
        k = b->cap - 1 - b->n;
    memcpy(b->p + b->n, s, k);
    b->n += k;
    b->p[b->n] = '\0';
}

static void sb_char(struct corpus_sb *b, char c)
{
    char s[2] = {c, '\0'};

    sb_put(b, s);
}

static void sb_digits(struct corpus_rng *r, struct corpus_sb *b, size_t n)
{
    while (n--)
        sb_char(b, (char)('0' + corpus_below(r, 10)));
}

static const char *const corpus_ho[] = {"Nguyễn",
                                        "Trần",
                                        "Lê",
                                        "Phạm",
                                        "Hoàng",
                                        "Huỳnh",
                                        "Phan",
                                        "Vũ",
                                        "Võ",
                                        "Đặng",
                                        "Bùi",
                                        "Đỗ",
                                        "Hồ",
                                        "Ngô",
                                        "Dương",
                                        "Lý",
                                        "NGUYEN",
                                        "TRAN",
                                        "PHAM",
                                        "Nguye\u0302\u0303n",
                                        "Đa\u0323\u0306ng"};
static const char *const corpus_dem[] = {
    "Văn",  "Thị",  "Hữu",  "Đức", "Minh",      "Ngọc",      "Thanh",
    "Quốc", "Xuân", "Phúc", "Bảo", "Gia",       "Anh",       "Hoàng",
    "VAN",  "THI",  "NGOC", "DUC", "Thi\u0323", "Ngo\u0323c"};
static const char *const corpus_ten[] = {
    "An",   "Anh",   "Bình",  "Cường",  "Dũng",  "Đạt",       "Hà",   "Hải",
    "Hạnh", "Hằng",  "Hùng",  "Hương",  "Khánh", "Lan",       "Linh", "Mai",
    "Nam",  "Ngọc",  "Phát",  "Phương", "Phúc",  "Quang",     "Sơn",  "Tâm",
    "Thảo", "Thắng", "Trang", "Tuấn",   "Việt",  "Đức",       "Lộc",  "Bắc",
    "PHAT", "THANH", "HA",    "NAM",    "Đào",   "Pha\u0323m"};
static const char *const corpus_words[] = {"chuyen tien",
                                           "thanh toan",
                                           "tien cho",
                                           "hoc phi",
                                           "nop tien",
                                           "phi ve sinh",
                                           "tien dien",
                                           "tien nuoc",
                                           "tien hang",
                                           "tra no",
                                           "ung ho",
                                           "CK",
                                           "chuyen khoan",
                                           "thang 11",
                                           "sap 12A",
                                           "lop 5A",
                                           "thanh toán học phí",
                                           "tiền chợ tháng 10",
                                           "nộp tiền điện nước",
                                           "phí vệ sinh sạp",
                                           "cam on",
                                           "Chuyển tiền",
                                           "gui tien me",
                                           "tra tien hang",
                                           "dong hoc phi hk1",
                                           "phi gui xe",
                                           "CTCP Phát Đạt",
                                           "Ngân hàng TMCP Ngoại thương",
                                           "chi phi (CP) van chuyen",
                                           "tien an",
                                           "mua hang",
                                           "QR Pay",
                                           "ck nhanh",
                                           "hoan tien",
                                           "luong thang 9"};
static const char *const corpus_banks[] = {
    "VCB", "TCB", "MB",  "ACB", "BIDV", "VPB", "TPB", "STB", "VIB", "SHB",
    "OCB", "MSB", "HDB", "EIB", "SCB",  "LPB", "ICB", "VBA", "NAB", "SEAB"};
static const char *const corpus_glue[] = {
    "THANHTOAN",  "HOCPHI", "CHUYENTIEN", "ABC", "X9",   "7Q", "TIENCHO",
    "NGUYENVANA", "GD",     "Z",          "8",   "PHAM", "QR"};

/* A Vietnamese name, sometimes folded by the bank. */
static void corpus_name(struct corpus_rng *r, struct corpus_sb *b)
{
    sb_put(b, CORPUS_PICK(r, corpus_ho));
    sb_char(b, ' ');
    sb_put(b, CORPUS_PICK(r, corpus_dem));
    sb_char(b, ' ');
    sb_put(b, CORPUS_PICK(r, corpus_ten));
}

static void corpus_text(struct corpus_rng *r, struct corpus_sb *b)
{
    size_t n = 1 + corpus_below(r, 3);

    while (n--) {
        sb_put(b, CORPUS_PICK(r, corpus_words));
        if (n)
            sb_char(b, ' ');
    }
}

/*
 * The payer's content, as the bank passes it on: the code (or, for
 * code-free descriptions, a name and free text) and maybe words around.
 */
static void corpus_content(struct corpus_rng *r, struct corpus_sb *b,
                           const char *code)
{
    char tmp[64];
    size_t i, n, k = 0, len;
    size_t mode;

    if (code == NULL) {
        if (corpus_below(r, 2)) {
            corpus_name(r, b);
            sb_char(b, ' ');
        }
        corpus_text(r, b);
        return;
    }
    /* Mangle the code: case, dots-as-spaces, inserted spaces. */
    len = strlen(code);
    mode = corpus_below(r, 7);
    for (i = 0; i < len && k + 3 < sizeof tmp; i++) {
        char c = code[i];

        if (mode == 1 || (mode == 2 && corpus_below(r, 2)))
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
        tmp[k++] = c;
        if (i + 1 < len && mode >= 3 && corpus_below(r, 6) == 0)
            tmp[k++] = mode == 3 ? '.' : mode == 4 ? ' ' : '-';
    }
    tmp[k] = '\0';
    if (mode == 3 && corpus_below(r, 2))
        for (i = 0; i < k; i++)
            if (tmp[i] == '.')
                tmp[i] = ' ';
    n = corpus_below(r, 6);
    if (n == 0) { /* separation removed: glued to letters or digits */
        sb_put(b, CORPUS_PICK(r, corpus_glue));
        sb_put(b, tmp);
        sb_put(b, CORPUS_PICK(r, corpus_glue));
    } else if (n == 1) {
        sb_put(b, tmp);
        sb_put(b, CORPUS_PICK(r, corpus_glue));
    } else if (n == 2) {
        corpus_name(r, b);
        sb_char(b, ' ');
        sb_put(b, tmp);
        sb_char(b, ' ');
        corpus_text(r, b);
    } else if (n == 3) {
        corpus_text(r, b);
        sb_char(b, ' ');
        sb_put(b, tmp);
    } else {
        sb_put(b, tmp);
        if (corpus_below(r, 2)) {
            sb_char(b, ' ');
            corpus_text(r, b);
        }
    }
}

/*
 * Write one description into `out` (capacity `cap`): `code` wrapped in a
 * bank's own text, or, with `code` NULL, an ordinary description without
 * any code. Returns the length.
 */
static size_t corpus_description(struct corpus_rng *r, const char *code,
                                 char *out, size_t cap)
{
    struct corpus_sb b = {out, 0, cap};

    out[0] = '\0';
    switch (corpus_below(r, 12)) {
    case 0: /* Vietcombank-style inter-bank transfer at MB */
        sb_put(&b, "MBVCB.");
        sb_digits(r, &b, 10);
        sb_char(&b, '.');
        sb_digits(r, &b, 6);
        sb_char(&b, '.');
        corpus_content(r, &b, code);
        sb_put(&b, ".CT tu ");
        sb_digits(r, &b, 10 + corpus_below(r, 4));
        sb_char(&b, ' ');
        corpus_name(r, &b);
        sb_put(&b, " toi ");
        sb_digits(r, &b, 13);
        sb_put(&b, " CONG TY CP CHO BEN THANH");
        break;
    case 1:
        corpus_content(r, &b, code);
        sb_put(&b, " FT");
        sb_digits(r, &b, 14);
        break;
    case 2:
        sb_put(&b, "IBFT ");
        corpus_content(r, &b, code);
        break;
    case 3:
        sb_digits(r, &b, 6);
        sb_char(&b, '-');
        corpus_content(r, &b, code);
        sb_put(&b, "-GD ");
        sb_digits(r, &b, 4);
        break;
    case 4: /* MoMo */
        sb_put(&b, corpus_below(r, 2) ? "MoMoT" : "MOMO ");
        sb_digits(r, &b, 11);
        sb_put(&b, corpus_below(r, 2) ? "T" : " ");
        corpus_content(r, &b, code);
        break;
    case 5:
        sb_put(&b, CORPUS_PICK(r, corpus_banks));
        sb_put(&b, "-GD ");
        sb_digits(r, &b, 6);
        sb_put(&b, "/CTR/");
        corpus_content(r, &b, code);
        break;
    case 6:
        corpus_content(r, &b, code);
        sb_put(&b, " /MAC/");
        sb_digits(r, &b, 8);
        break;
    case 7:
        sb_put(&b, "CT DEN:");
        sb_digits(r, &b, 12);
        sb_char(&b, ' ');
        corpus_content(r, &b, code);
        break;
    case 8:
        corpus_name(r, &b);
        sb_put(&b, " chuyen tien ");
        corpus_content(r, &b, code);
        break;
    case 9:
        sb_put(&b, "TKThe :");
        sb_digits(r, &b, 10);
        sb_put(&b, ", tai ");
        sb_put(&b, CORPUS_PICK(r, corpus_banks));
        sb_put(&b, ". ");
        corpus_content(r, &b, code);
        sb_put(&b, " -CTLNHIDI000");
        sb_digits(r, &b, 11);
        break;
    case 10:
        sb_put(&b, "REM Tfr Ac: ");
        sb_digits(r, &b, 13);
        sb_char(&b, ' ');
        corpus_content(r, &b, code);
        sb_put(&b, " Ma giao dich  Trace");
        sb_digits(r, &b, 6);
        break;
    default:
        corpus_content(r, &b, code);
        break;
    }
    return b.n;
}

#endif
