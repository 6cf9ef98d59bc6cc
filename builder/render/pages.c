/* The class pages: index.html, style.css and one page per lesson, the
 * edition every member reaches in class (editions.h). */
#include <string.h>

#include "editions.h"
#include "util.h"

int
pages_make(const struct edition_input *in, struct edition_output *out)
{
	const char *css;
	size_t i, css_len;
	char *index = render_index(in->pr, in->plan);

	archive_insert(out->ar, out->ar->nfiles, xstrdup("index.html"), index, strlen(index), 0);
	css = render_stylesheet(&css_len);
	archive_insert(out->ar, out->ar->nfiles, xstrdup("style.css"), xstrndup(css, css_len), css_len, 0);
	for (i = 0; i < in->plan->nlessons; i++) {
		struct asset_set listed = {0};
		struct doc page = {0};

		render_lesson(in->pr, in->plan, i, in->bodies[i], &listed, &page);
		archive_add_doc(out->ar, render_page_name(in->plan->lessons[i]), &page);
		asset_set_release(&listed);
	}
	return 0;
}
