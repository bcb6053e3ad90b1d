/* test_progress.c — the learner's progress file: a round trip, records kept
 * in key order for a binary search, a missing file, a corrupt one set aside
 * with a message under a name no other set-aside file has, a FIFO, folder or
 * device left alone and a file too big set aside unread, and atomic writes
 * that leave no temporary file behind. XDG_STATE_HOME points into a fresh
 * temp folder. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "progress.h"
#include "util.h"

static char state_dir[256];

/* How many entries of dir start with prefix. */
static int count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void test_paths(void)
{
	char *path = progress_default_path(), *want = xasprintf("%s/exclab/progress.json", state_dir);
	char *key = progress_key("lessons/02-reusing-an-exception.md");

	CHECK_STR(path, want);
	CHECK_STR(key, "02-reusing-an-exception");
	free(path);
	free(want);
	free(key);
}

static void test_missing(void)
{
	struct progress p;
	struct error notice = { 0 };

	CHECK(progress_load(&p, NULL, &notice) == 0);
	CHECK(p.n == 0);
	CHECK(notice.msg[0] == '\0');
	CHECK(progress_find(&p, "01-what-a-traceback-holds") == NULL);
	progress_free(&p);
}

static void test_round_trip(void)
{
	struct progress p, q;
	struct progress_lesson *l;
	const struct progress_lesson *r;
	struct error err = { 0 }, notice = { 0 };
	char *dir = xasprintf("%s/exclab", state_dir);

	CHECK(progress_load(&p, NULL, &notice) == 0);
	l = progress_get(&p, "02-reusing-an-exception");
	l->steps_done = 3;
	l->steps_total = 5;
	l->predictions_asked = 2;
	l->predictions_right = 1;
	l->exercise = PROGRESS_EX_FAILING;
	l->hints_shown = 2;
	l->working_copy = xstrdup("/tmp/work/02-reusing-an-exception/handler.py");
	l = progress_get(&p, "01-what-a-traceback-holds");
	l->steps_done = l->steps_total = 7;
	l->finished = true;
	l->exercise = PROGRESS_EX_PASSED;
	CHECK(progress_get(&p, "01-what-a-traceback-holds") == l);   /* found, not added twice */
	CHECK(progress_save(&p, &err) == 0);
	CHECK(err.msg[0] == '\0');
	/* Atomic: only the file itself is left in its folder. */
	CHECK(count_files(dir, "progress.json.tmp") == 0);
	CHECK(count_files(dir, "progress.json") == 1);
	/* Saving again replaces it, still without leftovers. */
	CHECK(progress_save(&p, &err) == 0);
	CHECK(count_files(dir, "progress.json") == 1);

	CHECK(progress_load(&q, NULL, &notice) == 0);
	CHECK(q.n == 2);
	r = progress_find(&q, "02-reusing-an-exception");
	CHECK(r != NULL);
	if (r) {
		CHECK(r->steps_done == 3 && r->steps_total == 5 && !r->finished);
		CHECK(r->predictions_asked == 2 && r->predictions_right == 1);
		CHECK(r->exercise == PROGRESS_EX_FAILING);
		CHECK(r->hints_shown == 2);
		CHECK_STR(r->working_copy, "/tmp/work/02-reusing-an-exception/handler.py");
	}
	r = progress_find(&q, "01-what-a-traceback-holds");
	CHECK(r != NULL && r->finished && r->steps_done == 7 && r->exercise == PROGRESS_EX_PASSED);
	CHECK(r != NULL && r->working_copy == NULL);
	CHECK_STR(progress_exercise_word(PROGRESS_EX_NOT_STARTED), "not started");
	progress_free(&p);
	progress_free(&q);
	free(dir);
}

/* True when p's records are in strictly increasing key order. */
static bool sorted(const struct progress *p)
{
	for (int i = 1; i < p->n; i++)
		if (strcmp(p->lessons[i - 1].key, p->lessons[i].key) >= 0)
			return false;
	return true;
}

/* Every "lesson-NNN" for NNN below n (at most 999) is found with steps_done
 * NNN + 1, and keys before, between and after them are not. */
static void check_lookup(const struct progress *p, int n)
{
	static const char *const misses[] = {
		"", "a", "lesson-", "lesson-0005", "lesson-05", "lesson-999", "z",
	};

	for (int k = 0; k < n; k++) {
		char key[32];
		const struct progress_lesson *l;

		snprintf(key, sizeof key, "lesson-%03d", k);
		l = progress_find(p, key);
		CHECK(l != NULL && strcmp(l->key, key) == 0 && l->steps_done == k + 1);
	}
	for (size_t i = 0; i < sizeof misses / sizeof *misses; i++)
		CHECK(progress_find(p, misses[i]) == NULL);
}

/* Records are kept sorted by key, so lookup is a binary search: whatever
 * order they are added in, and whatever order the file lists them in. */
static void test_sorted_lookup(void)
{
	enum { N = 200 };
	char *path = xasprintf("%s/sorted/progress.json", state_dir);
	struct progress p, q;
	struct error err = { 0 }, notice = { 0 };
	FILE *f;

	CHECK(progress_load(&p, path, &notice) == 0);
	for (int i = 0; i < N; i++) {   /* 73 and 200 are coprime: every key, scrambled */
		int k = (i * 73) % N;
		char key[32];

		snprintf(key, sizeof key, "lesson-%03d", k);
		progress_get(&p, key)->steps_done = k + 1;
	}
	CHECK(p.n == N);
	CHECK(sorted(&p));
	check_lookup(&p, N);
	CHECK(progress_get(&p, "lesson-100") == progress_find(&p, "lesson-100"));
	CHECK(p.n == N);   /* found, not added again */
	CHECK(progress_save(&p, &err) == 0);
	CHECK(progress_load(&q, path, &notice) == 0);
	CHECK(q.n == N && sorted(&q));
	check_lookup(&q, N);
	progress_free(&q);

	/* A file written by hand, its keys in reverse. */
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("{\"lessons\": {", f);
		for (int k = N - 1; k >= 0; k--)
			fprintf(f, "\"lesson-%03d\": {\"steps_done\": %d}%s", k, k + 1, k ? ", " : "");
		fputs("}}\n", f);
		fclose(f);
	}
	CHECK(progress_load(&q, path, &notice) == 0);
	CHECK(q.n == N && sorted(&q));
	check_lookup(&q, N);
	progress_free(&q);
	progress_free(&p);
	free(path);
}

static void test_corrupt(const char *garbage)
{
	struct progress p;
	struct error notice = { 0 };
	char *dir = xasprintf("%s/exclab", state_dir), *path = xasprintf("%s/progress.json", dir);
	char text[1700];
	FILE *f = fopen(path, "w");
	int aside = count_files(dir, "progress.json.corrupt-");

	CHECK(f != NULL);
	if (f) {
		fputs(garbage, f);
		fclose(f);
	}
	CHECK(progress_load(&p, NULL, &notice) == 1);
	CHECK(p.n == 0);
	error_format(&notice, text, sizeof text);
	/* The message names the file and says where it went. */
	CHECK(strstr(text, path) != NULL);
	CHECK(strstr(text, "corrupt") != NULL);
	CHECK(strstr(text, "set aside") != NULL);
	CHECK(access(path, F_OK) != 0);
	CHECK(count_files(dir, "progress.json.corrupt-") == aside + 1);
	/* And the learner goes on: a fresh file saves and loads. */
	progress_get(&p, "03-exception-cycles")->steps_done = 1;
	CHECK(progress_save(&p, &notice) == 0);
	progress_free(&p);
	CHECK(progress_load(&p, NULL, &notice) == 0 && p.n == 1);
	progress_free(&p);
	unlink(path);
	free(path);
	free(dir);
}

/* Write text as the whole of path. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		CHECK(fclose(f) == 0);
	}
}

/* Whether dir holds a set-aside copy whose content is text. */
static bool aside_holds(const char *dir, const char *text)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		char *name, *got;
		struct error err;

		if (strncmp(e->d_name, "progress.json.corrupt-", 22) != 0)
			continue;
		name = xasprintf("%s/%s", dir, e->d_name);
		got = util_read_file(name, NULL, &err);
		found = got != NULL && strcmp(got, text) == 0;
		free(got);
		free(name);
	}
	closedir(d);
	return found;
}

/* Two corrupt files set aside within one second keep a name each: the
 * second must not replace the first. */
static void test_set_aside_twice(void)
{
	char *dir = xasprintf("%s/twice", state_dir), *path = xasprintf("%s/progress.json", dir);
	static const char *const garbage[] = { "the first garbage", "the second garbage" };
	time_t t0 = time(NULL);

	CHECK(mkdir(dir, 0700) == 0);
	while (time(NULL) == t0)   /* start a fresh second: both fall within it */
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	for (int i = 0; i < 2; i++) {
		struct progress p;
		struct error notice = { 0 };

		write_file(path, garbage[i]);
		CHECK(progress_load(&p, path, &notice) == 1);
		progress_free(&p);
	}
	CHECK(count_files(dir, "progress.json.corrupt-") == 2);
	CHECK(aside_holds(dir, garbage[0]));
	CHECK(aside_holds(dir, garbage[1]));
	free(path);
	free(dir);
}

/* What is at path: S_IFIFO, S_IFDIR, S_IFLNK..., or 0 when nothing is. */
static unsigned file_type(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (unsigned)(st.st_mode & S_IFMT) : 0;
}

/* A FIFO, a folder or /dev/zero where the file should be: loading neither
 * hangs nor reads forever, says so, and leaves the thing where it is. */
static void test_not_a_file(void)
{
	static const char *const kinds[] = { "fifo", "folder", "dev-zero" };

	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		char *dir = xasprintf("%s/%s", state_dir, kinds[i]);
		char *path = xasprintf("%s/progress.json", dir);
		struct progress p;
		struct error notice = { 0 };
		char text[1700];
		unsigned type;

		CHECK(mkdir(dir, 0700) == 0);
		if (i == 0)
			CHECK(mkfifo(path, 0600) == 0);
		else if (i == 1)
			CHECK(mkdir(path, 0700) == 0);
		else
			CHECK(symlink("/dev/zero", path) == 0);
		type = file_type(path);
		alarm(3);   /* a blocking open or an endless read ends the test, failed */
		CHECK(progress_load(&p, path, &notice) == 1);
		alarm(0);
		CHECK(p.n == 0);
		error_format(&notice, text, sizeof text);
		CHECK(strstr(text, path) != NULL);
		CHECK(strstr(text, "not a regular file") != NULL);
		CHECK(strstr(text, "left as it is") != NULL);
		CHECK(type != 0 && file_type(path) == type);
		CHECK(count_files(dir, "progress.json.corrupt-") == 0);
		progress_free(&p);
		free(path);
		free(dir);
	}
}

/* A valid file of exactly PROGRESS_MAX_BYTES loads; one byte more is set
 * aside whole, not read. */
static void test_too_big(void)
{
	char *dir = xasprintf("%s/big", state_dir), *path = xasprintf("%s/progress.json", dir);
	const char *doc = "{\"lessons\": {\"01\": {\"steps_done\": 2}}}";
	char *text = xmalloc(PROGRESS_MAX_BYTES + 2);
	struct progress p;
	struct error notice = { 0 };
	char msg[1700];

	CHECK(mkdir(dir, 0700) == 0);
	memset(text, ' ', PROGRESS_MAX_BYTES + 1);   /* trailing white space is valid */
	memcpy(text, doc, strlen(doc));
	text[PROGRESS_MAX_BYTES] = '\0';
	write_file(path, text);
	CHECK(progress_load(&p, path, &notice) == 0);
	CHECK(p.n == 1 && progress_find(&p, "01") != NULL && progress_find(&p, "01")->steps_done == 2);
	progress_free(&p);

	text[PROGRESS_MAX_BYTES] = ' ';
	text[PROGRESS_MAX_BYTES + 1] = '\0';
	write_file(path, text);
	CHECK(progress_load(&p, path, &notice) == 1);
	CHECK(p.n == 0);
	error_format(&notice, msg, sizeof msg);
	CHECK(strstr(msg, "larger than") != NULL);
	CHECK(strstr(msg, "set aside") != NULL);
	CHECK(access(path, F_OK) != 0);
	CHECK(count_files(dir, "progress.json.corrupt-") == 1);
	CHECK(aside_holds(dir, text));
	progress_free(&p);
	free(text);
	free(path);
	free(dir);
}

int main(void)
{
	snprintf(state_dir, sizeof state_dir, "/tmp/exclab-test-progress-XXXXXX");
	if (mkdtemp(state_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setenv("XDG_STATE_HOME", state_dir, 1);

	test_paths();
	test_missing();
	test_round_trip();
	test_sorted_lookup();
	test_corrupt("{\"version\": 1, \"lessons\": {\"01\": {\"steps_do");
	test_corrupt("not json at all \x01\x02");
	test_corrupt("{\"lessons\": []}");
	test_corrupt("{\"lessons\": {}} trailing");
	test_set_aside_twice();
	test_not_a_file();
	test_too_big();

	/* Leave nothing behind. */
	char *cmd = xasprintf("rm -rf '%s'", state_dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	return check_done("test_progress");
}
