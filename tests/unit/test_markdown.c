#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "unit.h"

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

	html = md_render_html(doc, strlen(doc));
	EXPECT(html && strstr(html, "<table>") != NULL, "tables render (cmark-gfm)");
	free(html);
	html = md_render_html("<script>alert(1)</script>\n\nx <b>y</b>\n", 41);
	EXPECT(html && strstr(html, "<script") == NULL && strstr(html, "<b>") == NULL, "raw HTML suppressed");
	free(html);
}
