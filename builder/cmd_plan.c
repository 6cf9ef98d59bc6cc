/* coursepack plan [--csv] TOWNSHIP|VILLAGE: print each village's package
 * and whether every member group reaches its hours.  Exit 1 when any
 * village falls short (or the inputs have errors). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "plan.h"
#include "project.h"
#include "util.h"

#define TITLE_WIDTH 44

static const char usage_text[] = "usage: coursepack plan [--csv] TOWNSHIP|VILLAGE\n";

static const char *const group_reach[GROUP__COUNT] = {
	[GROUP_RESIDENT] = "classroom or field",
	[GROUP_HOMEBOUND] = "home",
	[GROUP_MOBILE] = "online",
};

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

static void
print_shortfall(const struct plan *p, const struct shortfall *s)
{
	const char *g = group_name(s->group), *modes = group_reach[s->group];

	if (s->kind == SHORT_TOTAL) {
		printf("  short: %s: %d.%d of %d.%d h in all; lessons marked %s add up to no more\n", g,
		    s->have / 10, s->have % 10, s->need / 10, s->need % 10, modes);
		return;
	}
	const char *cat = p->recipe->categories[s->category].ref;
	int n = reachable_lessons(p, s->group, s->category);

	printf("  short: %s: %s %d.%d of %d.%d h; ", g, cat, s->have / 10, s->have % 10,
	    s->need / 10, s->need % 10);
	if (n == 0)
		printf("no %s lesson of the package is marked %s\n", cat, modes);
	else
		printf("only %d %s lesson%s of the package %s marked %s\n", n, cat, n == 1 ? "" : "s",
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

static void
print_village(const struct plan *p)
{
	const struct village *v = p->village;
	const struct recipe *r = p->recipe;
	size_t i, c;
	int g;

	printf("%s (%s): %d resident, %d homebound, %d mobile", v->name, v->id,
	    v->members[GROUP_RESIDENT], v->members[GROUP_HOMEBOUND], v->members[GROUP_MOBILE]);
	if (v->nneeds) {
		printf("; needs");
		for (i = 0; i < v->nneeds; i++)
			printf("%s %s", i ? "," : "", v->needs[i].id);
	}
	printf("\n   #  ");
	put_padded(stdout, "lesson", TITLE_WIDTH);
	printf("  category      hours  modes\n");
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];

		printf("  %2zu  ", i + 1);
		put_padded(stdout, l->title ? l->title : l->id, TITLE_WIDTH);
		printf("  %-12s ", l->course->category);
		put_hours(l->hours, 6);
		printf("  ");
		put_modes(l->modes, stdout, " ");
		printf("\n");
	}
	printf("      ");
	put_padded(stdout, "total", TITLE_WIDTH);
	printf("  %-12s ", "");
	put_hours(p->total, 6);
	printf("\n  coverage    members   total");
	for (c = 0; c < r->ncategories; c++)
		printf("  %*s", (int)(strlen(r->categories[c].ref) > 5 ? strlen(r->categories[c].ref) : 5),
		    r->categories[c].ref);
	printf("\n");
	for (g = 0; g <= GROUP__COUNT; g++) {
		int *row = g < GROUP__COUNT ? p->reach[g] : NULL;

		if (g < GROUP__COUNT)
			printf("    %-10s %6d  ", group_name((enum group)g), v->members[g]);
		else
			printf("    %-10s %6s  ", "required", "");
		put_hours(g < GROUP__COUNT ? p->reach_total[g] : r->min_hours, 6);
		for (c = 0; c < r->ncategories; c++) {
			int w = (int)(strlen(r->categories[c].ref) > 5 ? strlen(r->categories[c].ref) : 5);

			printf("  ");
			put_hours(row ? row[c] : r->categories[c].min_hours, w);
		}
		printf("\n");
	}
	for (i = 0; i < p->nunmet; i++)
		if (p->unmet[i].left_out)
			printf("  need '%s': course '%s' left out, the recipe takes at most %d course%s by need\n",
			    p->unmet[i].need->id, p->unmet[i].left_out->id, max_courses(p, p->unmet[i].left_out),
			    max_courses(p, p->unmet[i].left_out) == 1 ? "" : "s");
		else
			printf("  need '%s': no course the recipe chooses by need carries this tag\n",
			    p->unmet[i].need->id);
	for (i = 0; i < p->nshortfalls; i++)
		print_shortfall(p, &p->shortfalls[i]);
	if (p->nshortfalls == 0)
		printf("  complete: every member group reaches %d.%d h and each category's minimum\n",
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
	printf("township %s (%s): %d village%s, %d complete, %d short\n", pr->township->name,
	    pr->township->id, n, n == 1 ? "" : "s", complete, n - complete);
	printf("  village         name          lessons   hours  resident  homebound  mobile  status\n");
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
		printf("  %s\n", p->nshortfalls ? "short" : "complete");
	}
}

/* CSV: RFC 4180 quoting, CRLF, and a UTF-8 byte-order mark so that Excel
 * and WPS read the Chinese as UTF-8. */
static void
csv_field(const char *s, int last)
{
	/* A cell starting with = + - @ is a formula to Excel and WPS: a
	 * lesson title must not run as one. */
	if (s && strchr("=+-@", s[0]) && s[0]) {
		char *safe = xasprintf("'%s", s);

		csv_field(safe, last);
		free(safe);
		return;
	}
	if (s && strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else if (s)
		fputs(s, stdout);
	fputs(last ? "\r\n" : ",", stdout);
}

static void
csv_hours(int tenths, int last)
{
	char h[16];

	snprintf(h, sizeof h, "%d.%d", tenths / 10, tenths % 10);
	csv_field(h, last);
}

static void
print_csv(const struct project *pr, struct plan **plans)
{
	static const char *const header[] = {"township", "village", "village_name", "row", "seq",
	    "lesson", "title", "category", "hours", "modes", "group", "members", "required_hours",
	    "status"};
	size_t i, j, c, k;
	int g;

	fputs("\xef\xbb\xbf", stdout);
	for (k = 0; k < NELEM(header); k++)
		csv_field(header[k], k + 1 == NELEM(header));
	for (i = 0; i < pr->nvillages; i++) {
		const struct plan *p = plans[i];
		char seq[24], members[16];

		if (p == NULL)
			continue;
		for (j = 0; j < p->nlessons; j++) {
			const struct lesson *l = p->lessons[j];
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
			csv_field(pr->township->id, 0);
			csv_field(p->village->id, 0);
			csv_field(p->village->name, 0);
			csv_field("lesson", 0);
			csv_field(seq, 0);
			csv_field(id, 0);
			csv_field(l->title, 0);
			csv_field(l->course->category, 0);
			csv_hours(l->hours, 0);
			csv_field(modes.data, 0);
			for (k = 0; k < 4; k++)
				csv_field("", k == 3);
			buf_release(&modes);
			free(id);
		}
		for (g = 0; g < GROUP__COUNT; g++) {
			snprintf(members, sizeof members, "%d", p->village->members[g]);
			for (c = 0; c <= p->recipe->ncategories; c++) {
				int total = c == p->recipe->ncategories;
				int have = total ? p->reach_total[g] : p->reach[g][c];
				int need = total ? p->recipe->min_hours : p->recipe->categories[c].min_hours;
				const char *status = p->village->members[g] == 0 ? "no members" :
				    have < need ? "short" : "ok";

				csv_field(pr->township->id, 0);
				csv_field(p->village->id, 0);
				csv_field(p->village->name, 0);
				csv_field("coverage", 0);
				csv_field("", 0);
				csv_field("", 0);
				csv_field("", 0);
				csv_field(total ? "total" : p->recipe->categories[c].ref, 0);
				csv_hours(have, 0);
				csv_field("", 0);
				csv_field(group_name((enum group)g), 0);
				csv_field(members, 0);
				csv_hours(need, 0);
				csv_field(status, 1);
			}
		}
	}
}

int
cmd_plan(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"csv", no_argument, NULL, 'c'},
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
			csv = 1;
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
	if (project_load(&pr, township, NULL, NULL, &st) == -1 || pr.errors) {
		if (pr.township)
			project_release(&pr);
		free(township);
		free(only);
		usage_error("plan: fix the problems above first");
		return diag_exit() ? diag_exit() : 1;
	}
	plans = xcalloc(pr.nvillages, sizeof *plans);
	for (i = 0; i < pr.nvillages; i++)
		if (only == NULL || streq(pr.village_paths[i], only))
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
	if (csv)
		print_csv(&pr, plans);
	else {
		const struct recipe *r = pr.recipe;
		size_t c;

		printf("%s (%s), %s: at least %d.%d h per member", pr.township->name, pr.township->id,
		    r->season, r->min_hours / 10, r->min_hours % 10);
		for (c = 0; c < r->ncategories; c++)
			if (r->categories[c].min_hours)
				printf(", %s %d.%d", r->categories[c].ref, r->categories[c].min_hours / 10,
				    r->categories[c].min_hours % 10);
		printf("\n\n");
		for (i = 0; i < pr.nvillages; i++)
			if (plans[i])
				print_village(plans[i]);
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
