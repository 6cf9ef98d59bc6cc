#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "markdown.h"
#include "util.h"

/* Byte offset to 1-based line and column. */
static void
text_linecol(const char *text, size_t off, int *line, int *col)
{
	size_t i, start = 0;

	*line = 1;
	for (i = 0; i < off; i++)
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	*col = (int)(off - start) + 1;
}

/* A path written in a course (manifest or Markdown) must name a regular
 * file inside the course folder.  `what` is the path as written. */
static int
check_inside(const struct course *c, const char *rel, const char *what, const struct loc *loc,
    enum diag_code missing, enum diag_code outside)
{
	if (!path_is_safe_relative(rel)) {
		if (rel[0] == '/' || strstr(rel, ".."))
			diag(outside, loc, what);
		else
			diag(E_PATH_UNSAFE, loc, what);
		return 1;
	}
	switch (path_inside(c->dir, rel)) {
	case INSIDE_OK:
		return 0;
	case INSIDE_MISSING:
		diag(missing, loc, what);
		return 1;
	case INSIDE_OUTSIDE:
		diag(outside, loc, what);
		return 1;
	case INSIDE_NOT_FILE:
		diag(E_FILE_KIND, loc, what);
		return 1;
	}
	return 1;
}

static int
check_refs(const struct course *c, const char *mdpath, const struct md_info *info)
{
	size_t i;
	int errors = 0;

	for (i = 0; i < info->nrefs; i++) {
		const struct md_ref *r = &info->refs[i];
		struct loc loc = {mdpath, r->line, r->col};
		char *rel;

		if (r->image && r->url[0] == '\0') {
			diag(E_IMAGE_NO_SRC, &loc);
			errors++;
			continue;
		}
		if (r->image && strspn(r->alt, " \t\r\n") == strlen(r->alt)) {
			diag(E_IMAGE_NO_ALT, &loc, r->url);
			errors++;
		}
		if (r->url[0] == '#' || r->url[0] == '\0')
			continue;
		if (url_has_scheme(r->url)) {
			if (r->image) {
				diag(E_LINK_REMOTE_IMAGE, &loc, r->url);
				errors++;
			}
			continue;
		}
		if ((rel = url_local_path(r->url)) == NULL) {
			diag(E_LINK_OUTSIDE, &loc, r->url);
			errors++;
			continue;
		}
		if (rel[0] != '\0')
			errors += check_inside(c, rel, r->url, &loc, E_LINK_MISSING, E_LINK_OUTSIDE);
		free(rel);
	}
	return errors;
}

/* Reads and parses one lesson's Markdown: bounded in size before cmark-gfm
 * sees it (CVE-2023-22486), valid UTF-8, no NUL. */
static int
check_lesson_text(struct course *c, struct lesson *l)
{
	char *mdpath = path_join(c->dir, l->src), *text = NULL;
	struct loc loc = {mdpath, 0, 0};
	struct md_info info;
	size_t len, bad;
	int errors = 0;

	if (read_file(mdpath, MD_MAX_BYTES, &text, &len) == -1) {
		if (errno == EFBIG)
			diag(E_LESSON_TOO_LARGE, &loc, MD_MAX_BYTES / 1024);
		else
			diag(S_READ, NULL, mdpath, strerror(errno));
		errors++;
		goto out;
	}
	if (memchr(text, '\0', len)) {
		text_linecol(text, (size_t)((char *)memchr(text, '\0', len) - text), &loc.line, &loc.col);
		diag(E_LESSON_NUL, &loc);
		errors++;
		goto out;
	}
	if (!utf8_valid(text, len, &bad)) {
		text_linecol(text, bad, &loc.line, &loc.col);
		diag(E_LESSON_UTF8, &loc);
		errors++;
		goto out;
	}
	if (strspn(text, " \t\r\n") == len) {
		diag(E_LESSON_EMPTY, &loc);
		errors++;
		goto out;
	}
	if (md_scan(text, len, &info) == -1) {
		diag(S_READ, NULL, mdpath, strerror(ENOMEM));
		errors++;
		goto out;
	}
	if (l->title == NULL && info.title && info.title[0]) {
		l->title = info.title;
		info.title = NULL;
	}
	if (l->title == NULL) {
		diag(E_LESSON_NO_TITLE, &l->loc, l->id);
		errors++;
	}
	errors += check_refs(c, mdpath, &info);
	for (size_t i = 0; i < info.nstray; i++) {
		struct loc sloc = {mdpath, info.stray[i].line, info.stray[i].col};

		diag(W_STRAY_STARS, &sloc);
	}
	md_info_release(&info);
out:
	free(text);
	free(mdpath);
	return errors;
}

static int
has_md_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && streq(name + n - 3, ".md");
}

/* Markdown files in the course folder that no lesson names: a lesson the
 * trainer wrote and forgot to list. */
static void
check_unlisted(const struct course *c)
{
	char **names;
	size_t n, i, j;

	if (list_dir(c->dir, &names, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (!has_md_suffix(names[i]))
			continue;
		for (j = 0; j < c->nlessons; j++)
			if (streq(c->lessons[j].src, names[i]))
				break;
		if (j == c->nlessons) {
			char *p = path_join(c->dir, names[i]);
			struct loc loc = {p, 0, 0};

			diag(W_UNLISTED_FILE, &loc, names[i]);
			free(p);
		}
	}
	free_names(names, n);
}

int
check_course(struct course *c, const struct categories *cats, struct check_stats *st)
{
	const char *folder = path_basename(c->dir);
	size_t i, j, k;
	int errors = 0;

	st->courses++;
	if (!streq(folder, ".") && !streq(folder, c->id)) {
		diag(E_COURSE_DIR, &c->loc, c->id, folder);
		errors++;
	}
	if (cats && categories_find(cats, c->category) == NULL) {
		diag(E_UNKNOWN_CATEGORY, &c->loc, c->category, cats->path);
		errors++;
	}
	for (i = 0; i < c->nlessons; i++) {
		struct lesson *l = &c->lessons[i];
		int bad;

		st->lessons++;
		for (j = 0; j < i; j++)
			if (streq(c->lessons[j].src, l->src))
				break;
		if (j < i) {
			diag(E_DUP_SRC, &l->src_loc, l->src, c->lessons[j].id);
			errors++;
			continue;
		}
		bad = check_inside(c, l->src, l->src, &l->src_loc, E_FILE_MISSING, E_PATH_OUTSIDE);
		errors += bad;
		if (!bad)
			errors += check_lesson_text(c, l);
		for (k = 0; k < l->nassets; k++)
			errors += check_inside(c, l->assets[k].id, l->assets[k].id, &l->assets[k].loc,
			    E_FILE_MISSING, E_PATH_OUTSIDE);
	}
	check_unlisted(c);
	return errors;
}

int
check_library(struct library *lib, struct check_stats *st)
{
	size_t i;
	int errors = 0;

	for (i = 0; i < lib->ncourses; i++) {
		if (i > 0 && streq(lib->courses[i]->id, lib->courses[i - 1]->id)) {
			char *where = xasprintf("%s:%d", lib->courses[i - 1]->path,
			    lib->courses[i - 1]->loc.line);

			diag(E_DUP_COURSE, &lib->courses[i]->loc, lib->courses[i]->id, where);
			free(where);
			errors++;
		}
		errors += check_course(lib->courses[i], lib->categories, st);
	}
	if (lib->categories)
		st->files++;
	return errors;
}

static int
recipe_lists(const struct recipe *r, const char *category)
{
	size_t i;

	for (i = 0; i < r->ncategories; i++)
		if (streq(r->categories[i].ref, category))
			return 1;
	return 0;
}

/* A course the recipe names must be in a category the recipe lists, or
 * its lessons could never be placed. */
static int
check_listed(const struct recipe *r, const struct course *c, const char *what,
    const char *id, const struct loc *loc)
{
	if (recipe_lists(r, c->category))
		return 0;
	diag(E_CATEGORY_UNLISTED, loc, what, id, c->category);
	return 1;
}

static int
course_hours(const struct course *c)
{
	size_t i;
	int h = 0;

	for (i = 0; i < c->nlessons; i++)
		h += c->lessons[i].hours;
	return h;
}

static int
int_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

/* The most hours of `category` any village could get: all of the core
 * courses, the largest courses chosen by need, the longest activity.  A
 * minimum above that can never be met, whatever the village. */
static int
reachable_hours(const struct recipe *r, const struct library *lib, const char *category)
{
	const struct course *c;
	size_t i, j;
	int h = 0;

	for (i = 0; i < r->ncore; i++)
		if ((c = library_find_course(lib, r->core[i].id)) && streq(c->category, category))
			h += course_hours(c);
	for (i = 0; i < r->nby_need; i++) {
		int *v, n = 0;

		if (!streq(r->by_need[i].category, category))
			continue;
		v = xcalloc(lib->ncourses, sizeof *v);
		for (j = 0; j < lib->ncourses; j++)
			if (streq(lib->courses[j]->category, category) && lib->courses[j]->ntags > 0)
				v[n++] = course_hours(lib->courses[j]);
		if (n > 1)
			qsort(v, (size_t)n, sizeof *v, int_desc);
		for (j = 0; j < (size_t)n && j < (size_t)r->by_need[i].max_courses; j++)
			h += v[j];
		free(v);
	}
	if (r->activity_course.id && (c = library_find_course(lib, r->activity_course.id)) &&
	    streq(c->category, category)) {
		int longest = 0;

		for (j = 0; j < c->nlessons; j++)
			if (c->lessons[j].hours > longest)
				longest = c->lessons[j].hours;
		h += longest;
	}
	return h;
}

static int
check_reachable(const struct recipe *r, const struct library *lib)
{
	char need[16], have[16];
	size_t i;
	int errors = 0, total = 0;

	for (i = 0; i < r->ncategories; i++) {
		const struct recipe_category *rc = &r->categories[i];
		int h = reachable_hours(r, lib, rc->ref);

		total += h;
		if (rc->min_hours > h) {
			char *what = xasprintf("category '%s'", rc->ref);

			hours_format(rc->min_hours, need);
			hours_format(h, have);
			diag(E_RECIPE_UNREACHABLE, &rc->loc, what, need, have);
			free(what);
			errors++;
		}
	}
	if (r->min_hours > total) {
		hours_format(r->min_hours, need);
		hours_format(total, have);
		diag(E_RECIPE_UNREACHABLE, &r->min_hours_loc, "the package", need, have);
		errors++;
	}
	return errors;
}

int
check_recipe(const struct recipe *r, const struct library *lib)
{
	const struct categories *cats = lib ? lib->categories : NULL;
	const struct lesson *first;
	const struct course *c;
	size_t i, j;
	int errors = 0, first_core = 0;

	for (i = 0; cats && i < r->ncategories; i++)
		if (categories_find(cats, r->categories[i].ref) == NULL) {
			diag(E_NO_CATEGORY, &r->categories[i].loc, r->categories[i].ref);
			errors++;
		}
	for (i = 0; i < r->ncore; i++) {
		const struct ref *core = &r->core[i];

		for (j = 0; j < i; j++)
			if (streq(r->core[j].id, core->id))
				break;
		if (j < i) {
			diag(E_DUP_CORE, &core->loc, core->id);
			errors++;
			continue;
		}
		if ((c = library_find_course(lib, core->id)) == NULL) {
			diag(E_NO_COURSE, &core->loc, core->id);
			errors++;
			continue;
		}
		errors += check_listed(r, c, "core course", core->id, &core->loc);
		if (strncmp(r->first_lesson.id, core->id, strlen(core->id)) == 0 &&
		    r->first_lesson.id[strlen(core->id)] == '/')
			first_core = 1;
	}
	if ((first = library_find_lesson(lib, r->first_lesson.id)) == NULL) {
		diag(E_NO_LESSON, &r->first_lesson.loc, r->first_lesson.id);
		errors++;
	} else {
		errors += check_listed(r, first->course, "first lesson", r->first_lesson.id,
		    &r->first_lesson.loc);
		if (!first_core)
			diag(W_FIRST_NOT_CORE, &r->first_lesson.loc, r->first_lesson.id);
	}
	for (i = 0; i < r->nby_need; i++) {
		const struct by_need *bn = &r->by_need[i];

		if (cats && categories_find(cats, bn->category) == NULL) {
			diag(E_NO_CATEGORY, &bn->loc, bn->category);
			errors++;
		} else if (!recipe_lists(r, bn->category)) {
			diag(E_BY_NEED_UNLISTED, &bn->loc, bn->category);
			errors++;
		}
	}
	if (r->activity_course.id) {
		if ((c = library_find_course(lib, r->activity_course.id)) == NULL) {
			diag(E_NO_COURSE, &r->activity_course.loc, r->activity_course.id);
			errors++;
		} else
			errors += check_listed(r, c, "activity course", c->id, &r->activity_course.loc);
	}
	if (errors == 0)
		errors += check_reachable(r, lib);
	return errors;
}

static int
chosen_by_need(const struct recipe *r, const char *category)
{
	size_t j;

	for (j = 0; r && j < r->nby_need; j++)
		if (streq(r->by_need[j].category, category))
			return 1;
	return 0;
}

static int
str_cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Tags a need could name: those of courses in a category the recipe
 * chooses by need (of every course without a recipe), sorted, each once.
 * The array points into the library; the caller frees it. */
static const char **
need_tags(const struct recipe *r, const struct library *lib, size_t *count)
{
	const char **v = NULL;
	size_t i, j, k, n = 0;

	for (i = 0; i < lib->ncourses; i++) {
		const struct course *c = lib->courses[i];

		if (r && !chosen_by_need(r, c->category))
			continue;
		for (j = 0; j < c->ntags; j++) {
			for (k = 0; k < n && !streq(v[k], c->tags[j].id); k++)
				;
			if (k < n)
				continue;
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = c->tags[j].id;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof *v, str_cmp_ptr);
	*count = n;
	return v;
}

/* Levenshtein distance, capped: ids are at most 40 bytes by schema, and
 * anything past the cap is no typo. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[65];

	if (la > 64 || lb > 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t corner = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = corner + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			corner = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* Whether `part` is one of the hyphen-separated words of `id`. */
static int
is_segment(const char *part, const char *id)
{
	size_t n = strlen(part);
	const char *s;

	for (s = id; (s = strstr(s, part)) != NULL; s++)
		if ((s == id || s[-1] == '-') && (s[n] == '\0' || s[n] == '-'))
			return 1;
	return 0;
}

/* The tag a mistyped need most likely meant, or NULL: a tag having the
 * need as one of its words ('tea' -> 'oil-tea') or the other way round,
 * else one a few edits away (at most one per three letters). */
static const char *
need_suggest(const char *need, const char **tags, size_t n)
{
	const char *best = NULL;
	size_t i, best_d = (size_t)-1, limit = strlen(need) / 3 ? strlen(need) / 3 : 1;

	for (i = 0; i < n; i++)
		if (is_segment(need, tags[i]) || is_segment(tags[i], need))
			return tags[i];
	for (i = 0; i < n; i++) {
		size_t d = edit_distance(need, tags[i]);

		if (d <= limit && d < best_d) {
			best = tags[i];
			best_d = d;
		}
	}
	return best;
}

#define NEED_TAGS_SHOWN 16

/* A need no tag matches: the tag it likely meant, else the tags a need
 * can name (the first NEED_TAGS_SHOWN). */
static void
need_unmatched(const struct ref *need, const struct recipe *r, const struct library *lib)
{
	size_t n, i;
	const char **tags = need_tags(r, lib, &n);
	const char *like = need_suggest(need->id, tags, n);
	struct buf list = {0};

	if (like)
		diag(W_NEED_LIKE, &need->loc, need->id, like);
	else {
		for (i = 0; i < n && i < NEED_TAGS_SHOWN; i++) {
			if (i)
				buf_puts(&list, ", ");
			buf_puts(&list, tags[i]);
		}
		if (n > NEED_TAGS_SHOWN)
			buf_puts(&list, ", ...");
		diag(W_NEED_UNMATCHED, &need->loc, need->id, n ? list.data : "-");
	}
	buf_release(&list);
	free(tags);
}

/* A need is met by a course carrying its tag, in a category the recipe
 * chooses by need (any category without a recipe). */
static void
check_need(const struct ref *need, const struct recipe *r, const struct library *lib)
{
	size_t i;
	int tagged = 0;

	for (i = 0; i < lib->ncourses; i++) {
		const struct course *c = lib->courses[i];

		if (!course_has_tag(c, need->id))
			continue;
		if (r == NULL || chosen_by_need(r, c->category))
			return;
		tagged = 1;
	}
	if (tagged)
		diag(W_NEED_NOT_BY_NEED, &need->loc, need->id);
	else
		need_unmatched(need, r, lib);
}

static int
refs_index(const struct ref *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (streq(v[i].id, id))
			return (int)i;
	return -1;
}

/* The village's <include> and <exclude>: known courses, each named once,
 * not both; included ones placeable; the first lesson's course kept. */
static int
check_village_courses(const struct village *v, const struct recipe *r, const struct library *lib)
{
	const struct course *c;
	size_t i;
	int errors = 0;

	for (i = 0; i < v->nincludes + v->nexcludes; i++) {
		int inc = i < v->nincludes;
		const struct ref *ref = inc ? &v->includes[i] : &v->excludes[i - v->nincludes];
		const struct ref *same = inc ? v->includes : v->excludes;
		size_t at = inc ? i : i - v->nincludes;

		if (refs_index(same, at, ref->id) >= 0) {
			diag(E_DUP_CORE, &ref->loc, ref->id);
			errors++;
			continue;
		}
		if ((c = library_find_course(lib, ref->id)) == NULL) {
			diag(E_NO_COURSE, &ref->loc, ref->id);
			errors++;
			continue;
		}
		if (inc && refs_index(v->excludes, v->nexcludes, ref->id) >= 0) {
			diag(E_INCLUDE_EXCLUDE, &ref->loc, ref->id);
			errors++;
			continue;
		}
		if (r == NULL)
			continue;
		if (inc && !recipe_lists(r, c->category)) {
			errors += check_listed(r, c, "included course", ref->id, &ref->loc);
			continue;
		}
		if (inc && refs_index(r->core, r->ncore, ref->id) >= 0)
			diag(W_INCLUDE_CORE, &ref->loc, ref->id);
		if (!inc && r->first_lesson.id && strncmp(r->first_lesson.id, ref->id, strlen(ref->id)) == 0 &&
		    r->first_lesson.id[strlen(ref->id)] == '/') {
			diag(E_EXCLUDE_FIRST, &ref->loc, ref->id, r->first_lesson.id);
			errors++;
		}
	}
	return errors;
}

int
check_village(const struct village *v, const struct township *t,
    const struct recipe *r, const struct library *lib)
{
	size_t i;
	int errors = 0;

	if (t && !streq(v->township, t->id)) {
		struct loc loc = v->loc;

		diag(E_WRONG_TOWNSHIP, &loc, v->township, t->id);
		errors++;
	}
	if (v->members[GROUP_RESIDENT] + v->members[GROUP_HOMEBOUND] + v->members[GROUP_MOBILE] == 0)
		diag(W_NO_MEMBERS, &v->loc);
	for (i = 0; lib && i < v->nneeds; i++)
		check_need(&v->needs[i], r, lib);
	if (lib)
		errors += check_village_courses(v, r, lib);
	if (v->activity.id && lib) {
		const struct lesson *l = library_find_lesson(lib, v->activity.id);

		if (l == NULL) {
			diag(E_NO_LESSON, &v->activity.loc, v->activity.id);
			errors++;
		} else if (r && r->activity_course.id == NULL) {
			diag(E_ACTIVITY_NONE, &v->activity.loc, v->activity.id);
			errors++;
		} else if (r && !streq(l->course->id, r->activity_course.id)) {
			diag(E_ACTIVITY_COURSE, &v->activity.loc, v->activity.id, r->activity_course.id);
			errors++;
		}
	} else if (v->activity.id == NULL && r && r->activity_course.id)
		diag(W_NO_ACTIVITY, &v->loc, r->activity_course.id);
	return errors;
}

int
check_villages_unique(struct village *const *vs, size_t n)
{
	size_t i, j;
	int errors = 0;

	for (i = 0; i < n; i++)
		for (j = 0; vs[i] && j < i; j++)
			if (vs[j] && streq(vs[j]->id, vs[i]->id)) {
				char *where = xasprintf("%s:%d", vs[j]->path, vs[j]->loc.line);

				diag(E_DUP_VILLAGE, &vs[i]->loc, vs[i]->id, where);
				free(where);
				errors++;
				break;
			}
	return errors;
}
