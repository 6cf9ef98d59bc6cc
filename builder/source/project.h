/* A project: a township with everything it names, loaded and checked —
 * what plan and build start from, and what check does for a township.
 * Loading goes on past problems and diagnoses each; `errors` says whether
 * any was found while loading this project. */
#ifndef COURSEPACK_PROJECT_H
#define COURSEPACK_PROJECT_H

#include "check.h"
#include "model.h"

struct project {
	struct township *township;
	struct library *library;	/* owned unless borrowed from a cache */
	int own_library;
	struct recipe *recipe;
	struct village **villages;	/* as listed; NULL where one failed */
	char **village_paths;		/* normalized paths, NULL where unusable */
	char *recipe_path;
	size_t nvillages;
	int errors;
};

/* How a project gets its library: a caller that checks many townships
 * passes one that loads and checks each library once.  NULL: load and
 * check it here. */
typedef struct library *(*library_getter)(void *ctx, const char *dir, const struct ref *where);

/* Loads the township at `path` and its library, recipe and villages, and
 * checks them all.  Returns 0 when the township file itself loaded (the
 * project may still have errors), -1 when it did not. */
int project_load(struct project *, const char *path, library_getter, void *ctx, struct check_stats *);
/* The same for one village: `only` is its normalized path (from
 * project_resolve).  The township's other villages are neither loaded nor
 * checked, so that their problems do not drown this one's; their entries
 * stay NULL. */
int project_load_village(struct project *, const char *path, const char *only, struct check_stats *);
void project_release(struct project *);

/* The township.xml beside `path` or in the folder above, or NULL (caller
 * frees). */
char *project_nearby_township(const char *path);

/* Given a township or a village file: the township's path (new string),
 * and in *village_only the village file's normalized path when a village
 * was given (else NULL).  Diagnoses and returns NULL when neither. */
char *project_resolve(const char *path, char **village_only);

/* SHA-256 over what a build of the project reads: the township's,
 * recipe's and villages' files, categories.xml, and every file in each
 * course's folder.  Sharded builds compare it, so that shards built from
 * different sources are not merged.  Returns 0, or -1 after diagnosing. */
int project_digest(const struct project *, char out[65]);

#endif
