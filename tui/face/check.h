/* check.h — exclab check: is every lesson of the course sound?
 *
 * For each lesson: its Markdown parses and names a scenario; the scenario
 * runs headless with every check holding; every .py beside it compiles;
 * and its exercise verifies as it should: the learner's starting file fails,
 * the reference solution passes, each cheat fails. Errors name the file and
 * the line. A lesson author runs it before a workshop. */
#ifndef EXCLAB_CHECK_H
#define EXCLAB_CHECK_H

/* Check the lessons in lessons_dir; prints a line per finding, returns the
 * number of problems. */
int check_course(const char *lessons_dir);

#endif
