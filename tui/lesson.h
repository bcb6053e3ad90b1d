/* lesson.h — a lesson: a Markdown file, its title, and the scenario it runs.
 *
 * The title is the first level-1 heading. The scenario is the first link whose
 * target ends in ".lua", resolved against the lesson file's directory, so the
 * same link works on GitHub and in exclab:
 *     [the scenario](../scenarios/02-reuse/scenario.lua)
 * A lesson without such a link has no live part. */
#ifndef EXCLAB_LESSON_H
#define EXCLAB_LESSON_H

#include <stdbool.h>

#include "mdrender.h"
#include "util.h"

struct lesson;

/* Read and check the file: readable, UTF-8 text, with a title. On error *out
 * is NULL and err names the file (and the line, for bad bytes). */
int lesson_load(struct lesson **out, const char *path, struct error *err);
/* The lessons in dir: its *.md files but README.md, sorted by name (they
 * start with their number), as newly allocated paths. Returns how many, -1
 * and err when dir cannot be read. Free with lesson_list_free. */
int lesson_list(const char *dir, char ***paths, struct error *err);
void lesson_list_free(char **paths, int n);
void lesson_free(struct lesson *l);

const char *lesson_path(const struct lesson *l);
const char *lesson_title(const struct lesson *l);
/* The scenario's path, or NULL when the lesson names none. */
const char *lesson_scenario(const struct lesson *l);

/* Render the lesson at a width (see mdrender_parse); free with mdrender_free. */
int lesson_render(const struct lesson *l, struct mdrender_doc *doc, int width, bool ascii);

#endif
