/* coursepack diff [--stat] OLD NEW: what changed between two bundles of a
 * village, or between two builds (every village bundle in either folder):
 * lessons added, removed and changed (with their words, line by line),
 * media, the plan's hours.  Both sides are verified first, through the
 * bundle reader: nothing is extracted.  Exit 0 identical, 1 different,
 * 2 usage, 3 a side could not be read or is not a good bundle. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle_diff.h"
#include "commands.h"
#include "i18n.h"
#include "util.h"

static const char usage_text[] = "usage: coursepack diff [--stat] OLD NEW\n"
				 "  OLD and NEW: two bundles (.zip), or two build folders\n";

/* Opens and verifies a bundle; -1 (diagnosed) when it is no good. */
static int
open_good(struct bundle *b, const char *path)
{
	if (bundle_open(b, path, NULL, NULL) == -1 || bundle_verify(b) != 0) {
		bundle_release(b);
		return -1;
	}
	return 0;
}

/* Compares two bundle files; -1 after diagnosing, else 0 or 1. */
static int
diff_pair(const char *old, const char *new, const char *label, int brief, struct buf *out)
{
	struct bundle a, b;
	int rc;

	if (open_good(&a, old) == -1)
		return open_good(&b, new) == 0 ? (bundle_release(&b), -1) : -1;
	if (open_good(&b, new) == -1) {
		bundle_release(&a);
		return -1;
	}
	rc = bundle_diff(&a, &b, label, brief, out);
	bundle_release(&a);
	bundle_release(&b);
	return rc;
}

/* A village only one build has. */
static int
one_side(const char *path, const char *label, int added, struct buf *out)
{
	struct bundle b;
	char *village;

	if (open_good(&b, path) == -1)
		return -1;
	village = bundle_village(&b);
	buf_printf(out, added ? _("%s: %s: village added\n") : _("%s: %s: village removed\n"), label, village);
	free(village);
	bundle_release(&b);
	return 1;
}

struct names {
	char **v;
	size_t n;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The bundles of a build folder, as paths relative to it: DIR/NAME.zip and
 * DIR/TOWNSHIP/NAME.zip, sorted.  -1 after diagnosing. */
static int
bundles_in(const char *dir, struct names *out)
{
	char **top, **sub;
	size_t ntop, nsub, i, j;

	memset(out, 0, sizeof *out);
	if (list_dir(dir, &top, &ntop) == -1) {
		diag(S_READ, NULL, dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < ntop; i++) {
		char *path = path_join(dir, top[i]);
		struct stat st;

		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && list_dir(path, &sub, &nsub) == 0) {
			for (j = 0; j < nsub; j++) {
				char *rel = xasprintf("%s/%s", top[i], sub[j]), *full = path_join(dir, rel);

				if (has_suffix(sub[j], ".zip") && is_file(full)) {
					out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
					out->v[out->n++] = rel;
				} else
					free(rel);
				free(full);
			}
			free_names(sub, nsub);
		} else if (has_suffix(top[i], ".zip") && S_ISREG(st.st_mode)) {
			out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
			out->v[out->n++] = xstrdup(top[i]);
		}
		free(path);
	}
	free_names(top, ntop);
	if (out->n == 0) {
		struct loc loc = {dir, 0, 0};

		diag(E_DIFF_NO_BUNDLES, &loc);
		return -1;
	}
	/* Sorted as a whole: "a.zip" and "a/b.zip" from two listings. */
	qsort(out->v, out->n, sizeof *out->v, name_cmp);
	return 0;
}

/* Every village bundle in either build; returns the worst result. */
static int
diff_builds(const char *olddir, const char *newdir, int brief, struct buf *out, size_t *ndiff, size_t *nall)
{
	struct names a, b;
	size_t i = 0, j = 0;
	int rc = 0;

	if (bundles_in(olddir, &a) == -1) {
		free_names(a.v, a.n);
		return -1;
	}
	if (bundles_in(newdir, &b) == -1) {
		free_names(a.v, a.n);
		free_names(b.v, b.n);
		return -1;
	}
	while (i < a.n || j < b.n) {
		int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i], b.v[j]), r;
		char *pa = c <= 0 ? path_join(olddir, a.v[i]) : NULL, *pb = c >= 0 ? path_join(newdir, b.v[j]) : NULL;

		if (c == 0)
			r = diff_pair(pa, pb, b.v[j], brief, out);
		else
			r = c < 0 ? one_side(pa, a.v[i], 0, out) : one_side(pb, b.v[j], 1, out);
		(*nall)++;
		*ndiff += r == 1;
		if (r == -1 || (r == 1 && rc == 0))
			rc = r;
		i += c <= 0;
		j += c >= 0;
		free(pa);
		free(pb);
	}
	free_names(a.v, a.n);
	free_names(b.v, b.n);
	return rc;
}

int
cmd_diff(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"stat", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct buf out = {NULL, 0, 0};
	struct stat sa, sb;
	size_t ndiff = 0, nall = 0;
	int ch, stat_only = 0, rc, dirs, da, db;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		if (ch == 's')
			stat_only = 1;
		else {
			usage_error("%s: unknown option '%s'", argv[0], argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	/* A side that does not exist is reported by the reader, as the
	 * kind of the other side asks. */
	da = stat(argv[optind], &sa) == 0 ? S_ISDIR(sa.st_mode) != 0 : -1;
	db = stat(argv[optind + 1], &sb) == 0 ? S_ISDIR(sb.st_mode) != 0 : -1;
	if (da != -1 && db != -1 && da != db) {
		usage_error("diff: give two bundles or two build folders, not one of each");
		return 2;
	}
	dirs = da == 1 || db == 1;
	if (dirs)
		rc = diff_builds(argv[optind], argv[optind + 1], stat_only, &out, &ndiff, &nall);
	else
		rc = diff_pair(argv[optind], argv[optind + 1], argv[optind + 1], stat_only, &out);
	if (rc == -1) {
		buf_release(&out);
		return 3;
	}
	if (out.len)
		fputs(out.data, stdout);
	if (dirs && rc == 1)
		printf(_("%zu of %zu villages differ\n"), ndiff, nall);
	else if (dirs)
		printf(_("the builds are identical: %zu villages\n"), nall);
	else if (rc == 0)
		fputs(_("the bundles are identical\n"), stdout);
	buf_release(&out);
	return rc;
}
