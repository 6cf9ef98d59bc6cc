/* coursepack: compiles a library of Markdown lessons, described by XML
 * manifests, into training packages for villages.  This file holds the
 * table of subcommands, which also produces --help. */
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "i18n.h"
#include "util.h"
#include "xml.h"

struct command {
	const char *name;
	int (*fn)(int, char *[]);
	const char *args;
	const char *summary;
};

/* Sorted by name. */
static const struct command commands[] = {
	{"apply", cmd_apply, "OLD.zip PATCH -o NEW.zip", N_("apply an update patch to a village's previous bundle")},
	{"build", cmd_build,
	    "[-o DIR] [-j N] [--allow-short] [--pdf] [--phone-budget SIZE] [--photo-side PX] [--progress-fd N] [--shard I/N] "
	    "[--sign SECRETKEY] [--require-review] "
	    "TOWNSHIP|VILLAGE",
	    N_("build each village's bundle and editions")},
	{"catalog", cmd_catalog, "[-o DIR] [--sign SECRETKEY] SHARD_DIR ...",
	    N_("merge the folders of a sharded build into one")},
	{"check", cmd_check, "[-v] [--werror] [--require-review] [--as-of YYYY-MM-DD] [--trust PUBKEY]... [PATH ...]", N_("validate sources; report every problem found")},
	{"delta", cmd_delta, "OLD.zip NEW.zip -o PATCH", N_("make an update patch from a village's previous bundle to its new one")},
	{"diff", cmd_diff, "[--stat] OLD NEW",
	    N_("show what changed between two bundles or two builds: lessons and their text, media, hours")},
	{"export", cmd_export,
	    "[--village ID]... [--key PUBKEY] [--fs auto|fat32|exfat|ntfs|other] [--since OLD_BUILD_DIR] BUILD_DIR DEST",
	    N_("copy each village's kit to a USB stick, read every file back, and make the delivery list")},
	{"info", cmd_info, "BUNDLE", N_("summarise a bundle")},
	{"keygen", cmd_keygen, "[-o NAME] [-c COMMENT]", N_("make a minisign key pair to sign bundles with")},
	{"ledger", cmd_ledger, "SUBCOMMAND [--ledger FILE] [--force] TOWNSHIP [ARG ...]",
	    N_("keep the township's class-hour ledger: import sheets, list, void, check, export")},
	{"plan", cmd_plan, "[--csv[=summary]] TOWNSHIP|VILLAGE", N_("print each village's package and its coverage")},
	{"review", cmd_review, "[--by NAME] [--note TEXT] [--sign SECRETKEY] [--date YYYY-MM-DD] PATH ...",
	    N_("record that lessons were reviewed as they stand, in their course's reviews.xml")},
	{"serve", cmd_serve, "[--listen ADDR:PORT] [--password-file FILE] [--ledger FILE] [-o DIR] [TOWNSHIP|LIBRARY]",
	    N_("open the township's workspace in the browser: plans, members' hours, register, build")},
	{"sheets", cmd_sheets, "[-o DIR] [--pdf] TOWNSHIP|VILLAGE",
	    N_("make each village's sign-in sheets, home record sheets and attendance spreadsheet")},
	{"unpack", cmd_unpack, "[--replace] [--pubkey PUBKEY] BUNDLE DIR", N_("verify a bundle, then extract it safely into a new folder")},
	{"verify", cmd_verify, "[--pubkey PUBKEY] FILE|DIR ...", N_("check bundles, editions and SHA256SUMS: manifests, hashes, signatures")},
};

static int cmd_help(int argc, char *argv[]);


static void
print_usage(FILE *fp)
{
	size_t i;

	fputs(_("usage: coursepack COMMAND [ARGS...]\n\ncommands:\n"), fp);
	for (i = 0; i < NELEM(commands); i++)
		fprintf(fp, "  %-7s %s\n          %s\n", commands[i].name, commands[i].args, _(commands[i].summary));
	fprintf(fp, "  %-7s %s\n          %s\n", "help", "[COMMAND]", _("show this summary or a command's usage"));
	fputs(_("\noptions: --help, --version\nSee coursepack(1).\n"), fp);
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(commands); i++)
		if (streq(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int
cmd_help(int argc, char *argv[])
{
	const struct command *c;

	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	if (streq(argv[1], "help")) {
		fputs(_("usage: coursepack help [COMMAND]\n  show the commands, or a command's usage\n"), stdout);
		return 0;
	}
	if ((c = find_command(argv[1])) == NULL) {
		usage_error("unknown command '%s'; see 'coursepack help'", argv[1]);
		return 2;
	}
	printf(_("usage: coursepack %s %s\n  %s\n"), c->name, c->args, _(c->summary));
	return 0;
}

/* Output is only done when it reached its file: check for a full disk or
 * a closed pipe before claiming success. */
static int
finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs(_("coursepack: cannot write to standard output\n"), stderr);
		if (rc == 0)
			rc = 3;
	}
	xml_cleanup();
	return rc;
}

/* Where the catalogues are.  COURSEPACK_LOCALEDIR first (translators
 * trying a catalogue); then the build tree, when this binary is
 * build/B/coursepack (a .deps stamp beside it) or the ./coursepack copied
 * to the top of the tree; else LOCALEDIR, where `make install` puts them.
 * A folder that holds no catalogue simply means English: an installed
 * coursepack needs no data files to run. */
static void
i18n_init(void)
{
	static char dir[PATH_MAX + 32];
	char exe[PATH_MAX];
	const char *env = getenv("COURSEPACK_LOCALEDIR");
	const char *where = LOCALEDIR;
	ssize_t n;

	setlocale(LC_MESSAGES, "");
	/* For strerror() and our messages' bytes; LC_NUMERIC and the rest stay
	 * "C", so numbers and outputs never change with the locale. */
	setlocale(LC_CTYPE, "");
	if (env && *env)
		where = env;
	else if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(dir, sizeof dir, "%s/.deps", exe);
			if (access(dir, F_OK) == 0)
				snprintf(dir, sizeof dir, "%s/locale", exe);
			else {
				snprintf(dir, sizeof dir, "%s/build/plain/.deps", exe);
				if (access(dir, F_OK) == 0)
					snprintf(dir, sizeof dir, "%s/build/plain/locale", exe);
				else
					dir[0] = '\0';
			}
			if (dir[0])
				where = dir;
		}
	}
	bindtextdomain(I18N_DOMAIN, where);
	/* Everything else we print is UTF-8 (paths, course titles): so are
	 * the translations, whatever the locale's charset. */
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
	textdomain(I18N_DOMAIN);
	/* A catalogue found for the user's language translates "" into its
	 * header.  Without one everything stays English, the system's error
	 * texts (strerror) too, so that no line mixes two languages. */
	if (*gettext("") == '\0')
		setlocale(LC_MESSAGES, "C");
}

int
main(int argc, char *argv[])
{
	const struct command *c;

	/* libzip turns entry times into DOS times through localtime(): the
	 * same bundle bytes in every time zone. */
	setenv("TZ", "UTC", 1);
	tzset();
	/* Past a file-size limit (ulimit -f), a write fails with EFBIG and
	 * is reported like any other, instead of the signal killing us
	 * without a word. */
	signal(SIGXFSZ, SIG_IGN);
	i18n_init();
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h"))
		return finish(cmd_help(1, argv));
	if (streq(argv[1], "--version")) {
		printf("coursepack %s\n", COURSEPACK_VERSION);
		return finish(0);
	}
	if (streq(argv[1], "help"))
		return finish(cmd_help(argc - 1, argv + 1));
	if ((c = find_command(argv[1])) == NULL) {
		usage_error("unknown command '%s'; see 'coursepack help'", argv[1]);
		return 2;
	}
	return finish(c->fn(argc - 1, argv + 1));
}
