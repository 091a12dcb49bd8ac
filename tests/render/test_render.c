/*
 * test_render.c: standees and receipts drawn to PNG and PDF in a temporary
 * directory, then read back by independent tools: Debian's zbarimg decodes
 * the QR in each PNG (the standee's VietQR payload, or a receipt text that
 * receipt_verify accepts); pdfinfo, pdftoppm and pdftotext (poppler-utils,
 * used when installed) check the PDF page size, decode the QR of the PDF
 * and read its Vietnamese text back;
 * pixel checks that the text regions hold ink; the HTML receipt.
 */
#include <cairo.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "money.h"
#include "receipt.h"
#include "render.h"
#include "vietqr.h"

static char dir[256];
static int have_poppler; /* pdfinfo, pdftoppm, pdftotext */

/* RFC 8032 test 1 seed and public key. */
static const uint8_t priv[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
    0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
    0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static uint8_t pub[32];

/* Run a shell command, return its first output line (stripped) in out. */
static int run_line(const char *cmd, char *out, size_t cap)
{
    FILE *f = popen(cmd, "r");
    out[0] = '\0';
    if (!f)
        return -1;
    if (!fgets(out, (int)cap, f))
        out[0] = '\0';
    char rest[512];
    while (fgets(rest, sizeof rest, f))
        ;
    int st = pclose(f);
    size_t n = strlen(out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return st;
}

/* zbarimg's decoding of the PNG at path into out ("" when none). */
static void zbar(const char *path, char *out, size_t cap)
{
    char cmd[600];
    if (snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", path) >=
        (int)sizeof cmd) {
        out[0] = '\0';
        return;
    }
    run_line(cmd, out, cap);
}

/* Rasterise page 1 of a PDF with pdftoppm and decode its QR. */
static void zbar_pdf(const char *pdf, char *out, size_t cap)
{
    char cmd[700], png[600];
    snprintf(png, sizeof png, "%s.r", pdf);
    snprintf(cmd, sizeof cmd,
             "pdftoppm -r 200 -png -singlefile '%s' '%s' 2>/dev/null", pdf,
             png);
    out[0] = '\0';
    if (system(cmd) != 0)
        return;
    strcat(png, ".png");
    zbar(png, out, cap);
}

/* 1 when pdftotext finds `want` in the PDF's text (diacritics and all:
 * the glyphs map back to the Unicode text we drew). */
static int pdf_has_text(const char *pdf, const char *want)
{
    char cmd[700], line[512];
    FILE *f;
    int found = 0;

    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", pdf);
    if (!(f = popen(cmd, "r")))
        return 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, want))
            found = 1;
    pclose(f);
    return found;
}

/* Check the PDF: magic, one page, and its size (pdfinfo when present). */
static void check_pdf(const char *path, double want_w, double want_h)
{
    char head[8] = {0}, line[256], cmd[600];
    FILE *f = fopen(path, "rb");

    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_INT(fread(head, 1, 5, f), 5);
    fclose(f);
    CHECK(memcmp(head, "%PDF-", 5) == 0);
    if (!have_poppler)
        return;
    double w = 0, h = 0;
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' | grep '^Page size:'", path);
    run_line(cmd, line, sizeof line);
    CHECK(sscanf(line, "Page size: %lf x %lf", &w, &h) == 2);
    CHECK(w > want_w - 0.5 && w < want_w + 0.5);
    CHECK(h > want_h - 0.5 && h < want_h + 0.5);
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' | grep '^Pages:'", path);
    run_line(cmd, line, sizeof line);
    int pages = 0;
    CHECK(sscanf(line, "Pages: %d", &pages) == 1);
    CHECK_INT(pages, 1);
}

/* Dark pixels (luma < 128) in the band [y0, y1) x [x0, x1) given in A6
 * points, on a PNG rendered at `dpi` for paper `paper`. */
static long ink(cairo_surface_t *img, double scale, double x0, double y0,
                double x1, double y1)
{
    int w = cairo_image_surface_get_width(img);
    int h = cairo_image_surface_get_height(img);
    int stride = cairo_image_surface_get_stride(img);
    const unsigned char *d = cairo_image_surface_get_data(img);
    long n = 0;

    for (int y = (int)(y0 * scale); y < (int)(y1 * scale) && y < h; y++)
        for (int x = (int)(x0 * scale); x < (int)(x1 * scale) && x < w; x++) {
            uint32_t px;
            memcpy(&px, d + (size_t)y * stride + (size_t)x * 4, 4);
            int r = px >> 16 & 255, g = px >> 8 & 255, b = px & 255;
            if ((r * 299 + g * 587 + b * 114) / 1000 < 128)
                n++;
        }
    return n;
}

/* CRC-16/CCITT-FALSE, bit by bit (not the library's table). */
static unsigned crc16(const char *s)
{
    unsigned crc = 0xFFFF;
    for (; *s; s++) {
        crc ^= (unsigned)(unsigned char)*s << 8;
        for (int i = 0; i < 8; i++)
            crc = crc & 0x8000 ? (crc << 1 ^ 0x1021) & 0xFFFF
                               : (crc << 1) & 0xFFFF;
    }
    return crc;
}

static const struct standee_info stall = {"Chợ Bến Thành",  "A-012",
                                          "Nguyễn Thị Hoà", "970436",
                                          "0123456789",     "NGUYEN THI HOA"};

static void test_standee(void)
{
    char payload[VIETQR_MAX_PAYLOAD], got[600], path[400];
    struct vietqr_fields f;
    struct vietqr_report rep;
    static const struct {
        enum render_paper paper;
        const char *name;
    } papers[] = {{RENDER_A6, "a6"}, {RENDER_A5, "a5"}};

    CHECK_INT(render_standee_payload(&stall, payload, sizeof payload), 0);
    /* Static VietQR to the vendor's account: no amount, no content. */
    CHECK_INT(vietqr_decode(payload, strlen(payload), &f, &rep), 0);
    CHECK_STR(f.bin, "970436");
    CHECK_STR(f.account, "0123456789");
    CHECK_INT(f.has_amount, 0);
    CHECK_INT(f.has_content, 0);
    CHECK_INT(f.dynamic, 0);
    /* Known answer: NAPAS field order for BIN 970436, account
     * 0123456789, static, and a CRC computed here independently. */
    const char *want = "00020101021138540010A000000727012400069704360110"
                       "01234567890208QRIBFTTA53037045802VN6304";
    char crc[5];
    snprintf(crc, sizeof crc, "%04X", crc16(want));
    CHECK_INT(strlen(payload), strlen(want) + 4);
    CHECK(strncmp(payload, want, strlen(want)) == 0);
    CHECK_STR(payload + strlen(want), crc);
    for (size_t i = 0; i < 2; i++) {
        struct render_opts o = {RENDER_PNG, papers[i].paper, 0};
        double w, h;
        render_paper_size(papers[i].paper, &w, &h);

        snprintf(path, sizeof path, "%s/standee-%s.png", dir, papers[i].name);
        CHECK_INT(render_standee(&stall, &o, path), 0);
        zbar(path, got, sizeof got);
        CHECK_STR(got, payload);
        cairo_surface_t *img = cairo_image_surface_create_from_png(path);
        CHECK_INT(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
        double sc = 150.0 / 72 * (w / 297.64);
        CHECK_INT(cairo_image_surface_get_width(img),
                  (int)(w * 150 / 72 + 0.5));
        CHECK_INT(cairo_image_surface_get_height(img),
                  (int)(h * 150 / 72 + 0.5));
        /* Header band is blue (dark), text bands have ink, the margins
         * beside the stall code do not. */
        CHECK(ink(img, sc, 0, 2, 297, 38) > 1000);     /* header */
        CHECK(ink(img, sc, 40, 52, 257, 84) > 300);    /* stall code */
        CHECK(ink(img, sc, 40, 92, 257, 108) > 100);   /* vendor */
        CHECK(ink(img, sc, 20, 294, 277, 346) > 300);  /* bank lines */
        CHECK(ink(img, sc, 16, 356, 281, 400) > 300);  /* instructions */
        CHECK_INT(ink(img, sc, 0, 50, 14, 110), 0);    /* left margin */
        CHECK_INT(ink(img, sc, 284, 50, 297, 110), 0); /* right margin */
        cairo_surface_destroy(img);

        /* The same bytes into memory (PNG output is deterministic). */
        struct render_buf b = {NULL, 0};
        CHECK_INT(render_standee_mem(&stall, &o, &b), 0);
        FILE *fp = fopen(path, "rb");
        unsigned char *fb = malloc(b.len + 1);
        size_t fl = fp && fb ? fread(fb, 1, b.len + 1, fp) : 0;
        if (fp)
            fclose(fp);
        CHECK_INT(fl, b.len);
        CHECK(fb && memcmp(fb, b.data, b.len) == 0);
        free(fb);
        free(b.data);

        o.format = RENDER_PDF;
        snprintf(path, sizeof path, "%s/standee-%s.pdf", dir, papers[i].name);
        CHECK_INT(render_standee(&stall, &o, path), 0);
        check_pdf(path, w, h);
        if (have_poppler) {
            zbar_pdf(path, got, sizeof got);
            CHECK_STR(got, payload);
            CHECK(pdf_has_text(path, "Chợ Bến Thành"));
            CHECK(pdf_has_text(path, "Nguyễn Thị Hoà"));
            CHECK(pdf_has_text(path, "Số tài khoản: 0123456789"));
            CHECK(pdf_has_text(path, "Chủ tài khoản: NGUYEN THI HOA"));
            CHECK(pdf_has_text(path, "Ngân hàng: Vietcombank"));
            CHECK(pdf_has_text(path, "Quét mã bằng ứng dụng ngân hàng"));
        }
        CHECK_INT(render_standee_mem(&stall, &o, &b), 0);
        CHECK(b.len > 1000 && memcmp(b.data, "%PDF-", 5) == 0);
        free(b.data);
    }
}

static void test_standee_errors(void)
{
    struct render_opts o = {RENDER_PNG, RENDER_A6, 0};
    struct standee_info s = stall;
    struct render_buf b = {NULL, 0};
    char path[400];

    snprintf(path, sizeof path, "%s/err.png", dir);
    s.bin = "999999";
    CHECK_INT(render_standee(&s, &o, path), RENDER_E_BANK);
    s = stall;
    s.account = "0123-456";
    CHECK_INT(render_standee(&s, &o, path), RENDER_E_VIETQR);
    s = stall;
    s.vendor = "Nguy\xE1\xBB";
    CHECK_INT(render_standee(&s, &o, path), RENDER_E_ARG);
    s = stall;
    s.stall_code = "";
    CHECK_INT(render_standee(&s, &o, path), RENDER_E_ARG);
    CHECK(access(path, F_OK) != 0); /* nothing written on error */
    char longname[RENDER_TEXT_MAX + 2];
    memset(longname, 'A', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    s = stall;
    s.holder = longname; /* one byte over the limit */
    CHECK_INT(render_standee(&s, &o, path), RENDER_E_ARG);
    longname[RENDER_TEXT_MAX] = '\0'; /* at the limit: drawn, cut */
    CHECK_INT(render_standee(&s, &o, path), 0);
    remove(path);
    o.dpi = 1000;
    CHECK_INT(render_standee(&stall, &o, path), RENDER_E_ARG);
    o.dpi = 0;
    o.paper = (enum render_paper)9;
    CHECK_INT(render_standee_mem(&stall, &o, &b), RENDER_E_ARG);
    CHECK(b.data == NULL);
    o.paper = RENDER_A6;
    CHECK_INT(render_standee(&stall, &o, "/nonexistent-dir/x.png"),
              RENDER_E_IO);
    /* A long vendor name is shrunk/cut, never drawn past the page. */
    s = stall;
    s.vendor = "Cơ sở kinh doanh thực phẩm tươi sống và đồ khô Nguyễn Thị "
               "Hoà và các con, chuyên sỉ lẻ";
    snprintf(path, sizeof path, "%s/long.png", dir);
    CHECK_INT(render_standee(&s, &o, path), 0);
    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    CHECK_INT(ink(img, 150.0 / 72, 0, 50, 14, 110), 0);
    CHECK_INT(ink(img, 150.0 / 72, 284, 50, 297, 110), 0);
    cairo_surface_destroy(img);
}

static void sign_sample(char *text, size_t cap, enum receipt_method m)
{
    struct receipt r;

    memset(&r, 0, sizeof r);
    strcpy(r.org, "CHOBT");
    strcpy(r.number, "CHOBT-2026-000123");
    strcpy(r.payer, "A-012");
    r.amount = 15000;
    r.method = m;
    r.paid_at = receipt_from_civil(2026, 11, 22, 5, 15, 33);
    strcpy(r.ref, m == RECEIPT_CASH ? "" : "CPK7QX9M2");
    if (receipt_sign(&r, priv, text, cap) != 0)
        abort();
}

static void test_receipt(void)
{
    char text[RECEIPT_TEXT_MAX], got[600], path[400];
    struct receipt_doc d = {"Ban quản lý chợ Bến Thành", "Nguyễn Thị Hoà",
                            "Phí chợ tháng 11/2026", text};
    struct render_opts o = {RENDER_PNG, RENDER_A6, 0};
    struct receipt r;

    sign_sample(text, sizeof text, RECEIPT_TRANSFER);
    snprintf(path, sizeof path, "%s/receipt-a6.png", dir);
    CHECK_INT(render_receipt(&d, &o, path), 0);
    zbar(path, got, sizeof got);
    CHECK_STR(got, text);
    CHECK_INT(receipt_verify(got, strlen(got), pub, &r), 0);
    CHECK_INT(r.amount, 15000);
    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    double sc = 150.0 / 72;
    CHECK(ink(img, sc, 0, 2, 297, 44) > 1000);    /* org header */
    CHECK(ink(img, sc, 40, 56, 257, 76) > 300);   /* title */
    CHECK(ink(img, sc, 16, 100, 281, 200) > 800); /* rows */
    CHECK_INT(ink(img, sc, 0, 50, 12, 250), 0);   /* left margin */
    cairo_surface_destroy(img);

    o.paper = RENDER_A5;
    o.dpi = 100;
    snprintf(path, sizeof path, "%s/receipt-a5.png", dir);
    CHECK_INT(render_receipt(&d, &o, path), 0);
    zbar(path, got, sizeof got);
    CHECK_STR(got, text);

    /* Cash, no payer name or purpose, as PDF (A6 and A5). */
    sign_sample(text, sizeof text, RECEIPT_CASH);
    d.payer_name = NULL;
    d.purpose = NULL;
    for (int i = 0; i < 2; i++) {
        struct render_opts p = {RENDER_PDF, i ? RENDER_A5 : RENDER_A6, 0};
        double w, h;
        render_paper_size(p.paper, &w, &h);
        snprintf(path, sizeof path, "%s/receipt-%s.pdf", dir, i ? "a5" : "a6");
        CHECK_INT(render_receipt(&d, &p, path), 0);
        check_pdf(path, w, h);
        if (have_poppler) {
            zbar_pdf(path, got, sizeof got);
            CHECK_STR(got, text);
            CHECK_INT(receipt_verify(got, strlen(got), pub, NULL), 0);
            CHECK(pdf_has_text(path, "BIÊN LAI THU TIỀN"));
            CHECK(pdf_has_text(path, "15.000 ₫"));
            CHECK(pdf_has_text(path, "Tiền mặt"));
            CHECK(pdf_has_text(path, "22/11/2026 12:15"));
            CHECK(pdf_has_text(path, "CHOBT-2026-000123"));
        }
    }
    /* Not a receipt: refused before drawing. */
    d.qr_text = "CPR1|nonsense";
    CHECK_INT(render_receipt(&d, &o, path), RENDER_E_RECEIPT);
    struct render_buf b = {NULL, 0};
    CHECK_INT(render_receipt_html(&d, &b), RENDER_E_RECEIPT);
    CHECK(b.data == NULL);
}

static void test_html(void)
{
    char text[RECEIPT_TEXT_MAX];
    struct receipt_doc d = {"Ban <b>quản lý</b> & \"chợ\"", "O'Hara <x>", NULL,
                            text};
    struct render_buf b = {NULL, 0};

    sign_sample(text, sizeof text, RECEIPT_TRANSFER);
    CHECK_INT(render_receipt_html(&d, &b), 0);
    const char *h = (const char *)b.data;
    CHECK(h && strlen(h) == b.len);
    if (!h)
        return;
    CHECK(strncmp(h, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(h, "<meta charset=\"utf-8\">") != NULL);
    CHECK(strstr(h, "Ban &lt;b&gt;quản lý&lt;/b&gt; &amp; &quot;chợ&quot;") !=
          NULL);
    CHECK(strstr(h, "O&#39;Hara &lt;x&gt; (A-012)") != NULL);
    CHECK(strstr(h, "<b>") == NULL && strstr(h, "<x>") == NULL);
    CHECK(strstr(h, "<td class=\"amount\">15.000 ₫</td>") != NULL);
    CHECK(strstr(h, "Chuyển khoản") != NULL);
    CHECK(strstr(h, "22/11/2026 12:15") != NULL);
    CHECK(strstr(h, "CHOBT-2026-000123") != NULL);
    CHECK(strstr(h, "<svg class=\"qr\"") != NULL);
    CHECK(strstr(h, "http") == strstr(h, "http://www.w3.org/2000/svg"));
    CHECK(strstr(h, "<script") == NULL); /* self-contained, no scripts */
    CHECK(strstr(h, text) != NULL);      /* the text under the QR */
    free(b.data);
}

static void test_helpers(void)
{
    char s[17];

    render_vn_datetime(receipt_from_civil(2026, 11, 22, 5, 15, 33), s);
    CHECK_STR(s, "22/11/2026 12:15");
    render_vn_datetime(receipt_from_civil(2026, 12, 31, 17, 30, 0), s);
    CHECK_STR(s, "01/01/2027 00:30");
    CHECK_STR(render_method_vi(RECEIPT_CASH), "Tiền mặt");
    CHECK_STR(render_method_vi(RECEIPT_TRANSFER), "Chuyển khoản");
    CHECK_INT(render_font_covers("Quét mã bằng ứng dụng ngân hàng để thanh "
                                 "toán cho sạp ĂÂĐÊÔƠƯ ằẳẵặ ỳỷỹỵ ₫ · …"),
              1);
    CHECK_INT(render_font_covers("Hà Nội 中"), 0); /* no CJK in DejaVu */
    CHECK_INT(render_font_covers("\xC3"), 0);      /* bad UTF-8 */
    setenv("CHOPAY_FONT_DIR", "/nonexistent", 1);
    CHECK_INT(render_font_covers("a"), RENDER_E_FONT);
    unsetenv("CHOPAY_FONT_DIR");
    double w, h;
    render_paper_size(RENDER_A6, &w, &h);
    CHECK(w > 297.6 && w < 297.7 && h > 419.5 && h < 419.6);
    render_paper_size(RENDER_A5, &w, &h);
    CHECK(w > 419.5 && w < 419.6 && h > 595.2 && h < 595.3);
}

int main(void)
{
    char line[64];
    const char *keep = getenv("CHOPAY_RENDER_KEEP");

    snprintf(dir, sizeof dir, "%s", keep ? keep : "/tmp/chopay-render-XXXXXX");
    if (keep)
        mkdir(dir, 0700);
    else if (!mkdtemp(dir))
        return 3;
    if (receipt_public_key(priv, pub) != 0)
        return 3;
    have_poppler =
        run_line(
            "command -v pdfinfo && command -v pdftoppm && command -v pdftotext",
            line, sizeof line) == 0;
    if (!have_poppler)
        printf("note: poppler-utils not installed: PDF page size and PDF "
               "QR decoding not checked\n");
    test_helpers();
    test_standee();
    test_standee_errors();
    test_receipt();
    test_html();
    if (!keep) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", dir);
    }
    return TEST_END();
}
