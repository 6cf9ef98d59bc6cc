#include <stdlib.h>

#include "editions.h"
#include "doc.h"
#include "util.h"

/* Paper for elderly readers: A4, body type 16 pt and up, black on white,
 * each lesson on a new page, images kept with their captions. */
static const char print_css[] =
    "@page { size: A4; margin: 18mm 16mm 20mm; }\n"
    "body.print { background: #fff; color: #000; font-size: 16pt; line-height: 1.7; }\n"
    "body.print main { max-width: none; padding: 0; }\n"
    "body.print h1 { font-size: 24pt; color: #000; }\n"
    "body.print h2 { font-size: 19pt; border-bottom: 2px solid #000; }\n"
    "body.print h3 { font-size: 17pt; }\n"
    "body.print a { color: #000; text-decoration: none; }\n"
    "body.print a[href^=\"http:\"]::after, body.print a[href^=\"https:\"]::after { content: \"（\" attr(href) \"）\"; "
    "font-size: 13pt; word-break: break-all; }\n"
    "body.print table { font-size: 15pt; }\n"
    "body.print th, body.print td { border: 1px solid #000; }\n"
    "body.print th { background: #eee; }\n"
    ".cover { text-align: center; padding-top: 40mm; }\n"
    ".cover h1 { font-size: 30pt; }\n"
    ".cover p { font-size: 18pt; }\n"
    ".cover .name { margin-top: 30mm; font-size: 20pt; }\n"
    ".lesson, .contents, .record { break-before: page; page-break-before: always; }\n"
    ".figure { display: block; break-inside: avoid; page-break-inside: avoid; margin: 1em 0; }\n"
    ".figure img { margin: 0 auto; max-height: 150mm; }\n"
    ".caption { display: block; text-align: center; font-size: 14pt; }\n"
    ".record table { table-layout: fixed; }\n"
    ".record td { height: 16mm; }\n"
    ".record .n { width: 7%; } .record .t { width: 31%; } .record .h { width: 8%; }\n"
    ".record .d { width: 16%; } .record .s { width: 19%; }\n"
    ".record thead { display: table-header-group; }\n"
    "body.print table { page-break-inside: auto; break-inside: auto; }\n"
    "body.print tr { break-inside: avoid; page-break-inside: avoid; }\n"
    ".outside { font-size: 14pt; border: 1px solid #000; padding: 2mm 4mm; }\n"
    ".blank { display: inline-block; min-width: 60mm; border-bottom: 1px solid #000; }\n";

static void
print_render(const struct project *pr, const struct plan *all, const struct plan *p,
    struct shared_text *const *bodies, struct doc *out)
{
	const struct village *v = p->village;
	struct buf *b = &out->b;
	size_t i;

	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_escape(b, v->name);
	buf_puts(b, "党员冬春训送学上门读本</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n<style>\n");
	buf_puts(b, print_css);
	buf_puts(b, "</style>\n</head>\n<body class=\"print\">\n<main>\n<section class=\"cover\">\n<h1>");
	buf_escape(b, v->name);
	buf_puts(b, "党员冬春训<br>送学上门读本</h1>\n<p>");
	buf_escape(b, p->recipe->season);
	buf_puts(b, "</p>\n<p>");
	if (pr->township->county)
		buf_escape(b, pr->township->county);
	buf_escape(b, pr->township->name);
	buf_escape(b, v->name);
	buf_printf(b, "</p>\n<p>共 %zu 课，", p->nlessons);
	render_hours(b, p->total);
	buf_puts(b, " 学时</p>\n<p class=\"name\">党员姓名：<span class=\"blank\"></span></p>\n"
	    "<p>送学人：<span class=\"blank\"></span></p>\n</section>\n");

	buf_puts(b, "<section class=\"contents\">\n<h2>目录</h2>\n<table>\n"
	    "<tr><th>序号</th><th>课程</th><th>学时</th></tr>\n");
	for (i = 0; i < p->nlessons; i++) {
		char *a = render_anchor(p->lessons[i]);

		buf_printf(b, "<tr><td>%zu</td><td><a href=\"#%s\">", i + 1, a);
		buf_escape(b, p->lessons[i]->title);
		buf_puts(b, "</a></td><td>");
		render_hours(b, p->lessons[i]->hours);
		buf_puts(b, "</td></tr>\n");
		free(a);
	}
	buf_puts(b, "<tr><th colspan=\"2\">合计</th><th>");
	render_hours(b, p->total);
	buf_puts(b, "</th></tr>\n</table>\n");
	render_outside(b, all, p, "要到村里参加集中学习或田间课堂");
	buf_puts(b, "</section>\n");

	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];
		char *a = render_anchor(l);

		buf_printf(b, "<section class=\"lesson\" id=\"%s\" lang=\"%s\">\n<p class=\"meta\">第 %zu 课 · ",
		    a, l->course->lang, i + 1);
		buf_escape(b, render_category_zh(pr, l->course->category));
		buf_puts(b, " · ");
		render_hours(b, l->hours);
		buf_puts(b, " 学时</p>\n<h1>");
		buf_escape(b, l->title);
		buf_puts(b, "</h1>\n");
		doc_add_shared(out, bodies[i]);
		render_sources(b, l);
		render_review(b, l);
		buf_puts(b, "</section>\n");
		free(a);
	}

	/* The paper proof of hours studied at home. */
	buf_puts(b, "<section class=\"record\">\n<h2>学习记录表</h2>\n<p>党员姓名：<span class=\"blank\"></span></p>\n"
	    "<table>\n<thead><tr><th class=\"n\">序号</th><th class=\"t\">课程</th><th class=\"h\">学时</th>"
	    "<th class=\"d\">学习日期</th><th class=\"s\">党员签名</th><th class=\"s\">送学人签名</th></tr></thead>\n"
	    "<tbody>\n");
	for (i = 0; i < p->nlessons; i++) {
		buf_printf(b, "<tr><td>%zu</td><td>", i + 1);
		buf_escape(b, p->lessons[i]->title);
		buf_puts(b, "</td><td>");
		render_hours(b, p->lessons[i]->hours);
		buf_puts(b, "</td><td></td><td></td><td></td></tr>\n");
	}
	buf_puts(b, "<tr><th colspan=\"2\">合计</th><th>");
	render_hours(b, p->total);
	buf_puts(b, "</th><td colspan=\"3\"></td></tr>\n</tbody>\n</table>\n</section>\n</main>\n</body>\n</html>\n");
}

int
print_make(const struct edition_input *in, struct edition_output *out)
{
	struct doc print = {0};

	print_render(in->pr, in->all, in->plan, in->bodies, &print);
	archive_add_doc(out->ar, xstrdup("print.html"), &print);
	return 0;
}
