/* coursepack unpack [--pubkey PUBKEY] BUNDLE DIR: extract a bundle safely
 * at an offline site.
 *
 * The bundle is verified first (and its signature with --pubkey); every
 * refusal happens before anything is written.  Files go into a temporary
 * folder beside DIR, created with O_EXCL and O_NOFOLLOW, and the folder
 * is renamed to DIR at the end: DIR ends up complete or absent, and
 * nothing is written outside it. */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "commands.h"
#include "i18n.h"
#include "crypto.h"
#include "util.h"

static const char usage_text[] = "usage: coursepack unpack [--pubkey PUBKEY] BUNDLE DIR\n";


/* Writes one entry under `root`, making its folders; the name has passed
 * bundle_verify (plain, relative, no '..'). */
static int
extract(struct bundle *b, size_t i, const char *root)
{
	const struct zip_entry *e = zipr_entry(b->zip, i);
	char *path = path_join(root, e->name), *p, *data = NULL;
	size_t len;
	int fd = -1, rc = -1;

	if (e->is_dir) {
		rc = 0;
		goto out;
	}
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			diag(S_WRITE, NULL, path, strerror(errno));
			goto out;
		}
		*p = '/';
	}
	if (zipr_read(b->zip, i, &data, &len) == -1)
		goto out;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) == -1 ||
	    write(fd, data, len) != (ssize_t)len) {
		diag(S_WRITE, NULL, path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1 && close(fd) == -1 && rc == 0) {
		diag(S_WRITE, NULL, path, strerror(errno));
		rc = -1;
	}
	free(data);
	free(path);
	return rc;
}

int
cmd_unpack(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"pubkey", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *pubfile = NULL, *bundle, *dir;
	char *parent = NULL, *tmpl = NULL, *tmp = NULL, *who = NULL;
	struct bundle b = {0};
	struct stat st;
	int ch, rc = 1;
	size_t i;

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
			usage_error("unpack: %s option '%s'", ch == ':' ? _("a value is missing for") : _("unknown"),
			    argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	bundle = argv[optind];
	dir = argv[optind + 1];
	if (hash_init() == -1) {
		usage_error("unpack: libsodium cannot start");
		return 3;
	}
	if (lstat(dir, &st) == 0) {
		struct loc loc = {dir, 0, 0};

		diag(E_UNPACK_EXISTS, &loc);
		return 1;
	}
	/* Everything is checked before anything is written. */
	if (bundle_open(&b, bundle) == -1 || bundle_verify(&b) != 0)
		goto out;
	if (pubfile && bundle_check_signature(bundle, pubfile, &who) != 0)
		goto out;
	parent = path_dirname(dir);
	tmpl = xasprintf("%s/.%s.unpack-XXXXXX", parent, path_basename(dir));
	if ((tmp = mkdtemp(tmpl)) == NULL) {
		diag(S_WRITE, NULL, tmpl, strerror(errno));
		rc = 3;
		goto out;
	}
	for (i = 0; i < zipr_count(b.zip); i++)
		if (extract(&b, i, tmp) == -1) {
			rc = diag_exit() ? diag_exit() : 1;
			goto out;
		}
	if (rename(tmp, dir) == -1) {
		diag(S_WRITE, NULL, dir, strerror(errno));
		rc = 3;
		goto out;
	}
	tmp = NULL;
	printf(_("%s: unpacked into %s (%zu files)%s%s\n"), bundle, dir, zipr_count(b.zip), who ? ", " : "",
	    who ? who : "");
	rc = 0;
out:
	if (tmp)
		remove_tree(tmp);
	if (rc != 0 && diag_exit() == 0)
		rc = 1;
	bundle_release(&b);
	free(tmpl);
	free(parent);
	free(who);
	return rc;
}
