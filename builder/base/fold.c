/* Folded keys of names (fold.h). */
#include <stdlib.h>

#include "casefold.h"
#include "fold.h"
#include "util.h"

static int
row_cmp(const void *key, const void *row)
{
	unsigned cp = *(const unsigned *)key, at = ((const struct casefold_row *)row)->cp;

	return (cp > at) - (cp < at);
}

static int
ccc_cmp(const void *key, const void *range)
{
	unsigned cp = *(const unsigned *)key;
	const struct casefold_ccc *r = range;

	return cp < r->first ? -1 : cp > r->last;
}

/* The canonical combining class of cp (0 for most). */
static unsigned
ccc_of(unsigned cp)
{
	const struct casefold_ccc *r;

	if (cp < 0x300)
		return 0;
	r = bsearch(&cp, casefold_ccc, sizeof casefold_ccc / sizeof casefold_ccc[0], sizeof casefold_ccc[0], ccc_cmp);
	return r ? r->ccc : 0;
}

static void
put_utf8(struct buf *b, unsigned cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

/* One code point from p; a byte that does not start a whole sequence
 * stands for itself (callers pass valid UTF-8; this only keeps a bad
 * name from reading past its end). */
static unsigned
next_cp(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	size_t n = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : p[0] >= 0xe0 && p[0] < 0xf0 ? 3 :
	    p[0] >= 0xf0 && p[0] < 0xf5 ? 4 : 0;
	unsigned cp;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			n = 0;
	switch (n) {
	case 1:
		cp = p[0];
		break;
	case 2:
		cp = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		break;
	case 3:
		cp = (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		break;
	case 4:
		cp = (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3f) << 12 | (unsigned)(p[2] & 0x3f) << 6 |
		    (p[3] & 0x3f);
		break;
	default:
		*pp = p + 1;
		return p[0];
	}
	*pp = p + n;
	return cp;
}

struct cps {
	unsigned *v;
	size_t n, cap;
};

static void
cps_add(struct cps *c, unsigned cp)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n++] = cp;
}

/* Canonical ordering: in each run of marks of class other than 0, a
 * stable sort by class (insertion sort: runs are a few marks long). */
static void
canonical_order(unsigned *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		unsigned cp = v[i], c = ccc_of(cp);
		size_t j = i;

		if (c == 0)
			continue;
		while (j > 0 && ccc_of(v[j - 1]) > c) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = cp;
	}
}

/* Each code point through `rows` (sorted by code point; NULL for none),
 * Hangul syllables decomposed, then canonical ordering, as UTF-8. */
static char *
key_by(const char *name, const struct casefold_row *rows, size_t nrows, const unsigned *pool)
{
	const unsigned char *p = (const unsigned char *)name;
	struct cps c = {0};
	struct buf b = {0};

	buf_add(&b, "", 0);
	while (*p) {
		unsigned cp = next_cp(&p);
		const struct casefold_row *row;

		if (cp >= 0xac00 && cp <= 0xd7a3) {
			unsigned si = cp - 0xac00;

			cps_add(&c, 0x1100 + si / 588);
			cps_add(&c, 0x1161 + si % 588 / 28);
			if (si % 28)
				cps_add(&c, 0x11a7 + si % 28);
		} else if ((row = bsearch(&cp, rows, nrows, sizeof rows[0], row_cmp)) != NULL) {
			for (unsigned k = 0; k < row->len; k++)
				cps_add(&c, pool[row->at + k]);
		} else
			cps_add(&c, cp);
	}
	canonical_order(c.v, c.n);
	for (size_t i = 0; i < c.n; i++)
		put_utf8(&b, c.v[i]);
	free(c.v);
	return buf_detach(&b);
}

char *
fold_key(const char *name)
{
	return key_by(name, casefold_rows, sizeof casefold_rows / sizeof casefold_rows[0], casefold_pool);
}

char *
fold_canonical(const char *name)
{
	return key_by(name, casefold_nfd, sizeof casefold_nfd / sizeof casefold_nfd[0], casefold_nfd_pool);
}
