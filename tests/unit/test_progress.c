/* test_progress.c — the learner's progress file: a round trip, records kept
 * in key order for a binary search, a missing file, a corrupt one set aside
 * with a message under a name no other set-aside file has, a FIFO, folder or
 * device left alone and a file too big set aside unread, atomic writes that
 * leave no temporary file behind, and saves from two instances (two structs,
 * two processes) merged under the lock so neither loses the other's work.
 * XDG_STATE_HOME points into a fresh temp folder. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
	/* Atomic: only the file itself and its lock are left in its folder. */
	CHECK(count_files(dir, "progress.json.tmp") == 0);
	CHECK(count_files(dir, "progress.json.lock") == 1);
	CHECK(count_files(dir, "progress.json") == 2);
	/* Saving again replaces it, still without leftovers. */
	CHECK(progress_save(&p, &err) == 0);
	CHECK(count_files(dir, "progress.json") == 2);

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

/* Load path into p, which must go cleanly. */
static void load_ok(struct progress *p, const char *path)
{
	struct error notice = { 0 };

	CHECK(progress_load(p, path, &notice) == 0);
	CHECK(notice.msg[0] == '\0');
}

/* key's steps_done in p, or -1 when p has no such lesson. */
static int steps_done(const struct progress *p, const char *key)
{
	const struct progress_lesson *l = progress_find(p, key);

	return l ? l->steps_done : -1;
}

/* Two instances on one file, each changing a lesson of its own: neither
 * save loses the other's, and the later one then shows both. */
static void test_two_instances(void)
{
	char *path = xasprintf("%s/two/progress.json", state_dir);
	struct progress a, b, c;
	struct error err = { 0 };

	load_ok(&a, path);
	load_ok(&b, path);
	progress_get(&a, "01-a")->steps_done = 2;
	progress_get(&b, "02-b")->steps_done = 3;
	CHECK(progress_save(&a, &err) == 0);
	CHECK(progress_save(&b, &err) == 0);
	load_ok(&c, path);
	CHECK(c.n == 2 && steps_done(&c, "01-a") == 2 && steps_done(&c, "02-b") == 3);
	progress_free(&c);
	CHECK(b.n == 2 && steps_done(&b, "01-a") == 2);   /* b shows a's work now */

	/* a saves again, still knowing nothing of 02-b: it stays. */
	progress_get(&a, "01-a")->hints_shown = 1;
	CHECK(progress_save(&a, &err) == 0);
	load_ok(&c, path);
	CHECK(c.n == 2 && steps_done(&c, "01-a") == 2 && steps_done(&c, "02-b") == 3);
	CHECK(c.n == 2 && progress_find(&c, "01-a")->hints_shown == 1);
	progress_free(&c);
	progress_free(&a);
	progress_free(&b);
	free(path);
}

/* Two instances changing the same lesson: counters take the larger, done
 * stays done, the run with more predictions asked wins as a pair, a value
 * set on purpose (an exercise reset) stands, a field one instance never
 * touched yields to the other's, and a working copy set anywhere is kept. */
static void test_merge_rules(void)
{
	char *path = xasprintf("%s/rules/progress.json", state_dir);
	struct progress a, b, c;
	struct progress_lesson *l;
	const struct progress_lesson *r;
	struct error err = { 0 };

	load_ok(&a, path);
	load_ok(&b, path);
	l = progress_get(&a, "03");
	l->steps_done = 3;
	l->steps_total = 5;
	l->hints_shown = 1;
	l->predictions_asked = l->predictions_right = 2;
	l->exercise = PROGRESS_EX_FAILING;
	l->working_copy = xstrdup("/w/a.py");
	CHECK(progress_save(&a, &err) == 0);
	l = progress_get(&b, "03");
	l->steps_done = l->steps_total = 5;
	l->finished = true;
	l->predictions_asked = 3;
	l->predictions_right = 1;
	CHECK(progress_save(&b, &err) == 0);
	load_ok(&c, path);
	r = progress_find(&c, "03");
	CHECK(r != NULL);
	if (r) {
		CHECK(r->steps_done == 5 && r->steps_total == 5 && r->finished);
		CHECK(r->hints_shown == 1);
		CHECK(r->predictions_asked == 3 && r->predictions_right == 1);
		CHECK(r->exercise == PROGRESS_EX_FAILING);   /* b never set it */
		CHECK_STR(r->working_copy, "/w/a.py");
	}
	progress_free(&c);

	/* b resets the exercise; a, which has not touched it since, shows a hint. */
	progress_get(&b, "03")->exercise = PROGRESS_EX_NOT_STARTED;
	CHECK(progress_save(&b, &err) == 0);
	/* Kept in memory too: the interface compares with it and would save
	 * again on every tick if the merge undid it. */
	CHECK(progress_find(&b, "03")->exercise == PROGRESS_EX_NOT_STARTED);
	progress_get(&a, "03")->hints_shown = 2;
	CHECK(progress_save(&a, &err) == 0);
	load_ok(&c, path);
	r = progress_find(&c, "03");
	CHECK(r != NULL && r->exercise == PROGRESS_EX_NOT_STARTED && r->hints_shown == 2);
	CHECK(r != NULL && r->predictions_asked == 3 && r->predictions_right == 1);
	progress_free(&c);

	/* As many predictions asked as the file has: the saving instance's pair. */
	progress_get(&b, "03")->predictions_right = 3;
	CHECK(progress_save(&b, &err) == 0);
	load_ok(&c, path);
	r = progress_find(&c, "03");
	CHECK(r != NULL && r->predictions_asked == 3 && r->predictions_right == 3);
	CHECK(r != NULL && r->hints_shown == 2);
	progress_free(&c);
	progress_free(&a);
	progress_free(&b);
	free(path);
}

/* Load path, tell the other process so and wait until it has loaded too,
 * then add a lesson of its own and save, saves times over: how many steps
 * failed. */
static int save_many(const char *path, const char *who, int saves, int tell, int wait_for)
{
	struct progress p;
	struct error err;
	char c;
	int failed = progress_load(&p, path, &err) != 0;

	failed += write(tell, "r", 1) != 1;
	failed += read(wait_for, &c, 1) != 1;
	for (int k = 0; k < saves; k++) {
		char key[32];

		snprintf(key, sizeof key, "%s-%02d", who, k);
		progress_get(&p, key)->steps_done = k + 1;
		failed += progress_save(&p, &err) != 0;
	}
	progress_free(&p);
	return failed;
}

/* Two processes saving at once, many times over, both having loaded the
 * file before either saved: the file ends with every lesson of both. */
static void test_concurrent(void)
{
	enum { SAVES = 100 };
	char *dir = xasprintf("%s/concurrent", state_dir), *path = xasprintf("%s/progress.json", dir);
	struct progress p;
	int to_parent[2], to_child[2], status = -1;
	pid_t pid;

	CHECK(mkdir(dir, 0700) == 0);
	CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(save_many(path, "child", SAVES, to_parent[1], to_child[0]) ? 1 : 0);
	CHECK(save_many(path, "parent", SAVES, to_child[1], to_parent[0]) == 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i < 2; i++) {
		close(to_parent[i]);
		close(to_child[i]);
	}

	load_ok(&p, path);
	CHECK(p.n == 2 * SAVES);
	for (int k = 0; k < SAVES; k++) {
		char key[32];

		snprintf(key, sizeof key, "child-%02d", k);
		CHECK(steps_done(&p, key) == k + 1);
		snprintf(key, sizeof key, "parent-%02d", k);
		CHECK(steps_done(&p, key) == k + 1);
	}
	CHECK(count_files(dir, "progress.json.tmp") == 0);
	CHECK(count_files(dir, "progress.json.corrupt-") == 0);
	progress_free(&p);
	free(path);
	free(dir);
}

/* While another holds progress.json.lock, a save waits; it then reads
 * what the other wrote meanwhile and keeps it. */
static void test_save_waits_for_lock(void)
{
	char *dir = xasprintf("%s/locked", state_dir), *path = xasprintf("%s/progress.json", dir);
	char *lock = xasprintf("%s.lock", path);
	int to_parent[2], to_child[2], status = -1, fd;
	struct progress p;
	char c;
	pid_t pid;

	CHECK(mkdir(dir, 0700) == 0);
	CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct error err;
		int failed = progress_load(&p, path, &err) != 0;

		failed += write(to_parent[1], "l", 1) != 1;   /* loaded */
		failed += read(to_child[0], &c, 1) != 1;      /* the parent holds the lock */
		progress_get(&p, "child")->steps_done = 1;
		failed += progress_save(&p, &err) != 0;
		_exit(failed ? 1 : 0);
	}
	CHECK(read(to_parent[0], &c, 1) == 1);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	CHECK(fd >= 0 && flock(fd, LOCK_EX) == 0);
	CHECK(write(to_child[1], "g", 1) == 1);
	nanosleep(&(struct timespec){ .tv_nsec = 300 * 1000000L }, NULL);
	CHECK(access(path, F_OK) != 0);   /* the child is still waiting */
	write_file(path, "{\"lessons\": {\"other\": {\"steps_done\": 4}}}");
	close(fd);   /* unlocks */
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i < 2; i++) {
		close(to_parent[i]);
		close(to_child[i]);
	}
	load_ok(&p, path);
	CHECK(p.n == 2 && steps_done(&p, "child") == 1 && steps_done(&p, "other") == 4);
	progress_free(&p);
	free(lock);
	free(path);
	free(dir);
}

/* A file that went corrupt since it was loaded: saving sets it aside, says
 * so, and writes this instance's records. */
static void test_corrupt_at_save(void)
{
	char *dir = xasprintf("%s/save-corrupt", state_dir), *path = xasprintf("%s/progress.json", dir);
	struct progress a, c;
	struct error err = { 0 };
	char msg[1700];

	load_ok(&a, path);
	progress_get(&a, "05")->steps_done = 1;
	CHECK(progress_save(&a, &err) == 0);
	write_file(path, "{\"lessons\": {\"05\": {\"steps_do");
	progress_get(&a, "05")->steps_done = 2;
	CHECK(progress_save(&a, &err) == 1);
	error_format(&err, msg, sizeof msg);
	CHECK(strstr(msg, path) != NULL);
	CHECK(strstr(msg, "corrupt") != NULL && strstr(msg, "set aside") != NULL);
	CHECK(count_files(dir, "progress.json.corrupt-") == 1);
	CHECK(aside_holds(dir, "{\"lessons\": {\"05\": {\"steps_do"));
	load_ok(&c, path);
	CHECK(c.n == 1 && steps_done(&c, "05") == 2);
	progress_free(&c);
	progress_free(&a);
	free(path);
	free(dir);
}

/* A FIFO put where the file was since it was loaded: saving fails, says
 * why, and does not replace it. */
static void test_save_over_fifo(void)
{
	char *dir = xasprintf("%s/save-fifo", state_dir), *path = xasprintf("%s/progress.json", dir);
	struct progress a;
	struct error err = { 0 };
	char msg[1700];

	load_ok(&a, path);
	progress_get(&a, "06")->steps_done = 1;
	CHECK(progress_save(&a, &err) == 0);
	CHECK(unlink(path) == 0 && mkfifo(path, 0600) == 0);
	progress_get(&a, "06")->steps_done = 2;
	alarm(3);   /* a blocking open ends the test, failed */
	CHECK(progress_save(&a, &err) == -1);
	alarm(0);
	error_format(&err, msg, sizeof msg);
	CHECK(strstr(msg, "not a regular file") != NULL);
	CHECK(file_type(path) == S_IFIFO);
	CHECK(count_files(dir, "progress.json.tmp") == 0);
	CHECK(steps_done(&a, "06") == 2);   /* kept in memory for a later save */
	progress_free(&a);
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
	test_two_instances();
	test_merge_rules();
	test_concurrent();
	test_save_waits_for_lock();
	test_corrupt_at_save();
	test_save_over_fifo();

	/* Leave nothing behind. */
	char *cmd = xasprintf("rm -rf '%s'", state_dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	return check_done("test_progress");
}
