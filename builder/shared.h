/* Shared: work done once per build and reused by every village that
 * needs it — each lesson's Markdown read and rendered for each edition,
 * its search terms, and each asset's size, SHA-256 and deflated
 * bytes.  The first village to ask does the work; the others copy it.
 *
 * Village chrome (titles, lesson numbers, pagers) differs between
 * bundles, so a page is assembled per village as a `struct doc`: its own
 * bytes, and spans saying where shared text goes between them.  The
 * shared text is not copied: when the bundle is written each span is
 * deflated once for the whole build (deflate.h) and only the chrome
 * between spans is deflated per village.
 *
 * With sharing off (build --no-share, kept for the benchmark) every
 * village renders and deflates everything itself; the files are cut at
 * the same places, so the bundles are the same bytes. */
#ifndef COURSEPACK_SHARED_H
#define COURSEPACK_SHARED_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "deflate.h"
#include "editions.h"
#include "plan.h"
#include "render.h"
#include "util.h"

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
struct scratch;
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

/* One lesson rendered for every edition. */
enum {
	BODY_PAGE,	/* lessons/C/L.html, tables wrapped for scrolling */
	BODY_EPUB,	/* EPUB/lessons/C/L.xhtml, as XHTML */
	BODY_PRINT,	/* print.html */
	BODY_PHONE,	/* the phone edition, images inline */
	BODY__COUNT
};
struct lesson_work {
	struct shared_text body[BODY__COUNT];
	struct asset_set assets[BODY__COUNT];	/* media each body uses */
	struct search_terms terms;	/* for search.js; data NULL when spilled */
	struct scratch *terms_spill;
	uint64_t terms_at;
	pthread_mutex_t lock;
	int done;
	struct link_deps deps;	/* lessons linked to: which plans the renderings hold for */
	int own;		/* rendered for one village alone */
	int failed;
	size_t users;		/* plans yet to give it back (shared_expect) */
};

/* A file of a course, read once. */
struct shared_asset {
	char *path;		/* on disk */
	size_t size;
	char sha256[65];
	uint32_t crc;		/* CRC-32, to check the file when it is copied */
	int compress;		/* deflated in bundles (else stored, read from path) */
	struct zpiece z;	/* when compress; z.z NULL once spilled */
	struct scratch *spill;
	uint64_t zat;		/* where z.z went */
};

/* Appends a's deflated form to st.  Returns 0, or -1 after diagnosing. */
int shared_asset_deflate(const struct shared_asset *a, struct zstream *st);

struct shared;

/* A store for one build over `library`; with `on` 0, nothing is kept and
 * every request does its work anew. */
struct shared *shared_new(const struct library *, int on);
/* Keeps renderings in a scratch file in dir (scratch.h) from now on,
 * when sharing is on.  Returns 0, or -1 after diagnosing. */
int shared_spill(struct shared *, const char *dir);
/* Closes the scratch file (and frees its disk space) once every village
 * is built. */
void shared_spill_end(struct shared *);
void shared_free(struct shared *);

/* Announces that plan p will be built, before any village is: each of
 * its lessons' renderings is then freed as soon as the last plan that
 * uses it gives it back, so the store holds what villages still need, not
 * the whole library.  A lesson asked for after that is rendered anew. */
void shared_expect(struct shared *, const struct plan *p);

/* Lesson i of plan p, rendered for every edition.  NULL after diagnosing
 * (the lesson could not be read).  Give it back with shared_lesson_done. */
struct lesson_work *shared_lesson(struct shared *, const struct plan *p, size_t i);
/* The same, but NULL with *busy set, at once, when another village is
 * working on that lesson: villages that share lessons then render
 * different ones at the same time instead of waiting on each other. */
struct lesson_work *shared_lesson_try(struct shared *, const struct plan *p, size_t i, int *busy);
void shared_lesson_done(struct shared *, struct lesson_work *);

/* File `rel` of course c.  NULL after diagnosing.  Give it back with
 * shared_asset_done. */
const struct shared_asset *shared_asset(struct shared *, const struct course *c, const char *rel);
void shared_asset_done(struct shared *, const struct shared_asset *);

/* w's search terms, read back into *tmp (reused from call to call) when
 * they were spilled.  Returns 0, or -1 after diagnosing. */
int shared_terms(const struct lesson_work *w, struct search_terms *tmp, const struct search_terms **out);

/* Adds src's media to dst, with the phone edition's byte counts. */
void asset_set_merge(struct asset_set *dst, const struct asset_set *src);

#endif
