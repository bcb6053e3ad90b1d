/* export.c — exclab present --export: the deck as one HTML file, the
 * handout of a talk.
 *
 * Self-contained: the styles are inline, there is no script, no image and
 * nothing fetched, so the file opens the same offline, years later. Each
 * slide's text is drawn as the terminal draws it (mdrender's styled lines,
 * a class per kind of text), and each live slide carries the gauges and
 * graph its demo measured while exporting, drawn by the same views as on
 * screen. Titles are real headings, so the handout can be searched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deck.h"
#include "deckrun.h"
#include "mdrender.h"
#include "present.h"
#include "screen.h"
#include "view.h"
#include "view_slide.h"

#define TEXT_WIDTH 84      /* columns the text is wrapped at */
#define GAUGES_WIDTH 44
#define GRAPH_W 110
#define GRAPH_H 32

/* The class of each kind of text; the style sheet below gives it its look. */
static const char *const attr_class[SCREEN_ATTR_COUNT] = {
	[SCREEN_NORMAL] = "", [SCREEN_TITLE] = "ti", [SCREEN_HEADING] = "hd", [SCREEN_EMPH] = "em",
	[SCREEN_STRONG] = "st", [SCREEN_CODE] = "co", [SCREEN_LINK] = "ln", [SCREEN_QUOTE] = "qu",
	[SCREEN_KEYWORD] = "kw", [SCREEN_STRING] = "sr", [SCREEN_COMMENT] = "cm",
	[SCREEN_NUMBER] = "nu", [SCREEN_DEFNAME] = "dn", [SCREEN_GAUGE_LABEL] = "gl",
	[SCREEN_GAUGE_BAR] = "gb", [SCREEN_PEAK] = "pk", [SCREEN_PASS] = "ok",
	[SCREEN_FAIL] = "ko", [SCREEN_ERROR] = "er", [SCREEN_DIM] = "dm", [SCREEN_SELECTED] = "se",
	[SCREEN_BORDER] = "bo", [SCREEN_STATUS] = "sb", [SCREEN_KEY] = "ky",
};

static const char style[] =
	"body{margin:0;background:#f4f4f0;color:#111;font:16px/1.35 sans-serif}"
	"main{max-width:62em;margin:0 auto;padding:1em}"
	"section{background:#fff;border:1px solid #ccc;border-radius:6px;margin:1.5em 0;"
	"padding:1em 1.5em;page-break-inside:avoid}"
	".num{float:right;color:#777;font-size:.9em}"
	"h1,h2{color:#16407a;margin:.2em 0 .6em}"
	"pre{font:14px/1.3 'DejaVu Sans Mono',monospace;margin:.4em 0;white-space:pre-wrap}"
	".live{display:flex;flex-wrap:wrap;gap:1em;border-top:1px dashed #aaa;margin-top:.8em;"
	"padding-top:.6em}"
	".live h3,.notes h3{font-size:.9em;color:#555;margin:.2em 0}"
	".notes{background:#fffbe6;border-left:4px solid #e0c050;padding:.3em .8em;margin-top:.8em}"
	".hd,.dn,.gl,.st{font-weight:bold}.hd{color:#16407a}.em{font-style:italic;color:#6a1b7a}"
	".co{color:#1b5e20}.ln{color:#0d47a1;text-decoration:underline}.qu{color:#6d4c00}"
	".kw{color:#6a1b7a;font-weight:bold}.sr{color:#8d4a00}.cm{color:#666}.nu{color:#a11}"
	".gb{color:#1b7a2a}.pk,.ko,.er{color:#c00;font-weight:bold}.ok{color:#1b7a2a;"
	"font-weight:bold}.dm{color:#777}.bo{color:#5577aa}.ti,.ky,.se{background:#16407a;"
	"color:#fff}.sb{background:#cde}";

static void put_escaped(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(s[i], f); break;
		}
	}
}

static void put_text(FILE *f, const char *s)
{
	put_escaped(f, s, strlen(s));
}

static void span(FILE *f, enum screen_attr a, const char *text, size_t n)
{
	if (n == 0)
		return;
	if (attr_class[a][0])
		fprintf(f, "<span class=\"%s\">", attr_class[a]);
	put_escaped(f, text, n);
	if (attr_class[a][0])
		fputs("</span>", f);
}

/* A rendered document as preformatted lines. */
static void put_doc(FILE *f, const struct mdrender_doc *doc)
{
	int n = doc->nlines;

	while (n > 0 && doc->lines[n - 1].nspans == 0)
		n--;
	fputs("<pre class=\"text\">", f);
	for (int i = 0; i < n; i++) {
		const struct mdrender_line *l = &doc->lines[i];
		for (int k = 0; k < l->nspans; k++)
			span(f, (enum screen_attr)l->spans[k].attr, l->spans[k].text,
			     strlen(l->spans[k].text));
		fputc('\n', f);
	}
	fputs("</pre>\n", f);
}

/* A screen, as drawn, in runs of one kind of text; trailing blank rows go. */
static void put_screen(FILE *f, const struct screen *s)
{
	int rows = s->h;
	char *buf = xmalloc((size_t)s->w * 4 + 1);

	while (rows > 0) {
		bool blank = true;
		for (int x = 0; x < s->w && blank; x++)
			blank = screen_cell(s, x, rows - 1)->ch == L' ';
		if (!blank)
			break;
		rows--;
	}
	fputs("<pre>", f);
	for (int y = 0; y < rows; y++) {
		int end = s->w;
		while (end > 0 && screen_cell(s, end - 1, y)->ch == L' ')
			end--;
		for (int x = 0; x < end;) {
			int attr = screen_cell(s, x, y)->attr;
			size_t n = 0;
			for (; x < end && screen_cell(s, x, y)->attr == attr; x++) {
				wchar_t ch = screen_cell(s, x, y)->ch;
				if (ch != 0)
					n += screen_utf8_encode(buf + n, ch);
			}
			span(f, (enum screen_attr)attr, buf, n);
		}
		fputc('\n', f);
	}
	fputs("</pre>", f);
	free(buf);
}

/* The demo's last gauges and graph, as its views draw them. */
static void put_live(FILE *f, const struct deck *d, int li, struct model *m)
{
	const struct deck_live *l = &d->lives[li];
	struct view_ctx ctx = { .model = m, .place = VIEW_IN_LESSON, .gauges_shown = l->gauges };
	struct screen *s;
	char problem[ERROR_TEXT_MAX + 200];
	int n = 0;

	fputs("<div class=\"live\">", f);
	if (deckrun_problem(d, li, m, problem, sizeof problem) || m->state == RUN_FAILED) {
		if (m->state == RUN_FAILED && !problem[0])
			error_format(&m->error, problem, sizeof problem);
		fputs("<div><h3>The demo</h3><pre><span class=\"er\">", f);
		put_text(f, problem);
		fputs("</span></pre></div></div>\n", f);
		return;
	}
	for (int i = 0; i < PROBE_COUNT; i++)
		n += l->gauges ? (l->gauges >> i) & 1u : m->shown[i];
	s = screen_new(GAUGES_WIDTH, n * 4 + 1, false);
	view_gauges.draw(NULL, s, screen_bounds(s), &ctx);
	fputs("<div><h3>Gauges, as measured for this handout</h3>", f);
	put_screen(f, s);
	fputs("</div>", f);
	screen_free(s);
	if (l->graph) {
		struct view graph = { &view_graph, view_graph.init() };
		s = screen_new(GRAPH_W, GRAPH_H, false);
		view_graph.update(graph.data, &ctx);
		view_graph.draw(graph.data, s, screen_bounds(s), &ctx);
		fputs("<div><h3>The object graph</h3>", f);
		put_screen(f, s);
		fputs("</div>", f);
		screen_free(s);
		view_graph.free(graph.data);
	}
	fputs("</div>\n", f);
}

static void put_slide(FILE *f, const struct deck *d, int i, const char *const *figures,
                      struct model *models)
{
	const struct deck_slide *sl = &d->slides[i];
	char *text = deck_slide_text(d, i, sl->nparts - 1, figures);
	struct mdrender_doc doc;
	int h = sl->title_level == 1 ? 1 : 2;

	fprintf(f, "<section id=\"slide-%d\"><span class=\"num\">%d/%d</span>\n", i + 1, i + 1,
	        d->nslides);
	if (sl->title[0]) {
		fprintf(f, "<h%d>", h);
		put_text(f, sl->title);
		fprintf(f, "</h%d>\n", h);
	}
	mdrender_parse(&doc, text, strlen(text), TEXT_WIDTH, false);
	put_doc(f, &doc);
	mdrender_free(&doc);
	free(text);
	if (sl->live >= 0)
		put_live(f, d, sl->live, &models[sl->live]);
	if (sl->notes[0]) {
		fputs("<aside class=\"notes\"><h3>Speaker notes</h3><p>", f);
		for (const char *p = sl->notes; *p; p++) {
			if (*p == '\n')
				fputs("<br>", f);
			else
				put_escaped(f, p, 1);
		}
		fputs("</p></aside>\n", f);
	}
	fputs("</section>\n", f);
}

static int write_html(FILE *f, const struct deck *d, const char *const *figures,
                      struct model *models)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
	put_text(f, d->title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<p class=\"dm\">", style);
	if (d->author[0]) {
		put_text(f, d->author);
		fputs(" \u00b7 ", f);
	}
	if (d->date[0]) {
		put_text(f, d->date);
		fputs(" \u00b7 ", f);
	}
	fprintf(f, "%d slides. Every figure and gauge below was measured by the interpreter "
	        "when this handout was made (exclab present --export).</p>\n", d->nslides);
	for (int i = 0; i < d->nslides; i++)
		put_slide(f, d, i, figures, models);
	fputs("</main>\n</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

int present_export(const char *path, const char *out)
{
	struct deck d;
	struct error err;
	char msg[ERROR_TEXT_MAX], *tmp, **figures, *store;
	struct model *models;
	FILE *f;
	int rc = -1;

	if (deck_load(&d, path, &err) < 0) {
		error_format(&err, msg, sizeof msg);
		fprintf(stderr, "exclab: %s\n", msg);
		return -1;
	}
	models = xcalloc((size_t)d.nlives + 1, sizeof *models);
	for (int i = 0; i < d.nlives; i++) {
		model_init(&models[i]);
		fprintf(stderr, "exclab: running the live block at %s:%d\n", d.path, d.lives[i].line);
		if (deckrun_headless(&d, i, &models[i], &err) < 0)
			model_failed(&models[i], &err);
	}
	figures = xcalloc((size_t)d.nfigures + 1, sizeof *figures);
	store = xcalloc((size_t)d.nfigures + 1, 48);
	for (int i = 0; i < d.nfigures; i++) {
		double v;
		if (deckrun_figure(&d, i, &models[d.figures[i].live], &v)) {
			figures[i] = store + 48 * i;
			deck_format_figure(&d.figures[i], v, figures[i], 48);
		}
	}
	/* Written beside the target, then renamed over it: never half a file. */
	tmp = xasprintf("%s.tmp-%d", out, (int)getpid());
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "exclab: %s: %s\n", out, strerror(errno));
	} else if ((write_html(f, &d, (const char *const *)figures, models) < 0) | (fclose(f) != 0)) {
		fprintf(stderr, "exclab: %s: cannot write it all\n", out);
		unlink(tmp);
	} else if (rename(tmp, out) < 0) {
		fprintf(stderr, "exclab: %s: %s\n", out, strerror(errno));
		unlink(tmp);
	} else {
		fprintf(stderr, "exclab: wrote %s (%d slides)\n", out, d.nslides);
		rc = 0;
	}
	free(tmp);
	for (int i = 0; i < d.nlives; i++)
		model_free(&models[i]);
	free(models);
	free(figures);
	free(store);
	deck_free(&d);
	return rc;
}
