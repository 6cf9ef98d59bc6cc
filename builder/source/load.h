/* Loading: XML files into model structs.  Each loader validates its file
 * (xml.c), diagnoses what is wrong inside that one file, and returns a new
 * struct the caller frees, or NULL when the file is unusable.  Checks that
 * look at other files (does the lesson exist, is the category known) are
 * check.c's. */
#ifndef COURSEPACK_LOAD_H
#define COURSEPACK_LOAD_H

#include "model.h"

struct categories *load_categories(const char *path);
struct course *load_course(const char *path);
struct recipe *load_recipe(const char *path);
struct village *load_village(const char *path);
struct township *load_township(const char *path);

/* Loads DIR/categories.xml and every DIR/NAME/course.xml, in name order.
 * Returns NULL only when DIR has no categories.xml (diagnosed at `where`,
 * the reference that named DIR, or at DIR itself when NULL); courses that
 * fail to load are left out, and so are categories that fail (their
 * problems diagnosed).  *failed counts files that could not be loaded. */
struct library *load_library(const char *dir, const struct ref *where, int *failed);

#endif
