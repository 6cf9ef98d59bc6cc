/* coursepack verify BUNDLE...: check each bundle against its manifest —
 * manifest first and valid, every file listed present with its size and
 * SHA-256, nothing unlisted, every link of every page resolving inside
 * the bundle.  Exit 0 when all are good, 1 when any is not. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "commands.h"
#include "crypto.h"
#include "util.h"

static const char usage_text[] = "usage: coursepack verify [--pubkey PUBKEY] BUNDLE ...\n";


int
cmd_verify(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"pubkey", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *pubfile = NULL;
	struct minisign_key pub;
	int ch, k, bad = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hp:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			pubfile = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage_error("verify: %s option '%s'", ch == ':' ? "a value is missing for" : "unknown",
			    argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (hash_init() == -1) {
		usage_error("verify: libsodium cannot start");
		return 3;
	}
	if (pubfile && bundle_load_pubkey(pubfile, &pub) == -1)
		return diag_exit();
	for (k = optind; k < argc; k++) {
		char *who = NULL;
		struct bundle b;
		int problems = bundle_open(&b, argv[k]) == -1 ? 1 : bundle_verify(&b);

		bundle_release(&b);

		if (pubfile)
			problems += bundle_signature(argv[k], &pub, &who);
		if (who)
			printf("%s: %s, %s\n", argv[k], problems ? "BAD" : "OK", who);
		else
			printf("%s: %s\n", argv[k], problems ? "BAD" : "OK");
		free(who);
		bad += problems != 0;
	}
	if (pubfile)
		minisign_key_release(&pub);
	if (diag_count(DL_SYSERR))
		return 3;
	return bad ? 1 : 0;
}
