/* report.c — start a child exclab, read its output, parse its report. */
#define _GNU_SOURCE   /* pipe2 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "spawnself.h"

static char *dup_field(json_object *o, const char *name)
{
	json_object *v;

	if (json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string))
		return xstrdup(json_object_get_string(v));
	return xstrdup("");
}

static void add_failed(struct report *r, json_object *checks)
{
	for (size_t k = 0; k < json_object_array_length(checks); k++) {
		json_object *c = json_object_array_get_idx(checks, k), *v;
		struct report_check *f;

		if (json_object_object_get_ex(c, "passed", &v) && json_object_get_boolean(v))
			continue;
		r->fails = xrealloc(r->fails, (size_t)(r->n_fails + 1) * sizeof *r->fails);
		f = &r->fails[r->n_fails++];
		f->message = dup_field(c, "message");
		f->detail = dup_field(c, "detail");
		f->where = dup_field(c, "where");
	}
}

static void add_predictions(struct report *r, json_object *predictions, int step)
{
	for (size_t k = 0; k < json_object_array_length(predictions); k++) {
		json_object *o = json_object_array_get_idx(predictions, k);
		struct report_prediction *p;

		r->predictions = xrealloc(r->predictions,
		                          (size_t)(r->n_predictions + 1) * sizeof *r->predictions);
		p = &r->predictions[r->n_predictions++];
		p->step = step;
		p->question = dup_field(o, "question");
		p->actual = dup_field(o, "actual");
	}
}

bool report_parse(struct report *r, const char *text)
{
	json_object *root = json_tokener_parse(text), *v, *steps;

	memset(r, 0, sizeof *r);
	if (root == NULL || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "passed", &v)) {
		json_object_put(root);
		return false;
	}
	r->passed = json_object_get_int(v);
	if (json_object_object_get_ex(root, "failed", &v))
		r->failed = json_object_get_int(v);
	if (json_object_object_get_ex(root, "error", &v) && json_object_is_type(v, json_type_string))
		snprintf(r->error, sizeof r->error, "%s", json_object_get_string(v));
	if (json_object_object_get_ex(root, "steps", &steps) &&
	    json_object_is_type(steps, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(steps); i++) {
			json_object *step = json_object_array_get_idx(steps, i), *a;
			if (json_object_object_get_ex(step, "checks", &a) &&
			    json_object_is_type(a, json_type_array))
				add_failed(r, a);
			if (json_object_object_get_ex(step, "predictions", &a) &&
			    json_object_is_type(a, json_type_array))
				add_predictions(r, a, (int)i + 1);
		}
	}
	json_object_put(root);
	return true;
}

void report_free(struct report *r)
{
	for (int i = 0; i < r->n_fails; i++) {
		free(r->fails[i].message);
		free(r->fails[i].detail);
		free(r->fails[i].where);
	}
	free(r->fails);
	for (int i = 0; i < r->n_predictions; i++) {
		free(r->predictions[i].question);
		free(r->predictions[i].actual);
	}
	free(r->predictions);
	memset(r, 0, sizeof *r);
}

int report_spawn(struct report_child *c, char *const args[], struct error *err)
{
	int pipefd[2], rc;

	memset(c, 0, sizeof *c);
	c->pid = c->fd = -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		error_set(err, NULL, 0, "cannot start exclab: %s", strerror(errno));
		return -1;
	}
	rc = spawn_self(args, &(struct spawn_fds){ .in = -1, .out = pipefd[1], .err = -1,
	                                            .extra = -1 }, &c->pid, err);
	close(pipefd[1]);
	if (rc < 0) {
		close(pipefd[0]);
		c->pid = -1;
		return -1;
	}
	fcntl(pipefd[0], F_SETFL, fcntl(pipefd[0], F_GETFL) | O_NONBLOCK);
	c->fd = pipefd[0];
	c->cap = 16384;
	c->out = xmalloc(c->cap);
	c->out[0] = '\0';
	return 0;
}

bool report_poll(struct report_child *c)
{
	while (c->fd >= 0) {
		ssize_t n;
		if (c->cap - c->len < 4096) {
			c->cap *= 2;
			c->out = xrealloc(c->out, c->cap);
		}
		n = read(c->fd, c->out + c->len, c->cap - c->len - 1);
		if (n > 0) {
			c->len += (size_t)n;
			c->out[c->len] = '\0';
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			return false;
		} else {
			close(c->fd);   /* EOF, or an error: nothing more will come */
			c->fd = -1;
		}
	}
	if (c->pid > 0) {
		if (waitpid(c->pid, &c->status, WNOHANG) == 0)
			return false;
		c->pid = -1;
	}
	return true;
}

void report_wait(struct report_child *c)
{
	while (!report_poll(c)) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		/* After EOF only the exit is awaited: a short nap, not a spin. */
		poll(&p, c->fd >= 0 ? 1 : 0, c->fd >= 0 ? -1 : 10);
	}
}

void report_child_free(struct report_child *c)
{
	if (c->pid > 0) {
		kill(-c->pid, SIGKILL);   /* its process group: its lab too */
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	memset(c, 0, sizeof *c);
	c->pid = c->fd = -1;
}
