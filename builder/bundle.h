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
	struct zip_reader *zip;
	struct xml_doc *manifest;
	struct bundle_file *files;	/* as the manifest lists them */
	size_t nfiles;
};

/* Returns 0, or -1 after diagnosing; release the bundle either way. */
int bundle_open(struct bundle *, const char *path);
void bundle_release(struct bundle *);

const struct bundle_file *bundle_listed(const struct bundle *, const char *path);

#endif
