/* The one-page editions made from the same plan as the bundle's pages:
 *
 *   print.html   large-print booklet for members at home (送学上门): A4,
 *                cover, contents, each lesson on a new page, and a study
 *                record sheet to sign — paper proof of hours;
 *   phone        one self-contained HTML file for migrant members: styles
 *                and images inline, opens from a chat-group share;
 *   search.js    the bundle's offline search: a character-bigram index
 *                of the lessons, loaded as a plain script (browsers block
 *                fetch() from file://).
 *
 * `bodies[i]` is lesson i rendered for that edition (render_body). */
#ifndef COURSEPACK_EDITIONS_H
#define COURSEPACK_EDITIONS_H

#include <stdint.h>

#include "plan.h"
#include "project.h"
#include "render.h"

struct doc;
struct shared_text;
/* print.html into `out`, around each lesson's BODY_PRINT (shared.h). */
void print_render(const struct project *, const struct plan *, struct shared_text *const *bodies,
    struct doc *out);
/* The phone edition into `out`, around each lesson's BODY_PHONE. */
void phone_render(const struct project *, const struct plan *, struct shared_text *const *bodies, struct doc *out);
/* A lesson's search terms (character bigrams of CJK runs, Latin words of
 * two or more letters, lowercased) from its title and plain text: sorted,
 * once each, with their hashes, in one block of bytes (so that it can be
 * put aside and read back whole). */
struct search_terms {
	char *data;		/* n uint32_t hashes, then the n terms, each NUL-terminated */
	size_t len;		/* bytes of data */
	size_t n;
};
void search_terms_make(struct search_terms *, const char *title, const char *text);
void search_terms_release(struct search_terms *);
/* search.js: the index of every lesson's terms and the search code.  get
 * gives lesson i's terms, valid until the next call; it returns 0, or -1
 * after diagnosing, and then so does search_script, with NULL.  A plan
 * has at most 65,536 lessons (package_build refuses more first). */
typedef int search_terms_get(void *ctx, size_t i, const struct search_terms **out);
char *search_script(const struct plan *, search_terms_get *get, void *ctx);

#endif
