/* finding.h — what `exclab probe` found in a program, as plain data.
 *
 * The lab makes findings (probe_*.c) and sends each one whole (LAB_FINDING);
 * a later one with the same id replaces it, so a finding's figures move
 * while the program runs. The interface keeps them in the model, the views
 * and the headless report read them. */
#ifndef EXCLAB_FINDING_H
#define EXCLAB_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum finding_kind {
	FINDING_REUSED,   /* one exception instance raised more than once */
	FINDING_CYCLE,    /* exception reference cycles: only the cyclic GC frees them */
	FINDING_KEPT,     /* exceptions with their tracebacks kept after the handler */
	FINDING_HINT,     /* read from the program's source, before it runs */
	FINDING_KIND_COUNT
};

struct finding {
	uint32_t id;
	enum finding_kind kind;
	bool gone;        /* was alive, is no longer (the program let go) */
	char *title;      /* one line: what it is */
	char *raise_at;   /* "app.py:12": where it was raised, or "" */
	char *except_at;  /* the except clause that caught it, or "" */
	char *store_at;   /* where the handler stored it, or "" */
	char *detail;     /* lines: the chain, the holder, what to do */
	uint64_t count;   /* raises (REUSED), cycles made (CYCLE), exceptions kept (KEPT) */
	uint64_t bytes;   /* kept alive now (REUSED, KEPT); freed only by the GC so far,
	                     waiting ones included (CYCLE); 0 for hints */
	uint64_t addr;    /* the object `g` and enter start from; 0: none */
};

/* The heap split by why its bytes are alive. */
struct probe_reasons {
	double heap;            /* every live byte of the Python heap */
	double traceback_only;  /* alive only because a traceback reaches them */
	double cyclic_garbage;  /* unreachable, waiting for the cyclic GC */
	double gc_freed;        /* freed by collections so far (cycles of every kind) */
	bool gc_unseen;         /* the program took exclab probe's entry out of
	                         * gc.callbacks: later collections go unseen */
};

/* How the program ended. */
enum program_end_kind {
	PROGRAM_EXITED,   /* code: its exit status, as python3's */
	PROGRAM_SIGNAL,   /* code: the signal python3 ends itself with (an uncaught
	                     KeyboardInterrupt: SIGINT) */
	PROGRAM_STOPPED,  /* exclab stopped it: a limit; message says which */
};

struct program_end {
	enum program_end_kind kind;
	int code;
	char message[512];
};

/* Short names: "reused", "cycle", "kept", "hint". */
extern const char *const finding_kind_key[FINDING_KIND_COUNT];
/* For people: "reused exception instance", ... */
extern const char *const finding_kind_name[FINDING_KIND_COUNT];

void finding_copy(struct finding *dst, const struct finding *src);
void finding_free(struct finding *f);

/* A --fail-on limit: "any" (every finding that is not a hint) or a size
 * ("10MB", "500k", "1048576"). -1 when it is neither. */
int finding_parse_limit(const char *text, bool *any, double *bytes);
/* Do these findings break the limit? Hints never do, nor do findings the
 * program let go of before it ended (cycles it made stay counted). */
bool finding_over_limit(const struct finding *f, int n, bool any, double bytes);

#endif
