/* coursepack sheets [-o DIR] [--pdf] TOWNSHIP|VILLAGE: the paperwork of
 * each village's training, names filled in from its roster (sheets.h),
 * written into DIR/TOWNSHIP/ (default sheets/) and nowhere else:
 *     TOWNSHIP-VILLAGE-signin.html       签到表
 *     TOWNSHIP-VILLAGE-home.html         居家学习记录表
 *     TOWNSHIP-VILLAGE-attendance.csv    the spreadsheet 'ledger import' reads
 *     TOWNSHIP-VILLAGE-attendance.xlsx   the same as a workbook
 * and with --pdf the two HTML files printed.  Every roster is read before
 * anything is written: a bad one means nothing is. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "i18n.h"
#include "output.h"
#include "pdf.h"
#include "plan.h"
#include "project.h"
#include "roster.h"
#include "sheets.h"
#include "util.h"
#include "xlsx.h"

static const char usage_text[] = "usage: coursepack sheets [-o DIR] [--pdf] TOWNSHIP|VILLAGE\n";

struct run {
	const char *outdir;
	int want_pdf;
	char *browser;		/* for --pdf */
	char *township, *only;	/* project_resolve's */
	struct project pr;
	int loaded;
	struct plan **plans;	/* per village of pr: NULL when not asked for */
	struct roster **rosters;	/* per village: NULL when it has none */
	char *dir;		/* outdir/TOWNSHIP */
	time_t when;		/* the PDFs' dates */
	size_t files;
};

/* Returns -1 to go on, else the exit status (told). */
static int
sheets_options(struct run *r, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"pdf", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			r->outdir = optarg;
			break;
		case 'P':
			r->want_pdf = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			usage_error("sheets: option '%s' needs a value", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		default:
			usage_error("sheets: unknown option '%s'", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	return -1;
}

/* Loads the project, plans the villages asked for and reads their
 * rosters.  Returns -1 to go on, else the exit status (told). */
static int
sheets_load(struct run *r, const char *arg)
{
	struct project *pr = &r->pr;
	size_t i, n = 0;

	if (entry_time("sheets", NULL, &r->when) == -1)
		return 2;
	if (r->want_pdf && (r->browser = pdf_find_browser()) == NULL) {
		diag(E_PDF_NO_BROWSER, NULL);
		return 1;
	}
	if ((r->township = project_resolve(arg, &r->only)) == NULL)
		return diag_exit();
	if ((r->only ? project_load_village(pr, r->township, r->only, &(struct check_stats){0})
		     : project_load(pr, r->township, NULL, NULL, &(struct check_stats){0})) == -1 ||
	    pr->errors) {
		r->loaded = pr->township != NULL;
		usage_error("sheets: fix the problems above first; nothing was written");
		return diag_exit() ? diag_exit() : 1;
	}
	r->loaded = 1;
	entry_time("sheets", pr->recipe->season, &r->when);
	r->plans = xcalloc(pr->nvillages ? pr->nvillages : 1, sizeof *r->plans);
	r->rosters = xcalloc(pr->nvillages ? pr->nvillages : 1, sizeof *r->rosters);
	for (i = 0; i < pr->nvillages; i++) {
		char *path = NULL;

		if (pr->villages[i] == NULL || (r->only && !streq(pr->village_paths[i], r->only)))
			continue;
		n++;
		r->plans[i] = plan_village(pr->library, pr->recipe, pr->villages[i]);
		if (roster_locate(pr->villages[i], pr->township->dir, &path) == 0 && path &&
		    roster_read(path, pr->villages[i]->id, &r->rosters[i]) == 0)
			roster_check_counts(r->rosters[i], pr->villages[i]);
		free(path);
	}
	if (r->only && n == 0) {
		struct loc loc = {r->only, 0, 0};

		diag(E_VILLAGE_UNLISTED, &loc, r->only);
	}
	if (diag_count(DL_ERROR) || diag_count(DL_SYSERR)) {
		usage_error("sheets: fix the problems above first; nothing was written");
		return diag_exit() ? diag_exit() : 1;
	}
	return -1;
}

/* Writes one file of a village's, and its PDF when asked for and `pdf`.
 * Returns 0, or -1 after diagnosing. */
static int
put_file(struct run *r, const char *village, const char *suffix, const struct buf *b, int pdf)
{
	char *name = xasprintf("%s-%s-%s", r->pr.township->id, village, suffix);
	char *path = path_join(r->dir, name);
	int rc = 0;

	if (write_file_atomic(path, b->data, b->len) == -1) {
		diag(S_WRITE, NULL, path, strerror(errno));
		rc = -1;
	} else
		r->files++;
	if (rc == 0 && pdf && r->want_pdf) {
		char *out = xasprintf("%.*s.pdf", (int)(strlen(path) - strlen(".html")), path);

		if ((rc = pdf_print_page(r->browser, b->data, b->len, r->dir, path, out, r->when)) == 0)
			r->files++;
		free(out);
	}
	free(path);
	free(name);
	return rc;
}

/* The attendance spreadsheet as a workbook, its lesson columns text. */
static int
put_xlsx(struct run *r, const char *village, const struct sheets *s)
{
	char *path = xasprintf("%s/%s-%s-attendance.xlsx", r->dir, r->pr.township->id, village);
	int rc = xlsx_write(path, "学时登记", s->grid, s->nrows + 1, s->ncols, 5, r->when);

	if (rc == 0)
		r->files++;
	free(path);
	return rc;
}

/* One village's four files (six with --pdf), and a line saying what
 * they hold.  Returns 0, or -1 after diagnosing. */
static int
sheets_village(struct run *r, size_t i)
{
	const struct plan *p = r->plans[i];
	const struct village *v = p->village;
	const struct roster *ro = r->rosters[i];
	struct sheets s;
	int rc = 0;

	sheets_make(&r->pr, p, ro, &s);
	if (put_file(r, v->id, "signin.html", &s.signin, 1) == -1 || put_file(r, v->id, "home.html", &s.home, 1) == -1 ||
	    put_file(r, v->id, "attendance.csv", &s.csv, 0) == -1 || put_xlsx(r, v->id, &s) == -1)
		rc = -1;
	else if (ro)
		printf(_("%s: %zu sign-in sheets, %zu home record sheets, %zu members in the attendance spreadsheet\n"),
		    v->id, s.nsessions, s.nhome, s.nrows);
	else
		printf(_("%s: no roster, so the names are left blank: %zu sign-in sheets, %zu home record sheets, "
		    "no members in the attendance spreadsheet\n"), v->id, s.nsessions, s.nhome);
	sheets_release(&s);
	return rc;
}

int
cmd_sheets(int argc, char *argv[])
{
	struct run r = {0};
	size_t i;
	int rc;

	r.outdir = "sheets";
	if ((rc = sheets_options(&r, argc, argv)) != -1)
		return rc;
	if ((rc = sheets_load(&r, argv[optind])) != -1)
		goto out;
	rc = 0;
	r.dir = path_join(r.outdir, r.pr.township->id);
	if (mkdirs(r.dir, 0777) == -1) {
		diag(S_WRITE, NULL, r.dir, strerror(errno));
		rc = 3;
		goto out;
	}
	for (i = 0; i < r.pr.nvillages; i++)
		if (r.plans[i] && sheets_village(&r, i) == -1)
			break;
	if (i < r.pr.nvillages)
		rc = diag_exit() ? diag_exit() : 1;
	else
		printf(_("%zu files written to '%s'; they hold members' names: keep them out of the bundles\n"), r.files,
		    r.dir);
out:
	if (r.plans)
		for (i = 0; i < r.pr.nvillages; i++) {
			plan_free(r.plans[i]);
			roster_free(r.rosters[i]);
		}
	free(r.plans);
	free(r.rosters);
	if (r.loaded)
		project_release(&r.pr);
	free(r.dir);
	free(r.browser);
	free(r.township);
	free(r.only);
	return rc;
}
