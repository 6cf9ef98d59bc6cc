/* Documents: a file being made as its own bytes (the chrome) with shared
 * texts between them, by reference.  A lesson's rendered body is a shared
 * text: many villages' pages hold it, and it is deflated once for the
 * whole build (deflate.h) while only the chrome around it is deflated per
 * village.  Editions write into a `struct doc`; archives (archive.h) and
 * files beside the bundles (output.h) take docs.  This file knows nothing
 * of plans, editions or zips. */
#ifndef COURSEPACK_DOC_H
#define COURSEPACK_DOC_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "deflate.h"
#include "util.h"

struct scratch;

/* Text that many files contain, deflated at most once.  In a store with
 * a scratch file (shared_spill) its bytes and deflated bytes live there,
 * and data and z.z are NULL. */
struct shared_text {
	char *data;
	size_t len;
	pthread_mutex_t lock;
	int deflated;
	struct zpiece z;
	struct scratch *spill;
	uint64_t at, zat;	/* where data and z.z went */
};

/* Appends t's deflated form (made on first use) to st.  Returns 0, or -1
 * after diagnosing (the scratch file could not be read). */
int shared_text_deflate(struct shared_text *t, struct zstream *st);
/* Moves t's bytes, and its deflated bytes (made now when `deflate`), to
 * sc.  Returns 0, or -1 after diagnosing. */
int shared_text_spill(struct shared_text *t, struct scratch *sc, int deflate);

/* A file being assembled: its own bytes (the chrome) in b, and shared
 * texts that go between them, each after the first `off` bytes of b. */
struct span {
	size_t off;
	struct shared_text *text;
};
struct doc {
	struct buf b;
	struct span *spans;
	size_t nspans;
	size_t shared_len;	/* the spans' texts together */
};
/* Appends t (by reference). */
void doc_add_shared(struct doc *, struct shared_text *t);
/* The whole file's length, chrome and shared text. */
size_t doc_len(const struct doc *);
/* Calls fn for each run of the file's bytes, in order: the chrome of
 * `chrome[0..chrome_len)` and the texts of `spans` between.  Returns 0,
 * or -1 after diagnosing (a text could not be read back). */
int spans_each(const char *chrome, size_t chrome_len, const struct span *spans, size_t nspans,
    void (*fn)(void *ctx, const void *p, size_t n), void *ctx);
void doc_release(struct doc *);

/* A file of a course, read once. */
struct shared_asset {
	char *path;		/* on disk */
	struct file_id id;	/* the file read then: reopened, it must be the same */
	size_t size;
	char sha256[65];
	uint32_t crc;		/* CRC-32, to check the file when it is copied */
	int compress;		/* deflated in bundles (else stored, read from path) */
	char *data;		/* a photo made clean (image_clean): written instead of the file */
	char *phone;		/* a photo: its phone edition form, a data: URI; else NULL */
	size_t phone_len;
	int phone_w, phone_h;	/* its size in pixels */
	struct zpiece z;	/* when compress; z.z NULL once spilled */
	struct scratch *spill;
	uint64_t zat;		/* where z.z went */
};

/* Appends a's deflated form to st.  Returns 0, or -1 after diagnosing. */
int shared_asset_deflate(const struct shared_asset *a, struct zstream *st);

/* Lends course files read once for the build (the store, shared.h):
 * lend gives file `rel` of course c, or NULL after diagnosing; each file
 * lent is given back once. */
struct course;
struct asset_lender {
	const struct shared_asset *(*lend)(struct asset_lender *, const struct course *c, const char *rel);
	void (*give_back)(struct asset_lender *, const struct shared_asset *);
};

/* Sets t's bytes to `data` (taken: a NUL-terminated string). */
void shared_text_set(struct shared_text *t, char *data);
/* Frees t's bytes and deflated bytes; t can be set again. */
void shared_text_release(struct shared_text *t);

#endif
