/* EPUB 3: the village's lessons as an e-book for phone and e-reader
 * apps, TOWNSHIP-VILLAGE.epub beside the bundle.  This file makes the
 * book's files (epub_make, editions.h); the caller zips them in order
 * (mimetype first, stored). */
#ifndef COURSEPACK_EPUB_H
#define COURSEPACK_EPUB_H


/* cmark's HTML as XHTML (bare attributes given values).  Caller frees. */
char *epub_xhtml(const char *html);

#endif
