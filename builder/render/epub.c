#include <string.h>

#include "epub.h"
#include "media.h"
#include "editions.h"
#include "util.h"

static void
put_text(struct archive *book, const char *name, char *text)
{
	/* The mimetype comes first and stored, as EPUB readers look for it. */
	archive_insert(book, book->nfiles, xstrdup(name), text, strlen(text), streq(name, "mimetype") ? ARCHIVE_STORE : 0);
}

/* cmark writes some attributes bare (data-footnotes), which XHTML, being
 * XML, does not allow. */
char *
epub_xhtml(const char *html)
{
	static const char *const bare[] = {" data-footnotes>", " data-footnote-ref>", " data-footnote-backref "};
	struct buf b = {0};
	const char *p = html, *q;

	/* All three start alike: copy up to each such start in one go. */
	while ((q = strstr(p, " data-footnote")) != NULL) {
		size_t i;

		buf_add(&b, p, (size_t)(q - p));
		for (i = 0; i < NELEM(bare); i++)
			if (strncmp(q, bare[i], strlen(bare[i])) == 0)
				break;
		if (i < NELEM(bare)) {
			size_t n = strlen(bare[i]);

			buf_add(&b, q, n - 1);
			buf_puts(&b, "=\"\"");
			buf_add(&b, q + n - 1, 1);
			p = q + n;
		} else {
			buf_add(&b, q, 1);
			p = q + 1;
		}
	}
	buf_puts(&b, p);
	return buf_detach(&b);
}

static void
head(struct buf *b, const char *lang, const char *title, const char *up)
{
	buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
	    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" "
	    "lang=\"%s\" xml:lang=\"%s\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>", lang, lang);
	buf_escape(b, title);
	buf_printf(b, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"%sstyle.css\"/>\n</head>\n", up);
}

int
epub_make(const struct edition_input *in, struct edition_output *out)
{
	const struct project *pr = in->pr;
	const struct plan *p = in->plan;
	const struct asset_set *assets = in->media;
	struct archive *book = out->ar;
	time_t modified = in->modified;
	const struct village *v = p->village;
	struct buf opf = {0}, nav = {0}, title = {0};
	struct tm tm;
	char when[32], *css;
	const char *style;
	size_t i, css_len;

	put_text(book, "mimetype", xstrdup("application/epub+zip"));
	put_text(book, "META-INF/container.xml", xstrdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
	    "  <rootfiles>\n    <rootfile full-path=\"EPUB/package.opf\" media-type=\"application/oebps-package+xml\"/>\n"
	    "  </rootfiles>\n</container>\n"));

	gmtime_r(&modified, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_printf(&opf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"id\" xml:lang=\"zh-CN\">\n"
	    "  <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
	    "    <dc:identifier id=\"id\">urn:coursepack:%s-%s:%s</dc:identifier>\n    <dc:title>",
	    pr->township->id, v->id, p->recipe->id);
	buf_escape(&opf, v->name);
	buf_puts(&opf, "党员冬春训学习包</dc:title>\n    <dc:language>zh-CN</dc:language>\n    <dc:creator>");
	if (pr->township->county)
		buf_escape(&opf, pr->township->county);
	buf_escape(&opf, pr->township->name);
	buf_puts(&opf, "</dc:creator>\n    <dc:description>");
	buf_escape(&opf, p->recipe->title);
	buf_printf(&opf, "</dc:description>\n    <meta property=\"dcterms:modified\">%s</meta>\n  </metadata>\n"
	    "  <manifest>\n    <item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n"
	    "    <item id=\"title\" href=\"title.xhtml\" media-type=\"application/xhtml+xml\"/>\n"
	    "    <item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>\n", when);

	head(&title, "zh-CN", v->name, "");
	buf_puts(&title, "<body>\n<section epub:type=\"titlepage\">\n<h1>");
	buf_escape(&title, v->name);
	buf_puts(&title, "党员冬春训学习包</h1>\n<p>");
	buf_escape(&title, p->recipe->title);
	buf_printf(&title, "</p>\n<p>共 %zu 课、", p->nlessons);
	render_hours(&title, p->total);
	buf_puts(&title, " 学时。</p>\n</section>\n</body>\n</html>\n");

	head(&nav, "zh-CN", "目录", "");
	buf_puts(&nav, "<body>\n<nav epub:type=\"toc\" id=\"toc\">\n<h1>目录</h1>\n<ol>\n");
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];

		buf_printf(&opf, "    <item id=\"l%zu\" href=\"lessons/%s/%s.xhtml\" media-type=\"application/xhtml+xml\"/>\n",
		    i + 1, l->course->id, l->id);
		buf_printf(&nav, "<li><a href=\"lessons/%s/%s.xhtml\">", l->course->id, l->id);
		buf_escape(&nav, l->title);
		buf_puts(&nav, "</a></li>\n");
	}
	buf_puts(&nav, "</ol>\n</nav>\n</body>\n</html>\n");
	for (i = 0; i < assets->n; i++) {
		buf_printf(&opf, "    <item id=\"a%zu\" href=\"assets/%s/", i + 1, assets->v[i].course->id);
		buf_escape(&opf, assets->v[i].path);
		buf_printf(&opf, "\" media-type=\"%s\"/>\n", media_mime(assets->v[i].path));
	}
	buf_puts(&opf, "  </manifest>\n  <spine>\n    <itemref idref=\"title\"/>\n    <itemref idref=\"nav\"/>\n");
	for (i = 0; i < p->nlessons; i++)
		buf_printf(&opf, "    <itemref idref=\"l%zu\"/>\n", i + 1);
	buf_puts(&opf, "  </spine>\n</package>\n");

	put_text(book, "EPUB/package.opf", buf_detach(&opf));
	put_text(book, "EPUB/nav.xhtml", buf_detach(&nav));
	put_text(book, "EPUB/title.xhtml", buf_detach(&title));
	style = render_stylesheet(&css_len);
	css = xstrndup(style, css_len);
	archive_insert(book, book->nfiles, xstrdup("EPUB/style.css"), css, css_len, 0);
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];
		struct doc page = {0};
		char *name = xasprintf("EPUB/lessons/%s/%s.xhtml", l->course->id, l->id);

		head(&page.b, l->course->lang, l->title, "../../");
		buf_printf(&page.b, "<body>\n<section epub:type=\"chapter\">\n<p class=\"meta\">第 %zu 课 · ", i + 1);
		buf_escape(&page.b, render_category_zh(pr, l->course->category));
		buf_puts(&page.b, " · ");
		render_hours(&page.b, l->hours);
		buf_puts(&page.b, " 学时</p>\n<h1>");
		buf_escape(&page.b, l->title);
		buf_puts(&page.b, "</h1>\n");
		doc_add_shared(&page, in->bodies[i]);
		buf_puts(&page.b, "</section>\n</body>\n</html>\n");
		archive_add_doc(book, name, &page);
	}
	for (i = 0; i < assets->n; i++) {
		const struct asset_ref *a = &assets->v[i];

		if (archive_add_course_file(book, xasprintf("EPUB/assets/%s/%s", a->course->id, a->path), in->lender,
		    a->course, a->path) == -1)
			return -1;
	}
	return 0;
}
