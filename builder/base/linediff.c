#include <stdlib.h>
#include <string.h>

#include "linediff.h"

/* Myers' greedy algorithm, keeping each round's furthest points (v) so
 * that the path can be walked back: memory grows with the square of the
 * number of edits, which max_edits bounds. */
int
line_diff(const char *const *a, size_t na, const char *const *b, size_t nb, size_t max_lines, size_t max_edits,
    struct ld_edit **out, size_t *nout)
{
	long n = (long)na, m = (long)nb, dmax, off, d, k, x, y, found = -1;
	size_t width, len = 0;
	long *v, *trace;
	struct ld_edit *e;

	*out = NULL;
	*nout = 0;
	if (na > max_lines || nb > max_lines)
		return -1;
	dmax = (long)(max_edits < na + nb ? max_edits : na + nb);
	off = dmax + 1;
	width = (size_t)(2 * dmax + 3);
	v = xcalloc(width, sizeof *v);
	trace = xreallocarray(NULL, (size_t)(dmax + 1) * width, sizeof *trace);
	for (d = 0; d <= dmax && found < 0; d++) {
		memcpy(trace + (size_t)d * width, v, width * sizeof *v);
		for (k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && streq(a[x], b[y]))
				x++, y++;
			v[off + k] = x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
	}
	free(v);
	if (found < 0) {
		free(trace);
		return -1;
	}
	e = xreallocarray(NULL, na + nb + 1, sizeof *e);
	x = n;
	y = m;
	for (d = found; d >= 0; d--) {
		const long *pv = trace + (size_t)d * width;
		long pk, px, py;

		k = x - y;
		pk = (k == -d || (k != d && pv[off + k - 1] < pv[off + k + 1])) ? k + 1 : k - 1;
		px = pv[off + pk];
		py = px - pk;
		for (; x > px && y > py; x--, y--)
			e[len++] = (struct ld_edit){LD_SAME, (size_t)x - 1, (size_t)y - 1};
		if (d > 0) {
			if (x == px)
				e[len++] = (struct ld_edit){LD_ADD, 0, (size_t)py};
			else
				e[len++] = (struct ld_edit){LD_DEL, (size_t)px, 0};
		}
		x = px;
		y = py;
	}
	free(trace);
	for (k = 0; k < (long)len / 2; k++) {
		struct ld_edit t = e[k];

		e[k] = e[len - 1 - (size_t)k];
		e[len - 1 - (size_t)k] = t;
	}
	*out = e;
	*nout = len;
	return 0;
}

size_t
line_diff_hunks(struct buf *o, const char *const *a, const char *const *b, const struct ld_edit *e, size_t n,
    size_t context, const char *indent)
{
	size_t i = 0, hunks = 0;

	while (i < n) {
		size_t start, end, j, last, na = 0, nb = 0, a0 = 0, b0 = 0;

		while (i < n && e[i].op == LD_SAME)
			i++;
		if (i == n)
			break;
		start = i > context ? i - context : 0;
		/* The hunk runs to the last change followed by no change
		 * within 2 * context kept lines, plus context of them. */
		last = i;
		for (j = i; j < n; j++) {
			if (e[j].op != LD_SAME)
				last = j;
			else if (j - last > 2 * context)
				break;
		}
		end = last + 1 + context < n ? last + 1 + context : n;
		for (j = start; j < end; j++) {
			na += e[j].op != LD_ADD;
			nb += e[j].op != LD_DEL;
		}
		/* Where each side's part starts, 1-based; for an empty one
		 * the line after which it stands, as diff -u says. */
		for (j = 0; j < start; j++) {
			a0 += e[j].op != LD_ADD;
			b0 += e[j].op != LD_DEL;
		}
		a0 += na > 0;
		b0 += nb > 0;
		buf_printf(o, "%s@@ -%zu,%zu +%zu,%zu @@\n", indent, a0, na, b0, nb);
		for (j = start; j < end; j++) {
			const char *mark = e[j].op == LD_SAME ? "  " : e[j].op == LD_DEL ? "- " : "+ ";

			buf_printf(o, "%s%s%s\n", indent, mark, e[j].op == LD_ADD ? b[e[j].b] : a[e[j].a]);
		}
		hunks++;
		i = end;
	}
	return hunks;
}
