/* labproto.h — what the interface and the lab say to each other.
 *
 * The lab (lab.h) runs the scenario's Lua state and the embedded CPython in
 * a child process; the interface keeps the terminal and the model. They
 * exchange frames (wire.h) over one socket: commands one way, events the
 * other, all plain data. The interface sends a command only while the lab is
 * idle; the lab answers each with events, ending in one that leaves it idle
 * again (LAB_WAIT, LAB_DONE, LAB_FAILED, LAB_STOPPED, LAB_WHY, LAB_COMPILED).
 * Stopping a running command is out of band: SIGINT to the lab, then SIGKILL
 * after a grace period (labproc.h).
 *
 * Payloads, field by field (str: a wire string; sample, graph, error, value:
 * below):
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
 *   ASK_WHY  u64 address                       SAMPLE    u8 kept with the step, sample
 *   COMPILE  str path                          GRAPH     graph
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
 */
#ifndef EXCLAB_LABPROTO_H
#define EXCLAB_LABPROTO_H

#include <stdbool.h>

#include "exercise.h"
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
};

/* A prediction offers at most this many choices. */
#define LAB_MAX_CHOICES 9

/* What the lab is running, for deadlines and for reports of a crash. */
enum busy_kind { BUSY_LUA, BUSY_PYTHON };

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

#endif
