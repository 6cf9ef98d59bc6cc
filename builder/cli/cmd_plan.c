/* coursepack plan [--csv[=summary]] TOWNSHIP|VILLAGE: print each
 * village's package and whether every member group reaches its hours,
 * with the remedies the library offers for what falls short.  Exit 1 when
 * any village falls short (or the inputs have errors). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "plan.h"
#include "project.h"
#include "util.h"

#define TITLE_WIDTH 44

static const char usage_text[] = "usage: coursepack plan [--csv[=summary]] TOWNSHIP|VILLAGE\n";

/* The modes each group can reach, as course.xml spells them: the ids stay,
 * the words around them are translated. */
static const char *const group_reach[GROUP__COUNT] = {
	[GROUP_RESIDENT] = N_("classroom or field"),
	[GROUP_HOMEBOUND] = N_("home"),
	[GROUP_MOBILE] = N_("online"),
};

/* The groups as staff read them; village files spell them group_name(). */
static const char *const group_label[GROUP__COUNT] = {
	[GROUP_RESIDENT] = N_("resident"),
	[GROUP_HOMEBOUND] = N_("homebound"),
	[GROUP_MOBILE] = N_("mobile"),
};

/* The categories whose Chinese names head the columns and name the
 * categories in the text, or NULL for their ids.  Names when the
 * catalogue in use is Chinese: categories.xml gives each category a
 * Chinese name, which reads as badly in an English table as an id in a
 * Chinese one.  The CSV keeps the ids. */
static const struct categories *
category_names(const struct library *lib)
{
	const char *header = gettext("");

	return lib && strstr(header, "\nLanguage: zh") ? lib->categories : NULL;
}

/* A category as the text shows it: its name, else its id. */
static const char *
category_word(const struct categories *names, const char *id)
{
	const struct category *c = names ? categories_find(names, id) : NULL;

	return c && c->name && c->name[0] ? c->name : id;
}

/* A column's width: its heading's, at least 5 (" 12.5"). */
static int
column_width(const char *heading)
{
	int w = utf8_width(heading);

	return w > 5 ? w : 5;
}

static void
put_hours(int tenths, int width)
{
	printf("%*d.%d", width - 2, tenths / 10, tenths % 10);
}

static void
put_modes(unsigned modes, FILE *fp, const char *sep)
{
	const char *s = "";
	unsigned m;

	for (m = MODE_CLASSROOM; m <= MODE_ONLINE; m <<= 1)
		if (modes & m) {
			fprintf(fp, "%s%s", s, mode_name((enum mode)m));
			s = sep;
		}
}

/* How many lessons of category `c` group `g` can reach. */
static int
reachable_lessons(const struct plan *p, enum group g, size_t c)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->nlessons; i++)
		if (plan_category_index(p, p->lessons[i]) == c && (p->lessons[i]->modes & group_modes(g)))
			n++;
	return n;
}

/* What the library offers for shortfall `si`: each course outside the
 * package the group could reach, and the rule that would take it in. */
static void
print_remedies(const struct plan *p, size_t si, const struct categories *names)
{
	const struct shortfall *s = &p->shortfalls[si];
	const char *modes = _(group_reach[s->group]);
	size_t i;
	int any = 0;
	char h[16];

	for (i = 0; i < p->nremedies; i++) {
		const struct remedy *m = &p->remedies[i];

		if (m->shortfall != si)
			continue;
		any = 1;
		snprintf(h, sizeof h, "%d.%d", m->hours / 10, m->hours % 10);
		switch (m->rule) {
		case REMEDY_NEED:
			printf(_("    remedy: course '%s' (%s) has %s h marked %s: add the need '%s' to the village\n"),
			    m->course->id, category_word(names, m->course->category), h, modes, m->tag);
			break;
		case REMEDY_INCLUDE:
			printf(_("    remedy: course '%s' (%s) has %s h marked %s: add <include course=\"%s\"/> to the village\n"),
			    m->course->id, category_word(names, m->course->category), h, modes, m->course->id);
			break;
		case REMEDY_UNEXCLUDE:
			printf(_("    remedy: course '%s' (%s) has %s h marked %s: remove the village's <exclude course=\"%s\"/>\n"),
			    m->course->id, category_word(names, m->course->category), h, modes, m->course->id);
			break;
		}
	}
	if (any)
		return;
	if (s->kind == SHORT_TOTAL)
		printf(_("    remedy: no other course of the library has lessons marked %s: a trainer must write or mark some\n"),
		    modes);
	else
		printf(_("    remedy: no other course of the library has %s lessons marked %s: a trainer must write or mark some\n"),
		    category_word(names, p->recipe->categories[s->category].ref), modes);
}

static void
print_shortfall(const struct plan *p, const struct shortfall *s, const struct categories *names)
{
	const char *g = _(group_label[s->group]), *modes = _(group_reach[s->group]);

	if (s->kind == SHORT_TOTAL) {
		printf(_("  short: %s: %d.%d of %d.%d h in all; lessons marked %s add up to no more\n"), g,
		    s->have / 10, s->have % 10, s->need / 10, s->need % 10, modes);
		return;
	}
	const char *cat = category_word(names, p->recipe->categories[s->category].ref);
	int n = reachable_lessons(p, s->group, s->category);

	printf(_("  short: %s: %s %d.%d of %d.%d h; "), g, cat, s->have / 10, s->have % 10,
	    s->need / 10, s->need % 10);
	if (n == 0)
		printf(_("no %s lesson of the package is marked %s\n"), cat, modes);
	else
		printf(_("only %d %s lesson%s of the package %s marked %s\n"), n, cat, n == 1 ? "" : "s",
		    n == 1 ? "is" : "are", modes);
}

static int
max_courses(const struct plan *p, const struct course *c)
{
	size_t i;

	for (i = 0; i < p->recipe->nby_need; i++)
		if (streq(p->recipe->by_need[i].category, c->category))
			return p->recipe->by_need[i].max_courses;
	return 0;
}

static char *
refs_join(const struct ref *v, size_t n, const char *sep)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			buf_puts(&b, sep);
		buf_puts(&b, v[i].id);
	}
	return buf_detach(&b);
}

/* The village profile's own choices: courses it includes and excludes,
 * its activity's date, its sessions. */
static void
print_profile(const struct village *v)
{
	size_t i;

	if (v->nincludes || v->nexcludes) {
		char *inc = refs_join(v->includes, v->nincludes, ", ");
		char *exc = refs_join(v->excludes, v->nexcludes, ", ");

		printf(_("  included by the village (+): %s; excluded: %s\n"), inc[0] ? inc : "-", exc[0] ? exc : "-");
		free(inc);
		free(exc);
	}
	if (v->activity.id && v->activity_date)
		printf(_("  activity %s on %s\n"), v->activity.id, v->activity_date);
	for (i = 0; i < v->nsessions; i++)
		if (v->sessions[i].place)
			printf(_("  session %s at %s: %s\n"), v->sessions[i].date, v->sessions[i].place,
			    v->sessions[i].topic);
		else
			printf(_("  session %s: %s\n"), v->sessions[i].date, v->sessions[i].topic);
}

static void
print_village(const struct plan *p, const struct categories *names)
{
	const struct village *v = p->village;
	const struct recipe *r = p->recipe;
	size_t i, c;
	int g;

	printf(_("%s (%s): %d resident, %d homebound, %d mobile"), v->name, v->id,
	    v->members[GROUP_RESIDENT], v->members[GROUP_HOMEBOUND], v->members[GROUP_MOBILE]);
	if (v->nneeds) {
		fputs(_("; needs"), stdout);
		for (i = 0; i < v->nneeds; i++)
			printf("%s %s", i ? "," : "", v->needs[i].id);
	}
	printf("\n");
	print_profile(v);
	printf("   #  ");
	put_padded(stdout, _("lesson"), TITLE_WIDTH);
	fputs(_("  category      hours  modes\n"), stdout);
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];

		printf("  %2zu%c ", i + 1, p->sources[i] == SOURCE_INCLUDED ? '+' : ' ');
		put_padded(stdout, l->title ? l->title : l->id, TITLE_WIDTH);
		printf("  ");
		put_padded(stdout, category_word(names, l->course->category), 12);
		printf(" ");
		put_hours(l->hours, 6);
		printf("  ");
		put_modes(l->modes, stdout, " ");
		printf("\n");
	}
	printf("      ");
	put_padded(stdout, _("total"), TITLE_WIDTH);
	printf("  %-12s ", "");
	put_hours(p->total, 6);
	fputs(_("\n  coverage    members   total"), stdout);
	for (c = 0; c < r->ncategories; c++) {
		const char *head = category_word(names, r->categories[c].ref);

		printf("  %*s%s", column_width(head) - utf8_width(head), "", head);
	}
	printf("\n");
	for (g = 0; g <= GROUP__COUNT; g++) {
		int *row = g < GROUP__COUNT ? p->reach[g] : NULL;

		printf("    ");
		put_padded(stdout, g < GROUP__COUNT ? _(group_label[g]) : _("required"), 10);
		if (g < GROUP__COUNT)
			printf(" %6d  ", v->members[g]);
		else
			printf(" %6s  ", "");
		put_hours(g < GROUP__COUNT ? p->reach_total[g] : r->min_hours, 6);
		for (c = 0; c < r->ncategories; c++) {
			int w = column_width(category_word(names, r->categories[c].ref));

			printf("  ");
			put_hours(row ? row[c] : r->categories[c].min_hours, w);
		}
		printf("\n");
	}
	for (i = 0; i < p->nunmet; i++)
		if (p->unmet[i].left_out)
			printf(_("  need '%s': course '%s' left out, the recipe takes at most %d course%s by need\n"),
			    p->unmet[i].need->id, p->unmet[i].left_out->id, max_courses(p, p->unmet[i].left_out),
			    max_courses(p, p->unmet[i].left_out) == 1 ? "" : "s");
		else
			printf(_("  need '%s': no course the recipe chooses by need carries this tag\n"),
			    p->unmet[i].need->id);
	for (i = 0; i < p->nshortfalls; i++) {
		print_shortfall(p, &p->shortfalls[i], names);
		print_remedies(p, i, names);
	}
	if (p->nshortfalls == 0)
		printf(_("  complete: every member group reaches %d.%d h and each category's minimum\n"),
		    r->min_hours / 10, r->min_hours % 10);
	printf("\n");
}

static void
print_summary(const struct project *pr, struct plan **plans)
{
	size_t i;
	int complete = 0, n = 0, g;

	for (i = 0; i < pr->nvillages; i++)
		if (plans[i]) {
			n++;
			complete += plans[i]->nshortfalls == 0;
		}
	printf(_("township %s (%s): %d village%s, %d complete, %d short\n"), pr->township->name,
	    pr->township->id, n, n == 1 ? "" : "s", complete, n - complete);
	fputs(_("  village         name          lessons   hours  resident  homebound  mobile  status\n"), stdout);
	for (i = 0; i < pr->nvillages; i++) {
		const struct plan *p = plans[i];

		if (p == NULL)
			continue;
		printf("  %-14s  ", p->village->id);
		put_padded(stdout, p->village->name, 12);
		printf("  %7zu  ", p->nlessons);
		put_hours(p->total, 6);
		for (g = 0; g < GROUP__COUNT; g++) {
			printf("  ");
			put_hours(p->reach_total[g], g == GROUP_HOMEBOUND ? 9 : g == GROUP_MOBILE ? 6 : 8);
		}
		printf("  %s\n", p->nshortfalls ? _("short") : _("complete"));
	}
}

/* CSV: RFC 4180 quoting, CRLF (csv_put: a lesson title must not run as
 * a formula), and a UTF-8 byte-order mark so that Excel and WPS read the
 * Chinese as UTF-8. */
static const char *const source_name[] = {
	[SOURCE_FIRST] = "first",
	[SOURCE_CORE] = "core",
	[SOURCE_NEED] = "need",
	[SOURCE_INCLUDED] = "included",
	[SOURCE_ACTIVITY] = "activity",
};

/* A header row, given whole (as one message, so that translators see the
 * columns together): its cells are plain words, so no quoting. */
static void
csv_header(const char *row)
{
	fputs(row, stdout);
	fputs("\r\n", stdout);
}

static void
csv_row(const char *const *cells, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		csv_put(stdout, cells[k], k + 1 == n);
}

/* --csv: one row per lesson, per session and per (group, category).
 * Lesson rows carry lesson_hours, coverage rows reached_hours, so that
 * summing either column means something. */
enum {
	C_TOWNSHIP, C_VILLAGE, C_VILLAGE_NAME, C_ROW, C_SEQ, C_LESSON, C_TITLE, C_CATEGORY,
	C_LESSON_HOURS, C_MODES, C_SOURCE, C_DATE, C_PLACE, C_GROUP, C_MEMBERS, C_REACHED_HOURS,
	C_REQUIRED_HOURS, C_STATUS, C__COUNT
};

static void
print_csv(const struct project *pr, struct plan **plans)
{
	size_t i, j, c;
	int g;

	fputs("\xef\xbb\xbf", stdout);
	csv_header(_("township,village,village_name,row,seq,lesson,title,category,lesson_hours,modes,"
	    "source,date,place,group,members,reached_hours,required_hours,status"));
	for (i = 0; i < pr->nvillages; i++) {
		const struct plan *p = plans[i];
		const struct village *v;
		char seq[24], members[16], hours[16], need_h[16];

		if (p == NULL)
			continue;
		v = p->village;
		for (j = 0; j < p->nlessons; j++) {
			const struct lesson *l = p->lessons[j];
			const char *cell[C__COUNT] = {0};
			char *id = xasprintf("%s/%s", l->course->id, l->id);
			struct buf modes = {0};
			unsigned m;

			for (m = MODE_CLASSROOM; m <= MODE_ONLINE; m <<= 1)
				if (l->modes & m) {
					if (modes.len)
						buf_puts(&modes, " ");
					buf_puts(&modes, mode_name((enum mode)m));
				}
			snprintf(seq, sizeof seq, "%zu", j + 1);
			snprintf(hours, sizeof hours, "%d.%d", l->hours / 10, l->hours % 10);
			cell[C_TOWNSHIP] = pr->township->id;
			cell[C_VILLAGE] = v->id;
			cell[C_VILLAGE_NAME] = v->name;
			cell[C_ROW] = "lesson";
			cell[C_SEQ] = seq;
			cell[C_LESSON] = id;
			cell[C_TITLE] = l->title;
			cell[C_CATEGORY] = l->course->category;
			cell[C_LESSON_HOURS] = hours;
			cell[C_MODES] = modes.data;
			cell[C_SOURCE] = source_name[p->sources[j]];
			if (p->sources[j] == SOURCE_ACTIVITY)
				cell[C_DATE] = v->activity_date;
			csv_row(cell, C__COUNT);
			buf_release(&modes);
			free(id);
		}
		for (j = 0; j < v->nsessions; j++) {
			const char *cell[C__COUNT] = {0};

			snprintf(seq, sizeof seq, "%zu", j + 1);
			cell[C_TOWNSHIP] = pr->township->id;
			cell[C_VILLAGE] = v->id;
			cell[C_VILLAGE_NAME] = v->name;
			cell[C_ROW] = "session";
			cell[C_SEQ] = seq;
			cell[C_TITLE] = v->sessions[j].topic;
			cell[C_DATE] = v->sessions[j].date;
			cell[C_PLACE] = v->sessions[j].place;
			csv_row(cell, C__COUNT);
		}
		for (g = 0; g < GROUP__COUNT; g++) {
			snprintf(members, sizeof members, "%d", v->members[g]);
			for (c = 0; c <= p->recipe->ncategories; c++) {
				const char *cell[C__COUNT] = {0};
				int total = c == p->recipe->ncategories;
				int have = total ? p->reach_total[g] : p->reach[g][c];
				int need = total ? p->recipe->min_hours : p->recipe->categories[c].min_hours;

				snprintf(hours, sizeof hours, "%d.%d", have / 10, have % 10);
				snprintf(need_h, sizeof need_h, "%d.%d", need / 10, need % 10);
				cell[C_TOWNSHIP] = pr->township->id;
				cell[C_VILLAGE] = v->id;
				cell[C_VILLAGE_NAME] = v->name;
				cell[C_ROW] = "coverage";
				cell[C_CATEGORY] = total ? "total" : p->recipe->categories[c].ref;
				cell[C_GROUP] = _(group_label[g]);
				cell[C_MEMBERS] = members;
				cell[C_REACHED_HOURS] = hours;
				cell[C_REQUIRED_HOURS] = need_h;
				cell[C_STATUS] = v->members[g] == 0 ? _("no members") : have < need ? _("short") : _("ok");
				csv_row(cell, C__COUNT);
			}
		}
	}
}

/* --csv=summary: one row per village. */
enum {
	S_TOWNSHIP, S_VILLAGE, S_VILLAGE_NAME, S_LESSONS, S_PACKAGE_HOURS, S_REQUIRED_HOURS,
	S_MEMBERS, S_HOURS = S_MEMBERS + GROUP__COUNT, S_STATUS = S_HOURS + GROUP__COUNT, S_SHORT,
	S_INCLUDED, S_EXCLUDED, S_ACTIVITY, S_ACTIVITY_DATE, S__COUNT
};

static void
print_summary_csv(const struct project *pr, struct plan **plans)
{
	size_t i, k;
	int g;

	fputs("\xef\xbb\xbf", stdout);
	csv_header(_("township,village,village_name,lessons,package_hours,required_hours,"
	    "resident_members,homebound_members,mobile_members,resident_hours,homebound_hours,"
	    "mobile_hours,status,short,included,excluded,activity,activity_date"));
	for (i = 0; i < pr->nvillages; i++) {
		const struct plan *p = plans[i];
		const char *cell[S__COUNT] = {0};
		char lessons[24], total[16], required[16], members[GROUP__COUNT][16], hours[GROUP__COUNT][16];
		char *inc, *exc;
		struct buf shorts = {0};

		if (p == NULL)
			continue;
		snprintf(lessons, sizeof lessons, "%zu", p->nlessons);
		snprintf(total, sizeof total, "%d.%d", p->total / 10, p->total % 10);
		snprintf(required, sizeof required, "%d.%d", p->recipe->min_hours / 10, p->recipe->min_hours % 10);
		for (g = 0; g < GROUP__COUNT; g++) {
			snprintf(members[g], sizeof members[g], "%d", p->village->members[g]);
			snprintf(hours[g], sizeof hours[g], "%d.%d", p->reach_total[g] / 10, p->reach_total[g] % 10);
			cell[S_MEMBERS + g] = members[g];
			cell[S_HOURS + g] = hours[g];
		}
		/* "group:category" for each shortfall, "group:total" for a total. */
		for (k = 0; k < p->nshortfalls; k++) {
			const struct shortfall *sf = &p->shortfalls[k];

			if (k)
				buf_puts(&shorts, " ");
			buf_puts(&shorts, _(group_label[sf->group]));
			buf_puts(&shorts, ":");
			buf_puts(&shorts, sf->kind == SHORT_TOTAL ? "total" : p->recipe->categories[sf->category].ref);
		}
		inc = refs_join(p->village->includes, p->village->nincludes, " ");
		exc = refs_join(p->village->excludes, p->village->nexcludes, " ");
		cell[S_TOWNSHIP] = pr->township->id;
		cell[S_VILLAGE] = p->village->id;
		cell[S_VILLAGE_NAME] = p->village->name;
		cell[S_LESSONS] = lessons;
		cell[S_PACKAGE_HOURS] = total;
		cell[S_REQUIRED_HOURS] = required;
		cell[S_STATUS] = p->nshortfalls ? _("short") : _("complete");
		cell[S_SHORT] = shorts.data;
		cell[S_INCLUDED] = inc;
		cell[S_EXCLUDED] = exc;
		cell[S_ACTIVITY] = p->village->activity.id;
		cell[S_ACTIVITY_DATE] = p->village->activity_date;
		csv_row(cell, S__COUNT);
		buf_release(&shorts);
		free(inc);
		free(exc);
	}
}

int
cmd_plan(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"csv", optional_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct check_stats st = {0};
	struct project pr;
	struct plan **plans;
	char *township, *only;
	int ch, csv = 0, rc = 0;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (optarg == NULL || streq(optarg, "lessons"))
				csv = 1;
			else if (streq(optarg, "summary"))
				csv = 2;
			else {
				usage_error("plan: --csv takes 'lessons' (the default) or 'summary', not '%s'", optarg);
				fputs(usage_text, stderr);
				return 2;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage_error("plan: unknown option '%s'", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	if ((township = project_resolve(argv[optind], &only)) == NULL)
		return diag_exit();
	if ((only ? project_load_village(&pr, township, only, &st) : project_load(&pr, township, NULL, NULL, &st)) == -1 ||
	    pr.errors) {
		if (pr.township)
			project_release(&pr);
		free(township);
		free(only);
		usage_error("plan: fix the problems above first");
		return diag_exit() ? diag_exit() : 1;
	}
	plans = xcalloc(pr.nvillages, sizeof *plans);
	for (i = 0; i < pr.nvillages; i++)
		if (pr.villages[i] && (only == NULL || streq(pr.village_paths[i], only)))
			plans[i] = plan_village(pr.library, pr.recipe, pr.villages[i]);
	if (only) {
		for (i = 0; i < pr.nvillages && plans[i] == NULL; i++)
			;
		if (i == pr.nvillages) {
			struct loc loc = {only, 0, 0};

			diag(E_VILLAGE_UNLISTED, &loc, only);
			rc = 1;
		}
	}
	if (csv == 2)
		print_summary_csv(&pr, plans);
	else if (csv)
		print_csv(&pr, plans);
	else {
		const struct recipe *r = pr.recipe;
		size_t c;

		printf(_("%s (%s), %s: at least %d.%d h per member"), pr.township->name, pr.township->id,
		    r->season, r->min_hours / 10, r->min_hours % 10);
		for (c = 0; c < r->ncategories; c++)
			if (r->categories[c].min_hours)
				printf(_(", %s %d.%d"), category_word(category_names(pr.library), r->categories[c].ref),
				    r->categories[c].min_hours / 10,
				    r->categories[c].min_hours % 10);
		printf("\n\n");
		for (i = 0; i < pr.nvillages; i++)
			if (plans[i])
				print_village(plans[i], category_names(pr.library));
		if (only == NULL)
			print_summary(&pr, plans);
	}
	for (i = 0; i < pr.nvillages; i++) {
		if (plans[i] && plans[i]->nshortfalls)
			rc = 1;
		plan_free(plans[i]);
	}
	free(plans);
	project_release(&pr);
	free(township);
	free(only);
	return rc;
}
