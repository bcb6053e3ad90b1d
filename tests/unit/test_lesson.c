/* test_lesson.c — loading lessons: title, scenario path, and clear errors. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lesson.h"

static char dir[] = "/tmp/exclab-test-lesson-XXXXXX";
static const char *const written[] = {
	"reuse.md", "plain.md", "spaced.md", "untitled.md", "binary.md", "nul.md",
};

static char *write_file(const char *name, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (f != NULL) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
	return path;
}

static void test_scenario_link(void)
{
	static const char md[] =
		"# Reusing one exception\n\n"
		"Read [the docs](https://docs.python.org/3/) and\n"
		"[a remote script](https://example.org/x.lua) first.\n\n"
		"## Try it\n\n"
		"Run [the scenario](../scenarios/02-reuse/scenario.lua), then\n"
		"[another](other.lua).\n";
	char *path = write_file("reuse.md", md, strlen(md));
	char *parent = util_dirname(dir);
	/* Resolved against the lesson's folder, with its "../" taken out. */
	char *want = xasprintf("%s/scenarios/02-reuse/scenario.lua", parent);
	struct lesson *l = NULL;
	struct error err = { 0 };

	CHECK(lesson_load(&l, path, &err) == 0);
	if (l != NULL) {
		struct mdrender_doc doc;

		CHECK_STR(lesson_title(l), "Reusing one exception");
		CHECK_STR(lesson_scenario(l), want);
		CHECK_STR(lesson_path(l), path);
		CHECK(lesson_render(l, &doc, 40, false) == 0);
		CHECK(doc.npages == 2);
		mdrender_free(&doc);
	}
	lesson_free(l);
	free(path);
	free(want);
	free(parent);
}

static void test_no_scenario_and_escapes(void)
{
	static const char plain[] = "# Reading only\n\nNo live part here.\n";
	static const char spaced[] = "# T\n\n[run](<my scenarios/a%20b.lua>)\n";
	char *path = write_file("plain.md", plain, strlen(plain));
	char *want;
	struct lesson *l = NULL;
	struct error err = { 0 };

	CHECK(lesson_load(&l, path, &err) == 0);
	CHECK(l != NULL && lesson_scenario(l) == NULL);
	lesson_free(l);
	free(path);

	path = write_file("spaced.md", spaced, strlen(spaced));
	want = xasprintf("%s/my scenarios/a b.lua", dir);
	CHECK(lesson_load(&l, path, &err) == 0);
	CHECK(l != NULL && strcmp(lesson_scenario(l), want) == 0);
	lesson_free(l);
	free(path);
	free(want);
}

static void test_errors(void)
{
	static const char untitled[] = "Some text\n\n## A page\n";
	static const char binary[] = "# T\n\nok\n\xff\xfe bad\n";
	static const char nul[] = "# T\n\0\n";
	char *path, msg[2048];
	struct lesson *l = (struct lesson *)&l;
	struct error err = { 0 };

	path = xasprintf("%s/missing.md", dir);
	CHECK(lesson_load(&l, path, &err) < 0);
	CHECK(l == NULL);
	CHECK_STR(err.file, path);
	error_format(&err, msg, sizeof msg);
	CHECK(strstr(msg, "missing.md: cannot open") != NULL);
	free(path);

	path = write_file("untitled.md", untitled, strlen(untitled));
	CHECK(lesson_load(&l, path, &err) < 0);
	CHECK_STR(err.file, path);
	CHECK(strstr(err.msg, "no title") != NULL);
	free(path);

	path = write_file("binary.md", binary, sizeof binary - 1);
	CHECK(lesson_load(&l, path, &err) < 0);
	CHECK(err.line == 4);
	CHECK(strstr(err.msg, "UTF-8") != NULL);
	free(path);

	path = write_file("nul.md", nul, sizeof nul - 1);
	CHECK(lesson_load(&l, path, &err) < 0);
	CHECK(err.line == 2);
	free(path);

	/* A directory is not a lesson either. */
	CHECK(lesson_load(&l, dir, &err) < 0);
	CHECK_STR(err.file, dir);
	lesson_free(NULL);
}

int main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		printf("test_lesson: skipped (no C.UTF-8 locale)\n");
		return 77;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_scenario_link();
	test_no_scenario_and_escapes();
	test_errors();
	for (size_t i = 0; i < sizeof written / sizeof written[0]; i++) {
		char *path = xasprintf("%s/%s", dir, written[i]);

		CHECK(unlink(path) == 0);
		free(path);
	}
	CHECK(rmdir(dir) == 0);
	return check_done("test_lesson");
}
