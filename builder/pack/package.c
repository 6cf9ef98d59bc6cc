#include <stdlib.h>
#include <string.h>

#include "version.h"
#include "diag.h"
#include "package.h"
#include "render.h"
#include "review.h"
#include "cache.h"
#include "util.h"
#include "zipfile.h"

int
package_print_input(const char *name)
{
	return streq(name, "print.html") || streq(name, "style.css");
}

/* <currency>: each lesson's review-by date and sources, for the lessons
 * that state any; nothing when none does. */
static void
manifest_currency(struct buf *b, const struct plan *p)
{
	size_t i, k;
	int open = 0;

	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];

		if (l->review_by == NULL && l->nsources == 0)
			continue;
		if (!open++)
			buf_puts(b, "  <currency>\n");
		buf_printf(b, "    <lesson ref=\"%s/%s\"", l->course->id, l->id);
		if (l->review_by)
			buf_printf(b, " review-by=\"%s\"", l->review_by);
		buf_puts(b, l->nsources ? ">\n" : "/>\n");
		for (k = 0; k < l->nsources; k++) {
			const struct source *s = &l->sources[k];

			buf_puts(b, "      <source title=\""), buf_escape(b, s->title), buf_puts(b, "\"");
			if (s->number)
				buf_puts(b, " number=\""), buf_escape(b, s->number), buf_puts(b, "\"");
			if (s->date)
				buf_puts(b, " date=\""), buf_escape(b, s->date), buf_puts(b, "\"");
			buf_puts(b, "/>\n");
		}
		if (l->nsources)
			buf_puts(b, "    </lesson>\n");
	}
	if (open)
		buf_puts(b, "  </currency>\n");
}

/* A lesson's review, as attributes of its manifest entry, for lessons of
 * courses that keep a reviews.xml: its state as built, the hash of what
 * was shipped (review_content_hash), and its latest review's reviewer,
 * date and key. */
static void
manifest_review(struct buf *b, const struct lesson *l)
{
	static const char *const state[] = {
		[REVIEW_NEVER] = "never", [REVIEW_OK] = "reviewed",
		[REVIEW_CHANGED] = "changed", [REVIEW_UNTRUSTED] = "untrusted",
	};
	const struct review_status *st = review_status_of(l);

	if (st == NULL || l->course->reviews->path == NULL)
		return;
	buf_printf(b, " review=\"%s\"", state[st->state]);
	if (st->content[0])
		buf_printf(b, " content=\"%s\"", st->content);
	if (st->review) {
		buf_puts(b, " reviewer=\"");
		buf_escape(b, st->review->by);
		buf_printf(b, "\" reviewed=\"%s\"", st->review->date);
		if (st->review->is_signed)
			buf_printf(b, " review-key=\"%s\"", st->review->key_id);
	}
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
		buf_printf(&b, "\" page=\"%s\"", page);
		manifest_review(&b, l);
		buf_puts(&b, ">");
		buf_escape(&b, l->title);
		buf_puts(&b, "</lesson>\n");
		free(page);
	}
	buf_puts(&b, "  </lessons>\n");
	manifest_currency(&b, p);
	hours_format(p->total, h);
	buf_printf(&b, "  <hours total=\"%s\">\n", h);
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
	for (i = 0; i < pk->ar.nfiles; i++) {
		buf_puts(&b, "    <file path=\"");
		buf_escape(&b, pk->ar.files[i].name);
		buf_printf(&b, "\" size=\"%zu\" sha256=\"%s\"/>\n", pk->ar.files[i].len, pk->ar.files[i].sha256);
	}
	buf_puts(&b, "  </files>\n</package>\n");

	/* The manifest goes first in the archive. */
	{
		size_t len = b.len;

		archive_insert(&pk->ar, 0, xstrdup("manifest.xml"), buf_detach(&b), len, 0);
	}
}

/* Whether pk, as far as it is made, is already more than verify, info
 * and unpack accept (files, bytes); diagnosed. */
static int
over_limits(const struct package *pk)
{
	unsigned long long total = 0;
	char *have, *most;
	size_t i;

	for (i = 0; i < pk->ar.nfiles; i++)
		total += pk->ar.files[i].len;
	if (pk->ar.nfiles <= ZIP_MAX_ENTRIES && total <= ZIP_MAX_TOTAL_BYTES)
		return 0;
	have = human_size((size_t)total);
	most = human_size((size_t)ZIP_MAX_TOTAL_BYTES);
	diag(E_BUNDLE_LIMIT, NULL, pk->id, pk->ar.nfiles, have, (unsigned)ZIP_MAX_ENTRIES, most);
	free(have);
	free(most);
	return 1;
}

/* Lessons' search terms for search.js, read back when spilled. */
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

/* One edition's input: the lessons of its view of p, their renderings
 * with its links and the media those use. */
struct view {
	struct plan plan;
	struct shared_text **bodies;
	struct asset_set *lesson_media;
	struct asset_set media;
	struct lesson_work **work;
};

static void
view_make(struct view *v, const struct edition *e, const struct plan *p, struct lesson_work *const *work)
{
	size_t i, k = 0, n = p->nlessons ? p->nlessons : 1;

	if (e->group == EDITION_EVERYONE) {
		v->plan = *p;
		v->plan.lessons = xcalloc(n, sizeof *v->plan.lessons);
		memcpy(v->plan.lessons, p->lessons, p->nlessons * sizeof *p->lessons);
	} else {
		plan_view(p, (enum group)e->group, &v->plan);
	}
	v->bodies = xcalloc(n, sizeof *v->bodies);
	v->lesson_media = xcalloc(n, sizeof *v->lesson_media);
	v->work = xcalloc(n, sizeof *v->work);
	memset(&v->media, 0, sizeof v->media);
	for (i = 0; i < p->nlessons && k < v->plan.nlessons; i++) {
		if (p->lessons[i] != v->plan.lessons[k])
			continue;
		v->bodies[k] = &work[i]->body[e->links];
		asset_set_merge(&v->lesson_media[k], &work[i]->assets[e->links]);
		/* The class pages also offer the media the manifest lists for
		 * a lesson without its Markdown naming them. */
		if (e->links == LINKS_PAGE) {
			const struct lesson *l = p->lessons[i];
			size_t a;

			for (a = 0; a < l->nassets; a++)
				asset_set_add(&v->lesson_media[k], l->course, l->assets[a].id);
		}
		asset_set_merge(&v->media, &v->lesson_media[k]);
		v->work[k] = work[i];
		k++;
	}
}

static void
view_release(struct view *v)
{
	size_t i;

	for (i = 0; i < v->plan.nlessons; i++)
		asset_set_release(&v->lesson_media[i]);
	free(v->lesson_media);
	free(v->bodies);
	free(v->work);
	asset_set_release(&v->media);
	plan_view_release(&v->plan);
}

struct beside *
package_beside(struct package *pk, const struct edition *e)
{
	size_t i;

	for (i = 0; i < pk->nbeside; i++)
		if (pk->beside[i].e == e)
			return &pk->beside[i];
	return NULL;
}

int
package_build(const struct project *pr, const struct plan *p, struct shared *sh, size_t phone_budget,
    time_t modified, unsigned flags, struct scratch *spill, struct package *pk)
{
	size_t nl = p->nlessons ? p->nlessons : 1;
	struct asset_set assets = {0};
	struct lesson_work **work = xcalloc(nl, sizeof *work);
	size_t i, k, first_asset;
	int rc = -1;

	memset(pk, 0, sizeof *pk);
	pk->ar.keep_plain = (flags & PACKAGE_KEEP_PLAIN) ? package_print_input : NULL;
	pk->ar.spill = spill;
	pk->id = xasprintf("%s-%s", pr->township->id, p->village->id);
	/* The package keeps pointers into shared bodies (spans): the
	 * lessons are given back when it is released. */
	pk->sh = sh;
	pk->work = work;
	pk->nwork = p->nlessons;
	/* Every lesson first, taking those another village is rendering
	 * last. */
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
	/* search.js numbers lessons in 16 bits. */
	_Static_assert(ZIP_MAX_ENTRIES <= 65536, "search.js numbers lessons in 16 bits");
	for (k = 0; k < neditions; k++) {
		const struct edition *e = &editions[k];
		struct terms_ctx tc = {0};
		struct view v;
		struct edition_input in;
		struct edition_output out = {0};
		struct beside *b = NULL;
		int r;

		/* The bundle is pk->ar, made here; the PDF the build prints. */
		if (e->make == NULL)
			continue;
		view_make(&v, e, p, work);
		tc.work = v.work;
		in = (struct edition_input){pr, p, &v.plan, v.bodies, v.lesson_media, &v.media, get_terms, &tc,
		    shared_lender(sh),
		    pk->id, modified, phone_budget};
		if (e->place == IN_BUNDLE) {
			out.ar = &pk->ar;
		} else {
			pk->beside = xreallocarray(pk->beside, pk->nbeside + 1, sizeof *pk->beside);
			b = &pk->beside[pk->nbeside++];
			memset(b, 0, sizeof *b);
			b->e = e;
			b->ar.spill = spill;
			if (e->place == BESIDE_ZIP)
				out.ar = &b->ar;
			else
				out.doc = &b->doc;
		}
		r = e->make(&in, &out);
		/* The media of what goes into the bundle go with it. */
		if (r == 0 && e->place == IN_BUNDLE)
			for (i = 0; i < v.plan.nlessons; i++)
				asset_set_merge(&assets, &v.lesson_media[i]);
		search_terms_release(&tc.tmp);
		view_release(&v);
		/* An edition beside the bundle that cannot be made leaves the
		 * others be: the village gets what can be made. */
		if (b && (r == -1 || b->ar.failed)) {
			b->failed = 1;
			continue;
		}
		/* The pages alone may be too many already. */
		if (r == -1 || pk->ar.failed || (e->place == IN_BUNDLE && over_limits(pk)))
			goto out;
	}
	first_asset = pk->ar.nfiles;
	for (i = 0; i < assets.n; i++)
		if (archive_add_course_file(&pk->ar, xasprintf("assets/%s/%s", assets.v[i].course->id, assets.v[i].path),
		    shared_lender(sh), assets.v[i].course, assets.v[i].path) == -1)
			goto out;
	archive_sort(&pk->ar, first_asset);
	manifest(pk, pr, p);
	if (over_limits(pk) || pk->ar.failed)
		goto out;
	rc = 0;
out:
	asset_set_release(&assets);
	if (rc == -1)
		package_release(pk);
	return rc;
}

void
package_release(struct package *pk)
{
	size_t i;

	archive_release(&pk->ar);
	for (i = 0; i < pk->nbeside; i++) {
		doc_release(&pk->beside[i].doc);
		archive_release(&pk->beside[i].ar);
	}
	free(pk->beside);
	for (i = 0; i < pk->nwork; i++)
		if (pk->work[i])
			shared_lesson_done(pk->sh, pk->work[i]);
	free(pk->work);
	free(pk->id);
	memset(pk, 0, sizeof *pk);
}
