/* Checks: what a schema cannot say about our files, across files and
 * against the file system.  Each function diagnoses every problem it
 * finds and returns the number of errors (warnings not counted). */
#ifndef COURSEPACK_CHECK_H
#define COURSEPACK_CHECK_H

#include "model.h"

/* Tallies of what was checked, for the summary line. */
struct check_stats {
	int courses, lessons, files;
};

/* A course against the file system and the category vocabulary (NULL:
 * category not checked).  Fills in lesson titles from the Markdown. */
int check_course(struct course *, const struct categories *, struct check_stats *);
/* Every course of the library, and course ids unique. */
int check_library(struct library *, struct check_stats *);
int check_recipe(const struct recipe *, const struct library *);
/* `recipe` and `township` may be NULL when the village is checked alone. */
int check_village(const struct village *, const struct township *,
    const struct recipe *, const struct library *);
/* A township's villages, once loaded (NULL entries failed to load): ids
 * unique. */
int check_villages_unique(struct village *const *vs, size_t n);

#endif
