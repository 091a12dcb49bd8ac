/*
 * render.c: the machinery the standee and receipt layouts share: DejaVu
 * Sans loaded once through FreeType, pages on an image (PNG) or PDF
 * surface written into a bounded growable buffer, fitted and wrapped
 * text, and QR codes drawn as merged vector rectangles.
 */
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <math.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include "render_int.h"
#include "vntext.h"

#define FONT_DIR_DEFAULT "/usr/share/fonts/truetype/dejavu"

static const char *const font_files[2] = {"DejaVuSans.ttf",
                                          "DejaVuSans-Bold.ttf"};

/* Loaded once for the life of the process (cairo may cache the faces
 * past any one document, so they are never unloaded). */
static pthread_once_t fonts_once = PTHREAD_ONCE_INIT;
static FT_Library ft_lib;
static cairo_font_face_t *faces[2];
static int fonts_ok;

static const char *font_dir(void)
{
    const char *d = getenv("CHOPAY_FONT_DIR");
    return d && *d ? d : FONT_DIR_DEFAULT;
}

static const cairo_user_data_key_t face_key;

static void done_face(void *face)
{
    FT_Done_Face((FT_Face)face);
}

static void load_fonts(void)
{
    char path[1024];

    if (FT_Init_FreeType(&ft_lib) != 0)
        return;
    for (int i = 0; i < 2; i++) {
        FT_Face face;
        if (snprintf(path, sizeof path, "%s/%s", font_dir(), font_files[i]) >=
                (int)sizeof path ||
            FT_New_Face(ft_lib, path, 0, &face) != 0)
            return;
        faces[i] = cairo_ft_font_face_create_for_ft_face(face, 0);
        if (cairo_font_face_status(faces[i]) != CAIRO_STATUS_SUCCESS ||
            cairo_font_face_set_user_data(faces[i], &face_key, face,
                                          done_face) != CAIRO_STATUS_SUCCESS) {
            FT_Done_Face(face);
            return;
        }
    }
    fonts_ok = 1;
}

int font_use(cairo_t *cr, int bold, double size)
{
    pthread_once(&fonts_once, load_fonts);
    if (!fonts_ok)
        return RENDER_E_FONT;
    cairo_set_font_face(cr, faces[bold ? 1 : 0]);
    cairo_set_font_size(cr, size);
    return 0;
}

int render_font_covers(const char *s)
{
    FT_Library lib;
    FT_Face face[2] = {NULL, NULL};
    char path[1024];
    size_t len;
    int rc = 1;

    if (!s || utf8_ok(s) != 0)
        return 0;
    if (FT_Init_FreeType(&lib) != 0)
        return RENDER_E_FONT;
    for (int i = 0; i < 2; i++)
        if (snprintf(path, sizeof path, "%s/%s", font_dir(), font_files[i]) >=
                (int)sizeof path ||
            FT_New_Face(lib, path, 0, &face[i]) != 0) {
            rc = RENDER_E_FONT;
            goto done;
        }
    len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t used;
        if (vntext_utf8_decode(s + i, len - i, &cp, &used) != 0) {
            rc = 0;
            break;
        }
        if (FT_Get_Char_Index(face[0], cp) == 0 ||
            FT_Get_Char_Index(face[1], cp) == 0) {
            rc = 0;
            break;
        }
        i += used;
    }
done:
    for (int i = 0; i < 2; i++)
        if (face[i])
            FT_Done_Face(face[i]);
    FT_Done_FreeType(lib);
    return rc;
}

int utf8_ok(const char *s)
{
    size_t n;

    if (!s || (n = strlen(s)) > RENDER_TEXT_MAX)
        return RENDER_E_ARG;
    return vntext_utf8_valid(s, n) == 0 ? 0 : RENDER_E_ARG;
}

/* --- pages ------------------------------------------------------------ */

void render_paper_size(enum render_paper paper, double *w_pt, double *h_pt)
{
    /* ISO 216 in millimetres, 72 / 25.4 points each. */
    double w = paper == RENDER_A5 ? 148 : 105;
    double h = paper == RENDER_A5 ? 210 : 148;
    *w_pt = w * 72 / 25.4;
    *h_pt = h * 72 / 25.4;
}

static cairo_status_t buf_write(void *closure, const unsigned char *data,
                                unsigned int length)
{
    struct page *p = closure;
    struct render_buf *b = &p->buf;

    if (length > RENDER_OUT_MAX - b->len) {
        p->overflow = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    if (b->len + length > p->cap) {
        size_t ncap = p->cap ? p->cap : 65536;
        while (ncap < b->len + length)
            ncap *= 2;
        if (ncap > RENDER_OUT_MAX)
            ncap = RENDER_OUT_MAX;
        unsigned char *n = realloc(b->data, ncap);
        if (!n)
            return CAIRO_STATUS_NO_MEMORY;
        b->data = n;
        p->cap = ncap;
    }
    memcpy(b->data + b->len, data, length);
    b->len += length;
    return CAIRO_STATUS_SUCCESS;
}

int page_begin(struct page *p, const struct render_opts *o, const char *title)
{
    double w, h, scale;
    int dpi;

    memset(p, 0, sizeof *p);
    if (!o || (o->format != RENDER_PNG && o->format != RENDER_PDF) ||
        (o->paper != RENDER_A5 && o->paper != RENDER_A6))
        return RENDER_E_ARG;
    dpi = o->dpi ? o->dpi : RENDER_DPI_DEFAULT;
    if (dpi < 36 || dpi > RENDER_DPI_MAX)
        return RENDER_E_ARG;
    render_paper_size(o->paper, &w, &h);
    if (o->format == RENDER_PNG) {
        p->raster = 1;
        scale = dpi / 72.0 * (w / PAGE_W);
        p->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                                (int)lround(w * dpi / 72.0),
                                                (int)lround(h * dpi / 72.0));
    } else {
        scale = w / PAGE_W;
        p->surface = cairo_pdf_surface_create_for_stream(buf_write, p, w, h);
    }
    if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(p->surface);
        p->surface = NULL;
        return RENDER_E_CAIRO;
    }
    if (o->format == RENDER_PDF) {
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE,
                                       title);
        cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR,
                                       "chopay");
    }
    p->cr = cairo_create(p->surface);
    if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
        page_abort(p);
        return RENDER_E_CAIRO;
    }
    cairo_scale(p->cr, scale, scale);
    cairo_set_source_rgb(p->cr, 1, 1, 1);
    cairo_paint(p->cr);
    return 0;
}

void page_abort(struct page *p)
{
    cairo_destroy(p->cr);
    if (p->surface) {
        cairo_surface_finish(p->surface);
        cairo_surface_destroy(p->surface);
    }
    free(p->buf.data);
    memset(p, 0, sizeof *p);
}

/* Write len bytes to path through path.tmp and rename(). */
static int write_file(const char *path, const unsigned char *data, size_t len)
{
    char tmp[4096];
    FILE *f;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return RENDER_E_ARG;
    if (!(f = fopen(tmp, "wb")))
        return RENDER_E_IO;
    if (fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
        fsync(fileno(f)) != 0) {
        fclose(f);
        remove(tmp);
        return RENDER_E_IO;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return RENDER_E_IO;
    }
    return 0;
}

int page_end(struct page *p, const char *path, struct render_buf *out)
{
    cairo_status_t st = cairo_status(p->cr);
    int rc = 0;

    cairo_destroy(p->cr);
    p->cr = NULL;
    if (st == CAIRO_STATUS_SUCCESS && p->raster)
        st = cairo_surface_write_to_png_stream(p->surface, buf_write, p);
    cairo_surface_finish(p->surface); /* PDF: writes the document */
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(p->surface);
    cairo_surface_destroy(p->surface);
    p->surface = NULL;
    if (p->overflow || st == CAIRO_STATUS_NO_MEMORY)
        rc = RENDER_E_NOMEM;
    else if (st != CAIRO_STATUS_SUCCESS)
        rc = RENDER_E_CAIRO;
    else if (path)
        rc = write_file(path, p->buf.data, p->buf.len);
    if (rc == 0 && !path) {
        *out = p->buf;
        p->buf.data = NULL;
    }
    free(p->buf.data);
    memset(p, 0, sizeof *p);
    return rc;
}

/* --- text ------------------------------------------------------------- */

double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;

    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

static void show_at(cairo_t *cr, const char *s, double x, double y,
                    enum align a)
{
    double w = a == ALIGN_LEFT ? 0 : text_width(cr, s);

    cairo_move_to(cr,
                  a == ALIGN_LEFT     ? x
                  : a == ALIGN_CENTER ? x - w / 2
                                      : x - w,
                  y);
    cairo_show_text(cr, s);
}

/* Length of s without its last UTF-8 character. */
static size_t drop_last_char(const char *s, size_t len)
{
    while (len > 0) {
        len--;
        if (((unsigned char)s[len] & 0xC0) != 0x80)
            break;
    }
    return len;
}

void text_fit(cairo_t *cr, const char *s, double x, double y, double max_w,
              enum align a, int bold, double size, double min_size)
{
    char buf[512];
    size_t len;

    if (font_use(cr, bold, size) != 0)
        return;
    while (size > min_size && text_width(cr, s) > max_w) {
        size -= 0.5;
        cairo_set_font_size(cr, size);
    }
    if (text_width(cr, s) <= max_w) {
        show_at(cr, s, x, y, a);
        return;
    }
    /* Still too wide: cut at a character boundary and add an ellipsis. */
    len = strlen(s);
    if (len > sizeof buf - 4)
        len = drop_last_char(s, sizeof buf - 4 + 1);
    do {
        len = drop_last_char(s, len);
        memcpy(buf, s, len);
        memcpy(buf + len, "\xE2\x80\xA6", 4); /* U+2026 and NUL */
    } while (len > 0 && text_width(cr, buf) > max_w);
    show_at(cr, buf, x, y, a);
}

double text_wrap(cairo_t *cr, const char *s, double x, double y, double max_w,
                 enum align a, int bold, double size, double leading,
                 int max_lines)
{
    char line[512];
    size_t n = 0;
    int lines = 0;
    const char *p = s;

    if (font_use(cr, bold, size) != 0)
        return y;
    while (*p && lines < max_lines) {
        const char *w = p;
        while (*w == ' ')
            w++;
        const char *e = w;
        while (*e && *e != ' ')
            e++;
        size_t wl = (size_t)(e - w);
        if (wl == 0)
            break;
        char cand[512];
        int cn = snprintf(cand, sizeof cand, "%.*s%s%.*s", (int)n, line,
                          n ? " " : "", (int)wl, w);
        if (cn < 0 || (size_t)cn >= sizeof cand)
            break;
        if (n == 0 || text_width(cr, cand) <= max_w) {
            memcpy(line, cand, (size_t)cn + 1);
            n = (size_t)cn;
            p = e;
            continue;
        }
        /* A single word wider than the line is shrunk or cut. */
        text_fit(cr, line, x, y, max_w, a, bold, size, size * 0.7);
        font_use(cr, bold, size);
        y += leading;
        lines++;
        n = 0;
    }
    if (n > 0 && lines < max_lines) {
        text_fit(cr, line, x, y, max_w, a, bold, size, size * 0.7);
        y += leading;
    }
    return y;
}

/* --- QR codes --------------------------------------------------------- */

/* Fill the dark modules of qr, one rectangle per horizontal run, at
 * origin (ox, oy) with module size m (quiet zone already included in
 * the origin). */
static void qr_runs(cairo_t *cr, const QRcode *qr, double ox, double oy,
                    double m)
{
    int n = qr->width;

    for (int y = 0; y < n; y++) {
        for (int x = 0; x < n;) {
            if (!(qr->data[y * n + x] & 1)) {
                x++;
                continue;
            }
            int x0 = x;
            while (x < n && (qr->data[y * n + x] & 1))
                x++;
            cairo_rectangle(cr, ox + x0 * m, oy + y * m, (x - x0) * m, m);
        }
    }
    cairo_fill(cr);
}

int qr_draw(struct page *p, const char *payload, double x, double y,
            double side)
{
    cairo_t *cr = p->cr;
    QRcode *qr = QRcode_encodeString8bit(payload, 0, QR_ECLEVEL_M);

    if (!qr)
        return RENDER_E_QR;
    int total = qr->width + 2 * 4; /* 4-module quiet zone each side */
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, side, side);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (p->raster) {
        /* Whole device pixels per module: crisp edges for scanners. */
        double dx = x, dy = y, dx2 = x + side, dy2 = y + side;
        cairo_user_to_device(cr, &dx, &dy);
        cairo_user_to_device(cr, &dx2, &dy2);
        double dside = dx2 - dx;
        double m = floor(dside / total);
        if (m < 1)
            m = 1;
        double off = floor((dside - m * total) / 2);
        cairo_identity_matrix(cr);
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
        qr_runs(cr, qr, floor(dx) + off + 4 * m, floor(dy) + off + 4 * m, m);
    } else {
        double m = side / total;
        qr_runs(cr, qr, x + 4 * m, y + 4 * m, m);
    }
    cairo_restore(cr);
    QRcode_free(qr);
    return 0;
}

/* --- small shared things ------------------------------------------------ */

void render_vn_datetime(int64_t t, char out[17])
{
    int y, mo, d, h, mi, s;

    receipt_civil(t + 7 * 3600, &y, &mo, &d, &h, &mi, &s);
    /* receipt_civil gives in-range fields; the casts and bounds only
     * prove to the compiler that the text fits 16 characters. */
    snprintf(out, 17, "%02u/%02u/%04u %02u:%02u", (unsigned)d % 100u,
             (unsigned)mo % 100u, (unsigned)y % 10000u, (unsigned)h % 100u,
             (unsigned)mi % 100u);
}

const char *render_method_vi(enum receipt_method m)
{
    return m == RECEIPT_CASH ? "Tiền mặt" : "Chuyển khoản";
}

const char *render_strerror(int rc)
{
    switch (rc) {
    case RENDER_OK:
        return "ok";
    case RENDER_E_ARG:
        return "invalid argument or text that is not UTF-8";
    case RENDER_E_FONT:
        return "DejaVu Sans not found (install fonts-dejavu-core or set "
               "CHOPAY_FONT_DIR)";
    case RENDER_E_BANK:
        return "the bank BIN is not in the bank directory";
    case RENDER_E_VIETQR:
        return "the bank account cannot be encoded as a VietQR";
    case RENDER_E_QR:
        return "the QR payload cannot be encoded";
    case RENDER_E_RECEIPT:
        return "not a well-formed receipt text";
    case RENDER_E_CAIRO:
        return "drawing failed";
    case RENDER_E_IO:
        return "cannot write the output file";
    case RENDER_E_NOMEM:
        return "out of memory or document too large";
    default:
        return "unknown error";
    }
}
