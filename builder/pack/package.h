/* Package: everything one village receives, made from its plan by walking
 * the table of editions (editions.h): the bundle — its pages, print.html,
 * search.js, imsmanifest.xml, the media, and manifest.xml describing them
 * all with sizes and SHA-256 — and the editions that go beside it.  No
 * zip writing here: the caller writes the archives (archive.h) and files
 * (output.h). */
#ifndef COURSEPACK_PACKAGE_H
#define COURSEPACK_PACKAGE_H

#include <stddef.h>
#include <time.h>

#include "archive.h"
#include "doc.h"
#include "editions.h"
#include "plan.h"
#include "project.h"

struct scratch;
struct shared;
struct lesson_work;

/* An edition made to go beside the bundle. */
struct beside {
	const struct edition *e;
	struct doc doc;		/* BESIDE_FILE */
	struct archive ar;	/* BESIDE_ZIP */
	int failed;		/* could not be made (diagnosed): not to be written */
};

struct package {
	char *id;		/* TOWNSHIP-VILLAGE */
	struct archive ar;	/* the bundle, manifest.xml first */
	struct beside *beside;	/* in the table's order */
	size_t nbeside;
	struct shared *sh;	/* the store its lessons come from */
	struct lesson_work **work;	/* those lessons, given back on release */
	size_t nwork;
};

#define PHONE_BUDGET_DEFAULT (8u * 1000 * 1000)	/* bytes */

/* Builds the package of one planned village, with a phone edition within
 * `phone_budget` bytes.  Deflated files wait in memory and beyond
 * ARCHIVE_HOLD_BYTES in `spill` (scratch.h) unless it is NULL, until the
 * archives are written.  With PACKAGE_KEEP_PLAIN, print.html and
 * style.css stay plain until written: pdf_print reads them
 * (package_print_input).  Returns 0, or -1 after diagnosing (a file could
 * not be read); *out is then empty.  An edition beside the bundle that
 * cannot be made (the phone edition over its budget) is diagnosed and
 * marked failed, and the rest is still made. */
enum { PACKAGE_KEEP_PLAIN = 1 };
int package_build(const struct project *, const struct plan *, struct shared *, size_t phone_budget,
    time_t modified, unsigned flags, struct scratch *spill, struct package *out);
/* Whether a file of that name is one the PDF is printed from, besides
 * the course files. */
int package_print_input(const char *name);
/* The edition of that row made beside the bundle, or NULL (the
 * bundle's row, a row made in it, the PDF's). */
struct beside *package_beside(struct package *, const struct edition *);
void package_release(struct package *);

#endif
