/* The Markdown wrapper: the only file that includes cmark-gfm.
 *
 * Lessons are GitHub-flavoured Markdown (tables, strikethrough, autolinks,
 * tagfilter).  Raw HTML is never passed through: cmark's safe mode replaces
 * it.  Debian's cmark-gfm 0.29.0.gfm.6 lacks the fix for CVE-2023-22486, a
 * superlinear-time input, so callers refuse lessons over MD_MAX_BYTES before
 * anything here sees them. */
#ifndef COURSEPACK_MARKDOWN_H
#define COURSEPACK_MARKDOWN_H

#include <stddef.h>

/* Largest lesson we parse.  Measured worst case at this size on Debian 12's
 * cmark-gfm: see README ("Limits"). */
#define MD_MAX_BYTES (64 * 1024)

/* A link or image of a lesson. */
struct md_ref {
	int image;	/* 1 image, 0 link */
	char *url;	/* as written */
	char *alt;	/* images: their text alternative, "" when none */
	int line, col;	/* where it starts in the Markdown */
};

/* A place in the Markdown. */
struct md_pos {
	int line, col;
};

/* Raw HTML the page drops, or an indented code block: what the reader
 * will not see as the trainer meant it. */
enum md_note_kind {
	MD_NOTE_HTML_BLOCK,	/* dropped with its text; `tag` names it */
	MD_NOTE_HTML_INLINE,	/* the tag is dropped, the text around it stays */
	MD_NOTE_INDENTED,	/* an indented (not fenced) code block */
};

struct md_note {
	enum md_note_kind kind;
	char *tag;	/* HTML: the element's name, lowercase; else NULL */
	int line, col;
};

/* The source lines of a paragraph, as cmark-gfm saw it: the first line's
 * text starts at `col`, later lines after their indentation. */
struct md_para {
	int first, last, col;
};

/* What the checks need to know of a parsed lesson. */
struct md_info {
	char *title;	/* plain text of the first level-1 heading, or NULL */
	struct md_ref *refs;
	size_t nrefs;
	/* Text nodes where "**" survived parsing: emphasis that did not
	 * close, typically "**…。**字" (CommonMark's flanking rules). */
	struct md_pos *stray;
	size_t nstray;
	struct md_note *notes;	/* in document order */
	size_t nnotes;
	struct md_para *paras;	/* in document order */
	size_t nparas;
};

/* Parses `len` bytes of valid UTF-8 (at most MD_MAX_BYTES) and fills
 * *info; release it with md_info_release.  Returns 0, or -1 if cmark-gfm
 * could not allocate. */
int md_scan(const char *text, size_t len, struct md_info *info);
void md_info_release(struct md_info *);

/* Maps a link's or image's URL as written to the URL the page uses:
 * returns a new string (the caller of md_doc_render frees it), NULL to
 * keep the URL, or a new empty string to drop the link and keep its
 * text. */
typedef char *(*md_url_fn)(void *ctx, const char *url, int image);

/* A lesson parsed once and rendered several ways: each rendering leaves
 * the parsed lesson as it found it.  md_parse returns NULL if cmark-gfm
 * could not allocate; md_doc_free frees it.
 *
 * md_doc_render renders the lesson for its page: URLs mapped through
 * `fn`, and the first level-1 heading left out (the page shows the title
 * itself).  With `captions`, each image is followed by its alt text as a
 * visible caption and kept together with it (for paper).  The caller
 * frees the result.
 *
 * md_doc_plain_text: the plain text of the lesson (for the search index).
 * Caller frees. */
struct md_doc;
struct md_doc *md_parse(const char *text, size_t len);
char *md_doc_render(struct md_doc *, md_url_fn fn, void *ctx, int captions);
char *md_doc_plain_text(const struct md_doc *);
void md_doc_free(struct md_doc *);

#endif
