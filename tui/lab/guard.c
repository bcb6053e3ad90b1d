/* guard.c — the lab's watchdog thread and its SIGINT handler. */
#include "guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "labout.h"
#include "probe.h"
#include "util.h"

#define REFIRE 0.1        /* seconds between repeated SIGINTs to Python */
#define SAMPLE_EVERY 0.1  /* seconds between process samples while Python runs */
#define CAP_POLL 0.02     /* how often the heap cap is looked at while Python runs */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static pthread_t main_thread, guard_thread;
static atomic_int reason;
static atomic_size_t rss_cap;
static bool quit;   /* under lock: guard_pause ends the thread */

/* The current stretch, under lock. */
static bool busy;
static enum busy_kind kind;
static double started, limit;
static char limit_text[96];

/* Whom SIGINT goes to after the note is taken: Python's handler, or the
 * scenario's. Written only on the main thread, between stretches. */
static struct sigaction passed_on;

static void set_reason(enum stop_reason why)
{
	int none = STOP_NONE;

	atomic_compare_exchange_strong(&reason, &none, (int)why);
}

/* The learner's stop arrives as SIGINT. On the main thread: note it, then
 * pass it on, so Python raises KeyboardInterrupt as under plain python3.
 * On any other thread (one the scenario started): send it to the main
 * thread, where blocking calls such as time.sleep get interrupted. */
static void on_sigint(int sig, siginfo_t *info, void *context)
{
	if (!pthread_equal(pthread_self(), main_thread)) {
		pthread_kill(main_thread, SIGINT);
		return;
	}
	set_reason(STOP_LEARNER);
	if (passed_on.sa_flags & SA_SIGINFO) {
		passed_on.sa_sigaction(sig, info, context);
	} else if (passed_on.sa_handler == SIG_DFL) {
		/* The scenario asked for the default action: end, as python3 would. */
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
	} else if (passed_on.sa_handler != SIG_IGN) {
		passed_on.sa_handler(sig);
	}
}

void guard_keep_sigint(void)
{
	struct sigaction now, ours;

	if (sigaction(SIGINT, NULL, &now) < 0)
		return;
	if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_sigint)
		return;
	passed_on = now;
	memset(&ours, 0, sizeof ours);
	ours.sa_sigaction = on_sigint;
	ours.sa_flags = SA_SIGINFO | (now.sa_flags & SA_RESTART);
	sigemptyset(&ours.sa_mask);
	sigaction(SIGINT, &ours, NULL);
}

void guard_set_rss_cap(size_t bytes)
{
	atomic_store(&rss_cap, bytes);
}

size_t guard_rss_cap(void)
{
	return atomic_load(&rss_cap);
}

static bool over_rss_cap(void)
{
	size_t cap = atomic_load(&rss_cap);
	struct probe_sample s = { 0 };

	if (cap == 0)
		return false;
	probe_sample_process(&s);
	return s.v[PROBE_RSS] > (double)cap;
}

static struct timespec at(double t)
{
	struct timespec ts;
	double whole = (double)(long long)t;

	ts.tv_sec = (time_t)whole;
	ts.tv_nsec = (long)((t - whole) * 1e9);
	return ts;
}

static void *guard_main(void *arg)
{
	double last_fire = 0, last_sample = 0;

	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		double now, next;
		bool py, refire;

		if (quit)
			break;
		if (!busy) {
			pthread_cond_wait(&wake, &lock);
			continue;
		}
		now = util_now();
		py = kind != BUSY_LUA;
		if (py && probe_heap_cap_hit())
			set_reason(STOP_MEMCAP);
		else if (py && over_rss_cap())
			set_reason(STOP_RSS);
		else if (limit > 0 && now - started >= limit)
			set_reason(STOP_TIMEOUT);
		/* A program's own Ctrl-C is one KeyboardInterrupt, as under python3:
		 * it may catch it and shut down in its own time. */
		refire = atomic_load(&reason) != STOP_NONE &&
		         !(kind == BUSY_PROGRAM && atomic_load(&reason) == STOP_LEARNER);
		if (py && refire && now - last_fire >= REFIRE) {
			/* Under the lock: guard_end cannot pass until this is sent, so
			 * a stop never lands in the next stretch's Python. */
			pthread_kill(main_thread, SIGINT);
			last_fire = now;
		}
		if (py && now - started >= SAMPLE_EVERY && now - last_sample >= SAMPLE_EVERY) {
			struct probe_sample s = { 0 };
			probe_sample_process(&s);
			last_sample = now;
			pthread_mutex_unlock(&lock);
			labout_sample(&s, SAMPLE_PROGRESS, NULL, NULL);
			pthread_mutex_lock(&lock);
			continue;
		}
		next = py ? now + CAP_POLL : limit > 0 ? started + limit : now + 3600;
		if (atomic_load(&reason) != STOP_NONE && !py)
			next = now + 3600;   /* Lua's hook reads the reason itself */
		struct timespec ts = at(next);
		pthread_cond_timedwait(&wake, &lock, &ts);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* The guard never takes SIGINT itself: it belongs to the main thread. */
static int start_thread(void)
{
	sigset_t block, old;
	int rc;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&guard_thread, NULL, guard_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int guard_start(void)
{
	pthread_condattr_t attr;
	int rc;

	main_thread = pthread_self();
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wake, &attr);
	pthread_condattr_destroy(&attr);
	rc = start_thread();
	guard_keep_sigint();
	return rc == 0 ? 0 : -1;
}

static bool paused;   /* main thread only */

void guard_pause(void)
{
	if (paused)
		return;
	pthread_mutex_lock(&lock);
	quit = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(guard_thread, NULL);
	paused = true;
}

void guard_resume(void)
{
	if (!paused)
		return;
	quit = false;   /* no guard thread runs to read it */
	paused = start_thread() != 0;
}

void guard_new_command(void)
{
	atomic_store(&reason, STOP_NONE);
}

void guard_begin(enum busy_kind what, double seconds, const char *text)
{
	pthread_mutex_lock(&lock);
	snprintf(limit_text, sizeof limit_text, "%s", text);
	busy = true;
	kind = what;
	started = util_now();
	limit = seconds;
	if (seconds > 0 && seconds <= GUARD_SPENT)
		set_reason(STOP_TIMEOUT);
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

void guard_end(void)
{
	pthread_mutex_lock(&lock);
	busy = false;
	pthread_mutex_unlock(&lock);
}

const char *guard_limit_text(void)
{
	return limit_text;   /* written only by the main thread, which asks */
}

enum stop_reason guard_reason(void)
{
	return (enum stop_reason)atomic_load(&reason);
}
