/* coursepack: compiles a library of Markdown lessons, described by XML
 * manifests, into training packages for villages.  This file holds the
 * table of subcommands, which also produces --help. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "diag.h"
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
	{"build", cmd_build,
	    "[-o DIR] [-j N] [--allow-short] [--pdf] [--phone-budget SIZE] [--shard I/N] [--sign SECRETKEY] "
	    "TOWNSHIP|VILLAGE",
	    "build each village's bundle and editions"},
	{"catalog", cmd_catalog, "[-o DIR] [--sign SECRETKEY] SHARD_DIR ...",
	    "merge the folders of a sharded build into one"},
	{"check", cmd_check, "[-v] [--werror] [PATH ...]", "validate sources; report every problem found"},
	{"info", cmd_info, "BUNDLE", "summarise a bundle"},
	{"keygen", cmd_keygen, "[-o NAME] [-c COMMENT]", "make a minisign key pair to sign bundles with"},
	{"plan", cmd_plan, "[--csv[=summary]] TOWNSHIP|VILLAGE", "print each village's package and its coverage"},
	{"unpack", cmd_unpack, "[--replace] [--pubkey PUBKEY] BUNDLE DIR", "verify a bundle, then extract it safely into a new folder"},
	{"verify", cmd_verify, "[--pubkey PUBKEY] FILE|DIR ...", "check bundles, editions and SHA256SUMS: manifests, hashes, signatures"},
};

static int cmd_help(int argc, char *argv[]);


static void
print_usage(FILE *fp)
{
	size_t i;

	fputs("usage: coursepack COMMAND [ARGS...]\n\ncommands:\n", fp);
	for (i = 0; i < NELEM(commands); i++)
		fprintf(fp, "  %-7s %s\n          %s\n", commands[i].name, commands[i].args, commands[i].summary);
	fprintf(fp, "  %-7s %s\n          %s\n", "help", "[COMMAND]", "show this summary or a command's usage");
	fputs("\noptions: --help, --version\nSee coursepack(1).\n", fp);
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
		printf("usage: coursepack help [COMMAND]\n  show the commands, or a command's usage\n");
		return 0;
	}
	if ((c = find_command(argv[1])) == NULL) {
		usage_error("unknown command '%s'; see 'coursepack help'", argv[1]);
		return 2;
	}
	printf("usage: coursepack %s %s\n  %s\n", c->name, c->args, c->summary);
	return 0;
}

/* Output is only done when it reached its file: check for a full disk or
 * a closed pipe before claiming success. */
static int
finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("coursepack: cannot write to standard output\n", stderr);
		if (rc == 0)
			rc = 3;
	}
	xml_cleanup();
	return rc;
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
