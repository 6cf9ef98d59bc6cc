/* Search: the bundle's offline search.  Each lesson's terms are made
 * once for the build (shared.c keeps them); search.js, the index of the
 * terms of every lesson of a package, is an edition (search_make,
 * editions.h). */
#ifndef COURSEPACK_SEARCH_H
#define COURSEPACK_SEARCH_H

#include <stddef.h>

/* A lesson's search terms (character bigrams of CJK runs, Latin words of
 * two or more letters, lowercased) from its title and plain text: once
 * each, with their hashes and how often each occurs (at most
 * SEARCH_COUNT_MAX), in one block of bytes (so that it can be put aside
 * and read back whole).  search.js ranks lessons by title hits, then by
 * these counts, then in package order. */
#define SEARCH_COUNT_MAX 9999
struct search_terms {
	char *data;		/* n uint32_t hashes, n uint32_t counts, then the n terms, each NUL-terminated */
	size_t len;		/* bytes of data */
	size_t n;
};
void search_terms_make(struct search_terms *, const char *title, const char *text);
void search_terms_release(struct search_terms *);
/* Lesson i's terms, valid until the next call; returns 0, or -1 after
 * diagnosing. */
typedef int search_terms_get(void *ctx, size_t i, const struct search_terms **out);

#endif
