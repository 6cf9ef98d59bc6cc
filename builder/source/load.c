#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "util.h"
#include "xml.h"

/* The location of element `n` (or its attribute `attr`) in the file whose
 * path string `path` the model object owns. */
static struct loc
at(const struct xml_doc *d, const struct xml_node *n, const char *attr, const char *path)
{
	struct loc loc = {path, 0, 0};

	xml_locate(d, n, attr, &loc.line, &loc.col);
	return loc;
}

static int
hours_attr(const struct xml_node *n, const char *name, int dflt)
{
	char *s = xml_attr(n, name);
	int tenths = dflt;

	/* The schema has already accepted the value. */
	if (s && hours_parse(s, &tenths) == -1)
		tenths = dflt;
	free(s);
	return tenths;
}

static int
int_attr(const struct xml_node *n, const char *name, int dflt)
{
	char *s = xml_attr(n, name), *end;
	long v;

	if (s == NULL)
		return dflt;
	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (errno || end == s || *end != '\0' || v < 0 || v > 1000000)
		v = dflt;
	free(s);
	return (int)v;
}

static size_t
count_children(const struct xml_node *parent, const char *name)
{
	const struct xml_node *n;
	size_t count = 0;

	for (n = xml_first(parent, name); n; n = xml_next(n, name))
		count++;
	return count;
}

/* The children named `name`, as refs: their text (attr NULL) or the
 * value of their attribute `attr`. */
static struct ref *
load_refs(const struct xml_doc *d, const struct xml_node *parent, const char *name,
    const char *attr, const char *path, size_t *count)
{
	const struct xml_node *n;
	struct ref *v;
	size_t i = 0;

	*count = count_children(parent, name);
	v = xcalloc(*count, sizeof *v);
	for (n = xml_first(parent, name); n; n = xml_next(n, name), i++) {
		v[i].id = attr ? xml_attr(n, attr) : xml_text(n);
		v[i].loc = at(d, n, attr, path);
	}
	return v;
}

static char *
child_text(const struct xml_node *parent, const char *name)
{
	const struct xml_node *n = xml_first(parent, name);

	return n ? xml_text(n) : NULL;
}

struct categories *
load_categories(const char *path)
{
	struct xml_doc *d;
	const struct xml_node *root, *n;
	struct categories *c;
	size_t i = 0;

	if (xml_load(path, XK_CATEGORIES, &d, NULL) == -1)
		return NULL;
	root = xml_root(d);
	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->n = count_children(root, "category");
	c->v = xcalloc(c->n, sizeof *c->v);
	for (n = xml_first(root, "category"); n; n = xml_next(n, "category"), i++) {
		struct category *cat = &c->v[i];

		cat->id = xml_attr(n, "id");
		cat->color = xml_attr(n, "color");
		cat->order = int_attr(n, "order", 0);
		{
			char *rb = xml_attr(n, "review-by");

			cat->review_by_required = rb && streq(rb, "required");
			free(rb);
		}
		cat->name = child_text(n, "name");
		cat->description = child_text(n, "description");
		cat->loc = at(d, n, NULL, c->path);
	}
	xml_doc_free(d);
	return c;
}

/* Modes are a schema list of known names; what the schema cannot say is
 * that each appears once. */
static unsigned
parse_modes(const char *list, const struct loc *loc)
{
	char *copy = xstrdup(list), *tok, *save = NULL;
	unsigned modes = 0;

	for (tok = strtok_r(copy, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		enum mode m = mode_parse(tok);

		if (modes & m)
			diag(E_DUP_MODE, loc, tok);
		modes |= m;
	}
	free(copy);
	return modes;
}

static struct source *
load_sources(const struct xml_doc *d, const struct xml_node *parent, const char *path, size_t *count)
{
	const struct xml_node *n;
	struct source *v;
	size_t i = 0;

	*count = count_children(parent, "source");
	v = xcalloc(*count, sizeof *v);
	for (n = xml_first(parent, "source"); n; n = xml_next(n, "source"), i++) {
		v[i].title = xml_attr(n, "title");
		v[i].number = xml_attr(n, "number");
		v[i].date = xml_attr(n, "date");
		v[i].loc = at(d, n, v[i].date ? "date" : NULL, path);
	}
	return v;
}

struct course *
load_course(const char *path)
{
	struct xml_doc *d;
	const struct xml_node *root, *n;
	struct course *c;
	size_t i = 0;

	if (xml_load(path, XK_COURSE, &d, NULL) == -1)
		return NULL;
	root = xml_root(d);
	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->dir = path_dirname(path);
	c->loc = at(d, root, NULL, c->path);
	c->id = xml_attr(root, "id");
	c->category = xml_attr(root, "category");
	c->lang = xml_attr(root, "lang");
	c->title = child_text(root, "title");
	c->summary = child_text(root, "summary");
	c->nauthors = count_children(root, "author");
	c->authors = xcalloc(c->nauthors, sizeof *c->authors);
	for (n = xml_first(root, "author"); n; n = xml_next(n, "author"))
		c->authors[i++] = xml_text(n);
	c->tags = load_refs(d, root, "tag", NULL, c->path, &c->ntags);
	c->nlessons = count_children(root, "lesson");
	c->lessons = xcalloc(c->nlessons, sizeof *c->lessons);
	i = 0;
	for (n = xml_first(root, "lesson"); n; n = xml_next(n, "lesson"), i++) {
		struct lesson *l = &c->lessons[i];
		struct loc mloc = at(d, n, "modes", c->path);
		char *modes = xml_attr(n, "modes");

		l->course = c;
		l->loc = at(d, n, NULL, c->path);
		l->src_loc = at(d, n, "src", c->path);
		l->id = xml_attr(n, "id");
		l->src = xml_attr(n, "src");
		l->title = xml_attr(n, "title");
		l->hours = hours_attr(n, "hours", 0);
		l->modes = parse_modes(modes, &mloc);
		l->assets = load_refs(d, n, "asset", "src", c->path, &l->nassets);
		l->sources = load_sources(d, n, c->path, &l->nsources);
		if ((l->review_by = xml_attr(n, "review-by")) != NULL)
			l->review_by_loc = at(d, n, "review-by", c->path);
		free(modes);
	}
	xml_doc_free(d);
	return c;
}

struct recipe *
load_recipe(const char *path)
{
	struct xml_doc *d;
	const struct xml_node *root, *n;
	struct recipe *r;
	size_t i = 0;

	if (xml_load(path, XK_RECIPE, &d, NULL) == -1)
		return NULL;
	root = xml_root(d);
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->loc = at(d, root, NULL, r->path);
	r->id = xml_attr(root, "id");
	r->title = child_text(root, "title");
	n = xml_first(root, "season");
	r->season = xml_text(n);
	r->season_loc = at(d, n, NULL, r->path);
	if ((r->season_start = xml_attr(n, "start")) != NULL)
		r->season_start_loc = at(d, n, "start", r->path);
	if ((r->season_end = xml_attr(n, "end")) != NULL)
		r->season_end_loc = at(d, n, "end", r->path);
	{
		char *rr = xml_attr(root, "require-review");

		r->require_review = rr && (streq(rr, "true") || streq(rr, "1"));
		free(rr);
	}
	n = xml_first(root, "min-hours");
	r->min_hours_loc = at(d, n, NULL, r->path);
	{
		char *s = xml_text(n);

		if (hours_parse(s, &r->min_hours) == -1)
			r->min_hours = 0;
		free(s);
	}
	r->ncategories = count_children(root, "category");
	r->categories = xcalloc(r->ncategories, sizeof *r->categories);
	for (n = xml_first(root, "category"); n; n = xml_next(n, "category"), i++) {
		r->categories[i].ref = xml_attr(n, "ref");
		r->categories[i].min_hours = hours_attr(n, "min-hours", 0);
		r->categories[i].loc = at(d, n, "ref", r->path);
	}
	n = xml_first(root, "first-lesson");
	r->first_lesson.id = xml_attr(n, "ref");
	r->first_lesson.loc = at(d, n, "ref", r->path);
	r->core = load_refs(d, root, "core", "ref", r->path, &r->ncore);
	r->nby_need = count_children(root, "by-need");
	r->by_need = xcalloc(r->nby_need, sizeof *r->by_need);
	i = 0;
	for (n = xml_first(root, "by-need"); n; n = xml_next(n, "by-need"), i++) {
		r->by_need[i].category = xml_attr(n, "category");
		r->by_need[i].max_courses = int_attr(n, "max-courses", 3);
		r->by_need[i].loc = at(d, n, "category", r->path);
	}
	if ((n = xml_first(root, "activity")) != NULL) {
		r->activity_course.id = xml_attr(n, "course");
		r->activity_course.loc = at(d, n, "course", r->path);
	}
	xml_doc_free(d);
	return r;
}

struct village *
load_village(const char *path)
{
	struct xml_doc *d;
	const struct xml_node *root, *n;
	struct village *v;
	size_t i = 0;

	if (xml_load(path, XK_VILLAGE, &d, NULL) == -1)
		return NULL;
	root = xml_root(d);
	v = xcalloc(1, sizeof *v);
	v->path = xstrdup(path);
	v->loc = at(d, root, NULL, v->path);
	v->id = xml_attr(root, "id");
	v->township = xml_attr(root, "township");
	v->kind = xml_attr(root, "kind");
	if ((v->roster = xml_attr(root, "roster")) != NULL)
		v->roster_loc = at(d, root, "roster", v->path);
	if (v->kind == NULL)
		v->kind = xstrdup("village");
	v->name = child_text(root, "name");
	v->dialect = child_text(root, "dialect");
	n = xml_first(root, "members");
	v->members[GROUP_RESIDENT] = int_attr(n, "resident", 0);
	v->members[GROUP_HOMEBOUND] = int_attr(n, "homebound", 0);
	v->members[GROUP_MOBILE] = int_attr(n, "mobile", 0);
	v->needs = load_refs(d, root, "need", NULL, v->path, &v->nneeds);
	v->includes = load_refs(d, root, "include", "course", v->path, &v->nincludes);
	v->excludes = load_refs(d, root, "exclude", "course", v->path, &v->nexcludes);
	if ((n = xml_first(root, "activity")) != NULL) {
		v->activity.id = xml_attr(n, "ref");
		v->activity.loc = at(d, n, "ref", v->path);
		v->activity_date = xml_attr(n, "date");
	}
	v->nsessions = count_children(root, "session");
	v->sessions = xcalloc(v->nsessions, sizeof *v->sessions);
	for (n = xml_first(root, "session"); n; n = xml_next(n, "session"), i++) {
		v->sessions[i].date = xml_attr(n, "date");
		v->sessions[i].place = xml_attr(n, "place");
		v->sessions[i].topic = xml_text(n);
	}
	xml_doc_free(d);
	return v;
}

struct township *
load_township(const char *path)
{
	struct xml_doc *d;
	const struct xml_node *root, *n;
	struct township *t;

	if (xml_load(path, XK_TOWNSHIP, &d, NULL) == -1)
		return NULL;
	root = xml_root(d);
	t = xcalloc(1, sizeof *t);
	t->path = xstrdup(path);
	t->dir = path_dirname(path);
	t->loc = at(d, root, NULL, t->path);
	t->id = xml_attr(root, "id");
	t->name = child_text(root, "name");
	t->county = child_text(root, "county");
	n = xml_first(root, "recipe");
	t->recipe_src.id = xml_attr(n, "src");
	t->recipe_src.loc = at(d, n, "src", t->path);
	n = xml_first(root, "library");
	t->library_src.id = xml_attr(n, "src");
	t->library_src.loc = at(d, n, "src", t->path);
	t->village_srcs = load_refs(d, root, "village", "src", t->path, &t->nvillages);
	xml_doc_free(d);
	return t;
}

static int
course_cmp(const void *a, const void *b)
{
	return strcmp((*(struct course *const *)a)->id, (*(struct course *const *)b)->id);
}

struct library *
load_library(const char *dir, const struct ref *where, int *failed)
{
	struct library *lib;
	char *catpath = path_join(dir, "categories.xml"), **names = NULL, **all;
	size_t nnames = 0, nall, i;
	struct stat st;

	*failed = 0;
	if (stat(catpath, &st) == -1) {
		struct loc loc = {dir, 0, 0};
		const char *name = where ? where->id : dir;

		/* A library that is not there is not "a library without
		 * categories": say which it is. */
		if (stat(dir, &st) == -1)
			diag(E_FILE_MISSING, where ? &where->loc : &loc, name);
		else
			diag(E_NO_LIBRARY, where ? &where->loc : &loc, name);
		free(catpath);
		(*failed)++;
		return NULL;
	}
	lib = xcalloc(1, sizeof *lib);
	lib->dir = xstrdup(dir);
	if ((lib->categories = load_categories(catpath)) == NULL)
		(*failed)++;
	free(catpath);
	if (list_dir(dir, &all, &nall) == -1) {
		diag(S_OPEN, NULL, dir, strerror(errno));
		(*failed)++;
		return lib;
	}
	names = xcalloc(nall, sizeof *names);
	for (i = 0; i < nall; i++) {
		char *sub = path_join(dir, all[i]), *manifest = path_join(sub, "course.xml");

		/* A folder is a course when it holds a course.xml, of
		 * whatever kind: a bad one is the loader's to report. */
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (lstat(manifest, &st) == 0)
				names[nnames++] = xstrdup(all[i]);
			else {
				struct loc loc = {sub, 0, 0};

				diag(W_NO_MANIFEST, &loc);
			}
		}
		free(sub);
		free(manifest);
	}
	free_names(all, nall);
	lib->courses = xcalloc(nnames, sizeof *lib->courses);
	for (i = 0; i < nnames; i++) {
		char *sub = path_join(dir, names[i]);
		char *manifest = path_join(sub, "course.xml");
		struct course *c = load_course(manifest);

		if (c == NULL)
			(*failed)++;
		else
			lib->courses[lib->ncourses++] = c;
		free(sub);
		free(manifest);
		free(names[i]);
	}
	free(names);
	if (lib->ncourses > 1)
		qsort(lib->courses, lib->ncourses, sizeof *lib->courses, course_cmp);
	return lib;
}
