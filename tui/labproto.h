/* labproto.h — what the interface and the lab say to each other.
 *
 * The lab (lab.h) runs the scenario's Lua state and the embedded CPython in
 * a child process; the interface keeps the terminal and the model. They
 * exchange frames (wire.h) over one socket: commands one way, events the
 * other, all plain data. The interface sends a command only while the lab is
 * idle; the lab answers each with events, ending in one that leaves it idle
 * again (LAB_WAIT, LAB_DONE, LAB_FAILED, LAB_STOPPED, LAB_WHY, LAB_COMPILED,
 * LAB_EXITED).
 * Stopping a running command is out of band: SIGINT to the lab, then SIGKILL
 * after a grace period (labproc.h).
 *
 * Payloads, field by field (str: a wire string; sample, graph, capture, error,
 * value: below):
 *
 *   commands                                   events
 *   OPEN     str path, u8 verifying,           HELLO     str version, i32 major, minor,
 *            str verify_file, f64 time_limit,            micro, i32 threshold[3], i32 pid
 *            f64 step_time_limit, u64 heap_cap, SCENARIO  str title, str file, i32 steps,
 *            i64 lua_instructions,                        f64 heap_cap, exercise
 *            u64 lua_memory, str source        SETTINGS  u32 shown gauges, str watch,
 *            ("": read the file at path)                 str graph roots
 *   CONTINUE f64 pace (py.call(name, n) calls
 *            a second until the next wait; 0: full speed)
 *   ANSWER   u8 given, str answer              CONSOLE   u8 kind, str text
 *   ASK_WHY  u64 address                       SAMPLE    u8 sample_kind, sample, str label,
 *   COMPILE  str path                                    str where (the scenario's line)
 *   PROBE    u8 module, str target,            SAMPLE_NAME f64 t (which sample), str name
 *            u32 n, str args[n], f64 time_limit, CAPTURE capture (what graph.capture returned)
 *            u64 heap_cap, u8 passthrough      GRAPH     graph
 *   PROBE_GRAPH u32 finding id                 PROGRAM   str what runs, str stdin (where the
 *   PROBE_FINISH (no answer: the lab exits)              program's standard input comes from)
 *                                              FINDING   finding
 *                                              REASONS   reasons
 *                                              EXITED    end
 *                                              STEP      i32 index, str title (it begins)
 *                                              CHECK     u8 passed, str message, str detail,
 *                                                        str where, value expected, value got
 *                                              ASK       str question, u8 n, str choices[n]
 *                                                        (n = 0: a number is asked for)
 *                                              PREDICTION str question, u8 guessed, str guess,
 *                                                        str actual, u8 right
 *                                              BUSY      u8 what (busy_kind), f64 time limit,
 *                                                        str description, str the limit in
 *                                                        words ("its time limit of 10.0 s")
 *                                              WAIT      u8 why (wait_kind), i32 step, str text
 *                                              DONE
 *                                              FAILED    error, str traceback
 *                                              STOPPED   str message
 *                                              WHY       u64 address, u32 n, str line[n]
 *                                              COMPILED  u8 ok, error
 *
 * exclab probe (a lab started as `exclab __lab 3 probe`, its interpreter
 * configured as python3's): PROBE runs the user's program as __main__ on
 * the lab's main thread, script `target` or, with `module`, `-m target`,
 * with `args` after it in sys.argv. With `passthrough` the lab's standard
 * streams are the interface's own (headless); else output comes as CONSOLE
 * lines and stdin is /dev/null. While it runs the lab sends PROGRAM once,
 * then FINDING (new or changed), REASONS and SAMPLE as they move; the run
 * ends with EXITED, which leaves the lab idle (ASK_WHY and PROBE_GRAPH may
 * follow). PROBE_GRAPH (answered with GRAPH, at once, even while the
 * program runs) captures what a finding keeps alive; ASK_WHY, while the
 * program runs, is answered at once too. PROBE_FINISH, once the program has
 * ended, finalises the interpreter as python3 does at exit (modules
 * cleared, finalizers run, files flushed) and ends the lab with status 0
 * (120 when finalising fails, as python3's).
 *
 *   finding: u32 id, u8 kind, u8 gone, str title, str raise_at,
 *            str except_at, str store_at, str detail, u64 count, u64 bytes,
 *            u64 addr (finding.h)
 *   reasons: f64 heap, f64 traceback_only, f64 cyclic_garbage, f64 gc_freed
 *   end:     u8 kind (program_end_kind), i32 code, str message
 */
#ifndef EXCLAB_LABPROTO_H
#define EXCLAB_LABPROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "exercise.h"
#include "finding.h"
#include "graph.h"
#include "sample.h"
#include "util.h"
#include "value.h"
#include "wire.h"

enum lab_command {
	LAB_OPEN = 1,
	LAB_CONTINUE,
	LAB_ANSWER,
	LAB_ASK_WHY,
	LAB_COMPILE,
	LAB_PROBE,
	LAB_PROBE_GRAPH,
	LAB_PROBE_FINISH,
};

enum lab_event {
	LAB_HELLO = 64,
	LAB_SCENARIO,
	LAB_SETTINGS,
	LAB_CONSOLE,
	LAB_SAMPLE,
	LAB_GRAPH,
	LAB_STEP,
	LAB_CHECK,
	LAB_ASK,
	LAB_PREDICTION,
	LAB_BUSY,
	LAB_WAIT,
	LAB_DONE,
	LAB_FAILED,
	LAB_STOPPED,
	LAB_WHY,
	LAB_COMPILED,
	LAB_SAMPLE_NAME,
	LAB_CAPTURE,
	LAB_PROGRAM,
	LAB_FINDING,
	LAB_REASONS,
	LAB_EXITED,
};

/* Which reading a LAB_SAMPLE is. */
enum sample_kind {
	SAMPLE_PROGRESS,    /* during a long job: for the gauges only */
	SAMPLE_AFTER_JOB,   /* after a job: kept with the step, labelled with the job */
	SAMPLE_STEP_START,  /* as a step begins, before its first job: kept as the step's start */
};

/* What graph.capture returned, for the report. */
struct lab_capture {
	char root[256];        /* as the scenario named it */
	char where[256];       /* the scenario's line that asked */
	double t;              /* when (util_now) */
	bool alive, on_cycle, limited;
	char type[48];         /* the root's type, "" when gone */
	int32_t nodes, edges;
	int32_t cycle_groups;  /* strongly connected groups of 2+ objects (or one with a self-edge) */
	uint64_t size, retained;
};

/* A prediction offers at most this many choices. */
#define LAB_MAX_CHOICES 9

/* What the lab is running, for deadlines and for reports of a crash. */
enum busy_kind {
	BUSY_LUA,
	BUSY_PYTHON,
	BUSY_PROGRAM,   /* exclab probe's program: a Ctrl-C is one KeyboardInterrupt, as under python3 */
};

/* Why the lab waits for the interface. */
enum wait_kind {
	WAIT_STEP,      /* before step `step`: text is its title */
	WAIT_PAUSE,     /* the scenario's pause(): text is its prompt */
	WAIT_PREDICT,   /* a prediction: the question came in LAB_ASK */
};

enum console_kind {
	CONSOLE_INFO,    /* from exclab itself */
	CONSOLE_STEP,    /* a step begins */
	CONSOLE_OUTPUT,  /* print() from Lua or sys.stdout from Python */
	CONSOLE_STDERR,  /* sys.stderr from Python, or the lab's own standard error */
	CONSOLE_ERROR,   /* a scenario error: Lua or Python, with file:line */
	CONSOLE_PASS,    /* a check held */
	CONSOLE_FAIL,    /* a check failed */
	CONSOLE_GC,      /* collections during a Python job */
	CONSOLE_SAMPLE,  /* the probes after a Python job: headless prints it, the console view may skip it */
	CONSOLE_PREDICT, /* a prediction revealed beside the measurement */
	CONSOLE_KIND_COUNT
};

/* The longest frame either side accepts: a graph of the largest size a
 * scenario may ask for fits; anything longer is a broken lab. */
#define LAB_MAX_FRAME ((size_t)64 * 1024 * 1024)
/* Console text is cut to this many bytes per line on the lab's side. */
#define LAB_MAX_LINE 4096

void labproto_put_sample(struct wire_out *w, const struct probe_sample *s);
void labproto_get_sample(struct wire_in *in, struct probe_sample *s);
void labproto_put_graph(struct wire_out *w, const struct graph *g);
/* A graph whose indexes and kinds are all in range, or NULL (and in->bad). */
struct graph *labproto_get_graph(struct wire_in *in);
void labproto_put_capture(struct wire_out *w, const struct lab_capture *c);
void labproto_get_capture(struct wire_in *in, struct lab_capture *c);
/* A scalar value (none, bool, int, float, string); anything else travels
 * as none. */
void labproto_put_value(struct wire_out *w, const struct value *v);
void labproto_get_value(struct wire_in *in, struct value *v);
void labproto_put_error(struct wire_out *w, const struct error *e);
void labproto_get_error(struct wire_in *in, struct error *e);
/* u8 present, then the fields (task, file, solution, cheats, hints). */
void labproto_put_exercise(struct wire_out *w, const struct exercise_info *e);
/* false when absent; e is then zeroed. */
bool labproto_get_exercise(struct wire_in *in, struct exercise_info *e);
void labproto_put_finding(struct wire_out *w, const struct finding *f);
/* Strings owned by f (finding_free); a kind out of range sets in->bad. */
void labproto_get_finding(struct wire_in *in, struct finding *f);
void labproto_put_reasons(struct wire_out *w, const struct probe_reasons *r);
void labproto_get_reasons(struct wire_in *in, struct probe_reasons *r);
void labproto_put_end(struct wire_out *w, const struct program_end *e);
void labproto_get_end(struct wire_in *in, struct program_end *e);

#endif
