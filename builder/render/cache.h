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
#include "doc.h"
#include "plan.h"
#include "render.h"
#include "search.h"
#include "util.h"

/* One lesson rendered for every kind of links the editions use
 * (render.h): body[LINKS_PAGE] for the pages, and so on. */
struct lesson_work {
	struct shared_text body[LINKS__COUNT];
	struct asset_set assets[LINKS__COUNT];	/* media each body uses */
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

struct shared;

/* A store for one build over `library`, rendering each lesson's bodies
 * as `kinds` says (editions_body_kinds); with `on` 0, nothing is kept
 * and every request does its work anew. */
struct shared *shared_new(const struct library *, int on, const struct body_kind kinds[LINKS__COUNT]);
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

/* Photos in bundles, EPUBs and booklets shrunk to at most `side` pixels
 * on the long side (build --photo-side), as the phone edition's are;
 * before any is asked for. */
void shared_photo_side(struct shared *, int side);
/* The store as a lender of course files (doc.h), for archives. */
struct asset_lender *shared_lender(struct shared *);

/* w's search terms, read back into *tmp (reused from call to call) when
 * they were spilled.  Returns 0, or -1 after diagnosing. */
int shared_terms(const struct lesson_work *w, struct search_terms *tmp, const struct search_terms **out);

/* Adds src's media to dst, with the phone edition's byte counts (the
 * larger of the two: a photo is put in once). */
void asset_set_merge(struct asset_set *dst, const struct asset_set *src);

#endif
