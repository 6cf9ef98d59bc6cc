/* Package: everything one village's bundle holds, in archive order, made
 * from its plan — the pages, the style sheet, the media, and manifest.xml
 * describing them all with sizes and SHA-256.  No zip here: bundle
 * writing is the caller's (cmd_build.c through zipfile.c). */
#ifndef COURSEPACK_PACKAGE_H
#define COURSEPACK_PACKAGE_H

#include <stddef.h>
#include <time.h>

#include "plan.h"
#include "project.h"

struct package_file {
	char *name;		/* path inside the bundle */
	char *data;
	size_t len;
	int compress;		/* 0 for media that is compressed already */
	char sha256[65];
};

struct package {
	char *id;		/* TOWNSHIP-VILLAGE */
	struct package_file *files;	/* manifest.xml first */
	size_t nfiles;
	char *phone;		/* the one-file phone edition */
	size_t phone_len;
	struct package *epub;	/* the EPUB's files, in order */
};

#define PHONE_BUDGET_DEFAULT (8u * 1000 * 1000)	/* bytes */

/* Builds the package of one planned village, and its phone edition
 * within `phone_budget` bytes.  Returns 0, or -1 after diagnosing (a file
 * could not be read, the phone edition is over budget); *out is then
 * empty. */
int package_build(const struct project *, const struct plan *, size_t phone_budget, time_t modified,
    struct package *out);
void package_release(struct package *);

/* Whether a file of this name is worth deflating. */
int package_compressible(const char *name);

#endif
