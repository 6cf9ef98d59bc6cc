#include <stdlib.h>
#include <string.h>

#include "bundle_diff.h"
#include "i18n.h"
#include "linediff.h"

/* A manifest as the report needs it. */
struct m_lesson {
	char *id, *title, *category, *modes, *page;
	int hours;
};

struct m_count {
	char *ref, *members, *complete;
	int hours, min;
};

struct m_view {
	char *village, *recipe, *recipe_id, *season, *generator;
	int total, min;
	struct m_lesson *lessons;
	size_t nlessons;
	struct m_count *cats, *groups;
	size_t ncats, ngroups;
};

static char *
text_or_empty(const struct xml_node *parent, const char *name, const char *attr)
{
	const struct xml_node *n = xml_first(parent, name);
	char *s = n ? (attr ? xml_attr(n, attr) : xml_text(n)) : NULL;

	return s ? s : xstrdup("");
}

static struct m_count *
counts_read(const struct xml_node *hours, const char *name, size_t *n)
{
	const struct xml_node *c;
	struct m_count *v = NULL;

	*n = 0;
	for (c = xml_first(hours, name); c; c = xml_next(c, name)) {
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[*n].ref = xml_attr(c, "ref");
		v[*n].members = xml_attr(c, "members");
		v[*n].complete = xml_attr(c, "complete");
		v[*n].hours = manifest_hours(c, "hours");
		v[*n].min = manifest_hours(c, "min-hours");
		(*n)++;
	}
	return v;
}

static void
view_read(struct m_view *m, const struct bundle *b)
{
	const struct xml_node *root = xml_root(b->manifest), *n, *hours;
	char *gname, *gver;

	memset(m, 0, sizeof *m);
	m->village = bundle_village(b);
	m->recipe = text_or_empty(root, "recipe", NULL);
	m->recipe_id = text_or_empty(root, "recipe", "id");
	m->season = text_or_empty(root, "season", NULL);
	gname = text_or_empty(root, "generator", "name");
	gver = text_or_empty(root, "generator", "version");
	m->generator = xasprintf("%s %s", gname, gver);
	free(gname);
	free(gver);
	m->min = manifest_hours(xml_first(root, "recipe"), "min-hours");
	for (n = xml_first(xml_first(root, "lessons"), "lesson"); n; n = xml_next(n, "lesson")) {
		struct m_lesson *l;

		m->lessons = xreallocarray(m->lessons, m->nlessons + 1, sizeof *m->lessons);
		l = &m->lessons[m->nlessons++];
		l->id = xml_attr(n, "id");
		l->title = xml_text(n);
		l->category = xml_attr(n, "category");
		l->modes = xml_attr(n, "modes");
		l->page = xml_attr(n, "page");
		l->hours = manifest_hours(n, "hours");
	}
	hours = xml_first(root, "hours");
	m->total = manifest_hours(hours, "total");
	m->cats = counts_read(hours, "category", &m->ncats);
	m->groups = counts_read(hours, "group", &m->ngroups);
}

static void
counts_free(struct m_count *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].members);
		free(v[i].complete);
	}
	free(v);
}

static void
view_release(struct m_view *m)
{
	size_t i;

	for (i = 0; i < m->nlessons; i++) {
		free(m->lessons[i].id);
		free(m->lessons[i].title);
		free(m->lessons[i].category);
		free(m->lessons[i].modes);
		free(m->lessons[i].page);
	}
	free(m->lessons);
	counts_free(m->cats, m->ncats);
	counts_free(m->groups, m->ngroups);
	free(m->village);
	free(m->recipe);
	free(m->recipe_id);
	free(m->season);
	free(m->generator);
}

char *
bundle_village(const struct bundle *b)
{
	const struct xml_node *root = xml_root(b->manifest);
	char *name = text_or_empty(root, "village", NULL), *id = text_or_empty(root, "village", "id");
	char *s = xasprintf("%s (%s)", name, id);

	free(name);
	free(id);
	return s;
}

static const struct m_lesson *
lesson_find(const struct m_view *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->nlessons; i++)
		if (streq(m->lessons[i].id, id))
			return &m->lessons[i];
	return NULL;
}

static const struct m_count *
count_find(const struct m_count *v, size_t n, const char *ref)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (streq(v[i].ref, ref))
			return &v[i];
	return NULL;
}

/* What the report found, counted for --stat and the exit status. */
struct tally {
	size_t lessons_added, lessons_removed, lessons_changed;
	size_t media_added, media_removed, media_changed;
	size_t others, plan;
};


/* "    NAME: A -> B h" */
static void
hours_pair(struct buf *o, const char *indent, const char *name, int a, int b)
{
	char ha[16], hb[16];

	hours_format(a, ha);
	hours_format(b, hb);
	buf_printf(o, _("%s%s: %s -> %s h\n"), indent, name, ha, hb);
}

/* Recipe, season, generator, total hours, hours per category and per
 * group: the plan's figures as the manifest gives them. */
static void
diff_plan(struct buf *o, const struct m_view *a, const struct m_view *b, struct tally *t)
{
	size_t i;

	if (!streq(a->recipe, b->recipe) || !streq(a->recipe_id, b->recipe_id) || a->min != b->min) {
		char ma[16], mb[16];

		hours_format(a->min, ma);
		hours_format(b->min, mb);
		buf_printf(o, _("  recipe: %s (%s, %s h) -> %s (%s, %s h)\n"), a->recipe, a->recipe_id, ma, b->recipe,
		    b->recipe_id, mb);
		t->plan++;
	}
	if (!streq(a->season, b->season)) {
		buf_printf(o, _("  season: %s -> %s\n"), a->season, b->season);
		t->plan++;
	}
	if (!streq(a->village, b->village)) {
		buf_printf(o, _("  village: %s -> %s\n"), a->village, b->village);
		t->plan++;
	}
	if (!streq(a->generator, b->generator))
		buf_printf(o, _("  made by: %s -> %s\n"), a->generator, b->generator);
	if (a->total != b->total) {
		hours_pair(o, "  ", _("hours"), a->total, b->total);
		t->plan++;
	}
	for (i = 0; i < b->ncats; i++) {
		const struct m_count *c = count_find(a->cats, a->ncats, b->cats[i].ref);

		if (c == NULL || c->hours != b->cats[i].hours) {
			hours_pair(o, "    ", b->cats[i].ref, c ? c->hours : 0, b->cats[i].hours);
			t->plan++;
		}
	}
	for (i = 0; i < a->ncats; i++)
		if (count_find(b->cats, b->ncats, a->cats[i].ref) == NULL) {
			hours_pair(o, "    ", a->cats[i].ref, a->cats[i].hours, 0);
			t->plan++;
		}
	for (i = 0; i < b->ngroups; i++) {
		const struct m_count *g = count_find(a->groups, a->ngroups, b->groups[i].ref), *h = &b->groups[i];
		const char *word = manifest_group_word(h->ref);

		if (g == NULL)
			continue;
		if (g->hours != h->hours)
			hours_pair(o, "    ", word, g->hours, h->hours);
		if (!streq(g->members, h->members))
			buf_printf(o, _("    %s: %s -> %s members\n"), word, g->members, h->members);
		if (!streq(g->complete, h->complete))
			buf_printf(o, _("    %s: %s -> %s\n"), word, streq(g->complete, "true") ? _("complete") : _("short"),
			    streq(h->complete, "true") ? _("complete") : _("short"));
		t->plan += g->hours != h->hours || !streq(g->members, h->members) || !streq(g->complete, h->complete);
	}
}

static void
lesson_line(struct buf *o, const char *mark, const struct m_lesson *l)
{
	char h[16];

	hours_format(l->hours, h);
	buf_printf(o, _("  %s lesson %s (%s): %s, %s h\n"), mark, l->title, l->id, l->category, h);
}

struct lines {
	char **v;
	size_t n;
};

static void
lines_add(void *ctx, const char *line)
{
	struct lines *l = ctx;

	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(line);
}

static void
lines_release(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static long
entry_index(const struct bundle *b, const char *name)
{
	size_t i;

	for (i = 0; i < zipr_count(b->zip); i++)
		if (streq(zipr_entry(b->zip, i)->name, name))
			return (long)i;
	return -1;
}

/* The words of a lesson page, one line per block: 0, or 1 when the page
 * is too large or long to compare, or -1 after diagnosing. */
static int
page_lines(struct bundle *b, const char *page, struct lines *out)
{
	long i = entry_index(b, page);
	char *data;
	size_t len;
	long n;

	memset(out, 0, sizeof *out);
	if (i < 0)
		return 1;
	if (zipr_entry(b->zip, (size_t)i)->size > DIFF_MAX_PAGE)
		return 1;
	if (zipr_read(b->zip, (size_t)i, &data, &len) == -1)
		return -1;
	/* "第 3 课 · 1 学时": the lesson's number and hours, which the
	 * manifest says already, and which shift when a lesson comes in. */
	n = xml_html_text(data, len, "meta", DIFF_MAX_LINES, lines_add, out);
	free(data);
	return n < 0;
}

/* Appends the text's changes as hunks; returns 1 if the text differs,
 * 0 if not, -1 after diagnosing. */
static int
text_diff(struct buf *o, struct bundle *ba, const struct m_lesson *a, struct bundle *bb, const struct m_lesson *b)
{
	const struct bundle_file *fa = bundle_listed(ba, a->page), *fb = bundle_listed(bb, b->page);
	struct lines la, lb;
	struct ld_edit *e;
	size_t n;
	int ra, rb, rc = 1;

	if (fa && fb && streq(fa->sha256, fb->sha256))
		return 0;
	ra = page_lines(ba, a->page, &la);
	rb = page_lines(bb, b->page, &lb);
	if (ra == -1 || rb == -1)
		rc = -1;
	else if (ra == 0 && rb == 0 && line_diff((const char *const *)la.v, la.n, (const char *const *)lb.v, lb.n,
	    DIFF_MAX_LINES, DIFF_MAX_EDITS, &e, &n) == 0) {
		struct buf h = {NULL, 0, 0};

		rc = line_diff_hunks(&h, (const char *const *)la.v, (const char *const *)lb.v, e, n, DIFF_CONTEXT,
		    "      ") > 0;
		if (h.len)
			buf_add(o, h.data, h.len);
		buf_release(&h);
		free(e);
	} else
		buf_puts(o, _("      too many changes to show\n"));
	lines_release(&la);
	lines_release(&lb);
	return rc;
}

/* One lesson in both: its manifest line and its words. */
static int
diff_lesson(struct buf *o, struct bundle *ba, const struct m_lesson *a, struct bundle *bb,
    const struct m_lesson *b, struct tally *t)
{
	struct buf d = {NULL, 0, 0};
	int rc, changed = 0;

	if (!streq(a->title, b->title)) {
		buf_printf(&d, _("      title: %s -> %s\n"), a->title, b->title);
		changed = 1;
	}
	if (a->hours != b->hours) {
		hours_pair(&d, "      ", _("hours"), a->hours, b->hours);
		changed = 1;
	}
	if (!streq(a->category, b->category)) {
		buf_printf(&d, _("      category: %s -> %s\n"), a->category, b->category);
		changed = 1;
	}
	if (!streq(a->modes, b->modes)) {
		buf_printf(&d, _("      modes: %s -> %s\n"), a->modes, b->modes);
		changed = 1;
	}
	if ((rc = text_diff(&d, ba, a, bb, b)) == 1)
		changed = 1;
	if (changed && rc != -1) {
		buf_printf(o, _("  ~ lesson %s (%s)\n"), b->title, b->id);
		buf_add(o, d.data, d.len);
		t->lessons_changed++;
	}
	buf_release(&d);
	return rc == -1 ? -1 : 0;
}

static int
diff_lessons(struct buf *o, struct bundle *ba, const struct m_view *a, struct bundle *bb, const struct m_view *b,
    struct tally *t)
{
	size_t i, ia = 0, ib = 0;
	int rc = 0, reordered = 0;

	for (i = 0; i < b->nlessons; i++)
		if (lesson_find(a, b->lessons[i].id) == NULL) {
			lesson_line(o, "+", &b->lessons[i]);
			t->lessons_added++;
		}
	for (i = 0; i < a->nlessons; i++)
		if (lesson_find(b, a->lessons[i].id) == NULL) {
			lesson_line(o, "-", &a->lessons[i]);
			t->lessons_removed++;
		}
	for (i = 0; i < b->nlessons; i++) {
		const struct m_lesson *l = lesson_find(a, b->lessons[i].id);

		if (l && diff_lesson(o, ba, l, bb, &b->lessons[i], t) == -1)
			rc = -1;
	}
	/* The lessons both have, in the same order? */
	while (ia < a->nlessons && ib < b->nlessons) {
		if (lesson_find(b, a->lessons[ia].id) == NULL)
			ia++;
		else if (lesson_find(a, b->lessons[ib].id) == NULL)
			ib++;
		else if (!streq(a->lessons[ia++].id, b->lessons[ib++].id))
			reordered = 1;
	}
	if (reordered) {
		buf_puts(o, _("  lessons in another order\n"));
		t->plan++;
	}
	return rc;
}

static int
is_page(const struct m_view *a, const struct m_view *b, const char *path)
{
	size_t i;

	for (i = 0; i < a->nlessons; i++)
		if (streq(a->lessons[i].page, path))
			return 1;
	for (i = 0; i < b->nlessons; i++)
		if (streq(b->lessons[i].page, path))
			return 1;
	return 0;
}

/* Media (assets/) added, removed or changed, by path and size; the other
 * files that changed (index, style, search) on one line. */
static void
diff_files(struct buf *o, const struct bundle *ba, const struct m_view *a, const struct bundle *bb,
    const struct m_view *b, struct tally *t)
{
	struct buf others = {NULL, 0, 0};
	size_t i;

	for (i = 0; i < bb->nfiles; i++) {
		const struct bundle_file *f = &bb->files[i], *g = bundle_listed(ba, f->path);
		int media = strncmp(f->path, "assets/", 7) == 0;

		if (g && streq(g->sha256, f->sha256))
			continue;
		if (!media) {
			if (!is_page(a, b, f->path))
				buf_printf(&others, "%s%s", others.len ? ", " : "", f->path);
			t->others += !is_page(a, b, f->path);
		} else if (g == NULL) {
			buf_printf(o, _("  + media %s, %llu bytes\n"), f->path, f->size);
			t->media_added++;
		} else {
			buf_printf(o, _("  ~ media %s, %llu -> %llu bytes\n"), f->path, g->size, f->size);
			t->media_changed++;
		}
	}
	for (i = 0; i < ba->nfiles; i++) {
		const struct bundle_file *f = &ba->files[i];

		if (bundle_listed(bb, f->path))
			continue;
		if (strncmp(f->path, "assets/", 7) == 0) {
			buf_printf(o, _("  - media %s, %llu bytes\n"), f->path, f->size);
			t->media_removed++;
		} else if (!is_page(a, b, f->path)) {
			buf_printf(&others, "%s%s", others.len ? ", " : "", f->path);
			t->others++;
		}
	}
	if (others.len) {
		others.data[others.len] = '\0';
		buf_printf(o, _("  other files changed: %s\n"), others.data);
	}
	buf_release(&others);
}

static void
stat_line(struct buf *o, const char *label, const char *village, const struct m_view *a, const struct m_view *b,
    const struct tally *t)
{
	char ha[16], hb[16];

	hours_format(a->total, ha);
	hours_format(b->total, hb);
	buf_printf(o, _("%s: %s: lessons +%zu -%zu ~%zu, media +%zu -%zu ~%zu, %s -> %s h\n"), label, village,
	    t->lessons_added, t->lessons_removed, t->lessons_changed, t->media_added, t->media_removed,
	    t->media_changed, ha, hb);
}

int
bundle_diff(struct bundle *old, struct bundle *new, const char *label, int brief, struct buf *out)
{
	struct m_view a, b;
	struct tally t;
	struct buf body = {NULL, 0, 0};
	int rc = 0;

	if (streq(old->manifest_sha256, new->manifest_sha256))
		return 0;
	memset(&t, 0, sizeof t);
	view_read(&a, old);
	view_read(&b, new);
	diff_plan(&body, &a, &b, &t);
	if (diff_lessons(&body, old, &a, new, &b, &t) == -1)
		rc = -1;
	diff_files(&body, old, &a, new, &b, &t);
	if (rc == 0) {
		if (brief)
			stat_line(out, label, b.village, &a, &b, &t);
		else {
			buf_printf(out, "%s: %s\n", label, b.village);
			if (body.len)
				buf_add(out, body.data, body.len);
			else
				buf_puts(out, _("  only the manifest differs\n"));
		}
		rc = 1;
	}
	buf_release(&body);
	view_release(&a);
	view_release(&b);
	return rc;
}
