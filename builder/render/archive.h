/* Archives: the files of a zip being made, in archive order, and writing
 * them as one.  The bundle (package.c) and the EPUB (epub.c) each make
 * one; neither knows the other.
 *
 * A text file is deflated as soon as it is added (archive_pack) and its
 * plain bytes dropped; its deflated bytes wait in memory, beyond
 * ARCHIVE_HOLD_BYTES in the archive's scratch file, until the zip is
 * written.  Shared texts inside a file (doc.h) are deflated once for the
 * build, and course files are read and deflated once by the store
 * (shared.h), which lends them (struct asset_lender, doc.h). */
#ifndef COURSEPACK_ARCHIVE_H
#define COURSEPACK_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deflate.h"
#include "doc.h"

struct course;
struct scratch;

/* Where a file's bytes are. */
enum archive_state {
	AF_PLAIN,	/* data and spans in memory: deflated (or stored) when written */
	AF_PACKED,	/* deflated: z.z in memory */
	AF_SPILLED,	/* deflated: zlen bytes in the scratch file at zat */
	AF_COURSE,	/* a course file lent by the store (asset) */
};

struct archive_file {
	char *name;		/* path inside the archive */
	enum archive_state state;
	size_t len;		/* of the whole file */
	int compress;		/* 0 for media that is compressed already (media.h) */
	char sha256[65];
	char *data;		/* AF_PLAIN: the chrome, with spans between */
	size_t chrome;		/* bytes in data */
	struct span *spans;
	size_t nspans;
	struct zstream z;	/* AF_PACKED, AF_SPILLED: crc, len, and z.z when packed */
	uint64_t zat;		/* AF_SPILLED */
	size_t zlen;
	const struct shared_asset *asset;	/* AF_COURSE */
	struct asset_lender *lender;	/* who lent it */
};

struct archive {
	struct archive_file *files;
	size_t nfiles;
	struct scratch *spill;	/* where packed files wait, or NULL (all in memory) */
	size_t held;		/* deflated bytes held in memory meanwhile */
	int failed;		/* a file could not be made: diagnosed */
	/* Files it names stay plain until written (build --pdf reads them). */
	int (*keep_plain)(const char *name);
};

#define ARCHIVE_HOLD_BYTES (4u << 20)

/* Adds a file of `len` bytes at position `at`, taking `name` and `data`,
 * hashed and, if worth it, deflated now. */
enum { ARCHIVE_STORE = 1 };	/* never deflate (an EPUB's mimetype) */
void archive_insert(struct archive *, size_t at, char *name, char *data, size_t len, unsigned flags);
/* Appends a document, taking `name` and d's bytes and spans (d is left
 * empty). */
void archive_add_doc(struct archive *, char *name, struct doc *d);
/* Appends file `rel` of course c, borrowed from `lender` until the
 * archive is released, as `name` (taken).  Returns 0, or -1 after
 * diagnosing (the file could not be read). */
int archive_add_course_file(struct archive *, char *name, struct asset_lender *lender, const struct course *c,
    const char *rel);
/* Sorts files [from, nfiles) by name. */
void archive_sort(struct archive *, size_t from);
/* Writes the files as a zip at `path`, in their order, shared pieces
 * copied as they are; refuses (diagnosed against `what`, the package id)
 * a file that deflates beyond what verify accepts.  Returns 0, or -1
 * after diagnosing (nothing is left at path). */
int archive_write_zip(const struct archive *, const char *what, const char *path, time_t mtime);
/* Gives back the store's files and frees the rest. */
void archive_release(struct archive *);

#endif
