/* What changed between two bundles of a village, read from their
 * manifests and, for a changed lesson, from the words of its page:
 * coursepack diff prints it. */
#ifndef COURSEPACK_BUNDLE_DIFF_H
#define COURSEPACK_BUNDLE_DIFF_H

#include "bundle_reader.h"
#include "util.h"

#define DIFF_MAX_LINES 5000	/* lines of a lesson's text compared */
#define DIFF_MAX_EDITS 200	/* changed lines shown; more: "too many changes to show" */
#define DIFF_CONTEXT 2		/* kept lines around each change */
#define DIFF_MAX_PAGE (8u * 1024 * 1024)	/* larger pages are not compared line by line */

/* Appends to `out` what changed from old to new, under a first line
 * naming `label` and the village (with `brief`, that line only, counting
 * the changes).  Both bundles are opened (bundle_open) and should be
 * verified first: the report trusts their manifests.  Returns 0 when
 * they are identical (nothing appended), 1 when they differ, -1 when an
 * entry cannot be read (diagnosed). */
int bundle_diff(struct bundle *old, struct bundle *new, const char *label, int brief, struct buf *out);

/* "吉利村 (jili)": the village a bundle holds, from its manifest; the
 * caller frees it. */
char *bundle_village(const struct bundle *);

#endif
