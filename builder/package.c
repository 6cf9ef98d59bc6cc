#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "deflate.h"
#include "crypto.h"
#include "markdown.h"
#include "package.h"
#include "render.h"
#include "editions.h"
#include "epub.h"
#include "scorm.h"
#include "scratch.h"
#include "shared.h"
#include "util.h"
#include "zipfile.h"

int
package_compressible(const char *name)
{
	/* Compressed already: images, sound (.amr: phones' voice notes),
	 * video, archives, and documents that are archives or hold deflated
	 * streams (PDF, Office and OpenDocument files). */
	static const char *const packed[] = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".heic",
	    ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".amr", ".flac", ".mp4", ".m4v", ".mov", ".webm",
	    ".3gp", ".mkv", ".zip", ".gz", ".xz", ".bz2", ".zst", ".7z", ".rar", ".epub", ".pdf", ".docx",
	    ".xlsx", ".pptx", ".odt", ".ods", ".odp"};
	size_t i, n = strlen(name);

	for (i = 0; i < NELEM(packed); i++) {
		size_t m = strlen(packed[i]);

		if (n >= m && strcasecmp_ascii(name + n - m, packed[i]) == 0)
			return 0;
	}
	return 1;
}

/* One file's deflated bytes: the text between spans deflated here, the
 * spans' pieces made once for the build.  Returns 0, or -1 after
 * diagnosing. */
static int
deflate_file(const struct package_file *f, struct zstream *st)
{
	size_t at = 0, k;

	if (f->asset) {
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

int
package_print_input(const char *name)
{
	return streq(name, "print.html") || streq(name, "style.css");
}

int
package_pack(struct package *pk, struct package_file *f)
{
	if (f->packed || !f->compress || f->asset)
		return 0;
	if (deflate_file(f, &f->z) == -1)
		return -1;
	f->zlen = f->z.z.len;
	if (pk->spill && pk->held + f->zlen > PACKAGE_HOLD_BYTES) {
		if (scratch_put(pk->spill, f->z.z.data, f->zlen, &f->zat) == -1)
			return -1;
		buf_release(&f->z.z);
		f->spill = pk->spill;
	} else {
		pk->held += f->zlen;
		/* Held until the bundle is written: no slack. */
		f->z.z.data = xreallocarray(f->z.z.data, f->z.z.len, 1);
		f->z.z.cap = f->z.z.len;
	}
	free(f->data);
	free(f->spans);
	f->data = NULL;
	f->spans = NULL;
	f->nspans = 0;
	f->packed = 1;
	return 0;
}

/* Puts a file at position `at` of the package, taking `name`, `data`
 * (its own bytes) and `spans` (the shared text between them). */
static void
place(struct package *pk, size_t at, char *name, char *data, size_t chrome, struct span *spans,
    size_t nspans, size_t shared_len)
{
	struct package_file *f;
	struct sha256 h;

	pk->files = xreallocarray(pk->files, pk->nfiles + 1, sizeof *pk->files);
	memmove(pk->files + at + 1, pk->files + at, (pk->nfiles - at) * sizeof *pk->files);
	pk->nfiles++;
	f = &pk->files[at];
	memset(f, 0, sizeof *f);
	f->name = name;
	f->data = data;
	f->chrome = chrome;
	f->len = chrome + shared_len;
	f->spans = spans;
	f->nspans = nspans;
	f->compress = package_compressible(name);
	sha256_begin(&h);
	if (spans_each(data, chrome, spans, nspans, hash_run, &h) == -1 ||
	    ((!pk->keep || !package_print_input(name)) && package_pack(pk, f) == -1))
		pk->failed = 1;
	sha256_end(&h, f->sha256);
}

static void
insert_file(struct package *pk, size_t at, char *name, char *data, size_t len)
{
	place(pk, at, name, data, len, NULL, 0, 0);
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct package_file *)a)->name, ((const struct package_file *)b)->name);
}

static void
manifest(struct package *pk, const struct project *pr, const struct plan *p)
{
	const struct village *v = p->village;
	const struct recipe *r = p->recipe;
	struct buf b = {0};
	char h[16];
	size_t i, c;
	int g;
	unsigned m;

	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package id=\"%s\" version=\"1\">\n"
	    "  <generator name=\"coursepack\" version=\"%s\"/>\n", pk->id, COURSEPACK_VERSION);
	buf_puts(&b, "  <season>"), buf_escape(&b, r->season), buf_puts(&b, "</season>\n");
	buf_printf(&b, "  <township id=\"%s\">", pr->township->id);
	buf_escape(&b, pr->township->name);
	buf_printf(&b, "</township>\n  <village id=\"%s\" kind=\"%s\">", v->id, v->kind);
	buf_escape(&b, v->name);
	hours_format(r->min_hours, h);
	buf_printf(&b, "</village>\n  <recipe id=\"%s\" min-hours=\"%s\">", r->id, h);
	buf_escape(&b, r->title);
	buf_puts(&b, "</recipe>\n  <lessons>\n");
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];
		char *page = render_page_name(l);
		const char *sep = "";

		hours_format(l->hours, h);
		buf_printf(&b, "    <lesson id=\"%s/%s\" category=\"%s\" hours=\"%s\" modes=\"", l->course->id,
		    l->id, l->course->category, h);
		for (m = MODE_CLASSROOM; m <= MODE_ONLINE; m <<= 1)
			if (l->modes & m) {
				buf_printf(&b, "%s%s", sep, mode_name((enum mode)m));
				sep = " ";
			}
		buf_printf(&b, "\" page=\"%s\">", page);
		buf_escape(&b, l->title);
		buf_puts(&b, "</lesson>\n");
		free(page);
	}
	hours_format(p->total, h);
	buf_printf(&b, "  </lessons>\n  <hours total=\"%s\">\n", h);
	for (c = 0; c < r->ncategories; c++) {
		char need[16];

		hours_format(p->hours[c], h);
		hours_format(r->categories[c].min_hours, need);
		buf_printf(&b, "    <category ref=\"%s\" hours=\"%s\" min-hours=\"%s\"/>\n",
		    r->categories[c].ref, h, need);
	}
	for (g = 0; g < GROUP__COUNT; g++) {
		int short_ = 0;

		for (i = 0; i < p->nshortfalls; i++)
			short_ |= p->shortfalls[i].group == (enum group)g;
		hours_format(p->reach_total[g], h);
		buf_printf(&b, "    <group ref=\"%s\" members=\"%d\" hours=\"%s\" complete=\"%s\"/>\n",
		    group_name((enum group)g), v->members[g], h, short_ ? "false" : "true");
	}
	buf_puts(&b, "  </hours>\n  <files>\n");
	for (i = 0; i < pk->nfiles; i++) {
		buf_puts(&b, "    <file path=\"");
		buf_escape(&b, pk->files[i].name);
		buf_printf(&b, "\" size=\"%zu\" sha256=\"%s\"/>\n", pk->files[i].len, pk->files[i].sha256);
	}
	buf_puts(&b, "  </files>\n</package>\n");

	/* The manifest goes first in the archive. */
	{
		size_t len = b.len;

		insert_file(pk, 0, xstrdup("manifest.xml"), buf_detach(&b), len);
	}
}

static void
add_file(struct package *pk, char *name, char *data, size_t len)
{
	insert_file(pk, pk->nfiles, name, data, len);
}

static void
add_text(struct package *pk, char *name, char *text)
{
	add_file(pk, name, text, strlen(text));
}

static int
contribution_cmp(const void *a, const void *b)
{
	const struct asset_ref *x = a, *y = b;

	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

/* "812 B", "4.2 KB", "8.0 MB": decimal, as phones count. */
static char *
human_size(size_t n)
{
	if (n < 1000)
		return xasprintf("%zu B", n);
	if (n < 1000 * 1000)
		return xasprintf("%.1f KB", (double)n / 1e3);
	return xasprintf("%.1f MB", (double)n / 1e6);
}

/* Over budget: name what weighs most, images and lesson texts alike. */
static void
over_budget(const struct package *pk, const struct plan *p, size_t budget, const struct asset_set *images,
    struct lesson_work *const *work)
{
	struct asset_ref *v = xcalloc(images->n + p->nlessons, sizeof *v);
	struct buf top = {0};
	size_t i, n = 0;

	for (i = 0; i < images->n; i++)
		v[n++] = images->v[i];
	for (i = 0; i < p->nlessons; i++) {
		const struct asset_set *inl = &work[i]->assets[BODY_PHONE];
		size_t k, bytes = work[i]->body[BODY_PHONE].len;

		/* The lesson's own text: its images are counted as images. */
		for (k = 0; k < inl->n; k++)
			bytes -= inl->v[k].bytes < bytes ? inl->v[k].bytes : bytes;
		v[n].course = p->lessons[i]->course;
		v[n].path = p->lessons[i]->src;
		v[n++].bytes = bytes;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, contribution_cmp);
	for (i = 0; i < n && i < 3; i++) {
		char *h = human_size(v[i].bytes);

		buf_printf(&top, "%s%s/%s %s", i ? ", " : "", v[i].course->id, v[i].path, h);
		free(h);
	}
	{
		char *have = human_size(pk->phone_len), *most = human_size(budget);

		diag(E_PHONE_BUDGET, NULL, pk->id, have, most, top.data);
		free(have);
		free(most);
	}
	buf_release(&top);
	free(v);
}

/* Adds a page assembled around shared text. */
static void
add_doc(struct package *pk, char *name, struct doc *d)
{
	size_t chrome = d->b.len;

	place(pk, pk->nfiles, name, buf_detach(&d->b), chrome, d->spans, d->nspans, d->shared_len);
	d->spans = NULL;
	d->nspans = 0;
	d->shared_len = 0;
}

/* Whether pk, as far as it is made, is already more than verify, info
 * and unpack accept (files, bytes); diagnosed. */
static int
over_limits(const struct package *pk)
{
	unsigned long long total = 0;
	char *have, *most;
	size_t i;

	for (i = 0; i < pk->nfiles; i++)
		total += pk->files[i].len;
	if (pk->nfiles <= ZIP_MAX_ENTRIES && total <= ZIP_MAX_TOTAL_BYTES)
		return 0;
	have = human_size((size_t)total);
	most = human_size((size_t)ZIP_MAX_TOTAL_BYTES);
	diag(E_BUNDLE_LIMIT, NULL, pk->id, pk->nfiles, have, (unsigned)ZIP_MAX_ENTRIES, most);
	free(have);
	free(most);
	return 1;
}

/* Lessons' search terms for search_script, read back when spilled. */
struct terms_ctx {
	struct lesson_work **work;
	struct search_terms tmp;
};

static int
get_terms(void *ctx, size_t i, const struct search_terms **out)
{
	struct terms_ctx *tc = ctx;

	return shared_terms(tc->work[i], &tc->tmp, out);
}

int
package_build(const struct project *pr, const struct plan *p, struct shared *sh, size_t phone_budget,
    time_t modified, unsigned flags, struct scratch *spill, struct package *pk)
{
	size_t nl = p->nlessons ? p->nlessons : 1;
	struct asset_set assets = {0}, phone_images = {0}, print_assets = {0}, epub_assets = {0};
	struct asset_set *per_lesson = xcalloc(nl, sizeof *per_lesson);
	struct lesson_work **work = xcalloc(nl, sizeof *work);
	struct shared_text **print_bodies = xcalloc(nl, sizeof *print_bodies);
	struct shared_text **epub_bodies = xcalloc(nl, sizeof *epub_bodies);
	struct shared_text **phone_bodies = xcalloc(nl, sizeof *phone_bodies);
	struct terms_ctx tc = {0};
	size_t i, k, css_len, first_asset;
	const char *css;
	int rc = -1;

	memset(pk, 0, sizeof *pk);
	pk->keep = (flags & PACKAGE_KEEP_PLAIN) != 0;
	pk->spill = spill;
	pk->id = xasprintf("%s-%s", pr->township->id, p->village->id);
	add_text(pk, xstrdup("index.html"), render_index(pr, p));
	css = render_stylesheet(&css_len);
	add_file(pk, xstrdup("style.css"), xstrndup(css, css_len), css_len);
	/* Every lesson first, taking those another village is rendering
	 * last, then the pages in order. */
	{
		unsigned char *later = xcalloc(nl, 1);
		int busy, failed = 0;

		for (i = 0; i < p->nlessons && !failed; i++)
			if ((work[i] = shared_lesson_try(sh, p, i, &busy)) == NULL)
				failed = !(later[i] = (unsigned char)busy);
		for (i = 0; i < p->nlessons && !failed; i++)
			if (later[i] && (work[i] = shared_lesson(sh, p, i)) == NULL)
				failed = 1;
		free(later);
		if (failed)
			goto out;
	}
	for (i = 0; i < p->nlessons; i++) {
		struct lesson_work *w = work[i];
		struct doc page = {0};

		asset_set_merge(&per_lesson[i], &w->assets[BODY_PAGE]);
		render_lesson(pr, p, i, &w->body[BODY_PAGE], &per_lesson[i], &page);
		add_doc(pk, render_page_name(p->lessons[i]), &page);
		print_bodies[i] = &w->body[BODY_PRINT];
		asset_set_merge(&print_assets, &w->assets[BODY_PRINT]);
		phone_bodies[i] = &w->body[BODY_PHONE];
		asset_set_merge(&phone_images, &w->assets[BODY_PHONE]);
		epub_bodies[i] = &w->body[BODY_EPUB];
		asset_set_merge(&epub_assets, &w->assets[BODY_EPUB]);
		for (k = 0; k < per_lesson[i].n; k++)
			asset_set_add(&assets, per_lesson[i].v[k].course, per_lesson[i].v[k].path);
	}
	{
		struct doc print = {0};

		print_render(pr, p, print_bodies, &print);
		add_doc(pk, xstrdup("print.html"), &print);
	}
	/* The pages alone may be too many already (and search.js numbers
	 * lessons in 16 bits). */
	_Static_assert(ZIP_MAX_ENTRIES <= 65536, "search_script numbers lessons in 16 bits");
	if (over_limits(pk))
		goto out;
	{
		char *js;

		tc.work = work;
		js = search_script(p, get_terms, &tc);
		search_terms_release(&tc.tmp);
		if (js == NULL)
			goto out;
		add_text(pk, xstrdup("search.js"), js);
	}
	first_asset = pk->nfiles;
	for (i = 0; i < assets.n; i++) {
		const struct asset_ref *a = &assets.v[i];
		const struct shared_asset *sa = shared_asset(sh, a->course, a->path);
		struct package_file *f;

		if (sa == NULL)
			goto out;
		pk->files = xreallocarray(pk->files, pk->nfiles + 1, sizeof *pk->files);
		f = &pk->files[pk->nfiles++];
		memset(f, 0, sizeof *f);
		f->name = xasprintf("assets/%s/%s", a->course->id, a->path);
		f->len = sa->size;
		f->compress = sa->compress;
		memcpy(f->sha256, sa->sha256, sizeof f->sha256);
		f->asset = sa;
		f->sh = sh;
	}
	if (pk->nfiles - first_asset > 1)
		qsort(pk->files + first_asset, pk->nfiles - first_asset, sizeof *pk->files, file_cmp);
	/* For learning-management systems, right after our own manifest. */
	{
		char *ims = scorm_manifest(pr, p, pk->id, per_lesson);

		insert_file(pk, 0, xstrdup("imsmanifest.xml"), ims, strlen(ims));
	}
	manifest(pk, pr, p);
	if (over_limits(pk))
		goto out;
	pk->phone = xcalloc(1, sizeof *pk->phone);
	phone_render(pr, p, phone_bodies, pk->phone);
	pk->phone_len = doc_len(pk->phone);
	if (pk->phone_len > phone_budget) {
		over_budget(pk, p, phone_budget, &phone_images, work);
		goto out;
	}
	pk->epub = xcalloc(1, sizeof *pk->epub);
	pk->epub->spill = spill;
	if (epub_build(pr, p, epub_bodies, &epub_assets, sh, modified, pk->epub) == -1)
		goto out;
	/* A shared text that could not be read back, diagnosed then. */
	if (pk->failed || pk->epub->failed)
		goto out;
	rc = 0;
out:
	/* The package keeps pointers into shared bodies (spans): the
	 * lessons are given back when it is released. */
	pk->sh = sh;
	pk->work = (void **)work;
	pk->nwork = p->nlessons;
	for (i = 0; i < p->nlessons; i++)
		asset_set_release(&per_lesson[i]);
	free(epub_bodies);
	asset_set_release(&epub_assets);
	free(per_lesson);
	free(print_bodies);
	free(phone_bodies);
	asset_set_release(&assets);
	asset_set_release(&phone_images);
	asset_set_release(&print_assets);
	if (rc == -1)
		package_release(pk);
	return rc;
}

static int
get_spilled(void *ctx, uint64_t at, void *p, size_t n)
{
	return scratch_get(ctx, at, p, n);
}

int
package_write_zip(const struct package *pk, const char *path, time_t mtime)
{
	struct zip_writer *w;
	struct zstream *st = xcalloc(pk->nfiles ? pk->nfiles : 1, sizeof *st);
	size_t i;
	int rc = -1;

	if ((w = zipw_open(path)) == NULL)
		goto out;
	for (i = 0; i < pk->nfiles; i++) {
		const struct package_file *f = &pk->files[i];
		size_t zlen = 0;
		int r;

		if (f->packed) {
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
			diag(E_BUNDLE_RATIO, NULL, f->name, pk->id, (unsigned long long)(f->len / zlen),
			    (unsigned)ZIP_MAX_RATIO);
			zipw_discard(w);
			goto out;
		}
		if (f->packed && f->spill) {
			r = zipw_add_deflated_from(w, f->name, get_spilled, f->spill, f->zat, f->zlen, f->z.len, f->z.crc,
			    mtime);
		} else if (f->packed) {
			r = zipw_add_deflated(w, f->name, f->z.z.data, f->zlen, f->z.len, f->z.crc, mtime);
		} else if (f->compress) {
			r = zipw_add_deflated(w, f->name, st[i].z.data, st[i].z.len, st[i].len, st[i].crc, mtime);
		} else if (f->asset) {
			r = zipw_add_file(w, f->name, f->asset->path, f->asset->size, f->asset->crc, mtime);
		} else {
			r = zipw_add(w, f->name, f->data, f->len, mtime);
		}
		if (r == -1) {
			zipw_discard(w);
			goto out;
		}
	}
	/* The buffers live until here: libzip reads them now. */
	rc = zipw_close(w);
out:
	for (i = 0; i < pk->nfiles; i++)
		buf_release(&st[i].z);
	free(st);
	return rc;
}

void
package_release(struct package *pk)
{
	size_t i;

	for (i = 0; i < pk->nfiles; i++) {
		free(pk->files[i].name);
		free(pk->files[i].data);
		free(pk->files[i].spans);
		buf_release(&pk->files[i].z.z);
		if (pk->files[i].asset)
			shared_asset_done(pk->files[i].sh, pk->files[i].asset);
	}
	for (i = 0; i < pk->nwork; i++)
		shared_lesson_done(pk->sh, (struct lesson_work *)pk->work[i]);
	free(pk->work);
	free(pk->files);
	free(pk->id);
	if (pk->phone) {
		doc_release(pk->phone);
		free(pk->phone);
	}
	if (pk->epub) {
		package_release(pk->epub);
		free(pk->epub);
	}
	memset(pk, 0, sizeof *pk);
}
