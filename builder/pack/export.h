/* coursepack export: a build folder's bundles copied to a USB stick, one
 * kit folder per village, each file read back from the stick and checked.
 *
 * The work is in three steps, each its own function, so that nothing is
 * written before every check has passed:
 *
 *   export_load     reads the build folder: SHA256SUMS and each bundle's
 *                   manifest (with a key, after its signature); makes the
 *                   delivery list, one kit per village, each a list of
 *                   files to deliver with their sizes.
 *   export_check    the destination first, from names and sizes alone:
 *                   names Windows and FAT accept, no two names one file
 *                   on a case-insensitive file system, path lengths, the
 *                   FAT32 file size limit.  Then every file's SHA-256
 *                   against SHA256SUMS (with a key, its signature), the
 *                   kit's README.txt and index.html and the delivery
 *                   list made; files already on the stick and right are
 *                   marked kept; free space for the rest.
 *   export_write    copies what is not kept through a temporary name,
 *                   fsync, rename, fsync of the folder; reads each file
 *                   back; then delivery.html and delivery.csv.
 *
 * With `--since OLD_BUILD_DIR`, a village whose previous bundle is there
 * gets an update patch (delta.h) instead of its whole bundle: the kit's
 * first file becomes the patch, made once the new bundle's hash has been
 * checked, and the kit remembers the old and new bundles' hashes for its
 * instructions and the delivery list. */
#ifndef COURSEPACK_EXPORT_H
#define COURSEPACK_EXPORT_H

#include <stddef.h>

struct minisign_key;

enum export_fs { FS_AUTO, FS_FAT32, FS_EXFAT, FS_NTFS, FS_OTHER };

enum export_state {
	EXPORT_COPY,		/* not on the stick yet */
	EXPORT_REPLACE,		/* there, but not the right bytes */
	EXPORT_KEPT,		/* there and right */
};

/* One file of a kit: copied from `src`, or written from `data`. */
struct export_file {
	char *name;		/* in the kit's folder */
	const char *what;	/* for people (Chinese): 课程包, 手机版... */
	char *src;		/* NULL: the bytes are `data` */
	char *data;
	size_t len;
	unsigned long long size;
	char sha256[65];	/* of the bytes to deliver, once checked */
	char listed[65];	/* SHA256SUMS' line for it, or "" */
	int line;		/* that line's number */
	int signed_;		/* with --key: its signature is checked */
	int instructions;	/* README.txt or index.html: made from the others */
	enum export_state state;
};

struct export_kit {
	char *folder;		/* "<township>-<village>": the package id */
	char *township, *township_name, *village, *village_name, *season;
	int homebound;		/* members: home booklets to print */
	char *bundle;		/* with a patch: the bundle's name, else NULL */
	char old_sha256[65];	/* with a patch: the bundle it applies to */
	char new_sha256[65];	/* with a patch: the bundle it makes */
	struct export_file *files;
	size_t nfiles;
};

struct export {
	char *build_dir, *dest;
	struct export_kit *kits;	/* in SHA256SUMS' order: the build's */
	size_t nkits;
	struct export_file lists[2];	/* delivery.html, delivery.csv */
	const struct minisign_key *pub;
	char *keyname;
	const char *since;	/* the previous build folder, or NULL */
	enum export_fs fs;	/* as given, then as found */
	size_t copied, kept;
};

/* Reads BUILD_DIR: every bundle SHA256SUMS lists (or those of `villages`,
 * by village id), with `pub` (kept: it must outlive the export) checked
 * against its signature; their editions and signatures; the key file
 * `pubfile` when given.  0, or -1 after diagnosing (release the export
 * either way). */
int export_load(struct export *, const char *build_dir, char *const *villages, size_t nvillages,
    const struct minisign_key *pub, const char *pubfile);
/* Checks DEST (the folder may not exist yet; its parent must) before any
 * byte is written: 0, or -1 after diagnosing every problem found. */
int export_check(struct export *, const char *dest);
/* Writes and reads back: 0, or -1 after diagnosing. */
int export_write(struct export *);
void export_release(struct export *);
/* "FAT32", "exFAT", "NTFS", "other". */
const char *export_fs_name(enum export_fs);

/* Page and sheet texts (export_page.c), caller frees. */
char *export_readme(const struct export_kit *, const char *keyname);
char *export_index(const struct export_kit *, const char *keyname);
char *export_delivery_html(const struct export *);
char *export_delivery_csv(const struct export *, size_t *len);

#endif
