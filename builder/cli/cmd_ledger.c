/* coursepack ledger SUBCOMMAND [--ledger FILE] [--force] TOWNSHIP ...:
 * the township's class-hour ledger (builder/ledger/ledger.h).
 *   import [--strict] TOWNSHIP FILE...
 *                                 rosters, sheets, chat exports: one transaction
 *   log TOWNSHIP                  the history, with provenance
 *   void TOWNSHIP RECORD --reason R
 *   check TOWNSHIP                integrity and the ledger's rules
 *   export TOWNSHIP               every record as CSV with a BOM
 *   report [--csv | --html DIR] [-a] TOWNSHIP|VILLAGE
 *                                 totals per member, village, township
 * The ledger is ledger.sqlite beside township.xml unless --ledger names
 * another file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "i18n.h"
#include "ledger.h"
#include "load.h"
#include "project.h"
#include "util.h"

static const char usage_text[] =
	"usage: coursepack ledger import [--ledger FILE] [--force] [--strict] TOWNSHIP FILE...\n"
	"       coursepack ledger log|check|export [--ledger FILE] [--force] TOWNSHIP\n"
	"       coursepack ledger void [--ledger FILE] [--force] TOWNSHIP RECORD --reason REASON\n"
	"       coursepack ledger report [--csv | --html DIR] [-a | --summary] [--ledger FILE] [--force] TOWNSHIP|VILLAGE\n"
	"  REASON: tested-out, equivalent-course, administrative or mistake\n";

enum sub { SUB_IMPORT, SUB_LOG, SUB_VOID, SUB_CHECK, SUB_EXPORT, SUB_REPORT };
enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_HTML };

static int
usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

/* The township file for the operand (a township.xml, or a village file
 * beside one), loaded and checked when `load` (only that village when
 * `one` and the operand is a village); the ledger path. */
static int
township_of(const char *arg, int load, int one, struct project *pr, char **township, char **ledger_path)
{
	struct check_stats st = {0};
	char *only = NULL;
	int loaded;

	memset(pr, 0, sizeof *pr);
	if ((*township = project_resolve(arg, &only)) == NULL)
		return -1;
	if (!load || !one) {
		free(only);
		only = NULL;
	}
	if (!load) {
		struct township *t = load_township(*township);

		if (t == NULL)
			return -1;
		if (*ledger_path == NULL)
			*ledger_path = ledger_default_path(t);
		township_free(t);
		return 0;
	}
	loaded = only ? project_load_village(pr, *township, only, &st) : project_load(pr, *township, NULL, NULL, &st);
	free(only);
	if (loaded == -1 || pr->errors) {
		usage_error("ledger: fix the problems above first");
		return -1;
	}
	if (*ledger_path == NULL)
		*ledger_path = ledger_default_path(pr->township);
	return 0;
}

static int
do_import(struct ledger *l, const struct project *pr, char **files, int nfiles, int strict)
{
	switch (ledger_import(l, pr, files, (size_t)nfiles, strict)) {
	case 0:
		return diag_exit();
	case 1:
		return diag_exit() ? diag_exit() : 1;
	default:
		return diag_exit() ? diag_exit() : 3;
	}
}

/* ledger check: SQLite's checks and the ledger's own rules. */
static int
do_check(struct ledger *l, const char *ledger_path)
{
	int problems = ledger_check(l);

	if (problems == 0)
		printf(_("%s: ledger is sound\n"), ledger_path);
	return problems < 0 ? diag_exit() : problems ? 1 : 0;
}

/* ledger void: one new record reversing `record`, in a transaction of
 * its own. */
static int
do_void(struct ledger *l, const char *record, const char *reason)
{
	char identity[65] = "";
	int v;

	if (ledger_begin(l) == -1)
		return diag_exit();
	v = ledger_void(l, record, reason, identity);
	if (v == -1) {
		ledger_rollback(l);
		return diag_exit() ? diag_exit() : 1;
	}
	if (ledger_commit(l) == -1)
		return diag_exit();
	if (v == 1)
		printf(_("already voided for '%s' by %.12s: nothing changed\n"), reason, identity);
	else
		printf(_("voided %s for '%s': record %.12s\n"), record, reason, identity);
	return 0;
}

/* The subcommand named `name`: -1 after a usage error. */
static int
sub_parse(const char *name, enum sub *sub)
{
	static const struct {
		const char *name;
		enum sub sub;
	} subs[] = {
		{"check", SUB_CHECK}, {"export", SUB_EXPORT}, {"import", SUB_IMPORT}, {"log", SUB_LOG},
		{"report", SUB_REPORT}, {"void", SUB_VOID},
	};
	size_t i;

	for (i = 0; i < NELEM(subs) && !streq(subs[i].name, name); i++)
		;
	if (i == NELEM(subs)) {
		usage_error("ledger: unknown subcommand '%s'", name);
		return -1;
	}
	*sub = subs[i].sub;
	return 0;
}

/* The options of ledger report: --all (-a), --summary, --csv, --html DIR. */
struct report_opts {
	enum report_format format;
	const char *html_dir;
	int all;			/* 1: every member; -1: the summary only */
};

/* Takes one report option (getopt's ch, optarg): -1 after a usage error
 * (another subcommand, or both --csv and --html). */
static int
report_option(int ch, enum sub sub, const char *subname, const char *opt, struct report_opts *ro)
{
	if (sub != SUB_REPORT) {
		usage_error("ledger %s: option '%s' is for 'ledger report'", subname, opt);
		return -1;
	}
	if (ch == 'a' || ch == 'S') {
		ro->all = ch == 'a' ? 1 : -1;
		return 0;
	}
	if (ro->format != REPORT_TEXT) {
		usage_error("ledger report: give one of --csv and --html");
		return -1;
	}
	ro->format = ch == 'c' ? REPORT_CSV : REPORT_HTML;
	ro->html_dir = ch == 'H' ? optarg : NULL;
	return 0;
}

/* ledger report: the totals as text, CSV, or DIR/report.html.  The HTML
 * holds members' names: it is written only where asked, whole or not at
 * all. */
static int
do_report(struct ledger *l, const struct project *pr, const struct report_opts *ro)
{
	const char *dir = ro->html_dir;
	struct ledger_totals ts;
	char *html = NULL, *path = NULL;
	int rc = 0;

	if (ledger_totals(l, pr, &ts) == -1) {
		ledger_totals_release(&ts);
		return diag_exit() ? diag_exit() : 1;
	}
	/* A roster that cannot be read is named, and the report still made
	 * (its count shows as '-'); the exit status tells. */
	ledger_report_rosters(&ts, pr->township->dir && pr->township->dir[0] ? pr->township->dir : ".");
	switch (ro->format) {
	case REPORT_TEXT:
		ledger_report_text(&ts, ro->all, stdout);
		break;
	case REPORT_CSV:
		ledger_report_csv(&ts, stdout);
		break;
	case REPORT_HTML:
		html = ledger_report_html(&ts);
		path = path_join(dir, "report.html");
		if (mkdirs(dir, 0755) == -1) {
			struct loc loc = {dir, 0, 0};

			diag(S_WRITE, &loc, dir, strerror(errno));
			rc = 3;
		} else if (write_file_atomic(path, html, strlen(html)) == -1) {
			struct loc loc = {path, 0, 0};

			diag(S_WRITE, &loc, path, strerror(errno));
			rc = 3;
		} else
			printf(_("report written to %s\n"), path);
		break;
	}
	free(html);
	free(path);
	ledger_totals_release(&ts);
	return rc;
}

int
cmd_ledger(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"csv", no_argument, NULL, 'c'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"html", required_argument, NULL, 'H'},
		{"ledger", required_argument, NULL, 'l'},
		{"reason", required_argument, NULL, 'r'},
		{"strict", no_argument, NULL, 's'},
		{"summary", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	struct project pr;
	struct ledger *l = NULL;
	char *township = NULL, *ledger_path = NULL, *reason = NULL;
	struct report_opts ro = {REPORT_TEXT, NULL, 0};
	int ch, force = 0, strict = 0, rc = 2, nargs, created = 0;
	enum sub sub = SUB_LOG;

	memset(&pr, 0, sizeof pr);
	if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2)
		return usage();
	if (sub_parse(argv[1], &sub) == -1)
		return usage();
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":ah", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
		case 'c':
		case 'H':
		case 'S':
			if (report_option(ch, sub, argv[0], argv[optind - 1], &ro) == -1)
				goto usage;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			rc = 0;
			goto out;
		case 'l':
			free(ledger_path);
			ledger_path = xstrdup(optarg);
			break;
		case 'r':
			if (sub != SUB_VOID) {
				usage_error("ledger %s: --reason is for 'ledger void'", argv[0]);
				goto usage;
			}
			reason = optarg;
			break;
		case 's':
			strict = sub == SUB_IMPORT ? 1 : -1;	/* -1: not for this subcommand */
			break;
		case ':':
			usage_error("ledger %s: option '%s' needs a value", argv[0], argv[optind - 1]);
			goto usage;
		default:
			usage_error("ledger %s: unknown option '%s'", argv[0], argv[optind - 1]);
			goto usage;
		}
	}
	nargs = argc - optind;
	if ((sub == SUB_IMPORT && nargs < 2) || (sub == SUB_VOID && nargs != 2) ||
	    (sub != SUB_IMPORT && sub != SUB_VOID && nargs != 1) || strict < 0)
		goto usage;
	if (sub == SUB_VOID && (reason == NULL || !ledger_reason_valid(reason))) {
		usage_error("ledger void: --reason takes tested-out, equivalent-course, administrative or mistake%s%s%s",
		    reason ? ", not '" : "", reason ? reason : "", reason ? "'" : "");
		goto usage;
	}
	/* Import and report read the plan; the others only find the ledger. */
	if (township_of(argv[optind], sub == SUB_IMPORT || sub == SUB_REPORT, sub == SUB_REPORT, &pr, &township,
	    &ledger_path) == -1) {
		rc = diag_exit() ? diag_exit() : 1;
		goto out;
	}
	created = sub == SUB_IMPORT && access(ledger_path, F_OK) != 0;
	l = ledger_open(ledger_path, sub == SUB_IMPORT ? LEDGER_CREATE : sub == SUB_VOID ? LEDGER_WRITE : LEDGER_READ,
	    force);
	if (l == NULL) {
		rc = diag_exit() ? diag_exit() : 1;
		goto out;
	}
	switch (sub) {
	case SUB_IMPORT:
		rc = do_import(l, &pr, argv + optind + 1, nargs - 1, strict);
		/* A first import that failed leaves no ledger, as before it. */
		if (rc != 0 && created) {
			ledger_close(l);
			l = NULL;
			ledger_remove(ledger_path);
		}
		break;
	case SUB_LOG:
	case SUB_EXPORT:
		rc = (sub == SUB_LOG ? ledger_log : ledger_export)(l, stdout) == -1 ? diag_exit() : 0;
		break;
	case SUB_CHECK:
		rc = do_check(l, ledger_path);
		break;
	case SUB_VOID:
		rc = do_void(l, argv[optind + 1], reason);
		break;
	case SUB_REPORT:
		rc = do_report(l, &pr, &ro);
		break;
	}
	if (rc == 0)
		rc = diag_exit();
	goto out;
usage:
	rc = usage();
out:
	ledger_close(l);
	if (pr.township)
		project_release(&pr);
	free(township);
	free(ledger_path);
	return rc;
}
