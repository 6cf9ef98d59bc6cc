#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "diag.h"
#include "image.h"
#include "markdown.h"
#include "media.h"
#include "scratch.h"
#include "cache.h"
#include "zipfile.h"

struct asset_entry {
	const struct course *course;
	char *rel;
	struct shared_asset a;
	struct asset_entry *next;
	pthread_mutex_t lock;
	int state;	/* 0 not read, 1 ready, -1 failed */
};

#define ASSET_BUCKETS 4096

struct shared {
	struct asset_lender lender;	/* first: shared_lender */
	const struct library *lib;
	int on;
	struct body_kind kinds[LINKS__COUNT];
	int photo_side;			/* build --photo-side, or 0 */
	size_t *first;			/* per course: index of its first lesson */
	struct lesson_work *lessons;	/* every lesson of the library */
	size_t nlessons;
	struct scratch *spill;		/* renderings, when not NULL */
	pthread_mutex_t lock;		/* the asset table */
	struct asset_entry *buckets[ASSET_BUCKETS];
};

void
asset_set_merge(struct asset_set *dst, const struct asset_set *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		struct asset_ref *a = asset_set_add(dst, src->v[i].course, src->v[i].path);

		/* A photo is in the phone edition once, however often used. */
		if (a->bytes < src->v[i].bytes)
			a->bytes = src->v[i].bytes;
	}
}

static const struct shared_asset *shared_asset(struct shared *, const struct course *c, const char *rel);
static void shared_asset_done(struct shared *, const struct shared_asset *);

static const struct shared_asset *
lender_lend(struct asset_lender *l, const struct course *c, const char *rel)
{
	return shared_asset((struct shared *)(void *)l, c, rel);
}

static void
lender_give_back(struct asset_lender *l, const struct shared_asset *a)
{
	shared_asset_done((struct shared *)(void *)l, a);
}

void
shared_photo_side(struct shared *s, int side)
{
	s->photo_side = side;
}

struct asset_lender *
shared_lender(struct shared *s)
{
	return &s->lender;
}

struct shared *
shared_new(const struct library *lib, int on, const struct body_kind kinds[LINKS__COUNT])
{
	struct shared *s = xcalloc(1, sizeof *s);
	size_t c, i;

	s->lender.lend = lender_lend;
	s->lender.give_back = lender_give_back;
	s->lib = lib;
	s->on = on;
	memcpy(s->kinds, kinds, sizeof s->kinds);
	pthread_mutex_init(&s->lock, NULL);
	s->first = xcalloc(lib->ncourses + 1, sizeof *s->first);
	for (c = 0; c < lib->ncourses; c++) {
		s->first[c] = s->nlessons;
		s->nlessons += lib->courses[c]->nlessons;
	}
	s->lessons = xcalloc(s->nlessons ? s->nlessons : 1, sizeof *s->lessons);
	for (i = 0; i < s->nlessons; i++) {
		struct lesson_work *w = &s->lessons[i];
		int k;

		pthread_mutex_init(&w->lock, NULL);
		for (k = 0; k < LINKS__COUNT; k++)
			pthread_mutex_init(&w->body[k].lock, NULL);
	}
	return s;
}

static void
work_release(struct lesson_work *w)
{
	int k;

	for (k = 0; k < LINKS__COUNT; k++) {
		shared_text_release(&w->body[k]);
		asset_set_release(&w->assets[k]);
	}
	search_terms_release(&w->terms);
	w->terms_spill = NULL;
	link_deps_release(&w->deps);
	w->done = 0;
}

static void
work_destroy(struct lesson_work *w)
{
	int k;

	work_release(w);
	for (k = 0; k < LINKS__COUNT; k++)
		pthread_mutex_destroy(&w->body[k].lock);
	pthread_mutex_destroy(&w->lock);
}

static void
asset_destroy(struct asset_entry *e)
{
	free(e->a.path);
	free(e->a.data);
	free(e->a.phone);
	zpiece_release(&e->a.z);
	free(e->rel);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

int
shared_spill(struct shared *s, const char *dir)
{
	if (!s->on)
		return 0;
	return (s->spill = scratch_open(dir)) ? 0 : -1;
}

void
shared_spill_end(struct shared *s)
{
	scratch_close(s->spill);
	s->spill = NULL;
}

void
shared_free(struct shared *s)
{
	size_t i;

	if (s == NULL)
		return;
	scratch_close(s->spill);
	for (i = 0; i < s->nlessons; i++)
		work_destroy(&s->lessons[i]);
	for (i = 0; i < ASSET_BUCKETS; i++)
		while (s->buckets[i]) {
			struct asset_entry *e = s->buckets[i];

			s->buckets[i] = e->next;
			asset_destroy(e);
		}
	pthread_mutex_destroy(&s->lock);
	free(s->lessons);
	free(s->first);
	free(s);
}

/* Renders lesson i of p for every edition into w, and moves the
 * renderings to sc unless it is NULL.  Returns 0, or -1 after diagnosing. */
static int
render_all(struct lesson_work *w, const struct body_kind *kinds, const struct plan *p, size_t i,
    struct scratch *sc)
{
	const struct lesson *l = p->lessons[i];
	char *mdpath = path_join(l->course->dir, l->src), *md;
	struct md_doc *doc;
	size_t len;
	int k;

	if (read_inside(l->course->dir, l->src, MD_MAX_BYTES, &md, &len, NULL) == -1) {
		diag(S_READ, NULL, mdpath, errno ? strerror(errno) : "not a file inside the course");
		free(mdpath);
		return -1;
	}
	/* Parsed once, rendered for every edition. */
	doc = md_parse(md, len);
	free(md);
	for (k = 0; k < LINKS__COUNT; k++) {
		char *html = render_body(p, i, doc, (enum link_style)k, kinds[k].modes, &w->assets[k], &w->deps);

		if (kinds[k].finish) {
			char *done = kinds[k].finish(html);

			free(html);
			html = done;
		}
		shared_text_set(&w->body[k], html);
	}
	{
		char *text = doc ? md_doc_plain_text(doc) : xstrdup("");

		search_terms_make(&w->terms, l->title, text);
		free(text);
	}
	md_doc_free(doc);
	free(mdpath);
	for (k = 0; k < LINKS__COUNT; k++) {
		w->body[k].deflated = 0;
		/* A body never zipped (the phone edition's) is not deflated. */
		if (sc && shared_text_spill(&w->body[k], sc, kinds[k].zipped) == -1)
			return -1;
	}
	if (sc && w->terms.len > 0) {
		if (scratch_put(sc, w->terms.data, w->terms.len, &w->terms_at) == -1)
			return -1;
		free(w->terms.data);
		w->terms.data = NULL;
		w->terms_spill = sc;
	}
	return 0;
}

int
shared_terms(const struct lesson_work *w, struct search_terms *tmp, const struct search_terms **out)
{
	if (w->terms_spill == NULL) {
		*out = &w->terms;
		return 0;
	}
	if (tmp->len < w->terms.len)
		tmp->data = xreallocarray(tmp->data, w->terms.len, 1);
	tmp->len = w->terms.len;
	tmp->n = w->terms.n;
	*out = tmp;
	return scratch_get(w->terms_spill, w->terms_at, tmp->data, w->terms.len);
}

/* The store's entry for lesson l, or NULL when sharing is off or l is
 * not one of the library's. */
static struct lesson_work *
store_entry(struct shared *s, const struct lesson *l)
{
	const struct course *c = l->course;
	size_t lo = 0, hi = s->lib->ncourses;

	if (!s->on)
		return NULL;
	/* Courses are sorted by id. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(s->lib->courses[mid]->id, c->id);

		if (cmp == 0) {
			lo = mid;
			break;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->lib->ncourses || s->lib->courses[lo] != c)
		return NULL;
	return &s->lessons[s->first[lo] + (size_t)(l - c->lessons)];
}

void
shared_expect(struct shared *s, const struct plan *p)
{
	size_t i;
	struct lesson_work *w;

	for (i = 0; i < p->nlessons; i++)
		if ((w = store_entry(s, p->lessons[i])) != NULL)
			w->users++;
}

/* Gives the scratch file's disk under w's renderings back: the build
 * will not read them again. */
static void
work_drop(struct lesson_work *w)
{
	int k;

	for (k = 0; k < LINKS__COUNT; k++) {
		struct shared_text *t = &w->body[k];

		/* Only what lives in the file: a text spilled plain and
		 * deflated later keeps its piece in memory, and its zat
		 * means nothing. */
		if (t->spill && t->data == NULL)
			scratch_drop(t->spill, t->at, t->len);
		if (t->spill && t->z.z == NULL && t->z.zlen > 0)
			scratch_drop(t->spill, t->zat, t->z.zlen);
	}
	if (w->terms_spill)
		scratch_drop(w->terms_spill, w->terms_at, w->terms.len);
}

/* One plan is done with w: free its renderings if it was the last. */
static void
give_back(struct lesson_work *w)
{
	pthread_mutex_lock(&w->lock);
	if (w->users > 0 && --w->users == 0) {
		work_drop(w);
		work_release(w);
	}
	pthread_mutex_unlock(&w->lock);
}

/* shared_lesson, or with busy not NULL shared_lesson_try. */
static struct lesson_work *
lesson_get(struct shared *s, const struct plan *p, size_t i, int *busy)
{
	struct lesson_work *w, *own;
	int k;

	if ((w = store_entry(s, p->lessons[i])) != NULL) {
		if (busy == NULL) {
			pthread_mutex_lock(&w->lock);
		} else if (pthread_mutex_trylock(&w->lock) != 0) {
			*busy = 1;
			return NULL;
		}
		if (!w->done && !w->failed) {
			if (render_all(w, s->kinds, p, i, s->spill) == -1)
				w->failed = 1;
			else
				w->done = 1;
		}
		pthread_mutex_unlock(&w->lock);
		if (w->failed)
			return NULL;
		if (link_deps_hold(&w->deps, p))
			return w;
		give_back(w);
	}
	/* Sharing off, or links that depend on the village's plan. */
	own = xcalloc(1, sizeof *own);
	pthread_mutex_init(&own->lock, NULL);
	for (k = 0; k < LINKS__COUNT; k++)
		pthread_mutex_init(&own->body[k].lock, NULL);
	if (render_all(own, s->kinds, p, i, s->spill) == -1) {
		work_destroy(own);
		free(own);
		return NULL;
	}
	own->own = 1;
	return own;
}

struct lesson_work *
shared_lesson(struct shared *s, const struct plan *p, size_t i)
{
	return lesson_get(s, p, i, NULL);
}

struct lesson_work *
shared_lesson_try(struct shared *s, const struct plan *p, size_t i, int *busy)
{
	*busy = 0;
	return lesson_get(s, p, i, busy);
}

void
shared_lesson_done(struct shared *s, struct lesson_work *w)
{
	(void)s;
	if (w == NULL)
		return;
	if (!w->own) {
		give_back(w);
		return;
	}
	work_drop(w);
	work_destroy(w);
	free(w);
}

static unsigned long
asset_hash(const struct course *c, const char *rel)
{
	uint32_t h = fnv1a(FNV1A_INIT, c->id, strlen(c->id));

	h = fnv1a(h, "/", 1);
	return fnv1a(h, rel, strlen(rel)) % ASSET_BUCKETS;
}

/* asset_load: what is taken from each part of the file read. */
struct asset_read {
	struct shared_asset *a;
	struct sha256 h;
	struct zpiece_maker z;	/* when it is deflated; it takes the CRC too */
};

static void
asset_part(void *ctx, const void *p, size_t n)
{
	struct asset_read *r = ctx;

	sha256_add(&r->h, p, n);
	if (r->a->compress)
		zpiece_more(&r->z, p, n);
	else
		r->a->crc = crc32_more(r->a->crc, p, n);
	r->a->size += n;
}

/* Photos leave with no metadata (GPS position, phone serial) and upright
 * (image.h), in bundles, EPUBs, booklets and PDFs alike: a photo that
 * needs it is cleaned once here and its clean bytes are what the
 * archives write.  Returns 0 when cleaned, 1 when the file can be used as
 * it is, -1 after diagnosing. */
static int
photo_clean(struct shared_asset *a, const struct course *c, const char *rel, int side)
{
	struct buf out = {0};
	const char *mime, *why = NULL;
	char *data;
	size_t len;
	struct sha256 h;
	int r;

	if (read_inside(c->dir, rel, ZIP_MAX_ENTRY_BYTES, &data, &len, &a->id) == -1) {
		diag(S_READ, NULL, a->path, errno ? strerror(errno) : "not a file inside the course");
		return -1;
	}
	/* build --photo-side: shrunk as the phone edition shrinks them. */
	r = side > 0 ? image_for_phone(data, len, side, &out, &mime, &why) : image_clean(data, len, &out, &mime, &why);
	free(data);
	if (r == -1) {
		diag(E_IMAGE_BAD, NULL, a->path, why ? why : "not an image");
		return -1;
	}
	if (r == 1)
		return 1;
	a->size = out.len;
	a->data = buf_detach(&out);
	a->compress = 0;	/* JPEG, PNG, GIF or WebP: compressed already */
	a->crc = crc32_of(a->data, a->size);
	sha256_begin(&h);
	sha256_add(&h, a->data, a->size);
	sha256_end(&h, a->sha256);
	return 0;
}

/* A photo's form in the phone edition, made once per build for every
 * village's phone edition (phone.c).  Returns 0, or -1 after diagnosing. */
static int
phone_form(struct shared_asset *a, const struct course *c, const char *rel)
{
	if ((a->phone = render_phone_picture(c, rel, &a->phone_w, &a->phone_h, &a->phone_len)) == NULL) {
		diag(E_IMAGE_BAD, NULL, a->path, "it cannot be shrunk for the phone edition");
		return -1;
	}
	return 0;
}

/* Reads the file, its digest, and its deflated form when it is worth
 * deflating, a part at a time: a video of a field class is never whole
 * in memory.  Returns 0, or -1 after diagnosing. */
static int
asset_load(struct shared_asset *a, const struct course *c, const char *rel, struct scratch *sc, int side)
{
	struct asset_read r;
	int failed;

	memset(a, 0, sizeof *a);
	a->path = path_join(c->dir, rel);
	a->compress = media_compressible(rel);
	if (path_inside(c->dir, rel) == INSIDE_OK && media_image(rel) && !has_suffix(rel, ".svg") &&
	    !has_suffix(rel, ".SVG")) {
		int cleaned = photo_clean(a, c, rel, side);

		if (cleaned == -1 || phone_form(a, c, rel) == -1)
			return -1;
		if (cleaned == 0)
			return 0;
		/* Clean already: read as any file. */
	}
	r.a = a;
	sha256_begin(&r.h);
	zpiece_begin(&r.z);
	/* check has refused paths leading out of the course; the file is
	 * checked again on the descriptor it is read from. */
	errno = 0;
	failed = read_parts_inside(c->dir, rel, ZIP_MAX_ENTRY_BYTES, 1u << 20, asset_part, &r, &a->id) == -1;
	zpiece_end(&r.z, &a->z);
	sha256_end(&r.h, a->sha256);
	if (failed) {
		diag(S_READ, NULL, a->path, errno ? strerror(errno) : "not a file inside the course");
		zpiece_release(&a->z);
		return -1;
	}
	if (a->compress)
		a->crc = a->z.crc;
	/* Kept for the whole build: on disk, like the renderings. */
	if (sc && a->z.zlen > 0) {
		if (scratch_put(sc, a->z.z, a->z.zlen, &a->zat) == -1)
			return -1;
		free(a->z.z);
		a->z.z = NULL;
		a->spill = sc;
	}
	return 0;
}

/* File `rel` of course c.  NULL after diagnosing.  Give it back with
 * shared_asset_done. */
static const struct shared_asset *
shared_asset(struct shared *s, const struct course *c, const char *rel)
{
	struct asset_entry *e;
	unsigned long h = asset_hash(c, rel);

	if (!s->on) {
		e = xcalloc(1, sizeof *e);
		pthread_mutex_init(&e->lock, NULL);
		if (asset_load(&e->a, c, rel, NULL, s->photo_side) == -1) {
			asset_destroy(e);
			return NULL;
		}
		return &e->a;
	}
	pthread_mutex_lock(&s->lock);
	for (e = s->buckets[h]; e; e = e->next)
		if (e->course == c && streq(e->rel, rel))
			break;
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		e->course = c;
		e->rel = xstrdup(rel);
		pthread_mutex_init(&e->lock, NULL);
		e->next = s->buckets[h];
		s->buckets[h] = e;
	}
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_lock(&e->lock);
	if (e->state == 0)
		e->state = asset_load(&e->a, c, rel, s->spill, s->photo_side) == 0 ? 1 : -1;
	pthread_mutex_unlock(&e->lock);
	return e->state == 1 ? &e->a : NULL;
}

static void
shared_asset_done(struct shared *s, const struct shared_asset *a)
{
	if (a == NULL || s->on)
		return;
	/* Sharing off: the asset was this caller's alone. */
	{
		struct asset_entry *e = (struct asset_entry *)(void *)((char *)(uintptr_t)a -
		    offsetof(struct asset_entry, a));

		asset_destroy(e);
	}
}
