/* A line diff: the shortest edit script between two lists of lines
 * (Myers' O(ND) algorithm), bounded in lines and in edits, and its
 * unified-style hunks.  coursepack diff shows a changed lesson's text
 * with it. */
#ifndef COURSEPACK_LINEDIFF_H
#define COURSEPACK_LINEDIFF_H

#include <stddef.h>

#include "util.h"

enum ld_op { LD_SAME, LD_DEL, LD_ADD };

struct ld_edit {
	enum ld_op op;
	size_t a;	/* line of the old list (LD_SAME, LD_DEL) */
	size_t b;	/* line of the new list (LD_SAME, LD_ADD) */
};

/* Every line of a and b, in order, as kept, deleted or added: *out holds
 * *nout edits (caller frees).  Returns 0; or -1, with *out NULL, when a
 * side has more than max_lines lines or the lists differ by more than
 * max_edits deleted and added lines ("too many changes to show"). */
int line_diff(const char *const *a, size_t na, const char *const *b, size_t nb, size_t max_lines,
    size_t max_edits, struct ld_edit **out, size_t *nout);

/* Appends the changes as hunks, each with up to `context` kept lines
 * around it: a "@@ -A,N +B,M @@" line, then the lines prefixed with
 * "  ", "- " or "+ ", every line after `indent`.  Returns the number of
 * hunks (0: the lists are equal). */
size_t line_diff_hunks(struct buf *, const char *const *a, const char *const *b, const struct ld_edit *e,
    size_t n, size_t context, const char *indent);

#endif
