#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "editions.h"
#include "epub.h"
#include "util.h"

/* The bundle first; then what goes into it, in bundle order (pages
 * first, then the files that index them); then what goes beside it.
 * The files' order is that of the catalogue's columns and the build's
 * lines; `sums` keeps SHA256SUMS as earlier builds wrote it. */
const struct edition editions[] = {
	{"zip", ".zip", EDITION_EVERYONE, LINKS_PAGE, BUNDLE, NULL, NULL, "学习包（zip）", 1},
	{"pages", NULL, EDITION_EVERYONE, LINKS_PAGE, IN_BUNDLE, pages_make, render_wrap_tables, NULL, 0},
	{"print", "print.html", GROUP_HOMEBOUND, LINKS_PRINT, IN_BUNDLE, print_make, NULL, NULL, 0},
	{"search", "search.js", EDITION_EVERYONE, LINKS_PAGE, IN_BUNDLE, search_make, NULL, NULL, 0},
	{"scorm", "imsmanifest.xml", EDITION_EVERYONE, LINKS_PAGE, IN_BUNDLE, scorm_make, NULL, NULL, 0},
	{"phone", "-phone.html", GROUP_MOBILE, LINKS_PHONE, BESIDE_FILE, phone_make, NULL, "手机版", 0},
	{"epub", ".epub", GROUP_MOBILE, LINKS_EPUB, BESIDE_ZIP, epub_make, epub_xhtml, "电子书（EPUB）", 2},
	{"pdf", "-print.pdf", GROUP_HOMEBOUND, LINKS_PRINT, BESIDE_PDF, NULL, NULL, "打印版（PDF）", 3},
};
const size_t neditions = sizeof editions / sizeof editions[0];

_Static_assert(sizeof editions / sizeof editions[0] <= EDITIONS_MAX, "raise EDITIONS_MAX");

char *
edition_file_name(const struct edition *e, const char *township, const char *village)
{
	return xasprintf("%s-%s%s", township, village, e->file);
}

void
editions_remove_files(const char *dir, const char *township, const char *village)
{
	size_t k;

	for (k = 0; k < neditions; k++) {
		char *name, *path, *sig;

		if (!edition_is_file(&editions[k]))
			continue;
		name = edition_file_name(&editions[k], township, village);
		path = path_join(dir, name);
		sig = xasprintf("%s.minisig", path);
		unlink(path);
		unlink(sig);
		free(sig);
		free(path);
		free(name);
	}
}

void
editions_body_kinds(struct body_kind kinds[LINKS__COUNT])
{
	size_t i;

	memset(kinds, 0, LINKS__COUNT * sizeof *kinds);
	for (i = 0; i < neditions; i++) {
		struct body_kind *k = &kinds[editions[i].links];
		int g = editions[i].group;

		/* The bundle and the PDF hold the bodies of other rows. */
		if (editions[i].make == NULL)
			continue;
		k->modes |= g == EDITION_EVERYONE ? ~0u : group_modes((enum group)g);
		k->zipped |= editions[i].place != BESIDE_FILE;
		if (editions[i].finish)
			k->finish = editions[i].finish;
	}
}
