/* probe_source.h — the program's own files, read for hints (exclab probe).
 *
 * The reading is Python's ast, in a helper embedded in the lab
 * (probe_source.py). It makes Python objects, so every call holds the
 * collector off while it runs and lets it go on as it was, and keeps none
 * of them: what it found is kept here in C, once per file. The standard
 * library and installed packages are never read. Call with the GIL held;
 * the GIL may be let go meanwhile (other threads run Python code). */
#ifndef EXCLAB_PROBE_SOURCE_H
#define EXCLAB_PROBE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

struct probe_hint {
	bool instance;       /* an instance made once and raised later; else a stored `as e` */
	int line;            /* the except clause, or where the instance is made */
	int other_line;      /* the store, or the first raise */
	char text[800];
};

struct probe_store {
	int except_line, store_line;
	char text[200];      /* the statement that stores it */
};

/* An except clause of a try statement: which one caught an exception, the
 * code does not say (its handler begins at the first clause). */
struct probe_clause {
	int first_line, line;  /* the try's first clause's, its own; a finally: its first
	                        * statement's, 0; a with: its line, twice */
	char names[200];       /* probe_source.py's _clauses: "A B", "*", "?NAME", "with" */
};

struct probe_source_file {
	char *path;
	bool readable;       /* parsed: the lists below are what it holds */
	struct probe_hint *hints;
	int n_hints;
	struct probe_store *stores;
	int n_stores;
	struct probe_clause *clauses;
	int n_clauses;
};

/* 0, or -1 when the helper cannot be loaded (findings go on without hints). */
int probe_source_init(void);
/* True for a file of the program's own: not the standard library, not an
 * installed package, not frozen or made up ("<string>"). */
bool probe_source_own(const char *path);
/* What path holds, read the first time it is asked for; NULL when it is
 * not the program's own. Valid until probe_source_free. */
const struct probe_source_file *probe_source_read(const char *path);
/* Has path been read (or tried)? Never reads. */
bool probe_source_known(const char *path);

/* The files read so far. */
int probe_source_count(void);
const struct probe_source_file *probe_source_at(int i);
/* Where the handler at except_line of path stores its exception, or NULL. */
const struct probe_store *probe_source_store(const char *path, int except_line);

enum probe_catch {
	CATCH_SURE,      /* this clause caught it */
	CATCH_UNSURE,    /* the source cannot tell: the try's first clause is named */
	CATCH_NONE,      /* none of the clauses, or a finally: it went on */
	CATCH_WITH,      /* a with statement's exit: it went on, or was swallowed */
};

/* Which clause of the try statement whose first except clause is at
 * first_line of path (the first line of a handler's code) caught an
 * exception whose class and its bases are named in mro (" KeyError
 * LookupError Exception BaseException object "): its line, and how sure.
 * Unsure when path has not been read yet (never reads: callable while the
 * heap is being looked at). */
int probe_source_clause(const char *path, int first_line, const char *mro, enum probe_catch *how);

#endif
