#include <string.h>

#include "editions.h"
#include "epub.h"

/* In bundle order: pages first, then the files that index them. */
const struct edition editions[] = {
	{"pages", NULL, EDITION_EVERYONE, LINKS_PAGE, IN_BUNDLE, pages_make, render_wrap_tables},
	{"print", "print.html", GROUP_HOMEBOUND, LINKS_PRINT, IN_BUNDLE, print_make, NULL},
	{"search", "search.js", EDITION_EVERYONE, LINKS_PAGE, IN_BUNDLE, search_make, NULL},
	{"scorm", "imsmanifest.xml", EDITION_EVERYONE, LINKS_PAGE, IN_BUNDLE, scorm_make, NULL},
	{"phone", "-phone.html", GROUP_MOBILE, LINKS_PHONE, BESIDE_FILE, phone_make, NULL},
	{"epub", ".epub", GROUP_MOBILE, LINKS_EPUB, BESIDE_ZIP, epub_make, epub_xhtml},
};
const size_t neditions = sizeof editions / sizeof editions[0];

void
editions_body_kinds(struct body_kind kinds[LINKS__COUNT])
{
	size_t i;

	memset(kinds, 0, LINKS__COUNT * sizeof *kinds);
	for (i = 0; i < neditions; i++) {
		struct body_kind *k = &kinds[editions[i].links];
		int g = editions[i].group;

		k->modes |= g == EDITION_EVERYONE ? ~0u : group_modes((enum group)g);
		k->zipped |= editions[i].place != BESIDE_FILE;
		if (editions[i].finish)
			k->finish = editions[i].finish;
	}
}
