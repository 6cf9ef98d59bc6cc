#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "commands.h"
#include "render.h"
#include "util.h"

#define BAR_LABEL 110	/* px for the village names */
#define BAR_WIDTH 440	/* px for the longest bar */
#define BAR_HEIGHT 22
#define BAR_GAP 8

static void
size_text(struct buf *b, size_t size)
{
	if (size < 1024 * 1024)
		buf_printf(b, "%zu KB", (size + 1023) / 1024);
	else
		buf_printf(b, "%.1f MB", (double)size / (1024.0 * 1024.0));
}

static const char *
colour(const struct project *pr, const char *category)
{
	const struct category *c = categories_find(pr->library->categories, category);

	return c ? c->color : "#888888";
}

/* Hours by category per village as stacked horizontal bars. */
static void
chart(struct buf *b, const struct project *pr, const struct built *v, size_t n)
{
	const struct recipe *r = pr->recipe;
	int most = 1, height, y;
	size_t i, c;

	for (i = 0; i < n; i++)
		if (v[i].plan->total > most)
			most = v[i].plan->total;
	height = (int)n * (BAR_HEIGHT + BAR_GAP) + 40;
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 %d %d\" "
	    "width=\"100%%\" style=\"max-width:%dpx\" aria-labelledby=\"chart-title\">\n"
	    "<title id=\"chart-title\">各村学习包按类别的学时</title>\n",
	    BAR_LABEL + BAR_WIDTH + 60, height, BAR_LABEL + BAR_WIDTH + 60);
	for (i = 0; i < n; i++) {
		const struct plan *p = v[i].plan;
		int x = BAR_LABEL;

		y = (int)i * (BAR_HEIGHT + BAR_GAP);
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"14\">", BAR_LABEL - 8,
		    y + BAR_HEIGHT - 6);
		buf_escape(b, p->village->name);
		buf_puts(b, "</text>\n");
		for (c = 0; c < r->ncategories; c++) {
			int w = p->hours[c] * BAR_WIDTH / most;

			if (w == 0)
				continue;
			buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>",
			    x, y, w, BAR_HEIGHT, colour(pr, r->categories[c].ref));
			buf_escape(b, render_category_zh(pr, r->categories[c].ref));
			buf_puts(b, " ");
			render_hours(b, p->hours[c]);
			buf_puts(b, " 学时</title></rect>\n");
			x += w;
		}
		buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"13\">", x + 6, y + BAR_HEIGHT - 6);
		render_hours(b, p->total);
		buf_puts(b, "</text>\n");
	}
	/* The legend, in the recipe's order. */
	y = (int)n * (BAR_HEIGHT + BAR_GAP) + 14;
	for (c = 0; c < r->ncategories; c++) {
		int x = BAR_LABEL + (int)c * 80;

		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
		    "<text x=\"%d\" y=\"%d\" font-size=\"12\">", x, y, colour(pr, r->categories[c].ref), x + 16,
		    y + 11);
		buf_escape(b, render_category_zh(pr, r->categories[c].ref));
		buf_puts(b, "</text>\n");
	}
	buf_puts(b, "</svg>\n");
}

char *
catalog_render(const struct project *pr, const struct built *v, size_t n)
{
	const struct recipe *r = pr->recipe;
	struct buf b = {0};
	size_t i, c;
	int g;

	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_escape(&b, pr->township->name);
	buf_puts(&b, "学习包目录</title>\n<style>\n"
	    "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:0 auto;"
	    "max-width:72rem;padding:1rem;line-height:1.6;color:#1b1b1b;background:#fffdf8}\n"
	    "h1{color:#b71c1c}table{border-collapse:collapse;width:100%;font-size:.9rem}"
	    "th,td{border:1px solid #d8d8d8;padding:.3rem .5rem;text-align:left;vertical-align:top}"
	    "th{background:#f4efe6}td.num,th.num{text-align:right;white-space:nowrap}"
	    "@media (max-width:40rem){.sha{display:none}}"
	    "code{font-size:.75rem;word-break:break-all}.ok{color:#2e7d32}.short{color:#b71c1c;font-weight:bold}"
	    ".wrap{overflow-x:auto}\n</style>\n</head>\n<body>\n<h1>");
	if (pr->township->county)
		buf_escape(&b, pr->township->county);
	buf_escape(&b, pr->township->name);
	buf_puts(&b, "党员冬春训学习包</h1>\n<p>");
	buf_escape(&b, r->title);
	buf_printf(&b, "。共 %zu 个村（社区）学习包，每名党员至少 ", n);
	render_hours(&b, r->min_hours);
	buf_puts(&b, " 学时。每村一个 zip 学习包（拷到 U 盘、电脑上解压后打开 index.html，内含送学上门的打印版），"
	    "另有一个手机版网页文件（发到流动党员微信群，手机直接打开，不用解压）。收到后可用 <code>sha256sum -c "
	    "SHA256SUMS</code> 或 <code>coursepack verify</code> 核对文件是否完好。</p>\n<h2>各村学时</h2>\n");
	chart(&b, pr, v, n);
	buf_puts(&b, "<h2>学习包清单</h2>\n<div class=\"wrap\"><table>\n<tr><th>村（社区）</th><th>学习包</th>"
	    "<th class=\"num\">大小</th>");
	for (c = 0; c < r->ncategories; c++) {
		buf_puts(&b, "<th class=\"num\">");
		buf_escape(&b, render_category_zh(pr, r->categories[c].ref));
		buf_puts(&b, "</th>");
	}
	buf_puts(&b, "<th class=\"num\">合计</th>");
	for (g = 0; g < GROUP__COUNT; g++)
		buf_printf(&b, "<th class=\"num\">%s</th>", render_group_zh((enum group)g));
	buf_puts(&b, "<th class=\"sha\">SHA-256</th></tr>\n");
	for (i = 0; i < n; i++) {
		const struct plan *p = v[i].plan;

		buf_puts(&b, "<tr><td>");
		buf_escape(&b, p->village->name);
		buf_printf(&b, "</td><td><a href=\"%s\">%s</a><br><a href=\"%s\">%s</a><br><a href=\"%s\">%s</a>"
		    "", v[i].file, v[i].file, v[i].phone_file, v[i].phone_file, v[i].epub_file, v[i].epub_file);
		if (v[i].pdf_file)
			buf_printf(&b, "<br><a href=\"%s\">%s</a>", v[i].pdf_file, v[i].pdf_file);
		buf_puts(&b, "</td><td class=\"num\">");
		size_text(&b, v[i].size);
		buf_puts(&b, "<br>");
		size_text(&b, v[i].phone_size);
		buf_puts(&b, "<br>");
		size_text(&b, v[i].epub_size);
		buf_puts(&b, "</td>");
		for (c = 0; c < r->ncategories; c++) {
			buf_puts(&b, "<td class=\"num\">");
			render_hours(&b, p->hours[c]);
			buf_puts(&b, "</td>");
		}
		buf_puts(&b, "<td class=\"num\">");
		render_hours(&b, p->total);
		buf_puts(&b, "</td>");
		for (g = 0; g < GROUP__COUNT; g++) {
			size_t k;
			int short_ = 0;

			for (k = 0; k < p->nshortfalls; k++)
				short_ |= p->shortfalls[k].group == (enum group)g;
			buf_printf(&b, "<td class=\"num\">%d 人 · ", p->village->members[g]);
			render_hours(&b, p->reach_total[g]);
			buf_printf(&b, " 学时 <span class=\"%s\">%s</span></td>", short_ ? "short" : "ok",
			    short_ ? "未达标" : "✓");
		}
		buf_printf(&b, "<td class=\"sha\"><code>%s</code><br><code>%s</code><br><code>%s</code></td></tr>\n", v[i].sha256,
		    v[i].phone_sha256, v[i].epub_sha256);
	}
	buf_printf(&b, "</table></div>\n<p>由 coursepack %s 生成。</p>\n</body>\n</html>\n", COURSEPACK_VERSION);
	return buf_detach(&b);
}
