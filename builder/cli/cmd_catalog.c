/* coursepack catalog [-o DIR] [--sign SECRETKEY] SHARD_DIR...: merges the
 * folders of a build split with `build --shard I/N` into DIR/TOWNSHIP, as
 * one whole build would have made it: every shard's bundles, editions and
 * signatures, one SHA256SUMS and one catalogue.
 *
 * Everything is checked before anything is written: the shard records
 * (shard-I-of-N.xml) must be of one township, split one way, all there
 * once.  Each file is copied through a temporary file and a rename, its
 * size and SHA-256 checked against the record on the way. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "commands.h"
#include "i18n.h"
#include "crypto.h"
#include "diag.h"
#include "leftovers.h"
#include "output.h"
#include "sign.h"
#include "util.h"

static const char usage_text[] = "usage: coursepack catalog [-o DIR] [--sign SECRETKEY] SHARD_DIR ...\n";

struct record {
	char *dir;		/* where the record and its files are */
	char *path;
	struct catalog cat;
	size_t shard, nshards;
};

struct records {
	struct record *v;
	size_t n;
};

/* The shard records in `dir`, or else in its subfolders (build -o OUT
 * puts them in OUT/TOWNSHIP).  Returns how many were found. */
static size_t
find_records(const char *dir, struct records *rs, int depth)
{
	char **names;
	size_t n, i, found = 0;

	if (list_dir(dir, &names, &n) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		size_t a, b;
		int end = 0;

		if (sscanf(names[i], "shard-%zu-of-%zu.xml%n", &a, &b, &end) == 2 && names[i][end] == '\0') {
			rs->v = xreallocarray(rs->v, rs->n + 1, sizeof *rs->v);
			memset(&rs->v[rs->n], 0, sizeof rs->v[rs->n]);
			rs->v[rs->n].dir = xstrdup(dir);
			rs->v[rs->n].path = path_join(dir, names[i]);
			rs->n++;
			found++;
		}
	}
	for (i = 0; found == 0 && depth == 0 && i < n; i++) {
		char *sub = path_join(dir, names[i]);
		struct stat st;

		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			found += find_records(sub, rs, 1);
		free(sub);
	}
	free_names(names, n);
	return found;
}

static int
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && streq(a, b));
}

/* Whether two shards' catalogues come from the same township files. */
static int
same_catalogue(const struct catalog *a, const struct catalog *b)
{
	size_t i;

	if (!same_text(a->name, b->name) || !same_text(a->county, b->county) || !same_text(a->title, b->title) ||
	    !same_text(a->season, b->season) ||
	    a->min_hours != b->min_hours || a->ncats != b->ncats)
		return 0;
	for (i = 0; i < a->ncats; i++)
		if (!same_text(a->cats[i].name, b->cats[i].name) || !same_text(a->cats[i].colour, b->cats[i].colour))
			return 0;
	return 1;
}

static int
row_order_cmp(const void *a, const void *b)
{
	const struct catalog_row *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

/* Checks src against its size and SHA-256 (want: NULL for a signature,
 * which is only bounded) and, when dst is given, copies it to a new
 * temporary file beside dst whose name goes into *tmp.  Returns 0, -1
 * after diagnosing. */
static int
stage(const char *src, const char *dst, size_t size, const char *want, char **tmp)
{
	char *buf = xmalloc(256 * 1024), got[65];
	struct sha256 h;
	struct stat st;
	size_t total = 0;
	ssize_t n;
	int in, out = -1, rc = -1;

	*tmp = NULL;
	/* Regular files only: a link in a shard folder may point anywhere. */
	if ((in = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1) {
		struct loc loc = {src, 0, 0};

		/* Missing or a link: the shard is at fault, not the system. */
		if (errno == ENOENT)
			diag(E_SHARD_LOST, &loc, path_basename(src));
		else if (errno == ELOOP)
			diag(E_SHARD_FILE, &loc, path_basename(src));
		else
			diag(S_OPEN, NULL, src, strerror(errno));
		free(buf);
		return -1;
	}
	if (fstat(in, &st) == -1 || !S_ISREG(st.st_mode) || (want == NULL && st.st_size > 4096)) {
		struct loc loc = {src, 0, 0};

		diag(E_SHARD_FILE, &loc, path_basename(src));
		goto done;
	}
	if (dst) {
		*tmp = temp_template(dst);
		if ((out = mkostemp(*tmp, O_CLOEXEC)) == -1) {
			diag(S_WRITE, NULL, dst, strerror(errno));
			goto done;
		}
	}
	sha256_begin(&h);
	while ((n = read(in, buf, 256 * 1024)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			diag(S_READ, NULL, src, strerror(errno));
			goto done;
		}
		sha256_add(&h, buf, (size_t)n);
		total += (size_t)n;
		if (out != -1 && write_all(out, buf, (size_t)n) == -1) {
			diag(S_WRITE, NULL, dst, strerror(errno));
			goto done;
		}
	}
	sha256_end(&h, got);
	if (want && (total != size || !streq(got, want))) {
		struct loc loc = {src, 0, 0};

		diag(E_SHARD_FILE, &loc, path_basename(src));
		goto done;
	}
	if (out != -1 && (fchmod(out, 0644) == -1 || fsync(out) == -1)) {
		diag(S_WRITE, NULL, dst, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (out != -1 && close(out) == -1 && rc == 0) {
		diag(S_WRITE, NULL, dst, strerror(errno));
		rc = -1;
	}
	if (rc == -1 && *tmp) {
		if (out != -1)
			unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	close(in);
	free(buf);
	return rc;
}

struct names {
	char **v;
	size_t n;
};

static void
names_add(struct names *ns, char *s)
{
	ns->v = xreallocarray(ns->v, ns->n + 1, sizeof *ns->v);
	ns->v[ns->n++] = s;
}

static void
names_release(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

/* Whether two paths name the same file (merging in place). */
static int
same_file(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Stages one row's files and their signatures: checked, and copied to
 * temporary files (tmp[i] to go to final[i]) unless merging in place.
 * Signatures that no longer belong are listed in `stale`. */
static int
stage_row(const struct record *r, const struct catalog_row *row, const char *outdir, struct names *tmp,
    struct names *final, struct names *stale)
{
	size_t k;

	for (k = 0; k < EDITIONS_MAX; k++) {
		const struct catalog_file *f = &row->files[k];
		char *src, *dst, *sig_src, *sig_dst, *t;
		int in_place, rc;
		struct stat st;

		if (f->name == NULL)
			continue;
		src = path_join(r->dir, f->name);
		dst = path_join(outdir, f->name);
		sig_src = xasprintf("%s.minisig", src);
		sig_dst = xasprintf("%s.minisig", dst);
		in_place = same_file(src, dst);
		rc = stage(src, in_place ? NULL : dst, f->size, f->sha256, &t);
		if (rc == 0 && t) {
			names_add(tmp, t);
			names_add(final, xstrdup(dst));
		}
		if (rc == 0 && lstat(sig_src, &st) == 0) {
			if (!same_file(sig_src, sig_dst) && (rc = stage(sig_src, sig_dst, 0, NULL, &t)) == 0) {
				names_add(tmp, t);
				names_add(final, xstrdup(sig_dst));
			}
		} else if (rc == 0 && !in_place) {
			names_add(stale, xstrdup(sig_dst));
		}
		free(src);
		free(dst);
		free(sig_src);
		free(sig_dst);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Rows that cannot be one township's: a village twice, or two files of
 * one name. */
static int
rows_consistent(const struct catalog *all, const char *first_path)
{
	struct loc loc = {first_path, 0, 0};
	size_t i, k;
	int a, b;

	for (i = 0; i < all->nrows; i++) {
		if (i > 0 && all->rows[i].order == all->rows[i - 1].order)
			goto bad;
		for (k = i; k < all->nrows; k++)
			for (a = 0; a < EDITIONS_MAX; a++)
				for (b = 0; b < EDITIONS_MAX; b++)
					if ((k != i || a < b) && all->rows[i].files[a].name && all->rows[k].files[b].name &&
					    streq(all->rows[i].files[a].name, all->rows[k].files[b].name))
						goto bad;
	}
	return 0;
bad:
	diag(E_SHARD_BAD, &loc);
	return -1;
}

/* Reads the options.  Returns -1 to go on, else the exit status (0 for
 * --help, 2 for a usage error, told). */
static int
catalog_options(int argc, char *argv[], const char **outroot, const char **keyfile)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"sign", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			*outroot = optarg;
			break;
		case 'K':
			*keyfile = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			usage_error("catalog: option '%s' needs a value", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		default:
			usage_error("catalog: unknown option '%s'", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind < 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	return -1;
}

/* Reads every record and checks it against the first: one township,
 * split one way, each shard once, together the whole township.  Sets
 * *first and *nshards.  Returns 0, or -1 after diagnosing. */
static int
records_check(struct records *rs, struct record **first, size_t *nshards)
{
	unsigned char *seen = NULL;
	size_t i, k, planned = 0;
	int rc = -1;

	*first = NULL;
	*nshards = 0;
	for (i = 0; i < rs->n; i++) {
		struct record *r = &rs->v[i];
		struct loc loc = {r->path, 0, 0};

		if (catalog_load(r->path, &r->cat, &r->shard, &r->nshards) == -1)
			continue;
		if (*first == NULL) {
			*first = r;
			*nshards = r->nshards;
			seen = xcalloc(*nshards, 1);
		} else if (!streq(r->cat.township, (*first)->cat.township) || r->nshards != *nshards) {
			diag(E_SHARD_MIXED, &loc, r->cat.township, r->nshards, (*first)->cat.township, *nshards);
			continue;
		} else if (!same_catalogue(&r->cat, &(*first)->cat) || r->cat.villages != (*first)->cat.villages ||
		    !streq(r->cat.source, (*first)->cat.source)) {
			diag(E_SHARD_DIFFERENT, &loc);
			continue;
		}
		if (seen[r->shard]++) {
			diag(E_SHARD_TWICE, &loc, r->shard, *nshards);
			continue;
		}
		if (r->cat.nrows != r->cat.planned)
			diag(E_SHARD_PARTIAL, &loc, r->shard, *nshards, r->cat.nrows, r->cat.planned);
		planned += r->cat.planned;
	}
	if (diag_count(DL_ERROR) || diag_count(DL_SYSERR))
		goto out;
	for (k = 0; k < *nshards; k++)
		if (!seen[k]) {
			diag(E_SHARD_MISSING, NULL, k, *nshards, *nshards);
			goto out;
		}
	if (planned != (*first)->cat.villages) {
		struct loc loc = {(*first)->path, 0, 0};

		diag(E_SHARD_DIFFERENT, &loc);
		goto out;
	}
	rc = 0;
out:
	free(seen);
	return rc;
}

/* The whole township's catalogue into *all: the first record's, with the
 * rows of all in the township's order (the rows stay the records'; free
 * only all->rows). */
static void
records_merge(const struct records *rs, const struct record *first, struct catalog *all)
{
	size_t i, k;

	*all = first->cat;
	all->rows = NULL;
	all->nrows = 0;
	for (i = 0; i < rs->n; i++)
		for (k = 0; k < rs->v[i].cat.nrows; k++) {
			all->rows = xreallocarray(all->rows, all->nrows + 1, sizeof *all->rows);
			all->rows[all->nrows++] = rs->v[i].cat.rows[k];
		}
	if (all->nrows > 1)
		qsort(all->rows, all->nrows, sizeof *all->rows, row_order_cmp);
}

/* Makes OUTROOT and OUTDIR (OUTROOT/TOWNSHIP) when missing; *made tells
 * whether OUTDIR is new.  Returns 0, or -1 after diagnosing. */
static int
make_folder(const char *outroot, const char *outdir, int *made)
{
	*made = 0;
	if (mkdir(outroot, 0777) == -1 && errno != EEXIST) {
		diag(S_WRITE, NULL, outroot, strerror(errno));
		return -1;
	}
	if (mkdir(outdir, 0777) == 0)
		*made = 1;
	else if (errno != EEXIST) {
		diag(S_WRITE, NULL, outdir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Every shard's files into `outdir`: everything checked and copied aside
 * first, only then renamed into place, so a damaged shard leaves the
 * folder as it was (and removes it again when it was `made` for this).
 * Returns 0, or -1 after diagnosing. */
static int
records_put(const struct records *rs, const char *outdir, int made)
{
	struct names tmp = {0}, final = {0}, stale = {0};
	size_t i, k;
	int rc = -1;

	for (i = 0; i < rs->n; i++)
		for (k = 0; k < rs->v[i].cat.nrows; k++)
			if (stage_row(&rs->v[i], &rs->v[i].cat.rows[k], outdir, &tmp, &final, &stale) == -1)
				goto undo;
	for (i = 0; i < tmp.n; i++)
		if (rename(tmp.v[i], final.v[i]) == -1) {
			diag(S_WRITE, NULL, final.v[i], strerror(errno));
			goto undo;
		}
	for (i = 0; i < stale.n; i++)
		unlink(stale.v[i]);
	rc = 0;
	goto out;
undo:
	for (i = 0; i < tmp.n; i++)
		unlink(tmp.v[i]);
	if (made)
		rmdir(outdir);
out:
	names_release(&tmp);
	names_release(&final);
	names_release(&stale);
	return rc;
}

int
cmd_catalog(int argc, char *argv[])
{
	const char *outroot = "dist", *keyfile = NULL;
	struct records rs = {0};
	struct record *first = NULL;
	struct catalog all = {0};
	struct minisign_key key;
	char *outdir = NULL;
	size_t i, nshards = 0;
	time_t when;
	int rc = 1, key_loaded = 0, lock = -1, made_dir;

	if ((rc = catalog_options(argc, argv, &outroot, &keyfile)) != -1)
		return rc;
	if (entry_time("catalog", NULL, &when) == -1)
		return 2;
	if (hash_init() == -1) {
		usage_error("catalog: libsodium cannot start");
		return 3;
	}
	if (keyfile) {
		if ((rc = secret_key_load(keyfile, &key)) != 0)
			return rc;
		key_loaded = 1;
	}
	rc = 1;
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (find_records(argv[i], &rs, 0) == 0) {
			struct loc loc = {argv[i], 0, 0};

			diag(E_SHARD_NONE, &loc, argv[i]);
		}
	if (diag_count(DL_ERROR) || diag_count(DL_SYSERR))
		goto out;
	if (records_check(&rs, &first, &nshards) == -1)
		goto out;
	/* Dated like the build that made the shards. */
	entry_time("catalog", first->cat.season, &when);
	records_merge(&rs, first, &all);
	if (rows_consistent(&all, first->path) == -1)
		goto out;
	outdir = path_join(outroot, all.township);
	if (make_folder(outroot, outdir, &made_dir) == -1) {
		rc = 3;
		goto out;
	}
	/* Held like a build holds its folder (leftovers.h): a build started
	 * meanwhile takes none of the staged files for a killed build's. */
	lock = leftovers_claim(outdir);
	if (records_put(&rs, outdir, made_dir) == -1 ||
	    catalog_write(&all, outdir, key_loaded ? &key : NULL, when) == -1)
		goto out;
	printf(_("merged %zu shard%s: %zu bundle%s in %s\n"), nshards, nshards == 1 ? "" : "s", all.nrows,
	    all.nrows == 1 ? "" : "s", outdir);
	rc = 0;
out:
	leftovers_release(lock);
	if (rc != 0 && diag_exit() > rc)
		rc = diag_exit();
	free(all.rows);	/* the rows belong to the records */
	for (i = 0; i < rs.n; i++) {
		catalog_release(&rs.v[i].cat);
		free(rs.v[i].dir);
		free(rs.v[i].path);
	}
	free(rs.v);
	free(outdir);
	if (key_loaded)
		minisign_key_release(&key);
	return rc;
}
