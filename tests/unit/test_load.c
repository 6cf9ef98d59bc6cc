#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "unit.h"
#include "util.h"

#define FIX "tests/golden/ok-library/"

void
test_load(void)
{
	struct course *c = load_course(FIX "lib/grow/course.xml");
	struct recipe *r;
	struct village *v;
	struct township *t;
	struct library *lib;
	int failed = -1;

	EXPECT(c != NULL, "load_course: fixture loads");
	if (c) {
		EXPECT_STR(c->id, "grow", "course id");
		EXPECT_STR(c->category, "skills", "course category");
		EXPECT_STR(c->dir, FIX "lib/grow", "course dir");
		EXPECT(c->ntags == 1 && strcmp(c->tags[0].id, "yellow-peach") == 0, "course tags");
		EXPECT(c->nlessons == 1, "one lesson");
		EXPECT(c->lessons[0].hours == 15, "hours held as tenths");
		EXPECT(c->lessons[0].modes == (MODE_FIELD | MODE_HOME | MODE_ONLINE), "modes as bits");
		EXPECT(c->lessons[0].nassets == 1 && strcmp(c->lessons[0].assets[0].id, "media/tree.svg") == 0, "assets");
		EXPECT(c->lessons[0].loc.line == 5 && c->lessons[0].loc.col == 3, "lesson location line 5 col 3");
		EXPECT(c->lessons[0].src_loc.line == 5 && c->lessons[0].src_loc.col == 22, "src attribute location");
		EXPECT(c->lessons[0].course == c, "lesson points back at its course");
	}
	course_free(c);

	r = load_recipe(FIX "town/recipe.xml");
	EXPECT(r != NULL, "load_recipe");
	if (r) {
		EXPECT(r->min_hours == 40, "recipe min hours");
		EXPECT(r->ncategories == 3 && strcmp(r->categories[2].ref, "practice") == 0, "recipe categories in order");
		EXPECT(r->categories[0].min_hours == 20 && r->categories[2].min_hours == 0, "category minimums, default 0");
		EXPECT_STR(r->first_lesson.id, "intro/first", "first lesson");
		EXPECT(r->nby_need == 1 && r->by_need[0].max_courses == 3, "by-need default max-courses 3");
		EXPECT_STR(r->activity_course.id, "act", "activity course");
	}
	recipe_free(r);

	v = load_village(FIX "town/villages/a.xml");
	EXPECT(v != NULL, "load_village");
	if (v) {
		EXPECT(v->members[GROUP_RESIDENT] == 10 && v->members[GROUP_HOMEBOUND] == 2 &&
		    v->members[GROUP_MOBILE] == 3, "member counts by group");
		EXPECT_STR(v->kind, "village", "kind defaults to village");
		EXPECT(v->nneeds == 1 && strcmp(v->needs[0].id, "yellow-peach") == 0, "needs");
		EXPECT_STR(v->activity.id, "act/clean", "activity");
	}
	village_free(v);

	t = load_township(FIX "town/township.xml");
	EXPECT(t != NULL, "load_township");
	if (t) {
		EXPECT_STR(t->library_src.id, "../lib", "library src");
		EXPECT(t->nvillages == 1, "one village");
		EXPECT_STR(t->dir, FIX "town", "township dir");
	}
	township_free(t);

	lib = load_library(FIX "lib", NULL, &failed);
	EXPECT(lib != NULL && failed == 0, "load_library");
	if (lib) {
		EXPECT(lib->ncourses == 3, "three courses");
		EXPECT(strcmp(lib->courses[0]->id, "act") == 0 && strcmp(lib->courses[2]->id, "intro") == 0,
		    "courses sorted by id");
		EXPECT(library_find_lesson(lib, "grow/prune") != NULL, "find lesson by full id");
		EXPECT(library_find_lesson(lib, "grow/none") == NULL, "unknown lesson not found");
		EXPECT(library_find_lesson(lib, "grow") == NULL, "course id alone is not a lesson");
		EXPECT(library_find_course(lib, "zzz") == NULL, "unknown course not found");
		EXPECT(categories_find(lib->categories, "practice")->order == 3, "category order");
	}
	library_free(lib);

	/* Refusals: the loaders return NULL and never a half-built struct. */
	EXPECT(load_course("tests/golden/xml-doctype-entity/lib/intro/course.xml") == NULL, "DOCTYPE refused");
	EXPECT(load_course("tests/golden/schema-bad-hours/lib/intro/course.xml") == NULL, "schema-invalid refused");
	EXPECT(load_course(FIX "town/recipe.xml") == NULL, "a recipe is not a course");
	EXPECT(load_course("tests/golden/no-such-file.xml") == NULL, "missing file");
	EXPECT(load_library("tests/golden", NULL, &failed) == NULL && failed == 1, "a folder without categories.xml is no library");
}
