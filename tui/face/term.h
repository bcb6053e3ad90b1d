/* term.h — the terminal's life: the one module that calls curses.
 *
 * term_init() decides UTF-8 or ASCII glyphs (the locale's codeset; TERM=dumb
 * or unset means ASCII) and colour or monochrome (NO_COLOR, or a terminal
 * without colours: then only bold, reverse and underline are used, and no
 * meaning is carried by colour alone). It installs signal handlers:
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT (Ctrl-\) only set flags
 * (term_signal_pending); SIGSEGV, SIGBUS, SIGABRT, SIGFPE and SIGILL restore
 * the terminal with precomputed bytes, on a stack of their own (so a stack
 * overflow still gets there), then re-raise so core dumps and sanitizers
 * still work. term_done() — also
 * run at exit — puts everything back. */
#ifndef EXCLAB_TERM_H
#define EXCLAB_TERM_H

#include <stdbool.h>

#include "screen.h"
#include "util.h"

/* Keys other than characters, above every Unicode code point. */
enum term_key {
	TERM_KEY_NONE = -1,
	TERM_KEY_UP = 0x110000,
	TERM_KEY_DOWN,
	TERM_KEY_LEFT,
	TERM_KEY_RIGHT,
	TERM_KEY_PGUP,
	TERM_KEY_PGDN,
	TERM_KEY_HOME,
	TERM_KEY_END,
	TERM_KEY_ENTER,
	TERM_KEY_BACKSPACE,
	TERM_KEY_ESCAPE,
	TERM_KEY_RESIZE,   /* the terminal changed size: ask term_size() */
};

/* The dark theme (the default: the terminal's own background) or the light
 * one (dark on white, for projectors). Before term_init, or while active:
 * the next term_present draws every cell in the new colours. Monochrome
 * (NO_COLOR) has no theme. */
enum term_theme { TERM_THEME_DARK, TERM_THEME_LIGHT };
void term_set_theme(enum term_theme t);

/* Fails (err says why) when stdin or stdout is not a terminal, or the
 * terminal type is unusable. */
int term_init(struct error *err);
/* Restore the terminal; safe to call twice or without term_init. */
void term_done(void);

bool term_ascii(void);
void term_size(int *w, int *h);

/* A key, without waiting (the caller polls standard input first);
 * TERM_KEY_NONE when none is there. Characters are returned as their code
 * point. */
int term_read_key(void);
/* SIGTERM, SIGHUP, SIGQUIT or SIGINT if one arrived since the last call
 * (the ones that quit first), else 0. */
int term_signal_pending(void);

/* Draw the screen and refresh once. */
void term_present(const struct screen *s);

#endif
