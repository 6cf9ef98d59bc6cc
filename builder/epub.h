/* EPUB 3: the village's lessons as an e-book for phone and e-reader
 * apps, TOWNSHIP-VILLAGE.epub beside the bundle.  This file makes the
 * book's files; the caller zips them in order (mimetype first, stored). */
#ifndef COURSEPACK_EPUB_H
#define COURSEPACK_EPUB_H

#include <time.h>

#include "package.h"
#include "render.h"

/* Adds the EPUB's files to `book` in archive order.  `bodies[i]` is
 * lesson i's BODY_EPUB (shared.h), `assets` the media they use, read
 * through the build's shared store.
 * `modified` is the book's dcterms:modified.  Returns 0, or -1 after
 * diagnosing (a medium could not be read). */
struct shared;
struct shared_text;
int epub_build(const struct project *, const struct plan *, struct shared_text *const *bodies,
    const struct asset_set *assets, struct shared *, time_t modified, struct package *book);
/* cmark's HTML as XHTML (bare attributes given values).  Caller frees. */
char *epub_xhtml(const char *html);

#endif
