/* coursepack serve [--listen ADDR:PORT] [--password-file FILE]
 * [--ledger FILE] [-o DIR] [TOWNSHIP|LIBRARY]: the workspace in the
 * browser (builder/serve).  The operand is a township.xml, a village file
 * (its township is served), a folder holding township.xml, or a course
 * library folder (its pages only); the current folder by default.  Builds
 * go to DIR, serve-output/ beside township.xml unless -o. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "commands.h"
#include "crypto.h"
#include "ledger.h"
#include "load.h"
#include "project.h"
#include "pages.h"
#include "serve.h"
#include "util.h"

static const char usage_text[] =
    "usage: coursepack serve [--listen ADDR:PORT] [--password-file FILE] [--ledger FILE] [-o DIR] "
    "[TOWNSHIP|LIBRARY]\n";

struct serve_opts {
	const char *listen, *password, *ledger, *output;
};

static int
parse_options(int argc, char *argv[], struct serve_opts *o)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"password-file", required_argument, NULL, 'p'},
		{"ledger", required_argument, NULL, 'L'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			o->listen = optarg;
			break;
		case 'p':
			o->password = optarg;
			break;
		case 'L':
			o->ledger = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			usage_error("serve: option '%s' needs an argument", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		default:
			usage_error("serve: unknown option '%s'", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	return -1;
}

/* The township file the operand names, or NULL for a library folder (set
 * in *library); diagnoses and returns NULL with *library NULL when it is
 * neither. */
static char *
resolve(const char *operand, char **library)
{
	struct stat st;
	char *only = NULL, *t;

	*library = NULL;
	if (stat(operand, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *tp = path_join(operand, "township.xml");

		if (stat(tp, &st) == 0) {
			t = path_normalize(tp);
			free(tp);
			return t;
		}
		free(tp);
		*library = path_normalize(operand);
		return NULL;
	}
	t = project_resolve(operand, &only);
	free(only);
	return t;
}

int
cmd_serve(int argc, char *argv[])
{
	struct serve_opts o = {0};
	struct serve_ctx ctx = {0};
	struct township *t = NULL;
	char *township, *library = NULL, *ledger = NULL, *output = NULL, *self = NULL, *tmp;
	unsigned char raw[16];
	char token[33];
	int rc;

	if ((rc = parse_options(argc, argv, &o)) != -1)
		return rc;
	if (hash_init() == -1)
		return 3;
	township = resolve(optind < argc ? argv[optind] : ".", &library);
	if (township == NULL && library == NULL)
		return diag_exit() ? diag_exit() : 1;
	if (township) {
		if ((t = load_township(township)) == NULL) {
			free(township);
			usage_error("serve: fix the problems above first");
			return diag_exit() ? diag_exit() : 1;
		}
		tmp = path_join(t->dir, t->library_src.id ? t->library_src.id : ".");
		library = path_normalize(tmp);
		free(tmp);
		ledger = o.ledger ? xstrdup(o.ledger) : ledger_default_path(t);
		output = o.output ? xstrdup(o.output) : path_join(t->dir && t->dir[0] ? t->dir : ".", "serve-output");
	} else
		output = xstrdup(o.output ? o.output : "serve-output");
	/* One token per run: a form of an older run, or of another site, is
	 * refused. */
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, sizeof token, raw, sizeof raw);
	ctx.township = township;
	ctx.library = library;
	ctx.ledger = ledger;
	ctx.output = output;
	ctx.csrf = token;
	/* The build page runs this very program as `coursepack build`. */
	self = realpath("/proc/self/exe", NULL);
	ctx.self = self;
	if (mkdirs(output, 0755) == -1) {
		struct loc loc = {output, 0, 0};

		diag(S_WRITE, &loc, output, strerror(errno));
		rc = 3;
	} else {
		rc = serve_run(&ctx, o.listen, o.password);
	}
	township_free(t);
	free(township);
	free(library);
	free(ledger);
	free(output);
	free(self);
	return rc;
}
