/* Group views of a plan, the table of editions, and archives' storage
 * states, on structs built in memory. */
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "editions.h"
#include "plan.h"
#include "unit.h"
#include "util.h"

static int
always(const char *name)
{
	(void)name;
	return 1;
}

static void
views(void)
{
	static const struct {
		const char *id;
		int hours;
		unsigned modes;
	} ls[] = {{"class", 20, MODE_CLASSROOM}, {"home", 15, MODE_CLASSROOM | MODE_HOME},
	    {"phone", 10, MODE_ONLINE}, {"both", 5, MODE_HOME | MODE_ONLINE}, {"field", 30, MODE_FIELD}};
	struct course c = {0}, *cs[] = {&c};
	struct library lib = {0};
	struct recipe r = {0};
	struct village v = {0};
	struct recipe_category rc[] = {{"theory", 0, {0}}};
	struct ref core[] = {{"c", {0}}};
	struct plan *p, view;
	size_t i;
	int g;

	c.id = "c";
	c.category = "theory";
	c.lessons = xcalloc(NELEM(ls), sizeof *c.lessons);
	c.nlessons = NELEM(ls);
	for (i = 0; i < NELEM(ls); i++) {
		c.lessons[i].id = (char *)ls[i].id;
		c.lessons[i].hours = ls[i].hours;
		c.lessons[i].modes = ls[i].modes;
		c.lessons[i].course = &c;
	}
	lib.courses = cs;
	lib.ncourses = 1;
	r.categories = rc;
	r.ncategories = 1;
	r.core = core;
	r.ncore = 1;
	r.first_lesson.id = "c/class";
	v.members[GROUP_RESIDENT] = v.members[GROUP_HOMEBOUND] = v.members[GROUP_MOBILE] = 1;
	p = plan_village(&lib, &r, &v);

	plan_view(p, GROUP_HOMEBOUND, &view);
	EXPECT(view.nlessons == 2 && streq(view.lessons[0]->id, "home") && streq(view.lessons[1]->id, "both"),
	    "plan_view: homebound members get the home lessons, in package order");
	EXPECT(view.total == 20 && view.hours[0] == 20, "plan_view: the booklet's total is what homebound members reach");
	plan_view_release(&view);
	plan_view(p, GROUP_MOBILE, &view);
	EXPECT(view.nlessons == 2 && streq(view.lessons[0]->id, "phone") && streq(view.lessons[1]->id, "both") &&
	    view.total == 15, "plan_view: mobile members get the online lessons and their hours");
	plan_view_release(&view);
	for (g = 0; g < GROUP__COUNT; g++) {
		int sum = 0;

		plan_view(p, (enum group)g, &view);
		for (i = 0; i < view.nlessons; i++)
			sum += view.lessons[i]->hours;
		EXPECT(sum == p->reach_total[g] && view.total == p->reach_total[g],
		    "plan_view: the lessons of a view add up to the group's coverage");
		plan_view_release(&view);
	}
	plan_free(p);
	free(c.lessons);
}

static void
table(void)
{
	struct body_kind kinds[LINKS__COUNT];
	size_t i, k;
	int print = 0, phone = 0, dup = 0, wide = 0;

	editions_body_kinds(kinds);
	for (i = 0; i < neditions; i++) {
		const struct edition *e = &editions[i];

		for (k = 0; k < i; k++)
			dup |= streq(editions[k].name, e->name);
		if (e->group != EDITION_EVERYONE)
			wide |= (kinds[e->links].modes & ~group_modes((enum group)e->group)) != 0;
		print |= streq(e->name, "print") && e->group == GROUP_HOMEBOUND;
		phone |= streq(e->name, "phone") && e->group == GROUP_MOBILE;
	}
	EXPECT(!dup, "editions: names are unique");
	EXPECT(!wide, "editions: a group's edition links only to lessons of that group");
	EXPECT(print && phone, "editions: the booklet serves homebound members, the phone edition mobile ones");
	EXPECT(kinds[LINKS_PAGE].zipped && !kinds[LINKS_PHONE].zipped && kinds[LINKS_EPUB].finish != NULL,
	    "editions: page bodies are zipped, the phone edition's are not, the EPUB's made XHTML");
}

static void
archive_states(void)
{
	struct archive ar = {0};
	char *text = xstrdup("<p>一段课文，一段课文，一段课文。</p>\n");

	archive_insert(&ar, 0, xstrdup("a.html"), text, strlen(text), 0);
	archive_insert(&ar, 1, xstrdup("mimetype"), xstrdup("application/epub+zip"), 20, ARCHIVE_STORE);
	archive_insert(&ar, 2, xstrdup("photo.jpg"), xstrdup("\xff\xd8\xff"), 3, 0);
	EXPECT(ar.files[0].state == AF_PACKED && ar.files[0].data == NULL && ar.files[0].z.len == ar.files[0].len,
	    "archive: text is deflated when added and its plain bytes dropped");
	EXPECT(ar.files[1].state == AF_PLAIN && !ar.files[1].compress, "archive: ARCHIVE_STORE keeps a file stored");
	EXPECT(ar.files[2].state == AF_PLAIN && !ar.files[2].compress, "archive: a JPEG is stored, not deflated again");
	EXPECT_STR(ar.files[1].sha256, "e468e350d1143eb648f60c7b0bd6031101ec0544a361ca74ecef256ac901f48b",
	    "archive: every file is hashed as it is added");
	archive_release(&ar);
	ar.keep_plain = always;
	archive_insert(&ar, 0, xstrdup("print.html"), xstrdup("<p>x</p>"), 8, 0);
	EXPECT(ar.files[0].state == AF_PLAIN && ar.files[0].data != NULL, "archive: keep_plain leaves a file plain");
	archive_release(&ar);
}

void
test_editions(void)
{
	views();
	table();
	archive_states();
}
