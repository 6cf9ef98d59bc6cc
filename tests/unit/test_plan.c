/* plan_village on structs built in memory. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "render.h"
#include "unit.h"
#include "util.h"

/* A course with one tag and lessons given as (id, hours, modes). */
static struct course *
mkcourse(const char *id, const char *category, const char *tag, int n, const char **ids,
    const int *hours, const unsigned *modes)
{
	struct course *c = xcalloc(1, sizeof *c);
	int i;

	c->id = xstrdup(id);
	c->category = xstrdup(category);
	if (tag) {
		c->tags = xcalloc(1, sizeof *c->tags);
		c->tags[0].id = xstrdup(tag);
		c->ntags = 1;
	}
	c->lessons = xcalloc((size_t)n, sizeof *c->lessons);
	c->nlessons = (size_t)n;
	for (i = 0; i < n; i++) {
		c->lessons[i].id = xstrdup(ids[i]);
		c->lessons[i].hours = hours[i];
		c->lessons[i].modes = modes[i];
		c->lessons[i].course = c;
	}
	return c;
}

static int
position(const struct plan *p, const char *course, const char *lesson)
{
	size_t i;

	for (i = 0; i < p->nlessons; i++)
		if (streq(p->lessons[i]->course->id, course) && streq(p->lessons[i]->id, lesson))
			return (int)i;
	return -1;
}

/* A rendering that linked to lesson b while b was in the plan holds for
 * plans with b, and not for plans without it (shared.c then renders the
 * lesson for that village alone). */
static void
link_deps(void)
{
	struct lesson l[3];
	const struct lesson *with[] = {&l[0], &l[1]}, *without[] = {&l[0], &l[2]};
	struct plan a, b;
	struct link_deps d = {0};

	memset(l, 0, sizeof l);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.lessons = with;
	a.nlessons = 2;
	b.lessons = without;
	b.nlessons = 2;
	EXPECT(link_deps_hold(&d, &a) && link_deps_hold(&d, &b), "link_deps: no links hold for every plan");
	link_deps_add(&d, &l[1], 1);
	link_deps_add(&d, &l[1], 1);
	EXPECT(d.n == 1, "link_deps: a lesson is recorded once");
	EXPECT(link_deps_hold(&d, &a), "link_deps: holds for a plan that has the linked lesson");
	EXPECT(!link_deps_hold(&d, &b), "link_deps: not for a plan without it");
	link_deps_release(&d);
	link_deps_add(&d, &l[1], 0);
	EXPECT(!link_deps_hold(&d, &a) && link_deps_hold(&d, &b), "link_deps: a link dropped holds only where it is dropped");
	link_deps_release(&d);
}

static int
has_remedy(const struct plan *p, size_t shortfall, const char *course, enum remedy_rule rule, int hours)
{
	size_t i;

	for (i = 0; i < p->nremedies; i++)
		if (p->remedies[i].shortfall == shortfall && streq(p->remedies[i].course->id, course))
			return p->remedies[i].rule == rule && p->remedies[i].hours == hours;
	return 0;
}

/* A small library: theory core "t", integrity core "i", skills courses
 * "peach" (tag peach), "rice" (tag rice), "extra" (no tag), practice
 * activity "act". */
struct fixture {
	struct course *cs[6];
	struct library lib;
	struct recipe r;
	struct village v;
	struct recipe_category rc[4];
	struct ref core[2];
	struct by_need bn;
};

static void
fixture_init(struct fixture *f)
{
	const char *one[] = {"a"}, *two[] = {"a", "b"};
	const int h1[] = {10}, h2[] = {10, 20};
	const unsigned cls[] = {MODE_CLASSROOM, MODE_CLASSROOM}, home[] = {MODE_HOME, MODE_HOME | MODE_CLASSROOM},
	    fld[] = {MODE_FIELD};

	memset(f, 0, sizeof *f);
	f->cs[0] = mkcourse("act", "practice", NULL, 1, one, h1, fld);
	f->cs[1] = mkcourse("extra", "skills", NULL, 2, two, h2, home);
	f->cs[2] = mkcourse("i", "integrity", NULL, 1, one, h1, cls);
	f->cs[3] = mkcourse("peach", "skills", "peach", 2, two, h2, home);
	f->cs[4] = mkcourse("rice", "skills", "rice", 1, one, h1, home);
	f->cs[5] = mkcourse("t", "theory", NULL, 2, two, h2, cls);
	f->lib.courses = f->cs;
	f->lib.ncourses = 6;
	f->rc[0] = (struct recipe_category){"theory", 10, {0}};
	f->rc[1] = (struct recipe_category){"integrity", 10, {0}};
	f->rc[2] = (struct recipe_category){"skills", 0, {0}};
	f->rc[3] = (struct recipe_category){"practice", 0, {0}};
	f->core[0] = (struct ref){"t", {0}};
	f->core[1] = (struct ref){"i", {0}};
	f->bn = (struct by_need){"skills", 1, {0}};
	f->r.min_hours = 40;
	f->r.categories = f->rc;
	f->r.ncategories = 4;
	f->r.first_lesson.id = "t/a";
	f->r.core = f->core;
	f->r.ncore = 2;
	f->r.by_need = &f->bn;
	f->r.nby_need = 1;
	f->r.activity_course.id = "act";
	f->v.members[GROUP_RESIDENT] = 5;
	f->v.activity.id = "act/a";
}

static void
fixture_release(struct fixture *f)
{
	for (int i = 0; i < 6; i++)
		course_free(f->cs[i]);
}

static void
include_exclude(void)
{
	struct fixture f;
	struct ref need = {"peach", {0}}, inc[2] = {{"rice", {0}}, {"extra", {0}}}, exc[2];
	struct plan *p;

	fixture_init(&f);
	f.v.needs = &need;
	f.v.nneeds = 1;
	f.v.includes = inc;
	f.v.nincludes = 2;
	p = plan_village(&f.lib, &f.r, &f.v);
	/* t/a t/b i/a peach/a peach/b rice/a extra/a extra/b act/a */
	EXPECT(p->nlessons == 9, "include: included courses join the package");
	EXPECT(position(p, "peach", "b") == 4 && position(p, "rice", "a") == 5 &&
	    position(p, "extra", "a") == 6 && position(p, "act", "a") == 8,
	    "include: after the by-need courses of their category, in the village's order, before the activity");
	EXPECT(p->sources[5] == SOURCE_INCLUDED && p->sources[3] == SOURCE_NEED && p->sources[0] == SOURCE_CORE &&
	    p->sources[8] == SOURCE_ACTIVITY, "include: each lesson says why it is there");
	EXPECT(p->nby_need == 1 && p->ncut == 0, "include: included courses do not take a by-need place");
	plan_free(p);

	/* Including a course that is already there adds nothing twice. */
	inc[0].id = "peach";
	f.v.nincludes = 1;
	p = plan_village(&f.lib, &f.r, &f.v);
	EXPECT(p->nlessons == 6 && p->sources[3] == SOURCE_NEED, "include: a course chosen anyway stays as chosen");
	plan_free(p);

	/* Excluding a core course, a by-need course and the activity. */
	f.v.nincludes = 0;
	exc[0] = (struct ref){"i", {0}};
	exc[1] = (struct ref){"peach", {0}};
	f.v.excludes = exc;
	f.v.nexcludes = 2;
	p = plan_village(&f.lib, &f.r, &f.v);
	EXPECT(position(p, "i", "a") == -1 && position(p, "peach", "a") == -1,
	    "exclude: an excluded core or by-need course is left out");
	EXPECT(p->nby_need == 0 && p->nunmet == 1, "exclude: the need is then unmet");
	EXPECT(p->reach[GROUP_RESIDENT][1] == 0 && p->nshortfalls >= 1 &&
	    p->shortfalls[p->nshortfalls - 1].kind == SHORT_CATEGORY && p->shortfalls[p->nshortfalls - 1].category == 1,
	    "exclude: the recipe's minimums still apply");
	EXPECT(has_remedy(p, p->nshortfalls - 1, "i", REMEDY_UNEXCLUDE, 10),
	    "exclude: the remedy is to drop the exclude");
	plan_free(p);

	/* The next-ranked by-need course takes the excluded one's place. */
	need.id = "peach";
	{
		struct ref needs2[2] = {{"peach", {0}}, {"rice", {0}}};

		f.v.needs = needs2;
		f.v.nneeds = 2;
		exc[0].id = "peach";
		f.v.nexcludes = 1;
		p = plan_village(&f.lib, &f.r, &f.v);
		EXPECT(position(p, "rice", "a") >= 0 && p->sources[position(p, "rice", "a")] == SOURCE_NEED,
		    "exclude: the next-ranked course takes the place");
		plan_free(p);
		exc[0].id = "act";
		p = plan_village(&f.lib, &f.r, &f.v);
		EXPECT(position(p, "act", "a") == -1, "exclude: the activity course can be left out");
		plan_free(p);
		exc[0].id = "t";
		p = plan_village(&f.lib, &f.r, &f.v);
		EXPECT(position(p, "t", "a") == 0, "exclude: the first lesson stays whatever the profile says");
		plan_free(p);
	}
	fixture_release(&f);
}

static void
remedies(void)
{
	struct fixture f;
	struct ref rice = {"rice", {0}};
	struct plan *p;

	fixture_init(&f);
	f.v.members[GROUP_RESIDENT] = 0;
	f.v.members[GROUP_HOMEBOUND] = 3;
	f.rc[2].min_hours = 20;
	p = plan_village(&f.lib, &f.r, &f.v);
	/* Homebound reach nothing: total, theory, integrity and skills short. */
	EXPECT(p->nshortfalls == 4 && p->shortfalls[0].kind == SHORT_TOTAL, "remedies: four homebound shortfalls");
	EXPECT(has_remedy(p, 0, "extra", REMEDY_INCLUDE, 30) && has_remedy(p, 0, "peach", REMEDY_NEED, 30) &&
	    has_remedy(p, 0, "rice", REMEDY_NEED, 10), "remedies: for the total, every course with home lessons");
	EXPECT(p->nremedies >= 3 && streq(p->remedies[0].course->id, "extra") &&
	    streq(p->remedies[1].course->id, "peach"), "remedies: most hours first, then by id");
	{
		size_t i;
		int act = 0, other_cat = 0, theory = 0;

		for (i = 0; i < p->nremedies; i++) {
			act |= streq(p->remedies[i].course->id, "act");
			if (p->remedies[i].shortfall == 3)
				other_cat |= !streq(p->remedies[i].course->category, "skills");
			if (p->remedies[i].shortfall == 1)
				theory = 1;
		}
		EXPECT(!act, "remedies: the activity course is never offered");
		EXPECT(!other_cat, "remedies: for a category, only courses of that category");
		EXPECT(!theory, "remedies: none for theory, which no other course offers");
	}
	EXPECT(has_remedy(p, 3, "peach", REMEDY_NEED, 30) && streq(p->remedies[1].tag, "peach"),
	    "remedies: a by-need course is taken in by a need for its tag");
	plan_free(p);

	/* With the one by-need place taken, a need would not take it in. */
	f.v.needs = &rice;
	f.v.nneeds = 1;
	p = plan_village(&f.lib, &f.r, &f.v);
	EXPECT(has_remedy(p, 0, "peach", REMEDY_INCLUDE, 30), "remedies: max-courses reached, so include");
	EXPECT(!has_remedy(p, 0, "rice", REMEDY_NEED, 10) && !has_remedy(p, 0, "rice", REMEDY_INCLUDE, 10),
	    "remedies: a course in the package is not offered");
	plan_free(p);
	fixture_release(&f);
}

void
test_plan(void)
{
	link_deps();
	const unsigned ALL = MODE_CLASSROOM | MODE_HOME | MODE_ONLINE;
	const char *t_ids[] = {"a", "first"}, *i_ids[] = {"case"}, *s_ids[] = {"x", "y"},
	    *p_ids[] = {"clean", "plant"};
	const int t_h[] = {10, 20}, i_h[] = {5}, s_h[] = {10, 15}, p_h[] = {20, 20};
	const unsigned t_m[] = {ALL, ALL}, i_m[] = {MODE_CLASSROOM | MODE_ONLINE},
	    s_m[] = {ALL, MODE_FIELD}, p_m[] = {MODE_FIELD, MODE_FIELD};
	struct course *cs[6];
	struct library lib = {0};
	struct recipe r = {0};
	struct village v = {0};
	struct recipe_category rc[4] = {
	    {"theory", 20, {0}}, {"integrity", 10, {0}}, {"skills", 10, {0}}, {"practice", 0, {0}}};
	struct ref core[2] = {{"theory1", {0}}, {"integ", {0}}};
	struct ref needs[2] = {{"peach", {0}}, {"tea", {0}}};
	struct by_need bn = {"skills", 1, {0}};
	struct plan *p;

	/* Sorted by id, as load_library leaves them; two skills courses
	 * tie on one matching need and are ranked by id. */
	cs[0] = mkcourse("act", "practice", NULL, 2, p_ids, p_h, p_m);
	cs[1] = mkcourse("integ", "integrity", NULL, 1, i_ids, i_h, i_m);
	cs[2] = mkcourse("peach-a", "skills", "peach", 2, s_ids, s_h, s_m);
	cs[3] = mkcourse("peach-b", "skills", "peach", 2, s_ids, s_h, s_m);
	cs[4] = mkcourse("rice", "skills", "rice", 2, s_ids, s_h, s_m);
	cs[5] = mkcourse("theory1", "theory", NULL, 2, t_ids, t_h, t_m);
	lib.courses = cs;
	lib.ncourses = 6;

	r.min_hours = 60;
	r.categories = rc;
	r.ncategories = 4;
	r.first_lesson.id = "theory1/first";
	r.core = core;
	r.ncore = 2;
	r.by_need = &bn;
	r.nby_need = 1;
	r.activity_course.id = "act";

	v.members[GROUP_RESIDENT] = 10;
	v.members[GROUP_HOMEBOUND] = 2;
	v.needs = needs;
	v.nneeds = 2;
	v.activity.id = "act/plant";

	p = plan_village(&lib, &r, &v);
	EXPECT(position(p, "theory1", "first") == 0, "plan: the first lesson comes first");
	EXPECT(position(p, "theory1", "a") == 1, "plan: then its course's other lessons");
	EXPECT(position(p, "integ", "case") == 2, "plan: categories in the recipe's order");
	EXPECT(position(p, "peach-a", "x") == 3 && position(p, "peach-b", "x") == -1,
	    "plan: a tie between by-need courses goes to the lower id, max-courses respected");
	EXPECT(position(p, "rice", "x") == -1, "plan: a course whose tag no need names is left out");
	EXPECT(position(p, "act", "plant") == 5 && position(p, "act", "clean") == -1,
	    "plan: the village's activity only, last (its category is last)");
	EXPECT(p->nlessons == 6, "plan: six lessons");
	EXPECT(p->nunmet == 1 && streq(p->unmet[0].need->id, "tea") && p->unmet[0].left_out == NULL,
	    "plan: the unmatched need is named");
	EXPECT(p->hours[0] == 30 && p->hours[1] == 5 && p->hours[2] == 25 && p->hours[3] == 20,
	    "plan: hours per category");
	EXPECT(p->total == 80, "plan: total hours");
	EXPECT(p->reach_total[GROUP_RESIDENT] == 80, "plan: residents reach classroom and field lessons");
	EXPECT(p->reach_total[GROUP_HOMEBOUND] == 40, "plan: homebound reach home lessons only");
	EXPECT(p->reach[GROUP_HOMEBOUND][1] == 0, "plan: no integrity lesson is marked home");
	/* Residents: integrity 0.5 < 1 h; homebound: total 4 < 6 h and
	 * integrity 0 < 1 h; mobile has no members, so no shortfall. */
	EXPECT(p->nshortfalls == 3, "plan: three shortfalls");
	EXPECT(p->nshortfalls == 3 && p->shortfalls[0].group == GROUP_RESIDENT &&
	    p->shortfalls[0].kind == SHORT_CATEGORY && p->shortfalls[0].have == 5 &&
	    p->shortfalls[0].need == 10, "plan: residents short of integrity");
	EXPECT(p->nshortfalls == 3 && p->shortfalls[1].group == GROUP_HOMEBOUND &&
	    p->shortfalls[1].kind == SHORT_TOTAL && p->shortfalls[1].have == 40 &&
	    p->shortfalls[1].need == 60, "plan: the homebound total shortfall");
	EXPECT(p->nshortfalls == 3 && p->shortfalls[2].kind == SHORT_CATEGORY &&
	    p->shortfalls[2].category == 1 && p->shortfalls[2].have == 0, "plan: the homebound integrity shortfall");
	plan_free(p);

	/* Mobile members now count, and two needs match peach-b better. */
	v.members[GROUP_MOBILE] = 3;
	needs[1].id = "peach";
	bn.max_courses = 3;
	p = plan_village(&lib, &r, &v);
	EXPECT(position(p, "peach-a", "x") == 3 && position(p, "peach-b", "x") == 5,
	    "plan: by-need courses in rank order, then id");
	EXPECT(p->reach_total[GROUP_MOBILE] > 0 && p->reach[GROUP_MOBILE][1] == 5,
	    "plan: mobile members reach online lessons");
	plan_free(p);

	/* Ties go to the course meeting the need the village lists first,
	 * and a need whose course max-courses cut says so. */
	needs[0].id = "rice";
	needs[1].id = "peach";
	bn.max_courses = 1;
	p = plan_village(&lib, &r, &v);
	EXPECT(position(p, "rice", "x") >= 0 && position(p, "peach-a", "x") == -1,
	    "plan: a tie goes to the need listed first, not the lower id");
	EXPECT(p->nunmet == 1 && streq(p->unmet[0].need->id, "peach") && p->unmet[0].left_out == cs[2],
	    "plan: the need whose course was cut names that course");
	plan_free(p);
	needs[0].id = "peach";
	bn.max_courses = 3;

	/* A first lesson outside the listed categories is left out. */
	r.ncategories = 3;
	v.activity.id = NULL;
	p = plan_village(&lib, &r, &v);
	EXPECT(position(p, "act", "plant") == -1, "plan: no activity without one named");
	plan_free(p);
	r.first_lesson.id = "act/clean";
	p = plan_village(&lib, &r, &v);
	EXPECT(position(p, "act", "clean") == -1 && position(p, "theory1", "a") == 0,
	    "plan: a first lesson of an unlisted category is not placed");
	plan_free(p);

	for (int i = 0; i < 6; i++)
		course_free(cs[i]);
	include_exclude();
	remedies();
}
