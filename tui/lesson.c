/* lesson.c — load a lesson file and find its title and scenario. */
#include "lesson.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct lesson {
	char *path;
	char *text;
	size_t len;
	char *title;
	char *scenario;   /* resolved, or NULL */
};

/* 0, or the 1-based line of the first NUL byte or invalid UTF-8 sequence. */
static int bad_text_line(const char *text, size_t len, bool *nul)
{
	size_t i = 0;
	int line = 1;

	while (i < len) {
		wchar_t ch;
		size_t n;

		if (text[i] == '\0') {
			*nul = true;
			return line;
		}
		n = screen_utf8_decode(text + i, len - i, &ch);
		if (ch == 0xFFFD && n == 1)   /* a real U+FFFD takes three bytes */
			return line;
		line += text[i] == '\n';
		i += n;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A link target as a file path: %XX escapes decoded (a space is %20 in a link). */
static char *href_path(const char *href)
{
	char *out = xmalloc(strlen(href) + 1), *o = out;

	while (*href) {
		int hi, lo;

		if (href[0] == '%' && (hi = hex_digit(href[1])) >= 0 && (lo = hex_digit(href[2])) >= 0 &&
		    (hi || lo)) {
			*o++ = (char)(hi * 16 + lo);
			href += 3;
		} else {
			*o++ = *href++;
		}
	}
	*o = '\0';
	return out;
}

static bool is_scenario_link(const char *href)
{
	size_t n = strlen(href);

	return n > 4 && strcmp(href + n - 4, ".lua") == 0 && strstr(href, "://") == NULL;
}

int lesson_load(struct lesson **out, const char *path, struct error *err)
{
	struct lesson *l = xcalloc(1, sizeof *l);
	struct mdrender_doc doc = { 0 };
	bool nul = false;
	int i, line;

	*out = NULL;
	l->path = xstrdup(path);
	l->text = util_read_file(path, &l->len, err);
	if (l->text == NULL)
		goto fail;
	line = bad_text_line(l->text, l->len, &nul);
	if (line > 0) {
		error_set(err, path, line, nul ? "a NUL byte: this is not a Markdown text file"
		                               : "not UTF-8 text: lessons are written in UTF-8");
		goto fail;
	}
	if (mdrender_parse(&doc, l->text, l->len, 80, false) < 0) {
		error_set(err, path, 0, "cannot parse the Markdown (out of memory)");
		goto fail;
	}
	if (doc.title == NULL || doc.title[0] == '\0') {
		error_set(err, path, 0, "no title: a lesson begins with a level-1 heading (\"# Title\")");
		goto fail;
	}
	l->title = xstrdup(doc.title);
	for (i = 0; i < doc.nlinks; i++) {
		if (is_scenario_link(doc.links[i].href)) {
			char *dir = util_dirname(path), *rel = href_path(doc.links[i].href);

			l->scenario = util_join(dir, rel);
			free(dir);
			free(rel);
			break;
		}
	}
	mdrender_free(&doc);
	*out = l;
	return 0;
fail:
	mdrender_free(&doc);
	lesson_free(l);
	return -1;
}

void lesson_free(struct lesson *l)
{
	if (l == NULL)
		return;
	free(l->path);
	free(l->text);
	free(l->title);
	free(l->scenario);
	free(l);
}

const char *lesson_path(const struct lesson *l)
{
	return l->path;
}

const char *lesson_title(const struct lesson *l)
{
	return l->title;
}

const char *lesson_scenario(const struct lesson *l)
{
	return l->scenario;
}

int lesson_render(const struct lesson *l, struct mdrender_doc *doc, int width, bool ascii)
{
	return mdrender_parse(doc, l->text, l->len, width, ascii);
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lesson_list(const char *dir, char ***paths, struct error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, cap = 0;

	*paths = NULL;
	if (d == NULL) {
		error_set(err, dir, 0, "cannot read the lessons folder: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0 || strcmp(e->d_name, "README.md") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*paths = xrealloc(*paths, (size_t)cap * sizeof **paths);
		}
		(*paths)[n++] = util_join(dir, e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(*paths, (size_t)n, sizeof **paths, compare_paths);
	return n;
}

void lesson_list_free(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
