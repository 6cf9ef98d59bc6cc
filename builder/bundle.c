#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "diag.h"
#include "util.h"

int
bundle_open(struct bundle *b, const char *path)
{
	struct loc loc = {path, 0, 0};
	const struct xml_node *files, *n;
	char *data, *name;
	size_t len, i = 0;
	int rc;

	memset(b, 0, sizeof *b);
	b->path = xstrdup(path);
	if (zipr_open(path, &b->zip) == -1)
		return -1;
	if (zipr_count(b->zip) == 0 || !streq(zipr_entry(b->zip, 0)->name, "manifest.xml")) {
		diag(E_VERIFY_NO_MANIFEST, &loc);
		return -1;
	}
	if (zipr_entry(b->zip, 0)->size > XML_MAX_BYTES) {
		struct loc mloc = {path, 0, 0};

		diag(E_XML_TOO_LARGE, &mloc, XML_MAX_BYTES / 1024);
		return -1;
	}
	if (zipr_read(b->zip, 0, &data, &len) == -1)
		return -1;
	name = xasprintf("%s:manifest.xml", path);
	rc = xml_load_memory(name, data, len, XK_PACKAGE, &b->manifest);
	free(name);
	free(data);
	if (rc == -1)
		return -1;
	files = xml_first(xml_root(b->manifest), "files");
	for (n = xml_first(files, "file"); n; n = xml_next(n, "file"))
		b->nfiles++;
	b->files = xcalloc(b->nfiles, sizeof *b->files);
	for (n = xml_first(files, "file"); n; n = xml_next(n, "file"), i++) {
		char *size = xml_attr(n, "size"), *sha = xml_attr(n, "sha256");

		b->files[i].path = xml_attr(n, "path");
		b->files[i].size = strtoull(size, NULL, 10);	/* schema: digits */
		snprintf(b->files[i].sha256, sizeof b->files[i].sha256, "%s", sha);
		free(size);
		free(sha);
	}
	return 0;
}

void
bundle_release(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->nfiles; i++)
		free(b->files[i].path);
	free(b->files);
	xml_doc_free(b->manifest);
	zipr_close(b->zip);
	free(b->path);
	memset(b, 0, sizeof *b);
}

const struct bundle_file *
bundle_listed(const struct bundle *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->nfiles; i++)
		if (streq(b->files[i].path, path))
			return &b->files[i];
	return NULL;
}
