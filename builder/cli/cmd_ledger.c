/* coursepack ledger SUBCOMMAND [--ledger FILE] [--force] TOWNSHIP ...:
 * the township's class-hour ledger (builder/ledger/ledger.h).
 *   import [--strict] TOWNSHIP FILE...
 *                                 rosters, sheets, chat exports: one transaction
 *   log TOWNSHIP                  the history, with provenance
 *   void TOWNSHIP RECORD --reason R
 *   check TOWNSHIP                integrity and the ledger's rules
 *   export TOWNSHIP               every record as CSV with a BOM
 * The ledger is ledger.sqlite beside township.xml unless --ledger names
 * another file. */
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
	"  REASON: tested-out, equivalent-course, administrative or mistake\n";

enum sub { SUB_IMPORT, SUB_LOG, SUB_VOID, SUB_CHECK, SUB_EXPORT };

static int
usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

/* The township file for the operand (a township.xml, or a village file
 * beside one), loaded and checked when `load`; the ledger path. */
static int
township_of(const char *arg, int load, struct project *pr, char **township, char **ledger_path)
{
	struct check_stats st = {0};
	char *only = NULL;

	memset(pr, 0, sizeof *pr);
	if ((*township = project_resolve(arg, &only)) == NULL)
		return -1;
	free(only);
	if (!load) {
		struct township *t = load_township(*township);

		if (t == NULL)
			return -1;
		if (*ledger_path == NULL)
			*ledger_path = ledger_default_path(t);
		township_free(t);
		return 0;
	}
	if (project_load(pr, *township, NULL, NULL, &st) == -1 || pr->errors) {
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

int
cmd_ledger(int argc, char *argv[])
{
	static const struct {
		const char *name;
		enum sub sub;
	} subs[] = {
		{"check", SUB_CHECK}, {"export", SUB_EXPORT}, {"import", SUB_IMPORT}, {"log", SUB_LOG}, {"void", SUB_VOID},
	};
	static const struct option longopts[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"ledger", required_argument, NULL, 'l'},
		{"reason", required_argument, NULL, 'r'},
		{"strict", no_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	struct project pr;
	struct ledger *l = NULL;
	char *township = NULL, *ledger_path = NULL, *reason = NULL;
	int ch, force = 0, strict = 0, rc = 2, nargs, created = 0;
	enum sub sub = SUB_LOG;
	size_t i;

	memset(&pr, 0, sizeof pr);
	if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2)
		return usage();
	for (i = 0; i < NELEM(subs) && !streq(subs[i].name, argv[1]); i++)
		;
	if (i == NELEM(subs)) {
		usage_error("ledger: unknown subcommand '%s'", argv[1]);
		return usage();
	}
	sub = subs[i].sub;
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
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
	/* Import reads the plan; the others only need to find the ledger. */
	if (township_of(argv[optind], sub == SUB_IMPORT, &pr, &township, &ledger_path) == -1) {
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
		rc = ledger_log(l, stdout) == -1 ? diag_exit() : 0;
		break;
	case SUB_EXPORT:
		rc = ledger_export(l, stdout) == -1 ? diag_exit() : 0;
		break;
	case SUB_CHECK:
		rc = do_check(l, ledger_path);
		break;
	case SUB_VOID:
		rc = do_void(l, argv[optind + 1], reason);
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
