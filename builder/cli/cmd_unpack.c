/* coursepack unpack [--replace] [--pubkey PUBKEY] BUNDLE DIR: extract a
 * bundle safely at an offline site.
 *
 * The bundle is verified first (and its signature with --pubkey): names,
 * kinds, collisions, sizes, CRCs and hashes, so every refusal happens
 * before anything is written.  Files go into a temporary folder beside
 * DIR, created with O_EXCL and O_NOFOLLOW, and the folder is renamed to
 * DIR at the end: DIR ends up complete or absent, and nothing is written
 * outside it.  Modes follow the umask, as unzip's do: folders 0777 and
 * files 0666 less the umask.
 *
 * --replace swaps a new copy for an unpacked one: the new folder is made
 * beside it as above, then exchanged with DIR in one step where the file
 * system can (renameat2 RENAME_EXCHANGE: ext4, btrfs, xfs, tmpfs), else
 * by two renames (DIR aside to .DIR.old-XXXXXX, the new folder in),
 * between which DIR is briefly absent.  The old copy is removed last.
 * If anything fails before the swap, DIR is untouched; if the second
 * rename fails, the old copy is renamed back.  If the process is killed
 * (power cut) between the two renames, the complete old copy is left
 * aside, and the next --replace puts it back before anything else: no
 * moment leaves neither copy.  tests/unpack.sh forces this fallback with
 * an LD_PRELOAD shim (tests/fakefs.c), so the program has no test hook. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle_reader.h"
#include "commands.h"
#include "i18n.h"
#include "crypto.h"
#include "util.h"

static const char usage_text[] = "usage: coursepack unpack [--replace] [--pubkey PUBKEY] BUNDLE DIR\n";


/* Writes one entry under `root`, making its folders; the name has passed
 * bundle_verify (plain, relative, no '..'). */
static int
extract(struct bundle *b, size_t i, const char *root)
{
	const struct zip_entry *e = zipr_entry(b->zip, i);
	const struct bundle_file *f;
	char *path = path_join(root, e->name), *dir = NULL, *data = NULL, sha[65];
	size_t len;
	int fd = -1, rc = -1;

	if (e->is_dir) {
		rc = 0;
		goto out;
	}
	/* The folders the entry's name holds (the root exists). */
	if (strchr(e->name, '/') != NULL) {
		dir = path_dirname(path);
		if (mkdirs(dir, 0777) == -1) {
			diag(S_WRITE, NULL, dir, strerror(errno));
			goto out;
		}
	}
	if (zipr_read(b->zip, i, &data, &len) == -1)
		goto out;
	/* Checked again: the bundle may have changed since verify read it. */
	sha256_hex(data, len, sha);
	if (i == 0 ? !streq(sha, b->manifest_sha256) :
	    (f = bundle_listed(b, e->name)) == NULL || !streq(sha, f->sha256)) {
		struct loc loc = {b->path, 0, 0};

		diag(E_VERIFY_HASH, &loc, e->name);
		goto out;
	}
	/* write_all: a short write reports its own errno, not a stale one.
	 * Synced before the folder is renamed into place. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666)) == -1 ||
	    write_all(fd, data, len) == -1 || fsync(fd) == -1) {
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
	free(dir);
	free(path);
	return rc;
}

/* DIR as --replace finds it: absent (0), an unpacked bundle (1), or
 * something else, refused (-1, diagnosed).  A folder without our
 * manifest is not replaced: a slip of the command line must not remove
 * someone's home folder. */
static int
replaceable(const char *dir)
{
	struct loc loc = {dir, 0, 0};
	struct stat st;
	char *manifest;
	int rc = 1;

	if (lstat(dir, &st) == -1)
		return errno == ENOENT ? 0 : (diag(S_OPEN, NULL, dir, strerror(errno)), -1);
	if (!S_ISDIR(st.st_mode)) {
		diag(E_UNPACK_NOT_DIR, &loc);
		return -1;
	}
	manifest = path_join(dir, "manifest.xml");
	if (lstat(manifest, &st) == -1 || !S_ISREG(st.st_mode)) {
		diag(E_UNPACK_NOT_BUNDLE, &loc);
		rc = -1;
	}
	free(manifest);
	return rc;
}

/* Undoes a --replace that was killed between its two renames (the
 * fallback of swap_in): DIR absent and the old copy aside as
 * .DIR.old-XXXXXX, a folder with our manifest.  Puts it back, so that
 * the replace starts from the old copy.  Returns 0 (nothing to do or
 * done), or -1 after diagnosing. */
static int
restore_aside(const char *dir)
{
	char *parent = path_dirname(dir), *prefix = xasprintf(".%s.old-", path_basename(dir)), *found = NULL;
	size_t n = strlen(prefix);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	if (lstat(dir, &st) == 0 || errno != ENOENT || (d = opendir(parent)) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		char *aside, *manifest;

		if (strncmp(de->d_name, prefix, n) != 0 || strlen(de->d_name) != n + 6)
			continue;
		aside = path_join(parent, de->d_name);
		manifest = path_join(aside, "manifest.xml");
		/* Of several (killed more than once), the newest by name order
		 * is as good as any: each was a complete copy. */
		if (lstat(aside, &st) == 0 && S_ISDIR(st.st_mode) && lstat(manifest, &st) == 0 && S_ISREG(st.st_mode) &&
		    (found == NULL || strcmp(aside, found) > 0)) {
			free(found);
			found = aside;
			aside = NULL;
		}
		free(aside);
		free(manifest);
	}
	closedir(d);
	if (found) {
		struct loc loc = {dir, 0, 0};

		if (rename(found, dir) == -1) {
			diag(S_WRITE, NULL, dir, strerror(errno));
			rc = -1;
		} else
			diag(W_UNPACK_RESTORED, &loc, found);
	}
out:
	free(found);
	free(prefix);
	free(parent);
	return rc;
}

/* Puts the complete folder `tmp` in the place of the unpacked bundle
 * `dir`, and removes the old copy.  Returns 0, or -1 after diagnosing
 * with `dir` as it was. */
static int
swap_in(const char *tmp, const char *dir, const char *parent)
{
	char *aside;
	int rc = -1;

	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
		/* tmp now holds the old copy. */
		remove_tree(tmp);
		if (access(tmp, F_OK) == 0)
			diag(W_UNPACK_LEFT, NULL, tmp);
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
		diag(S_WRITE, NULL, dir, strerror(errno));
		return -1;
	}
	/* No exchange on this file system (FAT, older kernels): an empty
	 * folder of ours to rename the old copy onto, then the new one in. */
	aside = xasprintf("%s/.%s.old-XXXXXX", parent, path_basename(dir));
	if (mkdtemp(aside) == NULL || rename(dir, aside) == -1) {
		diag(S_WRITE, NULL, dir, strerror(errno));
		rmdir(aside);
		goto out;
	}
	if (rename(tmp, dir) == -1) {
		int saved = errno;

		if (rename(aside, dir) == -1)
			diag(S_WRITE, NULL, dir, strerror(errno));
		diag(S_WRITE, NULL, dir, strerror(saved));
		goto out;
	}
	remove_tree(aside);
	if (access(aside, F_OK) == 0)
		diag(W_UNPACK_LEFT, NULL, aside);
	rc = 0;
out:
	free(aside);
	return rc;
}

/* Reads the options.  Returns -1 to go on, else the exit status (0 for
 * --help, 2 for a usage error, told). */
static int
unpack_options(int argc, char *argv[], const char **pubfile, int *replace)
{
	static const struct option longopts[] = {
		{"pubkey", required_argument, NULL, 'p'},
		{"replace", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hp:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			*pubfile = optarg;
			break;
		case 'r':
			*replace = 1;
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
	return -1;
}

/* A new empty folder beside `dir` in `parent`, named in *tmpl (the
 * caller frees it), with the mode mkdir would give it.  Returns its name
 * (in *tmpl), or NULL after diagnosing. */
static char *
unpack_staging(const char *parent, const char *dir, char **tmpl)
{
	char *tmp;
	mode_t mask;

	*tmpl = xasprintf("%s/.%s.unpack-XXXXXX", parent, path_basename(dir));
	if ((tmp = mkdtemp(*tmpl)) == NULL) {
		diag(S_WRITE, NULL, *tmpl, strerror(errno));
		return NULL;
	}
	/* mkdtemp makes it 0700; the folder ends up as mkdir would. */
	mask = umask(0);
	umask(mask);
	if (chmod(tmp, 0777 & ~mask) == -1) {
		diag(S_WRITE, NULL, tmp, strerror(errno));
		remove_tree(tmp);
		return NULL;
	}
	return tmp;
}

/* Makes the filled folder `tmp` the folder `dir` (swapping out the old
 * copy when `old`), lasting: synced, then renamed, then the parent
 * synced.  *moved tells whether tmp is gone.  Returns 0, or -1 after
 * diagnosing. */
static int
unpack_move(const char *tmp, const char *dir, const char *parent, int old, int *moved)
{
	*moved = 0;
	/* The folders' entries on disk before the rename makes them DIR. */
	if (sync_tree(tmp) == -1) {
		diag(S_WRITE, NULL, tmp, strerror(errno));
		return -1;
	}
	if (old) {
		if (swap_in(tmp, dir, parent) == -1)
			return -1;
	} else if (rename(tmp, dir) == -1) {
		diag(S_WRITE, NULL, dir, strerror(errno));
		return -1;
	}
	*moved = 1;
	if (sync_dir(parent) == -1) {
		diag(S_WRITE, NULL, parent, strerror(errno));
		return -1;
	}
	return 0;
}

int
cmd_unpack(int argc, char *argv[])
{
	const char *pubfile = NULL, *bundle, *dir;
	char *parent = NULL, *tmpl = NULL, *tmp = NULL, *who = NULL, *signer = NULL;
	struct bundle b = {0};
	struct minisign_key pub = {0};
	struct stat st;
	int rc = 1, replace = 0, old = 0, moved;
	size_t i;

	if ((rc = unpack_options(argc, argv, &pubfile, &replace)) != -1)
		return rc;
	rc = 1;
	bundle = argv[optind];
	dir = argv[optind + 1];
	if (hash_init() == -1) {
		usage_error("unpack: libsodium cannot start");
		return 3;
	}
	if (replace) {
		if (restore_aside(dir) == -1)
			return 3;
		if ((old = replaceable(dir)) == -1)
			return diag_exit() ? diag_exit() : 1;
	} else if (lstat(dir, &st) == 0) {
		struct loc loc = {dir, 0, 0};

		diag(E_UNPACK_EXISTS, &loc);
		return 1;
	}
	/* Everything is checked before anything is written: the signature
	 * first, then the archive, all read from one open file. */
	if (pubfile && bundle_load_pubkey(pubfile, &pub) == -1)
		goto out;
	if (bundle_open(&b, bundle, pubfile ? &pub : NULL, &who) == -1 || bundle_verify(&b) != 0)
		goto out;
	parent = path_dirname(dir);
	if ((tmp = unpack_staging(parent, dir, &tmpl)) == NULL) {
		rc = 3;
		goto out;
	}
	for (i = 0; i < zipr_count(b.zip); i++)
		if (extract(&b, i, tmp) == -1) {
			rc = diag_exit() ? diag_exit() : 1;
			goto out;
		}
	if (unpack_move(tmp, dir, parent, old, &moved) == -1) {
		if (moved)
			tmp = NULL;
		rc = 3;
		goto out;
	}
	tmp = NULL;
	signer = who ? xasprintf(_(", %s"), who) : xstrdup("");
	printf(old ? _("%s: replaced the copy in %s (%zu files)%s\n") : _("%s: unpacked into %s (%zu files)%s\n"),
	    bundle, dir, zipr_count(b.zip), signer);
	rc = 0;
out:
	if (tmp)
		remove_tree(tmp);
	if (rc != 0 && diag_exit() == 0)
		rc = 1;
	bundle_release(&b);
	minisign_key_release(&pub);
	free(tmpl);
	free(parent);
	free(who);
	free(signer);
	return rc;
}
