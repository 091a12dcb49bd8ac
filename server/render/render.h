/*
 * render.h: printable documents drawn with Cairo from one code path into
 * PNG or PDF (A5/A6): stall QR standees (a static VietQR for the vendor's
 * own account) and payment receipts carrying their signed receipt QR;
 * receipts also as a self-contained HTML page. Text is set in Debian's
 * DejaVu Sans (Vietnamese precomposed glyphs) through FreeType.
 */
#ifndef CHOPAY_RENDER_H
#define CHOPAY_RENDER_H

#include <stddef.h>

#include "receipt.h"

#define RENDER_OUT_MAX     (16u << 20) /* a document in memory never exceeds */
#define RENDER_DPI_DEFAULT 150         /* PNG resolution when dpi is 0 */
#define RENDER_DPI_MAX     600
#define RENDER_TEXT_MAX    160 /* bytes of any one text field */

enum render_error {
    RENDER_OK = 0,
    RENDER_E_ARG = -1,     /* NULL or invalid option, bad UTF-8 text */
    RENDER_E_FONT = -2,    /* DejaVu Sans not found or unreadable */
    RENDER_E_BANK = -3,    /* BIN not in the bank directory */
    RENDER_E_VIETQR = -4,  /* BIN/account refused by vietqr_encode */
    RENDER_E_QR = -5,      /* libqrencode refused the payload */
    RENDER_E_RECEIPT = -6, /* qr_text is not a well-formed receipt */
    RENDER_E_CAIRO = -7,   /* Cairo failed (incl. out of memory) */
    RENDER_E_IO = -8,      /* cannot write the output file */
    RENDER_E_NOMEM = -9,   /* out of memory or over RENDER_OUT_MAX */
};

enum render_format {
    RENDER_PNG = 0, /* raster at opts.dpi */
    RENDER_PDF = 1, /* vector, one page of the paper size */
};

enum render_paper {
    RENDER_A6 = 0, /* 105 x 148 mm = 298 x 420 pt */
    RENDER_A5 = 1, /* 148 x 210 mm = 420 x 595 pt */
};

/* How to render. Zeroed = PNG, A6, RENDER_DPI_DEFAULT. */
struct render_opts {
    enum render_format format; /* PNG or PDF */
    enum render_paper paper;   /* page size (PNG: its pixel size at dpi) */
    int dpi;                   /* PNG only: 0 = default, 36..RENDER_DPI_MAX */
};

/* A stall standee. Strings are UTF-8 of at most RENDER_TEXT_MAX bytes;
 * only the market may be NULL. */
struct standee_info {
    const char *market;     /* market name, "Chợ Bến Thành", or NULL */
    const char *stall_code; /* stall (payer) code, "A-012" */
    const char *vendor;     /* vendor name, "Nguyễn Thị Hoa" */
    const char *bin;        /* the vendor's bank BIN, 6 digits */
    const char *account;    /* the vendor's account number */
    const char *holder;     /* account holder as the bank shows it */
};

/* A receipt to print. Fields shown come from qr_text itself; the names
 * are UTF-8 of at most RENDER_TEXT_MAX bytes. */
struct receipt_doc {
    const char *org_name;   /* organisation's display name (UTF-8) */
    const char *payer_name; /* payer's name, or NULL */
    const char *purpose; /* what was paid ("Phí chợ tháng 11"), or NULL */
    const char *qr_text; /* the signed text from receipt_sign() */
};

/* A rendered document in memory; free data with free(). */
struct render_buf {
    unsigned char *data; /* PNG or PDF bytes */
    size_t len;          /* byte count */
};

/* Page size in PostScript points (1/72 inch) of a paper. */
void render_paper_size(enum render_paper paper, double *w_pt, double *h_pt);

/*
 * The static VietQR payload of a standee (no amount, no content) into
 * `out` (capacity `cap`, VIETQR_MAX_PAYLOAD suffices). Returns 0,
 * RENDER_E_ARG, RENDER_E_BANK or RENDER_E_VIETQR.
 */
int render_standee_payload(const struct standee_info *s, char *out, size_t cap);

/*
 * Draw a standee to a file at `path` (replaced if it exists) or into
 * *out (on success out->data is malloc'd; untouched on error). Returns 0
 * or a negative enum render_error.
 */
int render_standee(const struct standee_info *s, const struct render_opts *o,
                   const char *path);
int render_standee_mem(const struct standee_info *s,
                       const struct render_opts *o, struct render_buf *out);

/* The same for a receipt (RENDER_E_RECEIPT when qr_text does not parse). */
int render_receipt(const struct receipt_doc *d, const struct render_opts *o,
                   const char *path);
int render_receipt_mem(const struct receipt_doc *d, const struct render_opts *o,
                       struct render_buf *out);

/*
 * A receipt as one self-contained HTML5 page (inline CSS, the QR as inline
 * SVG, every text HTML-escaped), NUL-terminated in *out->data. Returns 0
 * or a negative enum render_error.
 */
int render_receipt_html(const struct receipt_doc *d, struct render_buf *out);

/*
 * Vietnamese display strings: "15.000 ₫" amounts go through
 * money_format(); this gives the date-time of UTC seconds `t` in Vietnam
 * time (UTC+7, no DST), "dd/mm/yyyy HH:MM", into out (>= 17 bytes).
 */
void render_vn_datetime(int64_t t, char out[17]);

/* "Chuyển khoản" or "Tiền mặt". */
const char *render_method_vi(enum receipt_method m);

/*
 * 1 when the UTF-8 string `s` is valid and every character has a glyph in
 * the regular and bold fonts; 0 when not; RENDER_E_FONT when the fonts
 * cannot be loaded.
 */
int render_font_covers(const char *s);

/* A short English explanation of a render_* return value. */
const char *render_strerror(int rc);

#endif
