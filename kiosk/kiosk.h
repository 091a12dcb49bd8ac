/*
 * kiosk.h: what the kiosk's files share: the kiosk state, the screen
 * table (one file per screen, each a table of callbacks), the payment
 * session a payer walks through, and the prototypes of core.c (what
 * every part calls), loop.c, ui.c, flow.c and sound.c.
 */
#ifndef CHOPAY_KIOSK_H
#define CHOPAY_KIOSK_H

#include "i18n.h"
#include "ksdl.h"

#include <jansson.h>
#include <stdint.h>

#include "vietqr.h"

struct kiosk;
struct net;
struct script;
struct journal_sums;
struct net_status;

/* A screen: a small table of callbacks, NULL where not needed. */
struct kiosk_screen {
    const char *name; /* stable id, used for screenshots and scripts */
    int keep_awake;   /* 1: the inactivity timeout does not apply */
    void (*enter)(struct kiosk *k);
    void (*leave)(struct kiosk *k);
    void (*on_event)(struct kiosk *k, const SDL_Event *ev);
    void (*update)(struct kiosk *k, uint32_t now_ms);
    void (*draw)(struct kiosk *k, SDL_Renderer *r);
};

extern const struct kiosk_screen kiosk_screen_welcome;
extern const struct kiosk_screen kiosk_screen_code;
extern const struct kiosk_screen kiosk_screen_dues;
extern const struct kiosk_screen kiosk_screen_qr;
extern const struct kiosk_screen kiosk_screen_waiting;
extern const struct kiosk_screen kiosk_screen_paid;
extern const struct kiosk_screen kiosk_screen_partial;
extern const struct kiosk_screen kiosk_screen_expired;
extern const struct kiosk_screen kiosk_screen_error;
extern const struct kiosk_screen kiosk_screen_pin;
extern const struct kiosk_screen kiosk_screen_collector;
extern const struct kiosk_screen kiosk_screen_cash_confirm;
extern const struct kiosk_screen kiosk_screen_cash_amount;
extern const struct kiosk_screen kiosk_screen_cash_done;
extern const struct kiosk_screen kiosk_screen_pick;
extern const struct kiosk_screen kiosk_screen_cash_pin;

#define KIOSK_PATH_MAX     512
#define KIOSK_MAX_INVOICES 96
#define KIOSK_MAX_BUTTONS  64
#define KIOSK_CODE_MAX     16
#define KIOSK_SUGGEST_MAX  4
#define KIOSK_GROUP_MAX    24 /* bytes of a zone or class name, NUL included */

/* Everything set by flags or the INI file. */
struct kiosk_config {
    char server[256];                 /* base URL, no trailing slash */
    char key_file[KIOSK_PATH_MAX];    /* file holding the kiosk key */
    char key[256];                    /* the kiosk key read from key_file */
    char data_dir[KIOSK_PATH_MAX];    /* cache, journal, reserved codes */
    char assets_dir[KIOSK_PATH_MAX];  /* sounds; "" = search list */
    char script[KIOSK_PATH_MAX];      /* test script, "" = none */
    char shot_dir[KIOSK_PATH_MAX];    /* screenshot folder, "" = none */
    char ca_file[KIOSK_PATH_MAX];     /* private CA bundle, "" = system */
    char client_cert[KIOSK_PATH_MAX]; /* TLS client certificate (PEM) */
    char client_key[KIOSK_PATH_MAX];  /* its private key (PEM) */
    char pin[16];       /* collector PIN, "" = collector mode off */
    char collector[64]; /* collector name sent with cash records */
    int lang;           /* enum kiosk_lang */
    int fullscreen;     /* 1: fullscreen window */
    int headless;       /* 1: software renderer to a surface */
    int sound;          /* 1: play sounds */
    int width, height;  /* window or surface size */
    int rotate;         /* 0, 90, 180 or 270: picture turned clockwise */
    int idle_s;         /* inactivity timeout, seconds */
    int long_poll_s;    /* ?wait= for intent polls, 1..60 */
    int timing;         /* 1: print timings to stderr (bench) */
};

/* One open invoice (or, offline, one fee from the cached directory). */
struct kiosk_invoice {
    int64_t id;      /* server invoice id; 0 for an offline fee */
    char label[96];  /* UTF-8 */
    char period[24]; /* "2026-11" or "" */
    int64_t due;     /* đồng still owed */
    int selected;    /* 1: ticked on the dues screen */
};

/* The payer being served. */
struct kiosk_payer {
    char code[KIOSK_CODE_MAX + 1];
    char name[128];
    int n_inv;
    struct kiosk_invoice inv[KIOSK_MAX_INVOICES];
    int n_more;  /* open invoices beyond KIOSK_MAX_INVOICES (not shown) */
    int offline; /* 1: from the cached directory, not the server */
};

/* A payment intent as shown on the QR screen. */
struct kiosk_intent {
    char id[48];    /* server id ("" while offline) */
    char code[40];  /* payment code, the transfer content */
    int64_t amount; /* đồng */
    char payload[VIETQR_MAX_PAYLOAD + 1];
    char bin[8];           /* bank BIN */
    char bank_name[96];    /* bank display name */
    char account[32];      /* account number */
    char account_name[96]; /* account holder */
    uint32_t expires_tick; /* SDL ticks at expiry (skew-free) */
    int offline;           /* 1: built locally from a reserved code */
    char offline_key[40];  /* journal key of an offline intent */
};

/* Whose code the code screen asks for. */
enum kiosk_audience {
    AUDIENCE_ANY,    /* an organisation with stalls and students, or unknown */
    AUDIENCE_MARKET, /* a stall code (a market's vendors) */
    AUDIENCE_SCHOOL  /* a student code (a school's parents) */
};

/* What the server said of a collector's PIN typed for cash. */
enum kiosk_pin_error { PIN_OK, PIN_WRONG, PIN_LOCKED };

/* The payer's walk through the screens, reset on the welcome screen. */
struct kiosk_session {
    int collector;                 /* 1: collector recording cash */
    int audience;                  /* enum kiosk_audience */
    char code[KIOSK_CODE_MAX + 1]; /* typed code */
    struct kiosk_payer payer;
    struct kiosk_intent intent;
    int64_t inv_ids[KIOSK_MAX_INVOICES]; /* invoices being paid */
    int n_ids;                           /* 0 with pay_all */
    int pay_all;                         /* 1: "invoices": "all" */
    int64_t received;                    /* partial: received so far */
    int64_t remaining;                   /* partial: still owed */
    char receipt[48];                    /* paid: receipt / intent id */
    int receipt_known;                   /* 1: `receipt` is the server's */
    char receipt_qr[340];    /* paid: its QR: public URL or signed text */
    int64_t paid_amount;     /* paid: amount */
    enum kiosk_str err_what; /* error screen: what happened */
    enum kiosk_str err_hint; /* error screen: what to do */
    char err_detail[160];    /* error screen: server code / message */
    const struct kiosk_screen *err_retry; /* where "try again" goes */
    char note[160];                       /* collector screen: last result */
    int64_t cash_due;    /* cash: the selection's total, the most taken */
    int64_t cash_amount; /* cash: the amount to confirm and record */
    int64_t cash_typed;  /* cash amount keypad: the amount typed so far */
    char cash_key[33];   /* cash: journal key of the record made */
    char pin[16];        /* cash PIN keypad: the collector's PIN typed */
    int pin_error;       /* enum kiosk_pin_error: the last PIN's answer */
    int pin_left;        /* wrong PINs left before the lock, -1 unknown */
    int repin;           /* 1: the PIN again for queued cash `cash_key` */
    int64_t my_cash;     /* cash done: the collector's own day */
    int my_cash_known;   /* 1: `my_cash` came from the server */
    int busy;            /* a request for this screen is running */
    int has_msg;         /* 1: show `msg` on the current screen */
    enum kiosk_str msg;  /* short message (e.g. code not found) */
    char suggest[KIOSK_SUGGEST_MAX][KIOSK_CODE_MAX + 1]; /* code not found:
                                                             codes near it */
    int n_suggest;      /* how many of `suggest` are set */
    char paid_id[48];   /* last intent recorded as paid */
    int paid_otherwise; /* expired: cancelled because the invoices were
                           paid another way (cash) */
    int page;           /* dues: the page of invoices shown (0-based) */
    char group[KIOSK_GROUP_MAX]; /* pick: the zone or class chosen ("" =
                                    choosing one) */
    int picked;                  /* 1: the payer was tapped on the pick
                                    screen (its "back" returns there) */
    int pick_page;               /* pick: the page of the grid shown */
    int pick_list;               /* pick: began with the list of groups */
};

/* A tappable target registered while drawing. */
struct kiosk_button {
    SDL_Rect r;
    char id[32];    /* stable id for scripts ("pay-all", "key-A") */
    char label[96]; /* the text shown */
    int enabled;
};

/* Fonts by size; bold and regular. */
enum kiosk_font { FONT_SMALL, FONT_NORMAL, FONT_LARGE, FONT_HUGE, FONT__N };

/* The directory cache as parsed. */
struct kiosk_dir_payer {
    char code[KIOSK_CODE_MAX + 1];
    char name[128];
    char category[32];           /* the server's fee category of the payer */
    char group[KIOSK_GROUP_MAX]; /* its stall zone or student class, "" */
    int is_class;                /* 1: `group` is a class, 0: a zone */
    size_t inv_first; /* its open invoices: kiosk_directory.invoices */
    size_t inv_count; /* [inv_first, inv_first + inv_count) */
};
/* An open invoice as the directory carried it (payers[].invoices). */
struct kiosk_dir_invoice {
    int64_t id;
    char label[96];
    char period[24];
    int64_t due; /* đồng still owed when the directory was made */
};
struct kiosk_dir_fee {
    char label[96];
    char category[32];
    int64_t amount;
};
struct kiosk_directory {
    int loaded;
    char org_name[128];
    char org_kind[16]; /* "market", "school" or "" */
    char bin[8];       /* collecting bank */
    char account[32];
    char account_name[96];
    int has_market, has_school; /* who the kiosk serves (its audience) */
    char letters[16]; /* letters used by payer codes, for the keypad */
    size_t n_payers;
    struct kiosk_dir_payer *payers;
    size_t n_fees;
    struct kiosk_dir_fee *fees;
    int has_invoices;   /* 1: payers carry their open invoices */
    int collector_pins; /* 1: cash needs a collector's PIN */
    size_t n_invoices;
    struct kiosk_dir_invoice *invoices;
};

/* The day's totals from GET /v1/kiosk/totals (the organisation's). */
struct kiosk_totals {
    int have;                     /* 1: a server answer is held */
    int busy;                     /* a request is in flight */
    int again;                    /* fetch again when it returns */
    uint32_t refresh_ms;          /* collector screen: next fetch */
    char date[11];                /* the server's day, YYYY-MM-DD */
    int64_t transfer, cash;       /* đồng, the whole organisation */
    int n_transfer, n_cash;       /* payments */
    int64_t my_transfer, my_cash; /* of them, through this kiosk */
    int my_n_transfer, my_n_cash; /* payments through this kiosk */
};

struct kiosk {
    struct kiosk_config cfg;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surface;     /* headless target */
    SDL_Texture *target;      /* rotated: the picture drawn upright here */
    int w, h;                 /* logical pixels (the upright picture) */
    int phys_w, phys_h;       /* the screen's pixels (w, h swapped at 90/270) */
    int drag, drag_x, drag_y; /* a press in progress at (x, y) (swipes) */
    int scale;                /* per mille of the 800x480 design */
    TTF_Font *font[2][FONT__N];
    char font_path[2][KIOSK_PATH_MAX];
    const struct kiosk_screen *screen;
    const struct kiosk_screen *next;
    uint32_t entered_ms; /* when the current screen was entered */
    uint32_t frames_on_screen;
    int dirty;        /* redraw needed */
    int animating;    /* 1: redraw at 60 fps */
    uint32_t wake_at; /* a screen's next timed redraw, 0 = none */
    uint32_t last_input_ms;
    int quit;
    int exit_code;
    int shot_pending; /* save a screenshot after the next draw */
    unsigned shot_seq;
    struct kiosk_button buttons[KIOSK_MAX_BUTTONS];
    int n_buttons;
    int pressed; /* index of the pressed button, -1 none */
    struct net *net;
    struct script *script;
    struct kiosk_session s;
    struct kiosk_directory dir;
    int online;            /* 1 until a request fails to connect */
    int unauthorized;      /* 1 while the server refuses the key (401) */
    uint32_t dir_next_ms;  /* next directory refresh */
    uint32_t sync_next_ms; /* next journal replay / code refill */
    int sync_busy;         /* a replay request is in flight */
    int codes_busy;
    int codes_unsupported; /* server answered 404 to the reservation */
    json_t *sync_rec;      /* the journal record being replayed */
    int lang;              /* current language (reset on welcome) */
    int64_t clock_offset;  /* server time - time(NULL), seconds */
    int clock_known;       /* 1: clock_offset came from a Date header */
    int compacted;         /* the journal was compacted this run */
    struct kiosk_totals totals;
    uint64_t start_ns;       /* bench: CLOCK_MONOTONIC at start */
    uint64_t intent_pc;      /* bench: perf counter when an intent came */
    uint64_t frame_ns_total; /* bench: draw time */
    uint64_t frames;
    /* sound */
    SDL_AudioDeviceID audio;
    uint8_t *ding;
    uint32_t ding_len;
};

/* ---- core.c ---------------------------------------------------------- */
/* Switch to `next` after the current event is handled (never recursive). */
void kiosk_goto(struct kiosk *k, const struct kiosk_screen *next);
/* Ask for a redraw now. */
void kiosk_dirty(struct kiosk *k);
/* Ask for a redraw at SDL tick `ms` (the earliest request wins). */
void kiosk_wake_at(struct kiosk *k, uint32_t ms);
/* The string `id` in the current language. */
const char *kiosk_tr(const struct kiosk *k, enum kiosk_str id);
/*
 * Unix time by the server's clock: the local clock corrected by the offset
 * learnt from the last server reply's Date header (the local clock alone
 * before any reply). A Pi has no real-time clock.
 */
int64_t kiosk_now(const struct kiosk *k);
/*
 * Who the kiosk serves, from the directory: a market's vendors, a
 * school's parents, or AUDIENCE_ANY when it collects both or is unknown.
 */
int kiosk_audience(const struct kiosk *k);
/* Screen pixel (px, py) to the upright picture's (lx, ly), rotation undone. */
void kiosk_from_screen(const struct kiosk *k, int px, int py, int *lx, int *ly);
/* The upright picture's (lx, ly) to the screen pixel (px, py). */
void kiosk_to_screen(const struct kiosk *k, int lx, int ly, int *px, int *py);
/* Show the error screen with what happened, what to do, and a detail. */
void kiosk_fail(struct kiosk *k, enum kiosk_str what, enum kiosk_str hint,
                const char *detail, const struct kiosk_screen *retry);
/*
 * Take in what an HTTP attempt told about the server (net_on_status):
 * online or not, the key refused (401) or accepted again, the server's
 * clock; a redraw when the header's state changed.
 */
void kiosk_net_status(struct kiosk *k, const struct net_status *st);
/*
 * The logical size from the screen's (swapped when turned a quarter) and,
 * when rotated, the texture the upright picture is drawn into. 0 or -1
 * (SDL_GetError).
 */
int kiosk_setup_rotation(struct kiosk *k);
/* Design units to pixels for the current logical size (k->scale). */
void kiosk_set_scale(struct kiosk *k);

/* ---- loop.c ---------------------------------------------------------- */
/*
 * Run the kiosk from the welcome screen until it quits or its script
 * ends; the exit status (3: a script command failed).
 */
int kiosk_run(struct kiosk *k);
/* With cfg.timing, print the frame-time percentiles and peak memory. */
void kiosk_print_timing(struct kiosk *k);

/* ---- ui.c ------------------------------------------------------------ */
enum ui_align { UI_LEFT, UI_CENTER, UI_RIGHT };
enum ui_style { UI_PRIMARY, UI_SECONDARY, UI_KEY, UI_DANGER, UI_GHOST, UI_BIG };

extern const SDL_Color ui_bg, ui_fg, ui_muted, ui_primary, ui_green, ui_red,
    ui_amber, ui_white, ui_black, ui_panel;

/* Load the fonts for the current size; 0 or -1 (no font found). */
int ui_fonts_load(struct kiosk *k);
/* Close the fonts. */
void ui_fonts_free(struct kiosk *k);
/* A length in pixels for `v` units of the 800x480 design. */
int ui_px(const struct kiosk *k, int v);
/* Fill `r` with `c`. */
void ui_fill(struct kiosk *k, SDL_Rect r, SDL_Color c);
/*
 * Draw UTF-8 `s` at (x, y) (top, aligned by `align` at x) in `font`,
 * shrinking to a smaller size when wider than `max_w` (0 = no limit).
 * Returns the height used.
 */
int ui_text(struct kiosk *k, int font, int bold, const char *s, int x, int y,
            SDL_Color c, int align, int max_w);
/*
 * Draw UTF-8 `s` inside `r`, centred vertically, aligned by `align`: one
 * line in `font` when it fits, else two lines split at the space nearest
 * the middle (in `font` or smaller), else one line shrunk to fit.
 */
void ui_text_box(struct kiosk *k, int font, int bold, const char *s, SDL_Rect r,
                 SDL_Color c, int align);
/*
 * The one font a list's texts are drawn in: the largest from `font` down
 * at which each of the `n` texts fits `w` x `h` (ui_text_box: one line or
 * two), FONT_SMALL when none does, so a list never mixes sizes.
 */
int ui_list_font(struct kiosk *k, int font, int bold, const char *const *texts,
                 int n, int w, int h);
/* The width in pixels of UTF-8 `s` in `font` (0 for none). */
int ui_text_width(struct kiosk *k, int font, int bold, const char *s);
/*
 * Draw and register a button; `id` is for scripts, `label` is shown (on
 * two lines when it is too wide for one and the button tall enough).
 */
void ui_button(struct kiosk *k, SDL_Rect r, const char *id, const char *label,
               int style, int enabled);
/* Register a target without drawing it (rows the screen draws itself). */
void ui_register(struct kiosk *k, SDL_Rect r, const char *id,
                 const char *label);
/* The index the next registered button gets (to show it pressed). */
int ui_next_index(const struct kiosk *k);
/* Draw `text` in a coloured band across `r` (banners, notes). */
void ui_banner(struct kiosk *k, SDL_Rect r, SDL_Color bg, SDL_Color fg,
               const char *text);
/* Layout of the bottom button bar: the i-th of n buttons. */
SDL_Rect ui_bar_slot(const struct kiosk *k, int i, int n);
/* Forget the buttons (called before every draw). */
void ui_buttons_reset(struct kiosk *k);
/*
 * Feed a mouse event to the buttons: returns the id of the button
 * activated (press and release on it) or NULL.
 */
const char *ui_hit(struct kiosk *k, const SDL_Event *ev);
/*
 * Feed a mouse event to swipe detection: +1 for a swipe up or the wheel
 * turned towards the user (next page), -1 for a swipe down or the wheel
 * turned away (previous page), 0 otherwise. Call before ui_hit: a swipe
 * releases the button it started on without activating it.
 */
int ui_swipe(struct kiosk *k, const SDL_Event *ev);
/* The button whose id or label equals `name`, or NULL. */
const struct kiosk_button *ui_find_button(const struct kiosk *k,
                                          const char *name);
/*
 * Draw the QR code of `payload` as large as fits in `area`, centred, with
 * a 4-module quiet zone and an integer module size. Returns 0 or -1.
 */
int ui_qr(struct kiosk *k, SDL_Rect area, const char *payload);
/* The top bar: title, online state. Returns its height. */
int ui_header(struct kiosk *k, const char *title);
/* Draw the intent panel: QR left, bank details right, countdown. */
void ui_intent_panel(struct kiosk *k, SDL_Rect area,
                     const struct kiosk_intent *in, uint32_t now);
/* The session's payer, "A-12 · Name", centred at y in large type; height. */
int ui_payer(struct kiosk *k, int y);
/* Save the current frame as PNG to `path`; 0 or -1. */
int ui_screenshot(struct kiosk *k, const char *path);

/*
 * Draw the code keypad in `area`: the letters the organisation's codes
 * use, digits, dash and delete (ids "key-X", "del").
 */
void ui_keypad(struct kiosk *k, SDL_Rect area, int enabled);

/* ---- screen_code.c ------------------------------------------------------- */
/* Add typed character `c` to the session code (upper-cased; letters,
 * digits and dashes only, at most KIOSK_CODE_MAX). */
void code_add_char(struct kiosk *k, char c);

/* ---- screen_pick.c ------------------------------------------------------- */
/*
 * The distinct zones and classes of the directory, in code order (the
 * directory is by code), at most `max` indexes into k->dir.payers of the
 * first payer of each in `out`; returns how many there are in all.
 */
size_t pick_groups(const struct kiosk *k, size_t *out, size_t max);
/* "Khu A" / "Lớp 6A1": the directory payer `p`'s group as a label. */
void pick_group_label(const struct kiosk *k, const struct kiosk_dir_payer *p,
                      char *out, size_t cap);

/* ---- flow.c: the server conversations shared by screens ---------------- */
/*
 * Look up the dues of the session code (first made the directory's code it
 * means, when exactly one matches as people type it); goes to dues,
 * offline dues or error, or says "not found" with the nearest codes.
 */
void flow_lookup(struct kiosk *k);
/* Create an intent for the session's selection; goes to qr or error. */
void flow_create_intent(struct kiosk *k, int64_t amount);
/*
 * Tell the server the payer gave up on the session's intent (best effort,
 * in the background: an unreachable server lets it expire instead).
 */
void flow_cancel_intent(struct kiosk *k);
/*
 * What the paid screen's QR holds, into k->s.receipt_qr: the receipt's
 * public page (the server's base URL + the `public_url` the intent answer
 * gave), else GET /v1/receipts/N for its `public_url`, else its signed
 * `text` (an older server); best effort.
 */
void flow_fetch_receipt(struct kiosk *k);
/* Start (or restart) the long poll of the session's intent. */
void flow_poll(struct kiosk *k);
/*
 * Record `amount` of cash for the session's selection (once confirmed):
 * journal first (fsync'd), then the replay sends it and the server's
 * receipt number lands in the session; goes to the cash-done screen.
 */
void flow_record_cash(struct kiosk *k, int64_t amount, const char *pin);
/*
 * The organisation's collectors have PINs: check the one typed (k->s.pin,
 * POST /v1/kiosk/collector) before the session's cash is recorded with it.
 * Right, or the server out of reach: recorded (flow_record_cash), PIN
 * included. Wrong: k->s.pin_error says so, nothing recorded.
 */
void flow_verify_pin(struct kiosk *k);
/*
 * The oldest cash the server refused for its PIN into the session
 * (payer, amount, cash_key, pin_error; repin set). 0, -1 when none.
 */
int flow_load_needs_pin(struct kiosk *k);
/* Queue the PIN typed again for that cash and send it; to cash-done. */
void flow_repin(struct kiosk *k);
/* Background work: directory refresh, code refill, journal replay. */
void flow_background(struct kiosk *k, uint32_t now);
/* Earliest tick flow_background wants to run again. */
uint32_t flow_next_ms(const struct kiosk *k);
/*
 * This kiosk's own figures for the day (by the server's clock when known):
 * its journal's confirmed transfers, cash and records waiting to be sent.
 * `day` gets the day (YYYY-MM-DD). 0 or negative.
 */
int flow_totals(struct kiosk *k, struct journal_sums *out, char day[11]);
/*
 * Ask the server for the organisation's totals of the day
 * (GET /v1/kiosk/totals) into k->totals; a failure clears k->totals.have.
 */
void flow_fetch_totals(struct kiosk *k);
/* Sum of the selected invoices (all when none is selected); -1 overflow. */
int64_t flow_selected_total(const struct kiosk *k, int all);

/* ---- sound.c --------------------------------------------------------- */
/* Open audio and load the sounds (failures only disable sound). */
void sound_init(struct kiosk *k);
/* Play the confirmation sound. */
void sound_ding(struct kiosk *k);
/* Close audio. */
void sound_free(struct kiosk *k);

#endif
