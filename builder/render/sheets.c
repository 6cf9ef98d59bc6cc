#include <stdlib.h>
#include <string.h>

#include "sheets.h"

/* A4 paper, black on white, type large enough for older members to find
 * their own name.  The record sheet's columns are the print booklet's
 * (print.c), so that the two read as one system. */
static const char sheets_css[] =
    "@page { size: A4; margin: 15mm 15mm 18mm; }\n"
    "* { box-sizing: border-box; }\n"
    "body { margin: 0; background: #fff; color: #000; font-size: 15pt; line-height: 1.5;\n"
    "  font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", sans-serif; }\n"
    ".sheet { break-after: page; page-break-after: always; }\n"
    ".sheet:last-child { break-after: auto; page-break-after: auto; }\n"
    ".where { text-align: center; margin: 0; }\n"
    "h1 { font-size: 22pt; text-align: center; margin: 1mm 0 3mm; }\n"
    "h2 { font-size: 17pt; margin: 2mm 0; }\n"
    "p { margin: 1.5mm 0; }\n"
    ".id { font-size: 10pt; font-family: monospace; color: #333; }\n"
    "table { width: 100%; border-collapse: collapse; table-layout: fixed; margin-top: 3mm; }\n"
    "th, td { border: 1px solid #000; padding: 1mm 2mm; }\n"
    "th { background: #eee; }\n"
    "thead { display: table-header-group; }\n"
    "tr { break-inside: avoid; page-break-inside: avoid; }\n"
    ".signin td { height: 12mm; }\n"
    ".signin .n { width: 12%; } .signin .m { width: 28%; } .signin .s { width: 60%; }\n"
    ".record td { height: 16mm; }\n"
    ".record .n { width: 7%; } .record .t { width: 31%; } .record .h { width: 8%; }\n"
    ".record .d { width: 16%; } .record .s { width: 19%; }\n"
    ".blank { display: inline-block; min-width: 60mm; border-bottom: 1px solid #000; }\n"
    ".blank.short { min-width: 15mm; }\n"
    "@media screen { body { max-width: 210mm; margin: 0 auto; padding: 8mm; }\n"
    "  .sheet { border-bottom: 2px dashed #999; padding-bottom: 8mm; margin-bottom: 8mm; } }\n";

/* Hours as plan prints them: "1.5", "2.0". */
static void
put_hours(struct buf *b, int tenths)
{
	buf_printf(b, "%d.%d", tenths / 10, tenths % 10);
}

static void
page_head(struct buf *b, const struct project *pr, const struct village *v, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_escape(b, pr->township->name);
	buf_escape(b, v->name);
	buf_puts(b, title);
	buf_puts(b, "</title>\n<style>\n");
	buf_puts(b, sheets_css);
	buf_puts(b, "</style>\n</head>\n<body>\n");
}

/* The line above each sheet's title: county, township, village, season. */
static void
where_line(struct buf *b, const struct project *pr, const struct plan *p)
{
	buf_puts(b, "<p class=\"where\">");
	if (pr->township->county)
		buf_escape(b, pr->township->county);
	buf_escape(b, pr->township->name);
	buf_escape(b, p->village->name);
	buf_puts(b, " · ");
	buf_escape(b, p->recipe->season);
	buf_puts(b, "</p>\n");
}

/* The members of group g in roster order, or NULL entries (blank rows)
 * as many as the profile counts when there is no roster.  *n is their
 * number; caller frees the array. */
static const struct member **
members_of(const struct roster *ro, const struct village *v, enum group g, size_t *n)
{
	const struct member **m;
	size_t i, k = 0, count;

	count = ro ? ro->nmembers : (size_t)(v->members[g] > 0 ? v->members[g] : 0);
	m = xcalloc(count ? count : 1, sizeof *m);
	for (i = 0; i < count; i++)
		if (ro == NULL)
			m[k++] = NULL;
		else if (ro->members[i].group == g)
			m[k++] = &ro->members[i];
	*n = k;
	return m;
}

static void
signin_page(struct buf *b, const struct project *pr, const struct plan *p, const struct lesson *l,
    const struct member *const *m, size_t n)
{
	size_t i;

	buf_puts(b, "<section class=\"sheet signin\">\n");
	where_line(b, pr, p);
	buf_puts(b, "<h1>党员冬春训签到表</h1>\n<h2>");
	buf_escape(b, l->title ? l->title : l->id);
	buf_puts(b, "</h2>\n<p>所属课程：");
	buf_escape(b, l->course->title ? l->course->title : l->course->id);
	buf_puts(b, " · ");
	put_hours(b, l->hours);
	buf_puts(b, " 学时 · <span class=\"id\">");
	buf_escape(b, l->course->id);
	buf_puts(b, "/");
	buf_escape(b, l->id);
	buf_puts(b, "</span></p>\n<p>日期：<span class=\"blank\"></span>　地点：<span class=\"blank\"></span></p>\n");
	buf_printf(b, "<p>应到 %zu 人　实到 <span class=\"blank short\"></span> 人</p>\n", n);
	buf_puts(b, "<table>\n<thead><tr><th class=\"n\">序号</th><th class=\"m\">姓名</th>"
	    "<th class=\"s\">签名</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++) {
		buf_printf(b, "<tr><td>%zu</td><td>", i + 1);
		if (m[i])
			buf_escape(b, m[i]->name);
		buf_puts(b, "</td><td></td></tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* One page per lesson the resident group reaches (classroom or field). */
static void
make_signin(const struct project *pr, const struct plan *p, const struct roster *ro, struct sheets *out)
{
	struct buf *b = &out->signin;
	struct plan view;
	const struct member **m;
	size_t i, n;

	plan_view(p, GROUP_RESIDENT, &view);
	m = members_of(ro, p->village, GROUP_RESIDENT, &n);
	page_head(b, pr, p->village, "签到表");
	for (i = 0; i < view.nlessons; i++)
		signin_page(b, pr, p, view.lessons[i], m, n);
	if (view.nlessons == 0) {
		buf_puts(b, "<section class=\"sheet signin\">\n");
		where_line(b, pr, p);
		buf_puts(b, "<h1>党员冬春训签到表</h1>\n<p>本村的课程包中没有课堂或田间课，无需签到。</p>\n</section>\n");
	}
	buf_puts(b, "</body>\n</html>\n");
	out->nsessions = view.nlessons;
	free(m);
	plan_view_release(&view);
}

static void
home_page(struct buf *b, const struct project *pr, const struct plan *p, const struct plan *view,
    const struct member *m)
{
	size_t i;

	buf_puts(b, "<section class=\"sheet record\">\n");
	where_line(b, pr, p);
	buf_puts(b, "<h1>居家学习记录表</h1>\n<p>党员姓名：");
	if (m)
		buf_escape(b, m->name);
	else
		buf_puts(b, "<span class=\"blank\"></span>");
	buf_puts(b, "　送学人：<span class=\"blank\"></span></p>\n"
	    "<table>\n<thead><tr><th class=\"n\">序号</th><th class=\"t\">课程</th><th class=\"h\">学时</th>"
	    "<th class=\"d\">学习日期</th><th class=\"s\">党员签名</th><th class=\"s\">送学人签名</th></tr></thead>\n"
	    "<tbody>\n");
	for (i = 0; i < view->nlessons; i++) {
		buf_printf(b, "<tr><td>%zu</td><td>", i + 1);
		buf_escape(b, view->lessons[i]->title ? view->lessons[i]->title : view->lessons[i]->id);
		buf_puts(b, "</td><td>");
		put_hours(b, view->lessons[i]->hours);
		buf_puts(b, "</td><td></td><td></td><td></td></tr>\n");
	}
	buf_puts(b, "<tr><th colspan=\"2\">合计</th><th>");
	put_hours(b, view->total);
	buf_puts(b, "</th><td colspan=\"3\"></td></tr>\n</tbody>\n</table>\n</section>\n");
}

/* One page per homebound member, the lessons the homebound reach. */
static void
make_home(const struct project *pr, const struct plan *p, const struct roster *ro, struct sheets *out)
{
	struct buf *b = &out->home;
	struct plan view;
	const struct member **m;
	size_t i, n;

	plan_view(p, GROUP_HOMEBOUND, &view);
	m = members_of(ro, p->village, GROUP_HOMEBOUND, &n);
	page_head(b, pr, p->village, "居家学习记录表");
	for (i = 0; i < n; i++)
		home_page(b, pr, p, &view, m[i]);
	if (n == 0) {
		buf_puts(b, "<section class=\"sheet record\">\n");
		where_line(b, pr, p);
		buf_puts(b, "<h1>居家学习记录表</h1>\n<p>本村没有居家党员。</p>\n</section>\n");
	}
	buf_puts(b, "</body>\n</html>\n");
	out->nhome = n;
	free(m);
	plan_view_release(&view);
}

/* The attendance spreadsheet as a grid of cells: import_sheet.c's
 * columns, then every lesson of the village's plan, one row per member.
 * A lesson a member's group does not reach stays blank like the rest:
 * the importer reads every row, so no note can go in. */
static void
make_grid(const struct plan *p, const struct roster *ro, struct sheets *out)
{
	static const char *const head[] = {"村", "姓名", "编号", "类别", "方式"};
	static const char *const group_zh[GROUP__COUNT] = {"在村", "居家", "流动"};
	static const char *const channel_zh[GROUP__COUNT] = {"课堂", "居家", "线上"};
	size_t i, j, nrows = 1 + (ro ? ro->nmembers : 0);
	char **c;

	out->ncols = NELEM(head) + p->nlessons;
	out->grid = c = xcalloc(nrows * out->ncols, sizeof *c);
	for (j = 0; j < NELEM(head); j++)
		c[j] = xstrdup(head[j]);
	for (j = 0; j < p->nlessons; j++)
		c[NELEM(head) + j] = xasprintf("%s/%s", p->lessons[j]->course->id, p->lessons[j]->id);
	for (i = 0; ro && i < ro->nmembers; i++) {
		const struct member *m = &ro->members[i];
		char **row = c + (i + 1) * out->ncols;

		row[0] = xstrdup(p->village->id);
		row[1] = xstrdup(m->name);
		row[2] = m->id ? xstrdup(m->id) : NULL;
		row[3] = xstrdup(group_zh[m->group]);
		row[4] = xstrdup(channel_zh[m->group]);
		out->nrows++;
	}
}

/* The grid as CSV, UTF-8 with a BOM and CRLF. */
static void
make_csv(struct sheets *out)
{
	size_t i, j;

	buf_puts(&out->csv, "\xef\xbb\xbf");
	for (i = 0; i <= out->nrows; i++)
		for (j = 0; j < out->ncols; j++)
			buf_csv_cell(&out->csv, out->grid[i * out->ncols + j], j + 1 == out->ncols);
}

void
sheets_make(const struct project *pr, const struct plan *p, const struct roster *ro, struct sheets *out)
{
	memset(out, 0, sizeof *out);
	make_signin(pr, p, ro, out);
	make_home(pr, p, ro, out);
	make_grid(p, ro, out);
	make_csv(out);
}

void
sheets_release(struct sheets *s)
{
	size_t i;

	if (s == NULL)
		return;
	buf_release(&s->signin);
	buf_release(&s->home);
	buf_release(&s->csv);
	if (s->grid)
		for (i = 0; i < (s->nrows + 1) * s->ncols; i++)
			free(s->grid[i]);
	free(s->grid);
}
