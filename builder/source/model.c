#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "review.h"
#include "util.h"

static const char *const mode_names[] = {"classroom", "field", "home", "online"};
static const char *const group_names[] = {"resident", "homebound", "mobile"};

const char *
mode_name(enum mode m)
{
	size_t i;

	for (i = 0; i < NELEM(mode_names); i++)
		if (m == 1u << i)
			return mode_names[i];
	return "?";
}

enum mode
mode_parse(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(mode_names); i++)
		if (streq(name, mode_names[i]))
			return (enum mode)(1u << i);
	return 0;
}

const char *
group_name(enum group g)
{
	return group_names[g];
}

unsigned
group_modes(enum group g)
{
	switch (g) {
	case GROUP_RESIDENT:
		return MODE_CLASSROOM | MODE_FIELD;
	case GROUP_HOMEBOUND:
		return MODE_HOME;
	case GROUP_MOBILE:
		return MODE_ONLINE;
	default:
		return 0;
	}
}

static void
refs_free(struct ref *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].id);
	free(v);
}

void
categories_free(struct categories *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].name);
		free(c->v[i].description);
		free(c->v[i].color);
	}
	free(c->v);
	free(c->path);
	free(c);
}

void
course_free(struct course *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nlessons; i++) {
		struct lesson *l = &c->lessons[i];

		free(l->id);
		free(l->src);
		free(l->title);
		refs_free(l->assets, l->nassets);
		for (size_t k = 0; k < l->nsources; k++) {
			free(l->sources[k].title);
			free(l->sources[k].number);
			free(l->sources[k].date);
		}
		free(l->sources);
		free(l->review_by);
	}
	free(c->lessons);
	review_log_free(c->reviews);
	for (i = 0; i < c->nauthors; i++)
		free(c->authors[i]);
	free(c->authors);
	refs_free(c->tags, c->ntags);
	free(c->path);
	free(c->dir);
	free(c->id);
	free(c->category);
	free(c->lang);
	free(c->title);
	free(c->summary);
	free(c);
}

void
library_free(struct library *lib)
{
	size_t i;

	if (lib == NULL)
		return;
	for (i = 0; i < lib->ncourses; i++)
		course_free(lib->courses[i]);
	free(lib->courses);
	categories_free(lib->categories);
	free(lib->dir);
	free(lib);
}

void
recipe_free(struct recipe *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ncategories; i++)
		free(r->categories[i].ref);
	free(r->categories);
	for (i = 0; i < r->nby_need; i++)
		free(r->by_need[i].category);
	free(r->by_need);
	refs_free(r->core, r->ncore);
	free(r->first_lesson.id);
	free(r->activity_course.id);
	free(r->path);
	free(r->id);
	free(r->title);
	free(r->season);
	free(r->season_start);
	free(r->season_end);
	free(r);
}

void
village_free(struct village *v)
{
	size_t i;

	if (v == NULL)
		return;
	free(v->roster);
	refs_free(v->needs, v->nneeds);
	refs_free(v->includes, v->nincludes);
	refs_free(v->excludes, v->nexcludes);
	for (i = 0; i < v->nsessions; i++) {
		free(v->sessions[i].date);
		free(v->sessions[i].place);
		free(v->sessions[i].topic);
	}
	free(v->sessions);
	free(v->activity.id);
	free(v->activity_date);
	free(v->path);
	free(v->id);
	free(v->township);
	free(v->kind);
	free(v->name);
	free(v->dialect);
	free(v);
}

void
township_free(struct township *t)
{
	if (t == NULL)
		return;
	refs_free(t->village_srcs, t->nvillages);
	free(t->recipe_src.id);
	free(t->library_src.id);
	free(t->path);
	free(t->dir);
	free(t->id);
	free(t->name);
	free(t->county);
	free(t);
}

const struct category *
categories_find(const struct categories *c, const char *id)
{
	size_t i;

	for (i = 0; c && i < c->n; i++)
		if (streq(c->v[i].id, id))
			return &c->v[i];
	return NULL;
}

static int
course_cmp_key(const void *key, const void *elem)
{
	return strcmp(key, (*(struct course *const *)elem)->id);
}

const struct course *
library_find_course(const struct library *lib, const char *id)
{
	struct course **c;

	if (lib == NULL || lib->ncourses == 0)
		return NULL;
	c = bsearch(id, lib->courses, lib->ncourses, sizeof *lib->courses, course_cmp_key);
	return c ? *c : NULL;
}

const struct lesson *
library_find_lesson(const struct library *lib, const char *full_id)
{
	const char *slash = strchr(full_id, '/');
	const struct course *c;
	char *cid;
	size_t i;

	if (slash == NULL)
		return NULL;
	cid = xstrndup(full_id, (size_t)(slash - full_id));
	c = library_find_course(lib, cid);
	free(cid);
	for (i = 0; c && i < c->nlessons; i++)
		if (streq(c->lessons[i].id, slash + 1))
			return &c->lessons[i];
	return NULL;
}

int
course_has_tag(const struct course *c, const char *tag)
{
	size_t i;

	for (i = 0; i < c->ntags; i++)
		if (streq(c->tags[i].id, tag))
			return 1;
	return 0;
}

static int
refs_have(const struct ref *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].id && streq(v[i].id, id))
			return 1;
	return 0;
}

int
village_excludes(const struct village *v, const char *course)
{
	return refs_have(v->excludes, v->nexcludes, course);
}
