/* What the commands share on the command line. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"

int
options_help_only(int argc, char *argv[], const char *usage)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		usage_error("%s: unknown option '%s'", argv[0], argv[optind - 1]);
		fputs(usage, stderr);
		return 2;
	}
	return -1;
}
