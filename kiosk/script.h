/*
 * script.h: the test-mode script runner. A script is a text file of
 * commands (tap LABEL | tap X Y | swipe X1 Y1 X2 Y2 | wheel N | key NAME |
 * type TEXT | wait MS | wait-screen NAME[|NAME] [TIMEOUT_MS] | screenshot |
 * mark | quit), one per line,
 * '#' comments; docs/kiosk.md describes it. Taps and keys go through
 * SDL's event queue, exactly like a finger or a keyboard.
 */
#ifndef CHOPAY_KIOSK_SCRIPT_H
#define CHOPAY_KIOSK_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

struct kiosk;
struct script;

/*
 * Load and check the script at `path`. NULL on failure, with the reason
 * (and line number) in `err` (capacity `cap`). Free with script_free.
 */
struct script *script_load(const char *path, char *err, size_t cap);
/* Free a script (NULL is fine). */
void script_free(struct script *s);
/*
 * Run the next command when the kiosk is idle (screen drawn). Returns 0
 * when waiting, 2 when a command ran (events may be queued), 1 when the
 * script has ended (quit), -1 when it failed (reason on stderr).
 */
int script_step(struct script *s, struct kiosk *k, uint32_t now);
/* Tick at which the script wants to run again; 0 = as soon as idle. */
uint32_t script_next_ms(const struct script *s);

#endif
