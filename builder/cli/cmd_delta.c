/* coursepack delta OLD.zip NEW.zip -o PATCH and coursepack apply OLD.zip
 * PATCH -o NEW.zip: update patches (builder/pack/delta.h), so that a
 * distributor carries a few kilobytes instead of a whole bundle when a
 * lesson changes mid-season. */
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "commands.h"
#include "delta.h"
#include "i18n.h"
#include "util.h"

static const char delta_usage[] = "usage: coursepack delta OLD.zip NEW.zip -o PATCH\n";
static const char apply_usage[] = "usage: coursepack apply OLD.zip PATCH -o NEW.zip\n";

/* The two operands and -o.  Returns -1 to go on, else the exit status. */
static int
parse(int argc, char *argv[], const char *usage, const char **out)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	*out = NULL;
	optind = 1;
	opterr = 0;
	/* Options may follow the operands: "delta OLD NEW -o PATCH". */
	while ((ch = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			*out = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			usage_error("%s: option '%s' is unknown or lacks its value", argv[0], argv[optind - 1]);
			fputs(usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || *out == NULL) {
		fputs(usage, stderr);
		return 2;
	}
	return -1;
}

static long long
size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

int
cmd_delta(int argc, char *argv[])
{
	const char *out;
	long long p, n;
	int rc;

	if ((rc = parse(argc, argv, delta_usage, &out)) != -1)
		return rc;
	if (delta_make(argv[optind], argv[optind + 1], out) == -1)
		return diag_exit() ? diag_exit() : 1;
	p = size_of(out);
	n = size_of(argv[optind + 1]);
	printf(_("%s: %lld bytes, %.1f%% of '%s' (%lld bytes)\n"), out, p, n ? 100.0 * (double)p / (double)n : 0.0,
	    argv[optind + 1], n);
	return 0;
}

int
cmd_apply(int argc, char *argv[])
{
	const char *out;
	int rc;

	if ((rc = parse(argc, argv, apply_usage, &out)) != -1)
		return rc;
	if (delta_apply(argv[optind], argv[optind + 1], out) == -1)
		return diag_exit() ? diag_exit() : 1;
	printf(_("%s: %lld bytes, as the patch expects (SHA-256 checked)\n"), out, size_of(out));
	return 0;
}
