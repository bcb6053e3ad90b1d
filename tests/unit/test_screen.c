/* test_screen.c — the cell grid: clipping, wide characters, ASCII fallback. */
#include <locale.h>
#include <stdlib.h>

#include "check.h"
#include "screen.h"

static char *text_of(struct screen *s)
{
	static char *last;

	free(last);
	last = screen_to_text(s);
	return last;
}

static void test_put_and_clip(void)
{
	struct screen *s = screen_new(10, 3, false);
	struct screen_rect clip = { 2, 0, 5, 2 };
	int x;

	x = screen_put(s, clip, 0, 0, "abcdefghij", SCREEN_NORMAL);
	CHECK(x == 10);   /* the column after the text, clipped or not */
	screen_put(s, clip, 3, 1, "xy", SCREEN_STRONG);
	screen_put(s, clip, 3, 2, "outside", SCREEN_NORMAL);
	CHECK_STR(text_of(s), "  cdefg\n   xy\n\n");
	CHECK(screen_cell(s, 3, 1)->attr == SCREEN_STRONG);
	CHECK(screen_cell(s, 2, 0)->attr == SCREEN_NORMAL);
	CHECK(screen_cell(s, 10, 0) == NULL);
	screen_free(s);
}

static void test_wide_chars(void)
{
	struct screen *s = screen_new(6, 2, false);
	struct screen_rect all = screen_bounds(s);

	CHECK(screen_text_width("日本", 6, false) == 4);
	CHECK(screen_put(s, all, 0, 0, "日本語", SCREEN_NORMAL) == 6);
	CHECK_STR(text_of(s), "日本語\n\n");
	/* A wide character that would be cut by the clip edge leaves a space. */
	screen_put(s, (struct screen_rect){ 0, 1, 3, 1 }, 0, 1, "日本", SCREEN_NORMAL);
	CHECK_STR(text_of(s), "日本語\n日\n");
	/* Overwriting the right half of a wide character blanks its left half. */
	screen_put(s, all, 1, 0, "x", SCREEN_NORMAL);
	CHECK_STR(text_of(s), " x本語\n日\n");
	screen_free(s);
}

static void test_bad_input(void)
{
	struct screen *s = screen_new(8, 1, false);

	/* Invalid UTF-8, a lone continuation byte, a tab and a control character. */
	screen_put(s, screen_bounds(s), 0, 0, "a\xff" "b\x80\tc\x01", SCREEN_NORMAL);
	CHECK_STR(text_of(s), "a\xef\xbf\xbd" "b\xef\xbf\xbd c\n");
	CHECK(screen_text_width("e\xcc\x81", 3, false) == 1);   /* combining accent */
	screen_free(s);
}

static void test_ascii_fallback(void)
{
	struct screen *s = screen_new(24, 4, true);
	struct screen_rect all = screen_bounds(s);

	screen_box(s, (struct screen_rect){ 0, 0, 12, 3 }, "gc", SCREEN_BORDER);
	screen_put(s, all, 13, 0, "▁▄█", SCREEN_GAUGE_BAR);
	screen_put(s, all, 13, 1, "✓ ok", SCREEN_PASS);
	screen_put(s, all, 13, 2, "✗ a→b", SCREEN_FAIL);
	screen_put(s, all, 0, 3, "é日⣿", SCREEN_NORMAL);
	CHECK_STR(text_of(s),
	          "+- gc -----+ _-#\n"
	          "|          | OK ok\n"
	          "+----------+ FAIL a->b\n"
	          "??#\n");
	CHECK(screen_text_width("→✗", 6, true) == 6);
	screen_free(s);

	s = screen_new(12, 3, false);
	screen_box(s, screen_bounds(s), "gc", SCREEN_BORDER);
	CHECK_STR(text_of(s), "┌─ gc ─────┐\n│          │\n└──────────┘\n");
	screen_free(s);
}

static void test_fill_and_resize(void)
{
	struct screen *s = screen_new(4, 2, false);

	screen_fill(s, (struct screen_rect){ 1, 0, 2, 2 }, L'#', SCREEN_DIM);
	CHECK_STR(text_of(s), " ##\n ##\n");
	screen_resize(s, 3, 1);
	CHECK(s->w == 3 && s->h == 1);
	CHECK_STR(text_of(s), "\n");
	screen_free(s);
	screen_free(NULL);
}

int main(void)
{
	/* Widths come from wcwidth, which needs a UTF-8 LC_CTYPE. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		printf("test_screen: skipped (no C.UTF-8 locale)\n");
		return 77;
	}
	test_put_and_clip();
	test_wide_chars();
	test_bad_input();
	test_ascii_fallback();
	test_fill_and_resize();
	return check_done("test_screen");
}
