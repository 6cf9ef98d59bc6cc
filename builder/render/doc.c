#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "scratch.h"

/* Appends piece z to st: from memory, or read from sc at `at` when its
 * bytes were spilled.  Returns 0, or -1 after diagnosing. */
static int
zpiece_add_kept(struct zstream *st, const struct zpiece *z, struct scratch *sc, uint64_t at)
{
	if (z->z || z->zlen == 0) {
		zstream_add(st, z);
		return 0;
	}
	return scratch_get(sc, at, zstream_add_space(st, z), z->zlen);
}

int
shared_text_deflate(struct shared_text *t, struct zstream *st)
{
	pthread_mutex_lock(&t->lock);
	if (!t->deflated) {
		/* Texts that are zipped were deflated before they were
		 * spilled (the phone body, never zipped, was not): one
		 * spilled plain is read back first. */
		char *plain = t->data;

		if (plain == NULL) {
			plain = xmalloc(t->len ? t->len : 1);
			if (scratch_get(t->spill, t->at, plain, t->len) == -1) {
				pthread_mutex_unlock(&t->lock);
				free(plain);
				return -1;
			}
		}
		zpiece_make(&t->z, plain, t->len);
		t->deflated = 1;
		if (plain != t->data)
			free(plain);
	}
	pthread_mutex_unlock(&t->lock);
	return zpiece_add_kept(st, &t->z, t->spill, t->zat);
}

int
shared_text_spill(struct shared_text *t, struct scratch *sc, int deflate)
{
	if (deflate && !t->deflated) {
		zpiece_make(&t->z, t->data, t->len);
		t->deflated = 1;
	}
	if (t->len == 0)
		return 0;
	if (scratch_put(sc, t->data, t->len, &t->at) == -1 ||
	    (t->z.zlen > 0 && scratch_put(sc, t->z.z, t->z.zlen, &t->zat) == -1))
		return -1;
	free(t->data);
	free(t->z.z);
	t->data = NULL;
	t->z.z = NULL;
	t->spill = sc;
	return 0;
}

void
shared_text_set(struct shared_text *t, char *data)
{
	t->data = data;
	t->len = strlen(data);
}

void
shared_text_release(struct shared_text *t)
{
	free(t->data);
	zpiece_release(&t->z);
	t->data = NULL;
	t->len = 0;
	t->deflated = 0;
	t->spill = NULL;
}

void
doc_add_shared(struct doc *d, struct shared_text *t)
{
	d->spans = xreallocarray(d->spans, d->nspans + 1, sizeof *d->spans);
	d->spans[d->nspans].off = d->b.len;
	d->spans[d->nspans].text = t;
	d->nspans++;
	d->shared_len += t->len;
}

size_t
doc_len(const struct doc *d)
{
	return d->b.len + d->shared_len;
}

int
spans_each(const char *chrome, size_t chrome_len, const struct span *spans, size_t nspans,
    void (*fn)(void *ctx, const void *p, size_t n), void *ctx)
{
	struct buf tmp = {0};
	size_t at = 0, k;
	int rc = 0;

	for (k = 0; k < nspans; k++) {
		const struct shared_text *t = spans[k].text;

		if (spans[k].off > at)
			fn(ctx, chrome + at, spans[k].off - at);
		at = spans[k].off;
		if (t->len == 0)
			continue;
		if (t->data) {
			fn(ctx, t->data, t->len);
			continue;
		}
		tmp.len = 0;
		buf_reserve(&tmp, t->len);
		if (scratch_get(t->spill, t->at, tmp.data, t->len) == -1) {
			rc = -1;
			break;
		}
		fn(ctx, tmp.data, t->len);
	}
	if (rc == 0 && chrome_len > at)
		fn(ctx, chrome + at, chrome_len - at);
	buf_release(&tmp);
	return rc;
}

void
doc_release(struct doc *d)
{
	buf_release(&d->b);
	free(d->spans);
	d->spans = NULL;
	d->nspans = 0;
	d->shared_len = 0;
}


int
shared_asset_deflate(const struct shared_asset *a, struct zstream *st)
{
	return zpiece_add_kept(st, &a->z, a->spill, a->zat);
}
