#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "epub.h"
#include "markdown.h"
#include "unit.h"
#include "util.h"

/* Parse, render, free: what a page of one rendering does. */
static char *
render_page(const char *text, size_t len, md_url_fn fn, void *ctx, int captions)
{
	struct md_doc *d = md_parse(text, len);
	char *out = d ? md_doc_render(d, fn, ctx, captions) : NULL;

	md_doc_free(d);
	return out;
}

static char *
plain_text(const char *text, size_t len)
{
	struct md_doc *d = md_parse(text, len);
	char *out = d ? md_doc_plain_text(d) : xstrdup("");

	md_doc_free(d);
	return out;
}

static char *
keep(void *ctx, const char *url, int image)
{
	(void)ctx;
	(void)url;
	(void)image;
	return NULL;
}

static char *
rewrite(void *ctx, const char *url, int image)
{
	(void)ctx;
	if (strcmp(url, "a.md") == 0)
		return xstrdup("");	/* drop the link, keep its text */
	return image ? xasprintf("../../assets/%s", url) : NULL;
}

/* Renderings on several threads at once (build -j): each must be the
 * one a single thread gives. */
struct race {
	const char *doc, *want;
	int wrong;
};

static void *
render_often(void *arg)
{
	struct race *r = arg;
	int k;

	for (k = 0; k < 100; k++) {
		char *h = render_page(r->doc, strlen(r->doc), keep, NULL, 0);

		r->wrong += h == NULL || strcmp(h, r->want) != 0;
		free(h);
	}
	return NULL;
}

static void
parallel_parses(void)
{
	struct buf doc = {0};
	struct race r[4];
	pthread_t t[4];
	char *want;
	int i, wrong = 0, started = 0;

	for (i = 0; i < 200; i++)
		buf_puts(&doc, "旧办法 ~~不再用~~，见 www.example.com 和 https://example.org/a 。\n\n");
	want = render_page(doc.data, doc.len, keep, NULL, 0);
	for (i = 0; i < 4; i++) {
		r[i].doc = doc.data;
		r[i].want = want;
		r[i].wrong = 0;
		started += pthread_create(&t[i], NULL, render_often, &r[i]) == 0;
	}
	for (i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		wrong += r[i].wrong;
	}
	EXPECT(want && strstr(want, "<del>不再用</del>") && strstr(want, "href=\"http://www.example.com\""),
	    "strikethrough and autolinks rendered");
	EXPECT(started == 4 && wrong == 0, "400 renderings on 4 threads at once equal one thread's (cmark-gfm's shared table)");
	free(want);
	buf_release(&doc);
}

void
test_markdown(void)
{
	static const char doc[] =
	    "Intro\n\n# 黄桃 *修剪*\n\n# Second\n\n"
	    "See [a](a.md) and ![图示](media/x.svg).\n\n"
	    "| a | b |\n|---|---|\n| ![](y.png) | [c](https://example.org) |\n";
	struct md_info info;
	char *html;

	EXPECT(md_scan(doc, strlen(doc), &info) == 0, "md_scan");
	EXPECT_STR(info.title, "黄桃 修剪", "title: plain text of the first level-1 heading");
	EXPECT(info.nrefs == 4, "four links and images");
	if (info.nrefs == 4) {
		EXPECT(!info.refs[0].image && strcmp(info.refs[0].url, "a.md") == 0, "link url");
		EXPECT(info.refs[0].line == 7 && info.refs[0].col == 5, "link position");
		EXPECT(info.refs[1].image && strcmp(info.refs[1].alt, "图示") == 0, "image alt text");
		EXPECT(info.refs[2].image && info.refs[2].alt[0] == '\0' && info.refs[2].line == 11,
		    "image in a table, without alt");
		EXPECT(strcmp(info.refs[3].url, "https://example.org") == 0, "external link");
	}
	md_info_release(&info);

	EXPECT(md_scan("no heading\n", 11, &info) == 0 && info.title == NULL, "no title without '# '");
	md_info_release(&info);
	{
		static const char s[] = "# t\n\n**一看阴凉。**箬竹 and **ok**。\n";

		EXPECT(md_scan(s, strlen(s), &info) == 0 && info.nstray == 1 && info.stray[0].line == 3,
		    "unclosed bold next to Chinese punctuation found");
		md_info_release(&info);
	}

	{
		/* What a paste from Word leaves: raw HTML, indented code, and
		 * paragraphs whose lines the checks read again. */
		static const char s[] = "# t\n\n\t缩进段落\n\n<div>注意</div>\n\n一<br>二 <!-- x --> </b>\n\n"
		    "- a\n\n    续段\n\n```\n\t围栏\n```\n\n- b\n\n        代码\n";

		EXPECT(md_scan(s, strlen(s), &info) == 0, "md_scan of pasted text");
		EXPECT(info.nnotes == 4, "indented code, <div>, <br>, indented code in a list: 4 notes");
		if (info.nnotes == 4) {
			EXPECT(info.notes[0].kind == MD_NOTE_INDENTED && info.notes[0].line == 3,
			    "tab-indented paragraph is an indented code block");
			EXPECT(info.notes[1].kind == MD_NOTE_HTML_BLOCK && strcmp(info.notes[1].tag, "div") == 0 &&
			    info.notes[1].line == 5 && info.notes[1].col == 1, "HTML block named, with position");
			EXPECT(info.notes[2].kind == MD_NOTE_HTML_INLINE && strcmp(info.notes[2].tag, "br") == 0 &&
			    info.notes[2].line == 7 && info.notes[2].col == 4,
			    "inline HTML found again in its paragraph");
			EXPECT(info.notes[3].kind == MD_NOTE_INDENTED && info.notes[3].line == 19,
			    "code indented past a list item's content; its continuation and the fence are not");
		}
		EXPECT(info.nparas >= 4 && info.paras[0].first == 7 && info.paras[0].last == 7,
		    "paragraphs with their lines");
		md_info_release(&info);
	}

	html = render_page(doc, strlen(doc), keep, NULL, 0);
	EXPECT(html && strstr(html, "<table>") != NULL, "tables render (cmark-gfm)");
	EXPECT(html && strstr(html, "黄桃") == NULL && strstr(html, "<h1>Second</h1>") != NULL,
	    "the first level-1 heading, and only it, is left to the page");
	free(html);
	html = render_page("<script>alert(1)</script>\n\nx <b>y</b>\n", 41, keep, NULL, 0);
	EXPECT(html && strstr(html, "<script") == NULL && strstr(html, "<b>") == NULL, "raw HTML suppressed");
	free(html);
	{
		static const char bad[] = "[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) "
		    "![d](data:image/png;base64,AAAA)\n";

		html = render_page(bad, strlen(bad), keep, NULL, 0);
		EXPECT(html && strstr(html, "javascript:") == NULL && strstr(html, "vbscript:") == NULL &&
		    strstr(html, "data:text") == NULL, "javascript:, vbscript:, data:text links never reach a page");
		EXPECT(html && strstr(html, "data:image/png") != NULL, "safe data: images are kept");
		free(html);
	}
	html = render_page(doc, strlen(doc), rewrite, NULL, 1);
	EXPECT(html && strstr(html, "<a href=\"a.md\"") == NULL && strstr(html, "See a and") != NULL,
	    "a link mapped to nothing keeps its text");
	EXPECT(html && strstr(html, "src=\"../../assets/media/x.svg\"") != NULL, "image URLs mapped");
	EXPECT(html && strstr(html, "<span class=\"caption\">图示</span>") != NULL, "captions from alt text");
	EXPECT(html && strstr(html, "<td><img src=\"../../assets/y.png\"") != NULL,
	    "an image in a table cell stays there, uncaptioned (cells take no custom node)");
	free(html);
	{
		char *t = plain_text(doc, strlen(doc));

		EXPECT(t && strstr(t, "黄桃 修剪\n") != NULL && strstr(t, "<") == NULL, "plain text, blocks on lines");
		free(t);
	}
	{
		/* Parsed once, rendered several ways in turn: each rendering
		 * must equal one from a fresh parse, whatever came before.
		 * Links to drop hold images; a link sits in the title. */
		static const char md[] =
		    "Intro\n\n# 标题 [a](a.md)\n\n"
		    "See [a ![图一](media/x.svg) b](a.md) and ![图二](media/z.svg) [](a.md).\n\n"
		    "- [x](https://example.org) ![](y.png)\n- [a](a.md)\n\n"
		    "| a | b |\n|---|---|\n| ![表](y.png) | [a](a.md) |\n\n注[^n]。\n\n[^n]: 脚注 [a](a.md)。\n";
		struct md_doc *d = md_parse(md, strlen(md));
		static const int order[][2] = {{1, 1}, {0, 0}, {1, 0}, {0, 1}, {1, 1}};
		size_t k;
		int same = d != NULL;

		for (k = 0; k < NELEM(order) && d; k++) {
			md_url_fn fn = order[k][0] ? rewrite : keep;
			char *once = md_doc_render(d, fn, NULL, order[k][1]);
			char *fresh = render_page(md, strlen(md), fn, NULL, order[k][1]);

			same &= once && fresh && strcmp(once, fresh) == 0;
			free(once);
			free(fresh);
		}
		EXPECT(same, "md_doc_render: five renderings of one parse equal fresh ones");
		{
			char *a = d ? md_doc_plain_text(d) : NULL, *b = plain_text(md, strlen(md));

			EXPECT(a && b && strcmp(a, b) == 0 && strstr(a, "标题 a") != NULL,
			    "md_doc_plain_text after renderings: the title and dropped links' text still there");
			free(a);
			free(b);
		}
		md_doc_free(d);
	}
	parallel_parses();
	{
		static const char notes[] = "正文[^1]。\n\n[^1]: 注释。\n";
		char *x;

		html = render_page(notes, strlen(notes), keep, NULL, 0);
		x = html ? epub_xhtml(html) : NULL;
		EXPECT(html && strstr(html, " data-footnotes>") != NULL && strstr(html, " data-footnote-ref>") != NULL,
		    "cmark writes footnote attributes bare");
		EXPECT(x && strstr(x, " data-footnotes=\"\">") != NULL && strstr(x, " data-footnote-ref=\"\">") != NULL &&
		    strstr(x, " data-footnote-backref=\"\" ") != NULL, "epub_xhtml gives each a value");
		EXPECT(x && strstr(x, "正文") != NULL && strlen(x) == strlen(html) + 3 * 3,
		    "... and changes nothing else");
		free(x);
		free(html);
		x = epub_xhtml("<p data-footnotex> data-footnote</p>");
		EXPECT_STR(x, "<p data-footnotex> data-footnote</p>", "epub_xhtml: near misses left alone");
		free(x);
	}
}
