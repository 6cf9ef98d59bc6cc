/* Package: everything one village's bundle holds, in archive order, made
 * from its plan — the pages, the style sheet, the media, and manifest.xml
 * describing them all with sizes and SHA-256.  No zip here: bundle
 * writing is the caller's (cmd_build.c through zipfile.c). */
#ifndef COURSEPACK_PACKAGE_H
#define COURSEPACK_PACKAGE_H

#include <stddef.h>
#include <time.h>

#include "deflate.h"
#include "plan.h"
#include "project.h"

struct scratch;
struct shared;
struct shared_asset;
struct span;

struct package_file {
	char *name;		/* path inside the bundle */
	char *data;		/* NULL for a course file (see asset) or once packed */
	size_t chrome;		/* bytes in data; the spans' texts go between them */
	size_t len;		/* of the whole file */
	int compress;		/* 0 for media that is compressed already */
	char sha256[65];
	struct span *spans;	/* shared text inside data, deflated once */
	size_t nspans;
	int packed;		/* deflated into z as soon as made: data is gone */
	struct zstream z;	/* z.z emptied when the bytes went to spill */
	struct scratch *spill;
	uint64_t zat;		/* where in spill */
	size_t zlen;
	const struct shared_asset *asset;	/* a course file, read by the store */
	struct shared *sh;	/* the store that lent it */
};

struct package {
	char *id;		/* TOWNSHIP-VILLAGE */
	struct package_file *files;	/* manifest.xml first */
	size_t nfiles;
	struct doc *phone;	/* the one-file phone edition */
	size_t phone_len;
	struct package *epub;	/* the EPUB's files, in order */
	int keep;		/* print.html and style.css stay plain (for the PDF) */
	struct scratch *spill;	/* where packed files wait to be written, or NULL */
	size_t held;		/* deflated bytes held in memory meanwhile */
	int failed;		/* a file could not be made: diagnosed */
	struct shared *sh;	/* the store its lessons come from */
	void **work;		/* those lessons (struct lesson_work), given back on release */
	size_t nwork;
};

#define PHONE_BUDGET_DEFAULT (8u * 1000 * 1000)	/* bytes */

/* Builds the package of one planned village, and its phone edition
 * within `phone_budget` bytes.  Each text file is deflated as soon as it
 * is made and its plain bytes dropped; the deflated bytes wait in memory,
 * and beyond PACKAGE_HOLD_BYTES in `spill` (scratch.h) unless it is NULL,
 * until the bundle is written.
 * With PACKAGE_KEEP_PLAIN, print.html and style.css stay plain until
 * written: pdf_print reads them (package_print_input).  Returns 0, or -1 after diagnosing (a
 * file could not be read, the phone edition is over budget); *out is
 * then empty. */
enum { PACKAGE_KEEP_PLAIN = 1 };
/* Whether a file of that name is one the PDF is printed from, besides
 * the course files. */
int package_print_input(const char *name);
int package_build(const struct project *, const struct plan *, struct shared *, size_t phone_budget,
    time_t modified, unsigned flags, struct scratch *spill, struct package *out);
/* Deflates f, a file of pk, now and drops its plain bytes, unless it is
 * a course file (deflated once by the store) or stored.  The deflated
 * bytes stay in memory up to PACKAGE_HOLD_BYTES for the package, and go
 * to pk->spill beyond.  Returns 0, or -1 after diagnosing. */
#define PACKAGE_HOLD_BYTES (4u << 20)
int package_pack(struct package *pk, struct package_file *f);
/* Writes the package's files as a zip at `path`, in their order, shared
 * pieces copied as they are.  Returns 0, or -1 after diagnosing (nothing
 * is left at path). */
int package_write_zip(const struct package *, const char *path, time_t mtime);
void package_release(struct package *);

/* Whether a file of this name is worth deflating. */
int package_compressible(const char *name);

#endif
