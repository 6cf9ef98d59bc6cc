/* Group views of a plan, the table of editions (and the files, catalogue
 * columns, SHA256SUMS lines and shard records derived from its rows), and
 * archives' storage states, on structs built in memory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "catalog.h"
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

/* How many times `needle` occurs in `hay`. */
static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

/* The files beside the bundle are the table's file rows and nothing
 * else: a row added to editions.c gets its file named, removed, listed
 * in SHA256SUMS, given a catalogue column and a shard record, or one of
 * these fails. */
static void
files(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/cp-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp"), *html, *sums, *record;
	struct catalog cat = {0}, back;
	size_t i, k, a, nfiles = 0, shard, nshards, left = 0, bundles = 0, seen[EDITIONS_MAX] = {0};
	int rows_ok = 1, unique = 1, ranks = 1, made_ok = 1, listed = 1, columns = 1, cells = 1, kept = 1;
	DIR *d;
	struct dirent *de;

	EXPECT(neditions <= EDITIONS_MAX, "editions: the table fits EDITIONS_MAX");
	for (k = 0; k < neditions; k++) {
		const struct edition *e = &editions[k];
		int derived = e->place == BUNDLE || e->place == BESIDE_PDF;

		bundles += e->place == BUNDLE;
		made_ok &= derived == (e->make == NULL);
		if (!edition_is_file(e)) {
			rows_ok &= e->label == NULL;
			continue;
		}
		nfiles++;
		rows_ok &= e->file != NULL && e->file[0] != '\0' && e->label != NULL && e->name != NULL;
		ranks &= e->sums >= 0 && (size_t)e->sums < EDITIONS_MAX && seen[e->sums]++ == 0;
		for (a = 0; a < k; a++)
			if (edition_is_file(&editions[a]))
				unique &= !streq(editions[a].file, e->file) && !streq(editions[a].label, e->label);
	}
	EXPECT(bundles == 1 && editions[EDITION_BUNDLE].place == BUNDLE && streq(editions[EDITION_BUNDLE].file, ".zip"),
	    "editions: one row is the bundle, TOWNSHIP-VILLAGE.zip, at EDITION_BUNDLE");
	EXPECT(rows_ok, "editions: each file row has a suffix and a catalogue label, a row in the bundle neither");
	EXPECT(unique, "editions: no two file rows share a suffix or a label");
	EXPECT(ranks, "editions: each file row has its own place in SHA256SUMS");
	EXPECT(made_ok, "editions: only the bundle and the PDF are made outside the package (no make)");

	/* Removing a village's files: every row's, and signatures. */
	if (mkdtemp(dir) == NULL) {
		EXPECT(0, "editions: a temporary folder");
		free(dir);
		return;
	}
	for (k = 0; k < neditions; k++) {
		char *name, *path;
		FILE *fp;

		if (!edition_is_file(&editions[k]))
			continue;
		name = edition_file_name(&editions[k], "town", "vil");
		path = xasprintf("%s/%s", dir, name);
		if ((fp = fopen(path, "w")) != NULL)
			fclose(fp);
		free(path);
		path = xasprintf("%s/%s.minisig", dir, name);
		if ((fp = fopen(path, "w")) != NULL)
			fclose(fp);
		free(path);
		free(name);
	}
	html = xasprintf("%s/town-other.zip", dir);
	fclose(fopen(html, "w"));
	editions_remove_files(dir, "town", "vil");
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				left++;
		closedir(d);
	}
	EXPECT(left == 1 && access(html, F_OK) == 0,
	    "editions: a village's files and signatures are removed, every row's, and no other village's");
	unlink(html);
	free(html);

	/* A catalogue of two villages with every file of every row. */
	cat.township = xstrdup("town");
	cat.name = xstrdup("镇");
	cat.title = xstrdup("冬春训");
	cat.min_hours = 160;
	cat.ncats = 1;
	cat.cats = xcalloc(1, sizeof *cat.cats);
	cat.cats[0].name = xstrdup("理论");
	cat.cats[0].colour = xstrdup("#aa0000");
	cat.nrows = 2;
	cat.rows = xcalloc(2, sizeof *cat.rows);
	cat.planned = cat.villages = 2;
	memset(cat.source, 'a', 64);
	for (i = 0; i < 2; i++) {
		struct catalog_row *r = &cat.rows[i];

		r->order = i;
		r->village = xstrdup(i ? "乙村" : "甲村");
		r->hours = xcalloc(1, sizeof *r->hours);
		r->hours[0] = r->total = 160;
		for (k = 0; k < neditions; k++)
			if (edition_is_file(&editions[k])) {
				r->files[k].name = edition_file_name(&editions[k], "town", i ? "b" : "a");
				r->files[k].size = 1000 + k;
				memset(r->files[k].sha256, "0123456789abcdef"[(i * 8 + k) % 16], 64);
			}
	}
	html = catalog_render(&cat);
	sums = catalog_sums(&cat);
	for (k = 0; k < neditions; k++) {
		char *th;

		if (!edition_is_file(&editions[k]))
			continue;
		th = xasprintf("<th>%s</th>", editions[k].label);
		columns &= count(html, th) == 1;
		free(th);
		for (i = 0; i < 2; i++) {
			char *line = xasprintf("%s  %s\n", cat.rows[i].files[k].sha256, cat.rows[i].files[k].name),
			    *link = xasprintf("<a href=\"%s\">", cat.rows[i].files[k].name);

			listed &= count(sums, line) == 1;
			cells &= count(html, link) == 1;
			free(line);
			free(link);
		}
	}
	EXPECT(columns, "catalogue: a column per file row, headed with its label");
	EXPECT(cells, "catalogue: every village's file of every row is linked");
	EXPECT(listed && count(sums, "\n") == 2 * nfiles, "SHA256SUMS: a line per file of every row, and no more");
	/* SHA256SUMS in the rows' `sums` order: the first village's lines. */
	{
		const char *at = sums;
		int rank, ordered = 1;

		for (rank = 0; (size_t)rank < nfiles; rank++)
			for (k = 0; k < neditions; k++)
				if (edition_is_file(&editions[k]) && editions[k].sums == rank) {
					const char *hit = strstr(sums, cat.rows[0].files[k].name);

					ordered &= hit != NULL && hit >= at;
					at = hit ? hit : at;
				}
		EXPECT(ordered, "SHA256SUMS: a village's files in the order of their rows' sums");
	}
	free(html);
	free(sums);

	/* Without a PDF the catalogue has no PDF column. */
	for (k = 0; k < neditions; k++)
		if (editions[k].place == BESIDE_PDF)
			for (i = 0; i < 2; i++) {
				free(cat.rows[i].files[k].name);
				cat.rows[i].files[k].name = NULL;
			}
	html = catalog_render(&cat);
	for (k = 0; k < neditions; k++)
		if (edition_is_file(&editions[k])) {
			char *th = xasprintf("<th>%s</th>", editions[k].label);

			columns &= count(html, th) == (editions[k].place == BESIDE_PDF ? 0u : 1u);
			free(th);
		}
	EXPECT(columns, "catalogue: the PDF's column only when some village has a PDF");
	free(html);
	for (k = 0; k < neditions; k++)
		if (editions[k].place == BESIDE_PDF)
			for (i = 0; i < 2; i++)
				cat.rows[i].files[k].name = edition_file_name(&editions[k], "town", i ? "b" : "a");

	/* A shard record keeps every row's file: its schema knows them all. */
	record = xasprintf("%s/shard-0-of-1.xml", dir);
	if (catalog_save(&cat, 0, 1, record) == 0 && catalog_load(record, &back, &shard, &nshards) == 0) {
		for (i = 0; i < 2 && back.nrows == 2; i++)
			for (k = 0; k < EDITIONS_MAX; k++) {
				const struct catalog_file *x = &cat.rows[i].files[k], *y = &back.rows[i].files[k];

				kept &= (x->name == NULL) == (y->name == NULL) &&
				    (x->name == NULL || (streq(x->name, y->name) && x->size == y->size &&
				    streq(x->sha256, y->sha256)));
			}
		kept &= back.nrows == 2;
		catalog_release(&back);
	} else {
		kept = 0;
	}
	EXPECT(kept, "shard record: every row's file is saved and read back (schemas/shard.xsd knows its kind and suffix)");
	unlink(record);
	free(record);
	catalog_release(&cat);
	rmdir(dir);
	free(dir);
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
	files();
	archive_states();
}
