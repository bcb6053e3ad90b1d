/* term.c — curses set-up and teardown, the palette, keys, signals, crashes. */
#define NCURSES_WIDECHAR 1
#include "term.h"

#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

/* How each kind of text looks: a colour pair plus attributes, or, in
 * monochrome, attributes alone that still tell the kinds apart. */
struct look {
	short fg, bg;       /* -1: the terminal's default */
	attr_t color;       /* attributes next to the colours */
	attr_t mono;        /* attributes without colour */
};

static const struct look palette[SCREEN_ATTR_COUNT] = {
	[SCREEN_NORMAL]      = { -1, -1, A_NORMAL, A_NORMAL },
	[SCREEN_TITLE]       = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_BOLD | A_REVERSE },
	[SCREEN_HEADING]     = { COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[SCREEN_EMPH]        = { COLOR_YELLOW, -1, A_NORMAL, A_UNDERLINE },
	[SCREEN_STRONG]      = { -1, -1, A_BOLD, A_BOLD },
	[SCREEN_CODE]        = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[SCREEN_LINK]        = { COLOR_CYAN, -1, A_UNDERLINE, A_UNDERLINE },
	[SCREEN_QUOTE]       = { COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[SCREEN_KEYWORD]     = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[SCREEN_STRING]      = { COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[SCREEN_COMMENT]     = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[SCREEN_NUMBER]      = { COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL },
	[SCREEN_DEFNAME]     = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[SCREEN_GAUGE_LABEL] = { -1, -1, A_BOLD, A_BOLD },
	[SCREEN_GAUGE_BAR]   = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[SCREEN_PEAK]        = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[SCREEN_PASS]        = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[SCREEN_FAIL]        = { COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE },
	[SCREEN_ERROR]       = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[SCREEN_DIM]         = { -1, -1, A_DIM, A_NORMAL },
	[SCREEN_SELECTED]    = { -1, -1, A_REVERSE, A_REVERSE },
	[SCREEN_BORDER]      = { COLOR_BLUE, -1, A_NORMAL, A_NORMAL },
	[SCREEN_STATUS]      = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[SCREEN_KEY]         = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_BOLD | A_REVERSE },
};

/* The light theme, for projectors that wash dark backgrounds out: dark text
 * on white, in the 256-colour cube (term_colour takes these to the eight
 * basic colours on smaller terminals). Every kind has a background, so the
 * whole screen is white, not only the text. */
static const struct look light_palette[SCREEN_ATTR_COUNT] = {
	[SCREEN_NORMAL]      = { 16, 231, A_NORMAL, A_NORMAL },
	[SCREEN_TITLE]       = { 231, 25, A_BOLD, A_BOLD | A_REVERSE },
	[SCREEN_HEADING]     = { 24, 231, A_BOLD, A_BOLD | A_UNDERLINE },
	[SCREEN_EMPH]        = { 90, 231, A_NORMAL, A_UNDERLINE },
	[SCREEN_STRONG]      = { 16, 231, A_BOLD, A_BOLD },
	[SCREEN_CODE]        = { 22, 231, A_NORMAL, A_NORMAL },
	[SCREEN_LINK]        = { 25, 231, A_UNDERLINE, A_UNDERLINE },
	[SCREEN_QUOTE]       = { 94, 231, A_NORMAL, A_NORMAL },
	[SCREEN_KEYWORD]     = { 90, 231, A_BOLD, A_BOLD },
	[SCREEN_STRING]      = { 94, 231, A_NORMAL, A_NORMAL },
	[SCREEN_COMMENT]     = { 242, 231, A_NORMAL, A_NORMAL },
	[SCREEN_NUMBER]      = { 124, 231, A_NORMAL, A_NORMAL },
	[SCREEN_DEFNAME]     = { 24, 231, A_BOLD, A_BOLD },
	[SCREEN_GAUGE_LABEL] = { 16, 231, A_BOLD, A_BOLD },
	[SCREEN_GAUGE_BAR]   = { 28, 231, A_NORMAL, A_NORMAL },
	[SCREEN_PEAK]        = { 160, 231, A_BOLD, A_BOLD },
	[SCREEN_PASS]        = { 28, 231, A_BOLD, A_BOLD },
	[SCREEN_FAIL]        = { 160, 231, A_BOLD, A_BOLD | A_REVERSE },
	[SCREEN_ERROR]       = { 160, 231, A_BOLD, A_BOLD },
	[SCREEN_DIM]         = { 244, 231, A_NORMAL, A_NORMAL },
	[SCREEN_SELECTED]    = { 231, 24, A_NORMAL, A_REVERSE },
	[SCREEN_BORDER]      = { 25, 231, A_NORMAL, A_NORMAL },
	[SCREEN_STATUS]      = { 16, 153, A_NORMAL, A_REVERSE },
	[SCREEN_KEY]         = { 231, 25, A_BOLD, A_BOLD | A_REVERSE },
};

static enum term_theme theme;

/* What the last term_present handed to curses, so that the next hands over
 * only the cells that changed: curses keeps the rest in stdscr, and compares
 * stdscr with the terminal itself. Per cell, setcchar and wadd_wch measure the
 * character (wcslen, wcwidth); for 10,000 cells at 200x50 that was most of a
 * redraw's time, and a frame usually changes few cells. present_all asks for
 * every cell again: a new curses screen, new colours, or a new size. */
static struct {
	struct screen_cell *cells;
	int w, h;            /* the grid's size */
	int cw, ch;          /* curses' size when it was presented */
} last;
static bool present_all = true;

static void forget_presented(void)
{
	present_all = true;
}

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
#define NCRASH ((int)(sizeof crash_signals / sizeof crash_signals[0]))

static SCREEN *term_screen;
static bool active, ascii, mono, exit_hook;
static attr_t attrs[SCREEN_ATTR_COUNT];
static short pairs[SCREEN_ATTR_COUNT];

/* Signals that end exclab cleanly: the loop sees the flag and quits. */
static const int quit_signals[] = { SIGTERM, SIGHUP, SIGQUIT };
#define NQUIT ((int)(sizeof quit_signals / sizeof quit_signals[0]))

static volatile sig_atomic_t got_sigint, got_quit;
static struct sigaction old_int, old_quit[NQUIT], old_crash[NCRASH];
/* The crash handler's own stack: a stack overflow must still restore the terminal. */
static char *alt_stack;

/* What the crash handler writes: computed while things are still sane. */
static char restore_bytes[256];
static size_t restore_len;
static struct termios saved_tio;
static bool have_tio;

static void on_stop_signal(int sig)
{
	if (sig == SIGINT)
		got_sigint = 1;
	else
		got_quit = sig;
}

/* Only async-signal-safe calls: write, tcsetattr, sigaction, raise. */
static void on_crash(int sig)
{
	static const char msg[] = "\nexclab crashed; the terminal has been restored. "
	                          "Please report what you were doing.\n";
	ssize_t unused;
	int i;

	if (restore_len > 0)
		unused = write(STDOUT_FILENO, restore_bytes, restore_len);
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	unused = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)unused;
	for (i = 0; i < NCRASH; i++)
		if (crash_signals[i] == sig)
			sigaction(sig, &old_crash[i], NULL);
	raise(sig);
	_exit(128 + sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, &old_int);
	for (i = 0; i < NQUIT; i++)
		sigaction(quit_signals[i], &sa, &old_quit[i]);
	if (alt_stack == NULL) {
		stack_t ss = { .ss_size = SIGSTKSZ > 65536 ? SIGSTKSZ : 65536 };
		alt_stack = ss.ss_sp = malloc(ss.ss_size);
		if (alt_stack)
			sigaltstack(&ss, NULL);
	}
	/* SA_NODEFER: the re-raise inside the handler reaches the old action at once. */
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_NODEFER | SA_ONSTACK;
	for (i = 0; i < NCRASH; i++)
		sigaction(crash_signals[i], &sa, &old_crash[i]);
}

static void restore_signals(void)
{
	int i;

	sigaction(SIGINT, &old_int, NULL);
	for (i = 0; i < NQUIT; i++)
		sigaction(quit_signals[i], &old_quit[i], NULL);
	for (i = 0; i < NCRASH; i++)
		sigaction(crash_signals[i], &old_crash[i], NULL);
}

/* Append a terminfo string without its padding ("$<5>"). */
static void add_restore(const char *cap)
{
	const char *s = tigetstr(cap);

	if (s == NULL || s == (char *)-1)
		return;
	while (*s && restore_len < sizeof restore_bytes) {
		if (s[0] == '$' && s[1] == '<' && strchr(s, '>')) {
			s = strchr(s, '>') + 1;
			continue;
		}
		restore_bytes[restore_len++] = *s++;
	}
}

/* A light-theme colour on a terminal of fewer than 256 colours: the basic
 * colour nearest in meaning. */
static short term_colour(short c)
{
	if (COLORS >= 256 || c < 8)
		return c;
	switch (c) {
	case 16: case 242: case 244: return COLOR_BLACK;
	case 231: return COLOR_WHITE;
	case 24: case 25: return COLOR_BLUE;
	case 90: return COLOR_MAGENTA;
	case 22: case 28: return COLOR_GREEN;
	case 153: return COLOR_CYAN;
	default: return COLOR_RED;
	}
}

static void setup_palette(void)
{
	bool defaults;
	int i;

	mono = mono || !has_colors() || start_color() == ERR || COLORS < 8;
	defaults = !mono && use_default_colors() == OK;
	for (i = 0; i < SCREEN_ATTR_COUNT; i++) {
		const struct look *l = theme == TERM_THEME_LIGHT ? &light_palette[i] : &palette[i];
		short fg = term_colour(l->fg), bg = term_colour(l->bg);

		attrs[i] = mono ? l->mono : l->color;
		pairs[i] = 0;
		if (mono || (fg == -1 && bg == -1))
			continue;
		if (!defaults) {
			fg = fg == -1 ? COLOR_WHITE : fg;
			bg = bg == -1 ? COLOR_BLACK : bg;
		}
		if (init_pair((short)(i + 1), fg, bg) == OK)
			pairs[i] = (short)(i + 1);
	}
	/* What curses clears to: white too, in the light theme. */
	bkgdset(COLOR_PAIR(theme == TERM_THEME_LIGHT ? pairs[SCREEN_NORMAL] : 0));
}

void term_set_theme(enum term_theme t)
{
	theme = t;
	if (!active)
		return;
	setup_palette();
	clearok(stdscr, TRUE);   /* every cell again, in the new colours */
	forget_presented();
}

static void at_exit(void)
{
	term_done();
}

int term_init(struct error *err)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");
	bool no_term = term == NULL || term[0] == '\0';

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		error_set(err, NULL, 0, "standard %s is not a terminal",
		          isatty(STDIN_FILENO) ? "output" : "input");
		return -1;
	}
	ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0 || no_term || strcmp(term, "dumb") == 0;
	mono = no_color != NULL && no_color[0] != '\0';
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;

	/* Before newterm: curses leaves handlers that are already set alone. */
	install_signals();
	/* newterm, not initscr: a bad terminal type is an error we report. */
	term_screen = newterm(no_term ? "vt100" : NULL, stdout, stdin);
	if (term_screen == NULL) {
		restore_signals();
		error_set(err, NULL, 0, "cannot drive a terminal of type \"%s\"",
		          no_term ? "vt100" : term);
		return -1;
	}
	set_term(term_screen);
	if (tigetstr("cup") == NULL || tigetstr("cup") == (char *)-1) {
		/* TERM=dumb and the like: no way to draw a screen. */
		endwin();
		delscreen(term_screen);
		term_screen = NULL;
		restore_signals();
		error_set(err, NULL, 0, "a terminal of type \"%s\" cannot place the cursor; "
		          "set TERM to your terminal's type (e.g. xterm-256color)",
		          no_term ? "vt100" : term);
		return -1;
	}
	cbreak();   /* not raw(): Ctrl-C stays a SIGINT even while Python runs */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	timeout(0);
	curs_set(0);
	setup_palette();

	restore_len = 0;
	add_restore("sgr0");
	add_restore("cnorm");
	add_restore("rmkx");
	add_restore("rmcup");

	forget_presented();
	active = true;
	if (!exit_hook)
		exit_hook = atexit(at_exit) == 0;
	return 0;
}

void term_done(void)
{
	if (!active)
		return;
	active = false;
	endwin();
	delscreen(term_screen);
	term_screen = NULL;
	restore_len = 0;
	restore_signals();
}

bool term_ascii(void)
{
	return ascii;
}

void term_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

int term_read_key(void)
{
	wint_t ch;
	int rc = get_wch(&ch);

	if (rc == ERR)
		return TERM_KEY_NONE;
	if (rc == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: return TERM_KEY_UP;
		case KEY_DOWN: return TERM_KEY_DOWN;
		case KEY_LEFT: return TERM_KEY_LEFT;
		case KEY_RIGHT: return TERM_KEY_RIGHT;
		case KEY_PPAGE: return TERM_KEY_PGUP;
		case KEY_NPAGE: return TERM_KEY_PGDN;
		case KEY_HOME: return TERM_KEY_HOME;
		case KEY_END: return TERM_KEY_END;
		case KEY_ENTER: return TERM_KEY_ENTER;
		case KEY_BACKSPACE: return TERM_KEY_BACKSPACE;
		case KEY_RESIZE: return TERM_KEY_RESIZE;
		default: return TERM_KEY_NONE;
		}
	}
	switch (ch) {
	case '\r':
	case '\n':
		return TERM_KEY_ENTER;
	case 8:
	case 127:
		return TERM_KEY_BACKSPACE;
	case 27:
		return TERM_KEY_ESCAPE;
	default:
		return (int)ch;
	}
}

int term_signal_pending(void)
{
	if (got_quit) {
		int sig = got_quit;
		got_quit = 0;
		return sig;
	}
	if (got_sigint) {
		got_sigint = 0;
		return SIGINT;
	}
	return 0;
}

static bool cell_same(const struct screen_cell *a, const struct screen_cell *b)
{
	return a->ch == b->ch && a->attr == b->attr;
}

void term_present(const struct screen *s)
{
	int x, y, w, h, cw, ch;
	size_t n = (size_t)s->w * (size_t)s->h;
	bool all;

	getmaxyx(stdscr, ch, cw);
	w = s->w < cw ? s->w : cw;
	h = s->h < ch ? s->h : ch;
	all = present_all || last.w != s->w || last.h != s->h || last.cw != cw || last.ch != ch;
	if (all && (last.w != s->w || last.h != s->h)) {
		free(last.cells);
		last.cells = xcalloc(n ? n : 1, sizeof *last.cells);
	}
	for (y = 0; y < h; y++) {
		const struct screen_cell *row = screen_cell(s, 0, y);
		struct screen_cell *was = &last.cells[(size_t)y * (size_t)s->w];

		for (x = 0; x < w; x++) {
			const struct screen_cell *c = &row[x];
			wchar_t wc[2] = { c->ch, 0 };
			cchar_t cc;

			if (!all && cell_same(c, &was[x]))
				continue;
			was[x] = *c;
			/* Right halves of wide characters, and wide ones cut by the edge. */
			if (c->ch == 0 || (x + 1 == w && x + 1 < s->w && row[x + 1].ch == 0))
				continue;
			setcchar(&cc, wc, attrs[c->attr], pairs[c->attr], NULL);
			mvwadd_wch(stdscr, y, x, &cc);
		}
	}
	last.w = s->w;
	last.h = s->h;
	last.cw = cw;
	last.ch = ch;
	present_all = false;
	wnoutrefresh(stdscr);
	doupdate();
}
