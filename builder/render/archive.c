#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "crypto.h"
#include "diag.h"
#include "media.h"
#include "scratch.h"
#include "util.h"
#include "zipfile.h"

/* One file's deflated bytes: the text between spans deflated here, the
 * spans' pieces made once for the build.  Returns 0, or -1 after
 * diagnosing. */
static int
deflate_file(const struct archive_file *f, struct zstream *st)
{
	size_t at = 0, k;

	if (f->state == AF_COURSE) {
		if (shared_asset_deflate(f->asset, st) == -1)
			return -1;
	} else {
		for (k = 0; k < f->nspans; k++) {
			const struct span *sp = &f->spans[k];

			zstream_add_data(st, f->data + at, sp->off - at);
			if (shared_text_deflate(sp->text, st) == -1)
				return -1;
			at = sp->off;
		}
		zstream_add_data(st, f->data + at, f->chrome - at);
	}
	zstream_finish(st);
	return 0;
}

static void
hash_run(void *ctx, const void *p, size_t n)
{
	sha256_add(ctx, p, n);
}

/* Deflates f now and drops its plain bytes, unless it is a course file
 * or stored.  Returns 0, or -1 after diagnosing. */
static int
archive_pack(struct archive *ar, struct archive_file *f)
{
	if (f->state != AF_PLAIN || !f->compress)
		return 0;
	if (deflate_file(f, &f->z) == -1)
		return -1;
	f->zlen = f->z.z.len;
	if (ar->spill && ar->held + f->zlen > ARCHIVE_HOLD_BYTES) {
		if (scratch_put(ar->spill, f->z.z.data, f->zlen, &f->zat) == -1)
			return -1;
		buf_release(&f->z.z);
		f->state = AF_SPILLED;
	} else {
		ar->held += f->zlen;
		/* Held until the zip is written: no slack. */
		f->z.z.data = xreallocarray(f->z.z.data, f->z.z.len, 1);
		f->z.z.cap = f->z.z.len;
		f->state = AF_PACKED;
	}
	free(f->data);
	free(f->spans);
	f->data = NULL;
	f->spans = NULL;
	f->nspans = 0;
	return 0;
}

static struct archive_file *
slot(struct archive *ar, size_t at, char *name)
{
	struct archive_file *f;

	ar->files = xreallocarray(ar->files, ar->nfiles + 1, sizeof *ar->files);
	memmove(ar->files + at + 1, ar->files + at, (ar->nfiles - at) * sizeof *ar->files);
	ar->nfiles++;
	f = &ar->files[at];
	memset(f, 0, sizeof *f);
	f->name = name;
	return f;
}

/* Puts a file made of `data` (its own bytes) and `spans` (the shared text
 * between them) at position `at`, hashes it, and packs it unless it is to
 * stay plain. */
static void
place(struct archive *ar, size_t at, char *name, char *data, size_t chrome, struct span *spans, size_t nspans,
    size_t shared_len, unsigned flags)
{
	struct archive_file *f = slot(ar, at, name);
	struct sha256 h;

	f->state = AF_PLAIN;
	f->data = data;
	f->chrome = chrome;
	f->len = chrome + shared_len;
	f->spans = spans;
	f->nspans = nspans;
	f->compress = !(flags & ARCHIVE_STORE) && media_compressible(name);
	sha256_begin(&h);
	if (spans_each(data, chrome, spans, nspans, hash_run, &h) == -1 ||
	    ((!ar->keep_plain || !ar->keep_plain(name)) && archive_pack(ar, f) == -1))
		ar->failed = 1;
	sha256_end(&h, f->sha256);
}

void
archive_insert(struct archive *ar, size_t at, char *name, char *data, size_t len, unsigned flags)
{
	place(ar, at, name, data, len, NULL, 0, 0, flags);
}

void
archive_add_doc(struct archive *ar, char *name, struct doc *d)
{
	size_t chrome = d->b.len;

	place(ar, ar->nfiles, name, buf_detach(&d->b), chrome, d->spans, d->nspans, d->shared_len, 0);
	d->spans = NULL;
	d->nspans = 0;
	d->shared_len = 0;
}

int
archive_add_course_file(struct archive *ar, char *name, struct asset_lender *lender, const struct course *c,
    const char *rel)
{
	const struct shared_asset *sa = lender->lend(lender, c, rel);
	struct archive_file *f;

	if (sa == NULL) {
		free(name);
		return -1;
	}
	f = slot(ar, ar->nfiles, name);
	f->state = AF_COURSE;
	f->len = sa->size;
	f->compress = sa->compress;
	memcpy(f->sha256, sa->sha256, sizeof f->sha256);
	f->asset = sa;
	f->lender = lender;
	return 0;
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct archive_file *)a)->name, ((const struct archive_file *)b)->name);
}

void
archive_sort(struct archive *ar, size_t from)
{
	if (ar->nfiles > from + 1)
		qsort(ar->files + from, ar->nfiles - from, sizeof *ar->files, file_cmp);
}

static int
get_spilled(void *ctx, uint64_t at, void *p, size_t n)
{
	return scratch_get(ctx, at, p, n);
}

int
archive_write_zip(const struct archive *ar, const char *what, const char *path, time_t mtime)
{
	struct zip_writer *w;
	struct zstream *st = xcalloc(ar->nfiles ? ar->nfiles : 1, sizeof *st);
	size_t i;
	int rc = -1;

	if ((w = zipw_open(path)) == NULL)
		goto out;
	for (i = 0; i < ar->nfiles; i++) {
		const struct archive_file *f = &ar->files[i];
		int packed = f->state == AF_PACKED || f->state == AF_SPILLED;
		size_t zlen = 0;
		int r;

		if (packed) {
			zlen = f->zlen;
		} else if (f->compress) {
			if (deflate_file(f, &st[i]) == -1) {
				zipw_discard(w);
				goto out;
			}
			zlen = st[i].z.len;
		}
		/* What verify would refuse as a zip bomb is not written. */
		if (zlen > 0 && f->len > 1024 && f->len / zlen > ZIP_MAX_RATIO) {
			diag(E_BUNDLE_RATIO, NULL, f->name, what, (unsigned long long)(f->len / zlen),
			    (unsigned)ZIP_MAX_RATIO);
			zipw_discard(w);
			goto out;
		}
		if (f->state == AF_SPILLED)
			r = zipw_add_deflated_from(w, f->name, get_spilled, ar->spill, f->zat, f->zlen, f->z.len,
			    f->z.crc, mtime);
		else if (f->state == AF_PACKED)
			r = zipw_add_deflated(w, f->name, f->z.z.data, f->zlen, f->z.len, f->z.crc, mtime);
		else if (f->compress)
			r = zipw_add_deflated(w, f->name, st[i].z.data, st[i].z.len, st[i].len, st[i].crc, mtime);
		else if (f->state == AF_COURSE && f->asset->data)
			r = zipw_add(w, f->name, f->asset->data, f->asset->size, mtime);
		else if (f->state == AF_COURSE)
			r = zipw_add_file(w, f->name, f->asset->path, &f->asset->id, f->asset->size, f->asset->crc,
			    mtime);
		else
			r = zipw_add(w, f->name, f->data, f->len, mtime);
		if (r == -1) {
			zipw_discard(w);
			goto out;
		}
	}
	/* The buffers live until here: libzip reads them now. */
	rc = zipw_close(w);
out:
	for (i = 0; i < ar->nfiles; i++)
		buf_release(&st[i].z);
	free(st);
	return rc;
}

void
archive_release(struct archive *ar)
{
	size_t i;

	for (i = 0; i < ar->nfiles; i++) {
		struct archive_file *f = &ar->files[i];

		free(f->name);
		free(f->data);
		free(f->spans);
		buf_release(&f->z.z);
		if (f->state == AF_COURSE)
			f->lender->give_back(f->lender, f->asset);
	}
	free(ar->files);
	memset(ar, 0, sizeof *ar);
}
