#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util.h"

static void
add_lesson(struct plan *p, const struct lesson *l, enum plan_source why)
{
	size_t i;

	for (i = 0; i < p->nlessons; i++)
		if (p->lessons[i] == l)
			return;
	p->lessons = xreallocarray(p->lessons, p->nlessons + 1, sizeof *p->lessons);
	p->sources = xreallocarray(p->sources, p->nlessons + 1, sizeof *p->sources);
	p->sources[p->nlessons] = why;
	p->lessons[p->nlessons++] = l;
}

static void
add_course(struct plan *p, const struct course *c, enum plan_source why)
{
	size_t k;

	for (k = 0; k < c->nlessons; k++)
		add_lesson(p, &c->lessons[k], why);
}

static int
in_plan(const struct plan *p, const struct course *c)
{
	size_t i;

	for (i = 0; i < p->nlessons; i++)
		if (p->lessons[i]->course == c)
			return 1;
	return 0;
}

static int
is_core(const struct recipe *r, const char *course)
{
	size_t i;

	for (i = 0; i < r->ncore; i++)
		if (streq(r->core[i].id, course))
			return 1;
	return 0;
}

struct ranked {
	const struct course *course;
	int score;	/* how many of the village's needs it meets */
	size_t first;	/* the earliest of them in the village's list */
};

static int
ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->score != y->score)
		return y->score - x->score;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return strcmp(x->course->id, y->course->id);
}

/* Courses of `category` chosen for the village's needs, best first. */
static void
choose_by_need(struct plan *p, const struct library *lib, const struct by_need *bn)
{
	struct ranked *v = xcalloc(lib->ncourses, sizeof *v);
	size_t i, k, n = 0;

	for (i = 0; i < lib->ncourses; i++) {
		const struct course *c = lib->courses[i];

		if (!streq(c->category, bn->category) || is_core(p->recipe, c->id) ||
		    village_excludes(p->village, c->id))
			continue;
		v[n].course = c;
		v[n].first = p->village->nneeds;
		for (k = 0; k < p->village->nneeds; k++)
			if (course_has_tag(c, p->village->needs[k].id)) {
				if (v[n].score++ == 0)
					v[n].first = k;
			}
		if (v[n].score > 0)
			n++;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, ranked_cmp);
	for (i = 0; i < n && i < (size_t)bn->max_courses; i++) {
		p->by_need = xreallocarray(p->by_need, p->nby_need + 1, sizeof *p->by_need);
		p->by_need[p->nby_need++] = v[i].course;
	}
	for (; i < n; i++) {
		p->cut = xreallocarray(p->cut, p->ncut + 1, sizeof *p->cut);
		p->cut[p->ncut++] = v[i].course;
	}
	free(v);
}

size_t
plan_category_index(const struct plan *p, const struct lesson *l)
{
	size_t i;

	for (i = 0; i < p->recipe->ncategories; i++)
		if (streq(p->recipe->categories[i].ref, l->course->category))
			return i;
	return p->recipe->ncategories;
}

static void
note_shortfall(struct plan *p, enum group g, enum shortfall_kind kind, size_t cat, int have, int need)
{
	struct shortfall *s;

	p->shortfalls = xreallocarray(p->shortfalls, p->nshortfalls + 1, sizeof *p->shortfalls);
	s = &p->shortfalls[p->nshortfalls++];
	s->group = g;
	s->kind = kind;
	s->category = cat;
	s->have = have;
	s->need = need;
}

/* Hours per category and per group, and what each group with members
 * misses. */
static void
measure(struct plan *p)
{
	const struct recipe *r = p->recipe;
	size_t i, c;
	int g;

	p->hours = xcalloc(r->ncategories, sizeof *p->hours);
	for (g = 0; g < GROUP__COUNT; g++)
		p->reach[g] = xcalloc(r->ncategories, sizeof *p->reach[g]);
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];

		c = plan_category_index(p, l);
		p->hours[c] += l->hours;
		p->total += l->hours;
		for (g = 0; g < GROUP__COUNT; g++)
			if (l->modes & group_modes((enum group)g)) {
				p->reach[g][c] += l->hours;
				p->reach_total[g] += l->hours;
			}
	}
	for (g = 0; g < GROUP__COUNT; g++) {
		if (p->village->members[g] == 0)
			continue;
		if (p->reach_total[g] < r->min_hours)
			note_shortfall(p, (enum group)g, SHORT_TOTAL, 0, p->reach_total[g], r->min_hours);
		for (c = 0; c < r->ncategories; c++)
			if (p->reach[g][c] < r->categories[c].min_hours)
				note_shortfall(p, (enum group)g, SHORT_CATEGORY, c, p->reach[g][c],
				    r->categories[c].min_hours);
	}
}

static void find_remedies(struct plan *, const struct library *);

struct plan *
plan_village(const struct library *lib, const struct recipe *r, const struct village *v)
{
	struct plan *p = xcalloc(1, sizeof *p);
	const struct lesson *first = library_find_lesson(lib, r->first_lesson.id);
	const struct lesson *activity = NULL;
	size_t i, j, c;

	p->village = v;
	p->recipe = r;
	for (i = 0; i < r->nby_need; i++)
		choose_by_need(p, lib, &r->by_need[i]);
	for (i = 0; i < v->nneeds; i++) {
		for (j = 0; j < p->nby_need; j++)
			if (course_has_tag(p->by_need[j], v->needs[i].id))
				break;
		if (j == p->nby_need) {
			struct unmet *u;

			p->unmet = xreallocarray(p->unmet, p->nunmet + 1, sizeof *p->unmet);
			u = &p->unmet[p->nunmet++];
			u->need = &v->needs[i];
			u->left_out = NULL;
			for (j = 0; j < p->ncut && u->left_out == NULL; j++)
				if (course_has_tag(p->cut[j], v->needs[i].id))
					u->left_out = p->cut[j];
		}
	}
	if (v->activity.id && r->activity_course.id && !village_excludes(v, r->activity_course.id)) {
		activity = library_find_lesson(lib, v->activity.id);
		if (activity && !streq(activity->course->id, r->activity_course.id))
			activity = NULL;
	}

	if (first)
		add_lesson(p, first, is_core(r, first->course->id) ? SOURCE_CORE : SOURCE_FIRST);
	for (c = 0; c < r->ncategories; c++) {
		const char *cat = r->categories[c].ref;

		for (i = 0; i < r->ncore; i++) {
			const struct course *co = library_find_course(lib, r->core[i].id);

			if (co && streq(co->category, cat) && !village_excludes(v, co->id))
				add_course(p, co, SOURCE_CORE);
		}
		for (i = 0; i < p->nby_need; i++)
			if (streq(p->by_need[i]->category, cat))
				add_course(p, p->by_need[i], SOURCE_NEED);
		for (i = 0; i < v->nincludes; i++) {
			const struct course *co = library_find_course(lib, v->includes[i].id);

			if (co && streq(co->category, cat) && !village_excludes(v, co->id))
				add_course(p, co, SOURCE_INCLUDED);
		}
		if (activity && streq(activity->course->category, cat))
			add_lesson(p, activity, SOURCE_ACTIVITY);
	}
	/* The first lesson counts only when its category is listed. */
	if (first && plan_category_index(p, first) == r->ncategories) {
		memmove(p->lessons, p->lessons + 1, (p->nlessons - 1) * sizeof *p->lessons);
		memmove(p->sources, p->sources + 1, (p->nlessons - 1) * sizeof *p->sources);
		p->nlessons--;
	}
	measure(p);
	find_remedies(p, lib);
	return p;
}

static const struct by_need *
by_need_of(const struct recipe *r, const char *category)
{
	size_t i;

	for (i = 0; i < r->nby_need; i++)
		if (streq(r->by_need[i].category, category))
			return &r->by_need[i];
	return NULL;
}

static size_t
chosen_in(const struct plan *p, const char *category)
{
	size_t i, n = 0;

	for (i = 0; i < p->nby_need; i++)
		n += streq(p->by_need[i]->category, category);
	return n;
}

/* The rule that would take course `c` into the village's package: a need
 * tag when its category is chosen by need and a place is free there (a
 * need for a course past max-courses would not take it in), else an
 * include; an excluded course, by dropping the exclude. */
static enum remedy_rule
remedy_rule(const struct plan *p, const struct course *c, const char **tag)
{
	const struct by_need *bn = by_need_of(p->recipe, c->category);

	*tag = NULL;
	if (village_excludes(p->village, c->id))
		return REMEDY_UNEXCLUDE;
	if (bn && c->ntags > 0 && chosen_in(p, c->category) < (size_t)bn->max_courses) {
		*tag = c->tags[0].id;
		return REMEDY_NEED;
	}
	return REMEDY_INCLUDE;
}

static int
remedy_cmp(const void *a, const void *b)
{
	const struct remedy *x = a, *y = b;

	if (x->shortfall != y->shortfall)
		return x->shortfall < y->shortfall ? -1 : 1;
	if (x->hours != y->hours)
		return y->hours - x->hours;
	return strcmp(x->course->id, y->course->id);
}

/* For each shortfall, the courses outside the package that the short
 * group could reach in the short category (any listed one for the
 * total). */
static void
find_remedies(struct plan *p, const struct library *lib)
{
	const struct recipe *r = p->recipe;
	size_t s, i, k, start, n;

	for (s = 0; s < p->nshortfalls; s++) {
		const struct shortfall *sf = &p->shortfalls[s];
		unsigned modes = group_modes(sf->group);

		start = p->nremedies;
		for (i = 0; i < lib->ncourses; i++) {
			const struct course *c = lib->courses[i];
			struct remedy *m;
			size_t cat;
			int h = 0;

			if (in_plan(p, c) || (r->activity_course.id && streq(c->id, r->activity_course.id)))
				continue;
			for (cat = 0; cat < r->ncategories; cat++)
				if (streq(r->categories[cat].ref, c->category))
					break;
			if (cat == r->ncategories || (sf->kind == SHORT_CATEGORY && cat != sf->category))
				continue;
			for (k = 0; k < c->nlessons; k++)
				if (c->lessons[k].modes & modes)
					h += c->lessons[k].hours;
			if (h == 0)
				continue;
			p->remedies = xreallocarray(p->remedies, p->nremedies + 1, sizeof *p->remedies);
			m = &p->remedies[p->nremedies++];
			m->shortfall = s;
			m->course = c;
			m->hours = h;
			m->rule = remedy_rule(p, c, &m->tag);
		}
		n = p->nremedies - start;
		if (n > 1)
			qsort(p->remedies + start, n, sizeof *p->remedies, remedy_cmp);
		if (n > PLAN_MAX_REMEDIES)
			p->nremedies = start + PLAN_MAX_REMEDIES;
	}
}

void
plan_free(struct plan *p)
{
	int g;

	if (p == NULL)
		return;
	free(p->lessons);
	free(p->sources);
	free(p->remedies);
	free(p->by_need);
	free(p->unmet);
	free(p->cut);
	free(p->hours);
	for (g = 0; g < GROUP__COUNT; g++)
		free(p->reach[g]);
	free(p->shortfalls);
	free(p);
}

void
plan_view(const struct plan *p, enum group g, struct plan *view)
{
	size_t i;

	*view = *p;
	view->lessons = xcalloc(p->nlessons ? p->nlessons : 1, sizeof *view->lessons);
	view->nlessons = 0;
	for (i = 0; i < p->nlessons; i++)
		if (p->lessons[i]->modes & group_modes(g))
			view->lessons[view->nlessons++] = p->lessons[i];
	/* What counts for g is what g reaches: the same sums measure made. */
	view->hours = p->reach[g];
	view->total = p->reach_total[g];
}

void
plan_view_release(struct plan *view)
{
	free(view->lessons);
	memset(view, 0, sizeof *view);
}
