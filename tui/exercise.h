/* exercise.h — a scenario's exercise, as plain data: the lab reads it from
 * the scenario's exercise{} and sends it (labproto.h); the interface shows
 * it and verifies the learner's copy. */
#ifndef EXCLAB_EXERCISE_H
#define EXCLAB_EXERCISE_H

/* A scenario's exercise{}, paths resolved against the scenario's folder. */
struct exercise_info {
	char *task;       /* what to achieve, in a sentence or two, or "" */
	char *file;       /* what the learner starts from */
	char *solution;
	char **cheats;    /* wrong fixes that must fail */
	int n_cheats;
	char **hints;
	int n_hints;
};

void exercise_info_free(struct exercise_info *e);

#endif
