/* Reading a bundle: the archive opened within our limits, manifest.xml
 * (its first entry) read and validated against package.xsd, and its list
 * of files.  verify and info start here. */
#ifndef COURSEPACK_BUNDLE_H
#define COURSEPACK_BUNDLE_H

#include <stddef.h>

#include "xml.h"
#include "zipfile.h"

struct bundle_file {
	char *path;
	unsigned long long size;
	char sha256[65];
};

struct bundle {
	char *path;
	int fd;				/* the one descriptor of the file read */
	struct zip_reader *zip;
	struct xml_doc *manifest;
	char manifest_sha256[65];	/* of the manifest.xml read */
	struct bundle_file *files;	/* as the manifest lists them */
	size_t nfiles;
};

struct minisign_key;
/* Opens the bundle at `path` once, and reads only that open file: with
 * `pub`, first its signature (PATH.minisig), before any byte of the bundle
 * is parsed, *who getting a line naming the signer (caller frees); then
 * the archive's layout and directory (zipr_open_fd), then manifest.xml.
 * A file swapped for another under the same name meanwhile is not read.
 * Returns 0, or -1 after diagnosing; release the bundle either way. */
int bundle_open(struct bundle *, const char *path, const struct minisign_key *pub, char **who);
void bundle_release(struct bundle *);

const struct bundle_file *bundle_listed(const struct bundle *, const char *path);

/* Checks an opened bundle: every entry's name (a plain relative path, no
 * colon, no case collision), kind (no links or devices), listing, size
 * and SHA-256; every listed file present; every link of every page
 * resolving inside.  Returns the number of problems, each diagnosed. */
int bundle_verify(struct bundle *);

/* PATH.minisig against a public key, for the file open on fd (read from
 * its start in slices, whatever its size), or for the file at path,
 * opened once: 0 and, in *who, a line naming the signer (caller frees);
 * else the number of problems, diagnosed. */
int bundle_signature(const char *path, const struct minisign_key *pub, char **who);
/* The one-line review summary of a bundle's manifest ("23 lessons, all
 * reviewed, latest 2023-01-10; 2 signed by key ..."), or NULL when no
 * lesson carries a review (caller frees). */
char *bundle_review_summary(const struct bundle *b);
/* Hours in tenths from a manifest element's attribute (0 when absent or
 * not hours), for info and diff. */
int manifest_hours(const struct xml_node *n, const char *attr);
/* A member group as plan names it (translated); a manifest spells it in
 * English ("resident"), and an unknown one stays as it is. */
const char *manifest_group_word(const char *ref);
/* Reads a minisign public key file; -1 after diagnosing. */
int bundle_load_pubkey(const char *pubfile, struct minisign_key *pub);

/* Reads SHA256SUMS and calls fn for every well-formed line (the line
 * number, the hash, the file name); a malformed line is diagnosed.
 * Returns the number of problems, or -1 when it cannot be read
 * (diagnosed unless quiet and it does not exist).  verify and export. */
int sums_each(const char *sums, int quiet, int (*fn)(void *ctx, const char *sums, int line, const char *sha,
    const char *name), void *ctx);

#endif
