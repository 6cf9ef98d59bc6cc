/* Reviews bound to content: a course's reviews.xml (schemas/reviews.xsd),
 * and whether each lesson as it stands is the one that was reviewed.
 *
 * A review records the SHA-256 of the lesson's Markdown and of every
 * media file it uses (the files its bundle ships: local links and images
 * of the Markdown, and the assets course.xml lists).  The lesson is
 * reviewed while those files hash the same; a signed review carries a
 * minisign signature over its canonical text (review_canonical). */
#ifndef COURSEPACK_REVIEW_H
#define COURSEPACK_REVIEW_H

#include <stddef.h>

#include "crypto.h"
#include "model.h"

#define REVIEWS_FILE "reviews.xml"
#define REVIEWS_MAX 5000	/* reviews in one file (schemas/reviews.xsd) */

enum review_state {
	REVIEW_NEVER,		/* no review names the lesson */
	REVIEW_OK,		/* its latest review matches the files */
	REVIEW_CHANGED,		/* the files changed since its latest review */
	REVIEW_UNTRUSTED,	/* its latest review is not signed by a trusted key, or forged */
};

struct review_file {
	char *path;		/* relative to the course folder */
	char sha256[65];
};

struct review {
	char *lesson, *by, *date, *note;	/* note NULL when none */
	struct review_file *files;	/* the Markdown first, then media by name */
	size_t nfiles;
	int is_signed, forged;	/* forged: signed, but the signature does not verify */
	char key_id[17];	/* signed: the key's id as minisign prints it */
	unsigned char pk[32];	/* signed: the public key the record names */
	char *pubkey, *sig, *global;	/* signed: the base64 lines, as stored */
	struct loc loc;
};

/* One lesson's state.  `review` is its latest review (NULL when never);
 * `why` says why an untrusted review does not count (static English, for
 * gettext). */
struct review_status {
	enum review_state state;
	const struct review *review;
	const char *why;
	char content[65];	/* SHA-256 over the files as they stand; "" when unreadable */
};

struct review_log {
	char *path;		/* COURSE/reviews.xml; NULL when the course has none */
	struct review *v;	/* oldest first */
	size_t n;
	struct review_status *status;	/* one per lesson of the course */
};

/* Keys whose signatures --trust accepts (borrowed). */
struct review_trust {
	const struct minisign_key *keys;
	size_t n;
};

/* Loads c->dir/reviews.xml if there is one (once: c->reviews), checks
 * each signed record's signature, hashes every lesson's files and sets
 * each lesson's state.  With `trust`, only reviews signed by one of its
 * keys count.  Diagnoses problems in reviews.xml (errors) when it reads
 * it; returns their number. */
int review_assess(struct course *c, const struct review_trust *trust);
void review_log_free(struct review_log *);

/* The state of lesson l, or NULL when its course was not assessed. */
const struct review_status *review_status_of(const struct lesson *l);

/* The files a lesson is reviewed with, in canonical order: its Markdown,
 * then its media by name, hashed as they stand.  Returns 0, or -1 when
 * the Markdown cannot be read (not diagnosed: check says why).  Caller
 * frees with review_files_free. */
int review_lesson_files(const struct lesson *l, struct review_file **files, size_t *n);
void review_files_free(struct review_file *files, size_t n);
/* SHA-256 over "SHA256  PATH\n" for each file, in order. */
void review_content_hash(const struct review_file *files, size_t n, char out[65]);

/* The text a signature covers (caller frees):
 *   coursepack review 1\nlesson COURSE/LESSON\nby NAME\ndate DATE\n
 *   note NOTE\n (backslash and newline escaped as \\ and \n; "" when none)
 *   file SHA256 PATH\n ... */
char *review_canonical(const char *course, const struct review *r);

/* The XML of a new review element (indented, ending in a newline) for
 * lesson l of c with the given files; signed with `key` when not NULL.
 * Caller frees. */
char *review_element(const struct course *c, const struct lesson *l, const char *by, const char *date,
    const char *note, const struct review_file *files, size_t nfiles, const struct minisign_key *key);

/* Says why lesson l does not count as reviewed, at its entry in
 * course.xml: a warning, or an error with `as_error`.  Nothing when it is
 * reviewed or its course was not assessed.  Returns 1 when something was
 * said. */
int review_say(const struct lesson *l, int as_error);

/* Whether s is a real date written YYYY-MM-DD. */
int review_date_valid(const char *s);

#endif
