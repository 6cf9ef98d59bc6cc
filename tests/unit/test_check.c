/* The cross-file checks on structs built in memory. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "unit.h"
#include "util.h"

static struct course *
course(const char *id, const char *category, const char *tag, const char *lesson)
{
	struct course *c = xcalloc(1, sizeof *c);

	c->id = xstrdup(id);
	c->category = xstrdup(category);
	c->path = xstrdup("mem");
	c->dir = xstrdup("mem");
	if (tag) {
		c->tags = xcalloc(1, sizeof *c->tags);
		c->tags[0].id = xstrdup(tag);
		c->ntags = 1;
	}
	c->lessons = xcalloc(1, sizeof *c->lessons);
	c->lessons[0].id = xstrdup(lesson);
	c->lessons[0].src = xstrdup("x.md");
	c->lessons[0].hours = 20;
	c->lessons[0].course = c;
	c->nlessons = 1;
	return c;
}

static struct ref *
refs1(const char *id)
{
	struct ref *r = xcalloc(1, sizeof *r);

	r->id = xstrdup(id);
	return r;
}

static int
errors_of(int (*fn)(void *), void *arg, int *warnings)
{
	int e0 = diag_count(DL_ERROR), w0 = diag_count(DL_WARNING);
	int n = fn(arg);

	*warnings = diag_count(DL_WARNING) - w0;
	return diag_count(DL_ERROR) - e0 == n ? n : -1;
}

struct vcase {
	struct village *v;
	struct township *t;
	struct recipe *r;
	struct library *lib;
};

static int
run_village(void *arg)
{
	struct vcase *c = arg;

	return check_village(c->v, c->t, c->r, c->lib);
}

static int
run_recipe(void *arg)
{
	struct vcase *c = arg;

	return check_recipe(c->r, c->lib);
}

void
test_check(void)
{
	struct library lib = {0};
	struct course *cs[3];
	struct recipe r = {0};
	struct village v = {0};
	struct township t = {0};
	struct recipe_category rc[2] = {{"theory", 20, {0}}, {"skills", 20, {0}}};
	struct by_need bn = {"skills", 2, {0}};
	struct vcase vc = {&v, &t, &r, &lib};
	int w, e;

	/* Sorted by id, as load_library leaves them. */
	cs[0] = course("act", "practice", NULL, "clean");
	cs[1] = course("intro", "theory", NULL, "first");
	cs[2] = course("peach", "skills", "yellow-peach", "prune");
	lib.courses = cs;
	lib.ncourses = 3;

	r.categories = rc;
	r.ncategories = 2;
	r.first_lesson.id = "intro/first";
	r.core = refs1("intro");
	r.ncore = 1;
	r.by_need = &bn;
	r.nby_need = 1;
	e = errors_of(run_recipe, &vc, &w);
	EXPECT(e == 0 && w == 0, "recipe: clean");

	rc[0].min_hours = 25;
	e = errors_of(run_recipe, &vc, &w);
	EXPECT(e == 1, "recipe: a category minimum no village can reach");
	rc[0].min_hours = 20;
	r.min_hours = 45;
	e = errors_of(run_recipe, &vc, &w);
	EXPECT(e == 1, "recipe: a total no village can reach");
	r.min_hours = 40;
	e = errors_of(run_recipe, &vc, &w);
	EXPECT(e == 0, "recipe: a total the core and by-need courses reach");

	r.first_lesson.id = "intro/second";
	e = errors_of(run_recipe, &vc, &w);
	EXPECT(e == 1, "recipe: unknown first lesson is an error");
	r.first_lesson.id = "peach/prune";
	e = errors_of(run_recipe, &vc, &w);
	EXPECT(e == 0 && w == 1, "recipe: first lesson outside the core warns");
	r.first_lesson.id = "intro/first";
	r.activity_course.id = "act";
	e = errors_of(run_recipe, &vc, &w);
	EXPECT(e == 1, "recipe: activity course in an unlisted category");
	r.activity_course.id = NULL;
	free(r.core[0].id);
	r.core[0].id = xstrdup("history");
	e = errors_of(run_recipe, &vc, &w);
	EXPECT(e == 1, "recipe: unknown core course");

	t.id = "xiayang";
	v.township = "xiayang";
	v.members[GROUP_RESIDENT] = 5;
	v.needs = refs1("yellow-peach");
	v.nneeds = 1;
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 0 && w == 0, "village: clean");
	free(v.needs[0].id);
	v.needs[0].id = xstrdup("tea");
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 0 && w == 1, "village: unmatched need warns");
	bn.category = "theory";
	free(v.needs[0].id);
	v.needs[0].id = xstrdup("yellow-peach");
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 0 && w == 1, "village: a need only matches courses chosen by need");
	bn.category = "skills";
	v.township = "other";
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 1, "village: wrong township");
	v.township = "xiayang";
	v.members[GROUP_RESIDENT] = 0;
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 0 && w == 1, "village: no members warns");
	v.members[GROUP_RESIDENT] = 5;
	v.activity.id = "act/clean";
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 1, "village: activity without a recipe activity course");
	r.activity_course.id = "intro";
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 1, "village: activity from the wrong course");
	r.activity_course.id = "act";
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 0, "village: activity from the activity course");
	v.activity.id = NULL;
	e = errors_of(run_village, &vc, &w);
	EXPECT(e == 0 && w == 1, "village: no activity warns when the recipe has one");

	free(v.needs[0].id);
	free(v.needs);
	free(r.core[0].id);
	free(r.core);
	for (int i = 0; i < 3; i++)
		course_free(cs[i]);
	diag_reset();
}
