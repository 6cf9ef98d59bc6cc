/* coursepack export: the build folder read and checked, one kit per
 * village (export.h). */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle_reader.h"
#include "crypto.h"
#include "delta.h"
#include "diag.h"
#include "export.h"
#include "fold.h"
#include "i18n.h"
#include "leftovers.h"
#include "util.h"
#include "xml.h"

#define README_NAME "README.txt"	/* ASCII: fusefat and old FAT tools take no other names */
#define COPY_STEP (256 * 1024)
#define FAT32_MAX_FILE 4294967295ULL	/* 4 GiB - 1 */
/* Windows: a name has at most 255 UTF-16 units; we keep 19 of them for
 * the temporary name a file is written through (".coursepack-NAME-XXXXXX"),
 * which FAT must hold too.  A whole path, "E:\" and the terminating NUL
 * included, at most 260 (MAX_PATH). */
#define NAME_MAX_UNITS (255 - 19)
#define PATH_MAX_UNITS 259

/* SHA256SUMS as read. */
struct sums_row {
	char *name;
	char sha[65];
	int line;
};

struct sums_list {
	struct sums_row *v;
	size_t n;
};

static int
sums_collect(void *ctx, const char *sums, int line, const char *sha, const char *name)
{
	struct sums_list *l = ctx;

	(void)sums;
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n].name = xstrdup(name);
	memcpy(l->v[l->n].sha, sha, 65);
	l->v[l->n++].line = line;
	return 0;
}

static const struct sums_row *
sums_find(const struct sums_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (streq(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static struct export_file *
kit_add(struct export_kit *k, const char *name, const char *what)
{
	struct export_file *f;

	k->files = xreallocarray(k->files, k->nfiles + 1, sizeof *k->files);
	f = &k->files[k->nfiles++];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(name);
	f->what = what;
	return f;
}

/* A file of the build folder, listed in SHA256SUMS (row) or not (a
 * signature): its size now, its bytes checked by export_check.  0, or 1
 * after diagnosing. */
static int
add_source(struct export_kit *k, const char *dir, const char *sums, const struct sums_row *row, const char *name,
    const char *what, int signed_)
{
	char *path = path_join(dir, name);
	struct export_file *f;
	struct stat st;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		struct loc loc = {sums, row ? row->line : 0, 0};

		if (errno == ENOENT && row)
			diag(E_SUMS_MISSING, &loc, name);
		else
			diag(S_READ, NULL, path, strerror(S_ISREG(st.st_mode) ? errno : EINVAL));
		free(path);
		return 1;
	}
	f = kit_add(k, name, what);
	f->src = path;
	f->size = (unsigned long long)st.st_size;
	if (row) {
		memcpy(f->listed, row->sha, 65);
		f->line = row->line;
	}
	f->signed_ = signed_;
	return 0;
}

/* The signature beside a file, if there is one. */
static int
add_signature(struct export_kit *k, const char *dir, const char *name)
{
	char *sig = xasprintf("%s.minisig", name), *path = path_join(dir, sig);
	int problems = 0;

	if (access(path, F_OK) == 0)
		problems = add_source(k, dir, NULL, NULL, sig, "数字签名", 0);
	free(path);
	free(sig);
	return problems;
}

static char *
node_attr(struct xml_node *root, const char *el, const char *attr)
{
	struct xml_node *n = xml_first(root, el);

	if (n == NULL)
		return NULL;
	return attr ? xml_attr(n, attr) : xml_text(n);
}

/* Who the bundle is for, from its manifest. */
static void
kit_from_manifest(struct export_kit *k, const struct bundle *b)
{
	struct xml_node *root = xml_root(b->manifest), *hours = xml_first(root, "hours"), *g;

	k->folder = xml_attr(root, "id");
	k->township = node_attr(root, "township", "id");
	k->township_name = node_attr(root, "township", NULL);
	k->village = node_attr(root, "village", "id");
	k->village_name = node_attr(root, "village", NULL);
	k->season = node_attr(root, "season", NULL);
	for (g = hours ? xml_first(hours, "group") : NULL; g; g = xml_next(g, "group")) {
		char *ref = xml_attr(g, "ref"), *members = xml_attr(g, "members");

		if (ref && members && streq(ref, "homebound"))
			k->homebound = atoi(members);
		free(ref);
		free(members);
	}
}

static int
wanted(const char *village, char *const *villages, size_t n, int *seen)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (village && streq(village, villages[i])) {
			seen[i] = 1;
			return 1;
		}
	return 0;
}

/* One bundle's kit: the bundle, its editions, their signatures.  1 when
 * the kit was made (and *problems counts what was wrong), 0 when the
 * village was not asked for, -1 when the bundle cannot be read. */
static int
kit_load(struct export *e, const struct sums_list *l, const struct sums_row *row, const char *sums,
    char *const *villages, size_t nvillages, int *seen, const struct minisign_key *pub, int *problems)
{
	static const struct {
		const char *suffix, *what;
	} editions[] = {
		{"-phone.html", "手机版"},
		{".epub", "电子书版 (EPUB)"},
		{"-print.pdf", "印刷版 (PDF)"},
	};
	struct export_kit k = {0};
	struct bundle b;
	char *path = path_join(e->build_dir, row->name), *who = NULL;
	size_t i;

	if (bundle_open(&b, path, pub, &who) == -1) {
		bundle_release(&b);
		free(path);
		free(who);
		return -1;
	}
	free(who);
	kit_from_manifest(&k, &b);
	if (!wanted(k.village, villages, nvillages, seen) || k.folder == NULL) {
		bundle_release(&b);
		free(path);
		free(k.folder);
		free(k.township);
		free(k.township_name);
		free(k.village);
		free(k.village_name);
		free(k.season);
		return 0;
	}
	*problems += bundle_verify(&b);
	bundle_release(&b);
	free(path);
	/* bundle_open checked the signature already. */
	*problems += add_source(&k, e->build_dir, sums, row, row->name, "课程包", 0);
	*problems += add_signature(&k, e->build_dir, row->name);
	for (i = 0; i < NELEM(editions); i++) {
		char *name = xasprintf("%s%s", k.folder, editions[i].suffix);
		const struct sums_row *r = sums_find(l, name);

		if (r) {
			*problems += add_source(&k, e->build_dir, sums, r, name, editions[i].what, pub != NULL);
			*problems += add_signature(&k, e->build_dir, name);
		}
		free(name);
	}
	e->kits = xreallocarray(e->kits, e->nkits + 1, sizeof *e->kits);
	e->kits[e->nkits++] = k;
	return 1;
}

/* The key, and the kit's instructions (written by export_check, once
 * every hash is known). */
static void
kit_finish(struct export_kit *k, const char *pubfile)
{
	if (pubfile) {
		struct export_file *f = kit_add(k, path_basename(pubfile), "公钥");
		struct stat st;

		f->src = xstrdup(pubfile);
		if (stat(pubfile, &st) == 0)
			f->size = (unsigned long long)st.st_size;
	}
	kit_add(k, README_NAME, "使用说明")->instructions = 1;
	kit_add(k, "index.html", "使用说明（网页）")->instructions = 1;
}

int
export_load(struct export *e, const char *build_dir, char *const *villages, size_t nvillages,
    const struct minisign_key *pub, const char *pubfile)
{
	struct sums_list l = {0};
	char *sums = path_join(build_dir, "SHA256SUMS");
	int *seen = xcalloc(nvillages + 1, sizeof *seen), problems = 0, rc;
	size_t i;

	e->build_dir = xstrdup(build_dir);
	rc = sums_each(sums, 1, sums_collect, &l);
	if (rc == -1) {
		struct loc loc = {build_dir, 0, 0};

		if (errno == ENOENT)
			diag(E_EXPORT_NO_SUMS, &loc);
		else
			diag(S_READ, NULL, sums, strerror(errno));
		problems++;
	} else
		problems += rc;
	for (i = 0; rc != -1 && i < l.n; i++)
		if (has_suffix(l.v[i].name, ".zip") &&
		    kit_load(e, &l, &l.v[i], sums, villages, nvillages, seen, pub, &problems) == -1)
			problems++;
	for (i = 0; rc != -1 && i < nvillages; i++)
		if (!seen[i]) {
			struct loc loc = {sums, 0, 0};

			diag(E_EXPORT_VILLAGE, &loc, villages[i]);
			problems++;
		}
	if (problems == 0 && e->nkits == 0) {
		struct loc loc = {sums, 0, 0};

		diag(E_EXPORT_NOTHING, &loc);
		problems++;
	}
	if (pubfile && access(pubfile, R_OK) == -1) {
		diag(S_READ, NULL, pubfile, strerror(errno));
		problems++;
	}
	for (i = 0; i < e->nkits; i++)
		kit_finish(&e->kits[i], pubfile);
	e->lists[0].name = xstrdup("delivery.html");
	e->lists[1].name = xstrdup("delivery.csv");
	e->pub = pub;
	e->keyname = pubfile ? xstrdup(path_basename(pubfile)) : NULL;
	for (i = 0; i < l.n; i++)
		free(l.v[i].name);
	free(l.v);
	free(seen);
	free(sums);
	return problems ? -1 : 0;
}

/* Checking the destination. */

/* UTF-16 units of a valid UTF-8 string: two for code points past U+FFFF. */
static size_t
utf16_units(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xC0) != 0x80)
			n += c >= 0xF0 ? 2 : 1;
	}
	return n;
}

static int
reserved_name(const char *name)
{
	static const char *const dev[] = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
	size_t stem = strcspn(name, "."), i;

	for (i = 0; i < NELEM(dev); i++)
		if (stem == strlen(dev[i]) && strncasecmp(name, dev[i], stem) == 0)
			return 1;
	/* COM1-COM9, LPT1-LPT9 (and COM0, LPT0, which Windows 11 reserves). */
	return stem == 4 && (strncasecmp(name, "COM", 3) == 0 || strncasecmp(name, "LPT", 3) == 0) &&
	    name[3] >= '0' && name[3] <= '9';
}

/* A name FAT, exFAT, NTFS and Windows all accept: 0, or 1 after
 * diagnosing at `where`. */
static int
check_name(const char *name, const char *where)
{
	struct loc loc = {where, 0, 0};
	size_t bad, len = strlen(name);
	const char *p;

	if (!utf8_valid(name, len, &bad)) {
		diag(E_EXPORT_NAME_CHAR, &loc, name, "?");
		return 1;
	}
	for (p = name; *p; p++) {
		if ((unsigned char)*p < 0x20 || strchr("<>:\"/\\|?*", *p)) {
			char c[8];

			if ((unsigned char)*p < 0x20)
				snprintf(c, sizeof c, "\\x%02x", (unsigned char)*p);
			else
				snprintf(c, sizeof c, "%c", *p);
			diag(E_EXPORT_NAME_CHAR, &loc, name, c);
			return 1;
		}
	}
	if (len && (name[len - 1] == '.' || name[len - 1] == ' ')) {
		diag(E_EXPORT_NAME_END, &loc, name);
		return 1;
	}
	if (reserved_name(name)) {
		diag(E_EXPORT_NAME_RESERVED, &loc, name);
		return 1;
	}
	if (utf16_units(name) > NAME_MAX_UNITS) {
		diag(E_EXPORT_NAME_LONG, &loc, name, utf16_units(name), NAME_MAX_UNITS);
		return 1;
	}
	return 0;
}

/* Names that are one file on a case-insensitive file system. */
static int
check_collisions(const char *const *names, size_t n, const char *where)
{
	char **keys = xcalloc(n + 1, sizeof *keys);
	size_t i, j;
	int problems = 0;

	for (i = 0; i < n; i++)
		keys[i] = fold_key(names[i]);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (keys[i] && keys[j] && streq(keys[i], keys[j])) {
				struct loc loc = {where, 0, 0};

				diag(E_EXPORT_CASE, &loc, names[i], names[j]);
				problems++;
			}
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return problems;
}

/* The folder DEST is in on its own file system, as Windows will see it:
 * "E:\" and the folders from the stick's root down to DEST, in UTF-16
 * units.  `probe` is DEST or, when it does not exist yet, its parent. */
static size_t
dest_units(const char *dest, const char *probe)
{
	char real[PATH_MAX], *dir;
	struct stat st, up;
	size_t units = 3, rootlen;

	if (realpath(probe, real) == NULL || stat(real, &st) == -1)
		return units + utf16_units(dest);
	dir = xstrdup(real);
	for (;;) {
		char *parent = path_dirname(dir);

		if (streq(parent, dir) || stat(parent, &up) == -1 || up.st_dev != st.st_dev) {
			free(parent);
			break;
		}
		free(dir);
		dir = parent;
	}
	/* real below the mount point dir */
	rootlen = strlen(dir);
	if (strlen(real) > rootlen)
		units += utf16_units(real + rootlen + (dir[rootlen - 1] != '/'));
	if (probe != dest)
		units += 1 + utf16_units(path_basename(dest));
	free(dir);
	return units;
}

const char *
export_fs_name(enum export_fs fs)
{
	switch (fs) {
	case FS_FAT32:
		return "FAT32";
	case FS_EXFAT:
		return "exFAT";
	case FS_NTFS:
		return "NTFS";
	case FS_AUTO:
	case FS_OTHER:
		break;
	}
	return "other";
}

/* statfs' f_type as one of ours.  A FUSE mount (fusefat, exfat-fuse,
 * ntfs-3g) cannot be told apart: taken for FAT32, the strictest, unless
 * --fs says otherwise. */
static enum export_fs
fs_detect(const char *probe)
{
	struct statfs sf;

	if (statfs(probe, &sf) == -1)
		return FS_OTHER;
	switch ((unsigned long)sf.f_type) {
	case 0x4d44UL:		/* MSDOS_SUPER_MAGIC */
	case 0x65735546UL:	/* FUSE_SUPER_MAGIC */
		return FS_FAT32;
	case 0x2011bab0UL:	/* exFAT */
		return FS_EXFAT;
	case 0x5346544eUL:	/* NTFS (ntfs) */
	case 0x7366746eUL:	/* ntfs3 */
		return FS_NTFS;
	default:
		return FS_OTHER;
	}
}

/* "1.5 MiB", rounded up (a need, a shortfall: never understated) or
 * down (what is free: never overstated). */
static void
size_words(unsigned long long n, int up, char out[32])
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
	unsigned long long scale = 1024;
	size_t u = 0;

	if (n < 1024) {
		snprintf(out, 32, "%llu bytes", n);
		return;
	}
	while (u + 1 < NELEM(unit) && n >= scale * 1024) {
		scale *= 1024;
		u++;
	}
	/* tenths of the unit */
	n = up ? (n * 10 + scale - 1) / scale : n * 10 / scale;
	snprintf(out, 32, "%llu.%llu %s", n / 10, n % 10, unit[u]);
}

/* Reads a file back from the device, not from memory as far as the
 * kernel can tell: fsync, then drop its cached pages (a device's own
 * cache is out of reach).  0, or -1 with errno. */
static int
hash_device(const char *path, unsigned long long *size, char out[65])
{
	unsigned char *chunk;
	struct sha256 h;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd == -1)
		return -1;
	(void)fsync(fd);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	chunk = xmalloc(COPY_STEP);
	sha256_begin(&h);
	*size = 0;
	while ((got = read(fd, chunk, COPY_STEP)) != 0) {
		if (got == -1) {
			int saved = errno;

			if (errno == EINTR)
				continue;
			free(chunk);
			close(fd);
			errno = saved;
			return -1;
		}
		sha256_add(&h, chunk, (size_t)got);
		*size += (unsigned long long)got;
	}
	sha256_end(&h, out);
	free(chunk);
	close(fd);
	return 0;
}

/* What is on the stick already: kept when right, else replaced. */
static void
mark_state(struct export_file *f, const char *path)
{
	unsigned long long size;
	struct stat st;
	char got[65];

	f->state = EXPORT_COPY;
	if (lstat(path, &st) == -1)
		return;
	f->state = EXPORT_REPLACE;
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size == f->size && hash_device(path, &size, got) == 0 &&
	    size == f->size && streq(got, f->sha256))
		f->state = EXPORT_KEPT;
}

/* One file's checks: its name, its path's length, its size. */
static int
check_file(struct export *e, struct export_file *f, const char *folder, size_t base)
{
	char *dir = folder ? path_join(e->dest, folder) : xstrdup(e->dest), *path = path_join(dir, f->name);
	size_t units = base + (folder ? utf16_units(folder) + 1 : 0) + utf16_units(f->name);
	int problems = check_name(f->name, path);

	if (problems == 0 && units > PATH_MAX_UNITS) {
		struct loc loc = {path, 0, 0};

		diag(E_EXPORT_PATH_LONG, &loc, units, PATH_MAX_UNITS);
		problems++;
	}
	if (e->fs == FS_FAT32 && f->size > FAT32_MAX_FILE) {
		struct loc loc = {f->src ? f->src : path, 0, 0};
		char has[32];

		size_words(f->size, 0, has);
		diag(E_EXPORT_TOO_LARGE, &loc, f->name, has);
		problems++;
	}
	free(path);
	free(dir);
	return problems;
}

/* Every name and size against the destination's rules. */
static int
check_names(struct export *e, size_t base)
{
	const char **names = xcalloc(e->nkits + NELEM(e->lists) + 1, sizeof *names);
	size_t i, j, n = 0;
	int problems = 0;

	for (i = 0; i < e->nkits; i++) {
		struct export_kit *k = &e->kits[i];
		const char **kn = xcalloc(k->nfiles + 1, sizeof *kn);
		char *kdir = path_join(e->dest, k->folder);

		problems += check_name(k->folder, kdir);
		names[n++] = k->folder;
		for (j = 0; j < k->nfiles; j++) {
			problems += check_file(e, &k->files[j], k->folder, base);
			kn[j] = k->files[j].name;
		}
		problems += check_collisions(kn, k->nfiles, kdir);
		free(kn);
		free(kdir);
	}
	for (i = 0; i < NELEM(e->lists); i++) {
		problems += check_file(e, &e->lists[i], NULL, base);
		names[n++] = e->lists[i].name;
	}
	problems += check_collisions(names, n, e->dest);
	free(names);
	return problems;
}

/* A source file's bytes: SHA-256, against SHA256SUMS and, with a key,
 * against its signature. */
static int
check_source(struct export *e, struct export_file *f, const char *sums)
{
	size_t size;
	int problems = 0;

	if (sha256_file(f->src, &size, f->sha256) == -1) {
		diag(S_READ, NULL, f->src, strerror(errno));
		return 1;
	}
	f->size = size;
	if (f->listed[0] && !streq(f->listed, f->sha256)) {
		struct loc loc = {sums, f->line, 0};

		diag(E_SUMS_HASH, &loc, f->name);
		problems++;
	}
	if (f->signed_ && e->pub) {
		char *who = NULL;

		problems += bundle_signature(f->src, e->pub, &who) != 0;
		free(who);
	}
	return problems;
}

static void
set_data(struct export_file *f, char *data, size_t len)
{
	f->data = data;
	f->len = len;
	f->size = len;
	sha256_hex(data, len, f->sha256);
}

/* With --since: the kit's bundle, checked against SHA256SUMS, becomes an
 * update patch when the previous build holds the village's bundle under
 * its name (a village without one gets the whole bundle).  0, or 1 after
 * diagnosing. */
static int
kit_patch(struct export *e, struct export_kit *k)
{
	struct export_file *f = &k->files[0];	/* kit_load adds the bundle first */
	char *old = path_join(e->since, f->name), *name;
	struct buf patch = {0};
	struct stat st;
	int problems = 0;

	if (stat(old, &st) == -1 || !S_ISREG(st.st_mode)) {
		free(old);
		return 0;
	}
	if (delta_make_mem(old, f->src, &patch, k->old_sha256, k->new_sha256) == -1)
		problems = 1;
	else if (!streq(k->new_sha256, f->sha256)) {
		/* The bundle changed after its hash was checked. */
		char *sums = path_join(e->build_dir, "SHA256SUMS");
		struct loc loc = {sums, f->line, 0};

		diag(E_SUMS_HASH, &loc, f->name);
		free(sums);
		problems = 1;
	}
	if (problems == 0) {
		k->bundle = f->name;
		name = xstrdup(f->name);
		name[strlen(name) - strlen(".zip")] = '\0';
		f->name = xasprintf("%s.patch", name);
		free(name);
		f->what = "更新补丁";
		free(f->src);
		f->src = NULL;
		f->listed[0] = '\0';
		set_data(f, buf_detach(&patch), patch.len);
	}
	buf_release(&patch);
	free(old);
	return problems;
}

/* Every source checked, then the texts made from their hashes. */
static int
check_sources(struct export *e)
{
	char *sums = path_join(e->build_dir, "SHA256SUMS");
	size_t i, j, len;
	int problems = 0;
	char *text;

	for (i = 0; i < e->nkits; i++)
		for (j = 0; j < e->kits[i].nfiles; j++)
			if (e->kits[i].files[j].src)
				problems += check_source(e, &e->kits[i].files[j], sums);
	free(sums);
	for (i = 0; problems == 0 && e->since && i < e->nkits; i++)
		problems += kit_patch(e, &e->kits[i]);
	if (problems)
		return problems;
	for (i = 0; i < e->nkits; i++) {
		struct export_kit *k = &e->kits[i];
		struct export_file *readme = &k->files[k->nfiles - 2], *index = &k->files[k->nfiles - 1];

		text = export_readme(k, e->keyname);
		set_data(readme, text, strlen(text));
		text = export_index(k, e->keyname);
		set_data(index, text, strlen(text));
	}
	text = export_delivery_html(e);
	set_data(&e->lists[0], text, strlen(text));
	text = export_delivery_csv(e, &len);
	set_data(&e->lists[1], text, len);
	return 0;
}

/* What is on the stick already, and the room the rest takes: each file
 * in whole blocks, each new folder one block. */
static unsigned long long
room_needed(struct export *e, unsigned long long bsize)
{
	unsigned long long need = 0;
	size_t i, j;

	for (i = 0; i < e->nkits; i++) {
		struct export_kit *k = &e->kits[i];
		char *dir = path_join(e->dest, k->folder);
		struct stat st;

		if (stat(dir, &st) == -1)
			need += bsize;
		for (j = 0; j < k->nfiles; j++) {
			char *path = path_join(dir, k->files[j].name);

			mark_state(&k->files[j], path);
			if (k->files[j].state != EXPORT_KEPT)
				need += (k->files[j].size + bsize - 1) / bsize * bsize;
			free(path);
		}
		free(dir);
	}
	for (i = 0; i < NELEM(e->lists); i++) {
		char *path = path_join(e->dest, e->lists[i].name);

		mark_state(&e->lists[i], path);
		if (e->lists[i].state != EXPORT_KEPT)
			need += (e->lists[i].size + bsize - 1) / bsize * bsize;
		free(path);
	}
	return need;
}

/* Free space: all that is not kept. */
static int
check_space(const char *dest, unsigned long long need, unsigned long long have)
{
	char needs[32], free_[32], missing[32];
	struct loc loc = {dest, 0, 0};

	if (need <= have)
		return 0;
	size_words(need, 1, needs);
	size_words(have, 0, free_);
	size_words(need - have, 1, missing);
	diag(S_EXPORT_SPACE, &loc, needs, free_, missing);
	return 1;
}

int
export_check(struct export *e, const char *dest)
{
	char *parent = path_dirname(dest);
	const char *probe = dest;
	struct statvfs sv;
	struct stat st;
	unsigned long long bsize = 4096, need, have;
	int problems = 0;

	e->dest = xstrdup(dest);
	if (stat(dest, &st) == 0 && !S_ISDIR(st.st_mode)) {
		struct loc loc = {dest, 0, 0};

		diag(E_EXPORT_DEST, &loc);
		free(parent);
		return -1;
	}
	if (stat(dest, &st) == -1)
		probe = parent;
	if (statvfs(probe, &sv) == -1) {
		diag(S_OPEN, NULL, probe, strerror(errno));
		free(parent);
		return -1;
	}
	if (sv.f_frsize)
		bsize = sv.f_frsize;
	have = (unsigned long long)sv.f_bavail * bsize;
	/* A file system that gives no sizes at all (fusefat) cannot be
	 * checked: a full stick then fails the copy, and a second run
	 * resumes. */
	if (sv.f_blocks == 0) {
		struct loc loc = {dest, 0, 0};

		diag(W_EXPORT_SPACE_UNKNOWN, &loc);
		have = ULLONG_MAX;
	}
	if (e->fs == FS_AUTO)
		e->fs = fs_detect(probe);
	problems = check_names(e, dest_units(dest, probe) + 1);
	if (problems == 0)
		problems = check_sources(e);
	if (problems == 0) {
		need = room_needed(e, bsize);
		problems = check_space(dest, need, have);
	}
	free(parent);
	return problems ? -1 : 0;
}

/* Writing. */

/* The bytes of f to fd, hashed on the way: 0, or -1 after diagnosing. */
static int
copy_bytes(const struct export_file *f, int fd, const char *tmp)
{
	struct sha256 h;
	unsigned char *chunk;
	char got[65];
	int in = -1, rc = -1;
	ssize_t n;

	sha256_begin(&h);
	if (f->src == NULL) {
		size_t off;

		for (off = 0; off < f->len; off += COPY_STEP) {
			size_t part = f->len - off < COPY_STEP ? f->len - off : COPY_STEP;

			if (write_all(fd, f->data + off, part) == -1) {
				diag(S_WRITE, NULL, tmp, strerror(errno));
				return -1;
			}
		}
		return 0;
	}
	if ((in = open(f->src, O_RDONLY | O_CLOEXEC)) == -1) {
		diag(S_OPEN, NULL, f->src, strerror(errno));
		return -1;
	}
	chunk = xmalloc(COPY_STEP);
	while ((n = read(in, chunk, COPY_STEP)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			diag(S_READ, NULL, f->src, strerror(errno));
			goto out;
		}
		sha256_add(&h, chunk, (size_t)n);
		if (write_all(fd, chunk, (size_t)n) == -1) {
			diag(S_WRITE, NULL, tmp, strerror(errno));
			goto out;
		}
	}
	sha256_end(&h, got);
	if (!streq(got, f->sha256)) {
		struct loc loc = {f->src, 0, 0};

		diag(E_EXPORT_CHANGED, &loc);
		goto out;
	}
	rc = 0;
out:
	free(chunk);
	close(in);
	return rc;
}

/* Through a temporary name, fsync, rename, fsync of the folder; then
 * read back.  0, or -1 after diagnosing. */
static int
copy_file(struct export *e, struct export_file *f, const char *dir, const char *shown)
{
	char *path = path_join(dir, f->name), *tmp = temp_template(path), got[65];
	unsigned long long size;
	int fd, rc = -1;

	if (f->state == EXPORT_KEPT) {
		printf(_("%s: kept (already there, read back and matching)\n"), shown);
		e->kept++;
		free(tmp);
		free(path);
		return 0;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		diag(S_WRITE, NULL, path, strerror(errno));
		goto out;
	}
	(void)fchmod(fd, 0644);
	if (copy_bytes(f, fd, tmp) == -1) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (fsync(fd) == -1 && errno != EINVAL) {
		diag(S_WRITE, NULL, tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1 || sync_dir(dir) == -1) {
		diag(S_WRITE, NULL, path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (hash_device(path, &size, got) == -1) {
		diag(S_READ, NULL, path, strerror(errno));
		goto out;
	}
	if (size != f->size || !streq(got, f->sha256)) {
		struct loc loc = {path, 0, 0};

		diag(E_EXPORT_READBACK, &loc);
		unlink(path);
		(void)sync_dir(dir);
		goto out;
	}
	printf(f->state == EXPORT_REPLACE ? _("%s: replaced, read back and matching\n") :
	    _("%s: copied, read back and matching\n"), shown);
	e->copied++;
	rc = 0;
out:
	free(tmp);
	free(path);
	return rc;
}

static int
write_kit(struct export *e, struct export_kit *k)
{
	char *dir = path_join(e->dest, k->folder);
	size_t i;
	int lock, problems = 0;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		diag(S_WRITE, NULL, dir, strerror(errno));
		free(dir);
		return 1;
	}
	lock = leftovers_claim(dir);
	for (i = 0; i < k->nfiles; i++) {
		char *shown = path_join(k->folder, k->files[i].name);

		problems += copy_file(e, &k->files[i], dir, shown) == -1;
		free(shown);
	}
	leftovers_release(lock);
	free(dir);
	return problems;
}

int
export_write(struct export *e)
{
	size_t i;
	int lock, problems = 0;

	if (mkdirs(e->dest, 0755) == -1) {
		diag(S_WRITE, NULL, e->dest, strerror(errno));
		return -1;
	}
	lock = leftovers_claim(e->dest);
	for (i = 0; i < e->nkits; i++)
		problems += write_kit(e, &e->kits[i]);
	/* The lists last: they say what was delivered. */
	for (i = 0; problems == 0 && i < NELEM(e->lists); i++)
		problems += copy_file(e, &e->lists[i], e->dest, e->lists[i].name) == -1;
	leftovers_release(lock);
	return problems ? -1 : 0;
}

static void
file_release(struct export_file *f)
{
	free(f->name);
	free(f->src);
	free(f->data);
}

void
export_release(struct export *e)
{
	size_t i, j;

	for (i = 0; i < e->nkits; i++) {
		struct export_kit *k = &e->kits[i];

		for (j = 0; j < k->nfiles; j++)
			file_release(&k->files[j]);
		free(k->files);
		free(k->bundle);
		free(k->folder);
		free(k->township);
		free(k->township_name);
		free(k->village);
		free(k->village_name);
		free(k->season);
	}
	for (i = 0; i < NELEM(e->lists); i++)
		file_release(&e->lists[i]);
	free(e->kits);
	free(e->build_dir);
	free(e->dest);
	free(e->keyname);
	memset(e, 0, sizeof *e);
}
