/* The township catalogue: index.html beside the bundles, for
 * distributors and staff — each village's bundle with its size and hash,
 * hours by category, coverage, and a bar chart (inline SVG, no script). */
#ifndef COURSEPACK_CATALOG_H
#define COURSEPACK_CATALOG_H

#include <stddef.h>

#include "plan.h"
#include "project.h"

struct built {
	const struct plan *plan;
	char *file;		/* bundle file name, e.g. "xiayang-jili.zip" */
	size_t size;
	char sha256[65];
	char *epub_file;	/* the EPUB beside it */
	size_t epub_size;
	char epub_sha256[65];
	char *pdf_file;		/* the printed booklet, when built */
	char pdf_sha256[65];
	char *phone_file;	/* the phone edition beside it */
	size_t phone_size;
	char phone_sha256[65];
};

/* The catalogue page (caller frees). */
char *catalog_render(const struct project *, const struct built *, size_t n);

#endif
