#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "output.h"
#include "sign.h"
#include "version.h"
#include "diag.h"
#include "render.h"
#include "util.h"
#include "xml.h"

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

void
bar_chart(struct buf *b, const struct bar_chart *ch)
{
	size_t i, c, n = ch->nbars;
	int most = 1, height, y;

	for (i = 0; i < n; i++)
		if (ch->bars[i].total > most)
			most = ch->bars[i].total;
	height = (int)n * (BAR_HEIGHT + BAR_GAP) + 40;
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 %d %d\" "
	    "width=\"100%%\" style=\"max-width:%dpx\" aria-labelledby=\"%s\">\n<title id=\"%s\">",
	    BAR_LABEL + BAR_WIDTH + 60, height, BAR_LABEL + BAR_WIDTH + 60, ch->id, ch->id);
	buf_escape(b, ch->title);
	buf_puts(b, "</title>\n");
	for (i = 0; i < n; i++) {
		const struct chart_bar *p = &ch->bars[i];
		int x = BAR_LABEL;

		y = (int)i * (BAR_HEIGHT + BAR_GAP);
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"14\">", BAR_LABEL - 8,
		    y + BAR_HEIGHT - 6);
		buf_escape(b, p->label);
		buf_puts(b, "</text>\n");
		for (c = 0; c < ch->nseries; c++) {
			int w = p->values[c] * BAR_WIDTH / most;

			if (w == 0)
				continue;
			buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>",
			    x, y, w, BAR_HEIGHT, ch->series[c].colour);
			buf_escape(b, ch->series[c].name);
			buf_puts(b, " ");
			if (ch->counts)
				buf_printf(b, "%d 人", p->values[c]);
			else {
				render_hours(b, p->values[c]);
				buf_puts(b, " 学时");
			}
			buf_puts(b, "</title></rect>\n");
			x += w;
		}
		buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"13\">", x + 6, y + BAR_HEIGHT - 6);
		if (ch->counts)
			buf_printf(b, "%d", p->total);
		else
			render_hours(b, p->total);
		buf_puts(b, "</text>\n");
	}
	/* The legend, in the series' order. */
	y = (int)n * (BAR_HEIGHT + BAR_GAP) + 14;
	for (c = 0; c < ch->nseries; c++) {
		int x = BAR_LABEL + (int)c * 80;

		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
		    "<text x=\"%d\" y=\"%d\" font-size=\"12\">", x, y, ch->series[c].colour, x + 16, y + 11);
		buf_escape(b, ch->series[c].name);
		buf_puts(b, "</text>\n");
	}
	buf_puts(b, "</svg>\n");
}

/* Hours by category per village as stacked horizontal bars. */
static void
chart(struct buf *b, const struct catalog *cat)
{
	struct chart_bar *bars = xcalloc(cat->nrows ? cat->nrows : 1, sizeof *bars);
	struct bar_chart ch = {"各村学习包按类别的学时", "chart-title", cat->cats, cat->ncats, bars, cat->nrows, 0};
	size_t i;

	for (i = 0; i < cat->nrows; i++) {
		bars[i].label = cat->rows[i].village;
		bars[i].values = cat->rows[i].hours;
		bars[i].total = cat->rows[i].total;
	}
	bar_chart(b, &ch);
	free(bars);
}

/* One file of a village: its link, size and fingerprint — the first 16
 * hex digits of its SHA-256, enough to tell files apart at a glance —
 * with the whole hash a click away (<details>: no script). */
static void
file_cell(struct buf *b, const char *label, const struct catalog_file *f)
{
	buf_printf(b, "<td data-label=\"%s\">", label);
	if (f->name == NULL) {
		buf_puts(b, "—</td>");
		return;
	}
	buf_printf(b, "<a href=\"%s\">%s</a> <span class=\"size\">", f->name, f->name);
	size_text(b, f->size);
	buf_printf(b, "</span><br><details><summary>指纹 <code>%.16s</code></summary><code class=\"full\">%s</code>"
	    "</details></td>", f->sha256, f->sha256);
}

/* The page's head (its style laid out for office screens and phones)
 * and the township's heading. */
static void
catalog_head(struct buf *b, const struct catalog *cat)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_escape(b, cat->name);
	/* Laid out for a 1366x768 office screen and a 360 px phone: two
	 * narrow tables instead of one wide one, fingerprints instead of
	 * whole hashes, and on a phone each row a card of labelled lines. */
	buf_puts(b, "学习包目录</title>\n<style>\n"
	    "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:0 auto;"
	    "max-width:80rem;padding:1rem;line-height:1.5;color:#1b1b1b;background:#fffdf8}\n"
	    "h1{color:#b71c1c;font-size:1.6rem}table{border-collapse:collapse;width:100%;font-size:.9rem}"
	    "th,td{border:1px solid #d8d8d8;padding:.3rem .5rem;text-align:left;vertical-align:top}"
	    "th{background:#f4efe6}td.num,th.num{text-align:right;white-space:nowrap}"
	    "code{font-size:.8rem}code.full{display:block;word-break:break-all;user-select:all}"
	    "summary{cursor:pointer}.size{color:#555;white-space:nowrap}a{word-break:break-all}"
	    ".ok{color:#2e7d32}.short{color:#b71c1c;font-weight:bold}"
	    ".missing{border:2px solid #b71c1c;background:#fdecea;padding:.5rem .8rem}"
	    ".how{background:#f4efe6;padding:.5rem .8rem}\n"
	    "@media (max-width:40rem){table,tbody,tr,td{display:block;width:auto}tr:first-child{display:none}"
	    "tr{border:1px solid #d8d8d8;margin:0 0 .8rem}td{border:0;border-top:1px solid #eee}"
	    "td.num{text-align:left;white-space:normal}"
	    "td::before{content:attr(data-label);display:inline-block;min-width:6rem;color:#555}"
	    "td.village{font-weight:bold;background:#f4efe6}td.village::before{content:none}}\n"
	    "</style>\n</head>\n<body>\n<h1>");
}

/* What the page is, the villages left without a package, and how to
 * check a file's fingerprint. */
static void
catalog_intro(struct buf *b, const struct catalog *cat)
{
	size_t i, n = cat->nrows;

	if (cat->county)
		buf_escape(b, cat->county);
	buf_escape(b, cat->name);
	buf_puts(b, "党员冬春训学习包</h1>\n<p>");
	buf_escape(b, cat->title);
	buf_printf(b, "。共 %zu 个村（社区）学习包，每名党员至少 ", n);
	render_hours(b, cat->min_hours);
	buf_puts(b, " 学时。每村一个 zip 学习包（拷到 U 盘、电脑上解压后打开 index.html，内含送学上门的打印版），"
	    "另有一个手机版网页文件（发到流动党员微信群，手机直接打开，不用解压）。</p>\n");
	if (cat->nmissing) {
		buf_printf(b, "<p class=\"missing\"><strong>未生成学习包：</strong>本次构建有 %zu 个村（社区）没有学习包"
		    "（学时未达标、构建出错或未构建）：", cat->nmissing);
		for (i = 0; i < cat->nmissing; i++) {
			if (i)
				buf_puts(b, "、");
			buf_escape(b, cat->missing[i]);
		}
		buf_puts(b, "。请修正后重新构建，再分发给这些村。</p>\n");
	}
	buf_puts(b, "<div class=\"how\"><p><strong>核对文件是否完好</strong>：每个文件的“指纹”（SHA-256）列在下表和"
	    "同一文件夹的 SHA256SUMS 里，文件被改动或损坏，指纹就对不上。</p>\n<ul>\n"
	    "<li>Windows 电脑（不用装软件）：在文件所在的文件夹里，按住 Shift 点右键，选“在此处打开命令窗口”"
	    "（或 PowerShell），输入 <code>certutil -hashfile ");
	buf_escape(b, n ? cat->rows[0].files[EDITION_BUNDLE].name : "文件名");
	buf_puts(b, " SHA256</code>（换成要核对的文件名），把显示的一长串字符和表中点开的“完整指纹”或 SHA256SUMS 里该文件那一行对照，"
	    "完全一样即完好（旧版 Windows 显示的字符中间有空格，忽略空格即可）。</li>\n"
	    "<li>Linux 电脑：在文件夹里运行 <code>sha256sum -c SHA256SUMS</code>，每个文件显示“成功”（OK）即完好。</li>\n"
	    "<li>装有 coursepack 的电脑：<code>coursepack verify --pubkey 公钥文件 文件夹</code>，"
	    "还能核对乡镇的签名，确认文件确实由乡镇发出。</li>\n</ul></div>\n<h2>各村学时</h2>\n");
}

/* The table of every village's files to download, with their sizes and
 * fingerprints. */
static void
catalog_downloads(struct buf *b, const struct catalog *cat)
{
	size_t i, k, n = cat->nrows;
	int column[EDITIONS_MAX] = {0};

	/* A column per file of a village; the PDF's, made only with
	 * --pdf, when some village has one. */
	for (k = 0; k < neditions; k++) {
		column[k] = edition_is_file(&editions[k]) && editions[k].place != BESIDE_PDF;
		for (i = 0; i < n && edition_is_file(&editions[k]); i++)
			column[k] |= cat->rows[i].files[k].name != NULL;
	}
	buf_puts(b, "<h2>下载与核对</h2>\n<table>\n<tr><th>村（社区）</th>");
	for (k = 0; k < neditions; k++)
		if (column[k])
			buf_printf(b, "<th>%s</th>", editions[k].label);
	buf_puts(b, "</tr>\n");
	for (i = 0; i < n; i++) {
		const struct catalog_row *p = &cat->rows[i];

		buf_puts(b, "<tr><td class=\"village\">");
		buf_escape(b, p->village);
		buf_puts(b, "</td>");
		for (k = 0; k < neditions; k++)
			if (column[k])
				file_cell(b, editions[k].label, &p->files[k]);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/* The table of every village's hours by category and reach by group. */
static void
catalog_hours(struct buf *b, const struct catalog *cat)
{
	size_t i, c, n = cat->nrows;
	int g;

	buf_puts(b, "<h2>学时与覆盖</h2>\n<p>各类别学时；各类党员人数、能学到的学时，✓ 为达到要求。</p>\n"
	    "<table>\n<tr><th>村（社区）</th>");
	for (c = 0; c < cat->ncats; c++) {
		buf_puts(b, "<th class=\"num\">");
		buf_escape(b, cat->cats[c].name);
		buf_puts(b, "</th>");
	}
	buf_puts(b, "<th class=\"num\">合计</th>");
	for (g = 0; g < GROUP__COUNT; g++)
		buf_printf(b, "<th class=\"num\">%s</th>", render_group_zh((enum group)g));
	buf_puts(b, "</tr>\n");
	for (i = 0; i < n; i++) {
		const struct catalog_row *p = &cat->rows[i];

		buf_puts(b, "<tr><td class=\"village\">");
		buf_escape(b, p->village);
		buf_puts(b, "</td>");
		for (c = 0; c < cat->ncats; c++) {
			buf_puts(b, "<td class=\"num\" data-label=\"");
			buf_escape(b, cat->cats[c].name);
			buf_puts(b, "\">");
			render_hours(b, p->hours[c]);
			buf_puts(b, "</td>");
		}
		buf_puts(b, "<td class=\"num\" data-label=\"合计\">");
		render_hours(b, p->total);
		buf_puts(b, "</td>");
		for (g = 0; g < GROUP__COUNT; g++) {
			buf_printf(b, "<td class=\"num\" data-label=\"%s\">%d 人<br>", render_group_zh((enum group)g),
			    p->members[g]);
			render_hours(b, p->reach[g]);
			buf_printf(b, " 学时 <span class=\"%s\">%s</span></td>", p->complete[g] ? "ok" : "short",
			    p->complete[g] ? "✓" : "未达标");
		}
		buf_puts(b, "</tr>\n");
	}
}

char *
catalog_render(const struct catalog *cat)
{
	struct buf b = {0};

	catalog_head(&b, cat);
	catalog_intro(&b, cat);
	chart(&b, cat);
	catalog_downloads(&b, cat);
	catalog_hours(&b, cat);
	buf_printf(&b, "</table>\n<p>由 coursepack %s 生成。</p>\n</body>\n</html>\n", COURSEPACK_VERSION);
	return buf_detach(&b);
}

static int
row_file_cmp(const void *a, const void *b)
{
	const struct catalog_row *x = *(const struct catalog_row *const *)a, *y = *(const struct catalog_row *const *)b;

	return strcmp(x->files[EDITION_BUNDLE].name, y->files[EDITION_BUNDLE].name);
}

char *
catalog_sums(const struct catalog *cat)
{
	const struct catalog_row **v = xcalloc(cat->nrows ? cat->nrows : 1, sizeof *v);
	size_t order[EDITIONS_MAX], nfiles = 0;
	struct buf b = {0};
	size_t i, k;
	int rank;

	/* A village's files in the order of their rows' `sums`. */
	for (rank = 0; (size_t)rank < neditions; rank++)
		for (k = 0; k < neditions; k++)
			if (edition_is_file(&editions[k]) && editions[k].sums == rank)
				order[nfiles++] = k;
	/* Every file beside the bundles but the catalogue, by bundle name. */
	for (i = 0; i < cat->nrows; i++)
		v[i] = &cat->rows[i];
	if (cat->nrows > 1)
		qsort(v, cat->nrows, sizeof *v, row_file_cmp);
	for (i = 0; i < cat->nrows; i++)
		for (k = 0; k < nfiles; k++)
			if (v[i]->files[order[k]].name)
				buf_printf(&b, "%s  %s\n", v[i]->files[order[k]].sha256, v[i]->files[order[k]].name);
	free(v);
	return buf_detach(&b);
}

int
catalog_save(const struct catalog *cat, size_t shard, size_t nshards, const char *path)
{
	struct buf b = {0};
	char h[16];
	size_t i, c, k;
	int g, rc;

	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<shard township=\"%s\" index=\"%zu\" count=\"%zu\" "
	    "villages=\"%zu\" township-villages=\"%zu\"\n       source=\"%s\" version=\"1\">\n", cat->township, shard,
	    nshards, cat->planned, cat->villages, cat->source);
	hours_format(cat->min_hours, h);
	buf_printf(&b, "  <catalogue min-hours=\"%s\">\n    <name>", h);
	buf_escape(&b, cat->name);
	buf_puts(&b, "</name>\n");
	if (cat->county) {
		buf_puts(&b, "    <county>");
		buf_escape(&b, cat->county);
		buf_puts(&b, "</county>\n");
	}
	buf_puts(&b, "    <title>");
	buf_escape(&b, cat->title);
	buf_puts(&b, "</title>\n");
	if (cat->season) {
		buf_puts(&b, "    <season>");
		buf_escape(&b, cat->season);
		buf_puts(&b, "</season>\n");
	}
	for (c = 0; c < cat->ncats; c++) {
		buf_printf(&b, "    <category color=\"%s\">", cat->cats[c].colour);
		buf_escape(&b, cat->cats[c].name);
		buf_puts(&b, "</category>\n");
	}
	buf_puts(&b, "  </catalogue>\n");
	for (i = 0; i < cat->nrows; i++) {
		const struct catalog_row *r = &cat->rows[i];

		hours_format(r->total, h);
		buf_printf(&b, "  <village order=\"%zu\" total=\"%s\">\n    <name>", r->order, h);
		buf_escape(&b, r->village);
		buf_puts(&b, "</name>\n");
		for (k = 0; k < neditions; k++)
			if (edition_is_file(&editions[k]) && r->files[k].name)
				buf_printf(&b, "    <file kind=\"%s\" name=\"%s\" size=\"%zu\" sha256=\"%s\"/>\n", editions[k].name,
				    r->files[k].name, r->files[k].size, r->files[k].sha256);
		for (c = 0; c < cat->ncats; c++) {
			hours_format(r->hours[c], h);
			buf_printf(&b, "    <hours>%s</hours>\n", h);
		}
		for (g = 0; g < GROUP__COUNT; g++) {
			hours_format(r->reach[g], h);
			buf_printf(&b, "    <group ref=\"%s\" members=\"%d\" hours=\"%s\" complete=\"%s\"/>\n",
			    group_name((enum group)g), r->members[g], h, r->complete[g] ? "true" : "false");
		}
		buf_puts(&b, "  </village>\n");
	}
	buf_puts(&b, "</shard>\n");
	rc = write_file_atomic(path, b.data, b.len);
	if (rc == -1)
		diag(S_WRITE, NULL, path, strerror(errno));
	buf_release(&b);
	return rc;
}

/* A number the schema has checked; bounded again here all the same. */
static int
attr_size(const struct xml_node *n, const char *name, size_t max, size_t *out)
{
	char *v = xml_attr(n, name), *end;
	unsigned long long x;
	int rc = -1;

	if (v) {
		errno = 0;
		x = strtoull(v, &end, 10);
		if (errno == 0 && *end == '\0' && end != v && x <= max) {
			*out = (size_t)x;
			rc = 0;
		}
	}
	free(v);
	return rc;
}

static int
attr_hours(const struct xml_node *n, const char *name, int *out)
{
	char *v = xml_attr(n, name);
	int rc = v ? hours_parse(v, out) : -1;

	free(v);
	return rc;
}

int
catalog_load(const char *path, struct catalog *cat, size_t *shard, size_t *nshards)
{
	struct xml_doc *doc;
	struct xml_node *root, *n, *v, *x;
	struct loc loc = {path, 0, 0};
	size_t ncat = 0;
	int bad = 0;

	memset(cat, 0, sizeof *cat);
	if (xml_load(path, XK_SHARD, &doc, NULL) == -1)
		return -1;
	root = xml_root(doc);
	cat->township = xml_attr(root, "township");
	bad |= attr_size(root, "count", SHARDS_MAX, nshards) || *nshards == 0 ||
	    attr_size(root, "index", *nshards - 1, shard) || attr_size(root, "township-villages", 1000000, &cat->villages) ||
	    attr_size(root, "villages", cat->villages, &cat->planned);
	{
		char *src = xml_attr(root, "source");

		snprintf(cat->source, sizeof cat->source, "%s", src ? src : "");
		free(src);
	}
	n = xml_first(root, "catalogue");
	bad |= attr_hours(n, "min-hours", &cat->min_hours);
	cat->name = xml_text(xml_first(n, "name"));
	if ((x = xml_first(n, "county")) != NULL)
		cat->county = xml_text(x);
	cat->title = xml_text(xml_first(n, "title"));
	if ((x = xml_first(n, "season")) != NULL)
		cat->season = xml_text(x);
	for (x = xml_first(n, "category"); x; x = xml_next(x, "category"))
		ncat++;
	cat->cats = xcalloc(ncat ? ncat : 1, sizeof *cat->cats);
	for (x = xml_first(n, "category"); x; x = xml_next(x, "category")) {
		cat->cats[cat->ncats].colour = xml_attr(x, "color");
		cat->cats[cat->ncats++].name = xml_text(x);
	}
	for (v = xml_first(root, "village"); v; v = xml_next(v, "village")) {
		struct catalog_row *r;
		size_t c = 0;
		int g = 0;

		cat->rows = xreallocarray(cat->rows, cat->nrows + 1, sizeof *cat->rows);
		r = &cat->rows[cat->nrows++];
		memset(r, 0, sizeof *r);
		r->hours = xcalloc(ncat ? ncat : 1, sizeof *r->hours);
		bad |= attr_size(v, "order", SIZE_MAX / 2, &r->order) || attr_hours(v, "total", &r->total);
		r->village = xml_text(xml_first(v, "name"));
		for (x = xml_first(v, "file"); x; x = xml_next(x, "file")) {
			char *kind = xml_attr(x, "kind"), *sha = xml_attr(x, "sha256");
			size_t k;

			for (k = 0; k < neditions && !(edition_is_file(&editions[k]) && streq(kind, editions[k].name)); k++)
				;
			if (k < neditions && r->files[k].name == NULL) {
				r->files[k].name = xml_attr(x, "name");
				bad |= attr_size(x, "size", SIZE_MAX / 2, &r->files[k].size);
				snprintf(r->files[k].sha256, sizeof r->files[k].sha256, "%s", sha ? sha : "");
			} else {
				bad = 1;
			}
			free(kind);
			free(sha);
		}
		for (x = xml_first(v, "hours"); x; x = xml_next(x, "hours")) {
			char *t = xml_text(x);

			if (c >= ncat || hours_parse(t, &r->hours[c]) == -1)
				bad = 1;
			c++;
			free(t);
		}
		for (x = xml_first(v, "group"); x; x = xml_next(x, "group")) {
			size_t members;
			char *complete = xml_attr(x, "complete"), *ref = xml_attr(x, "ref");

			if (g >= GROUP__COUNT || !streq(ref, group_name((enum group)g)) ||
			    attr_size(x, "members", 1000000, &members) ||
			    attr_hours(x, "hours", &r->reach[g])) {
				bad = 1;
			} else {
				r->members[g] = (int)members;
				r->complete[g] = streq(complete, "true");
			}
			free(complete);
			free(ref);
			g++;
		}
		/* The bundle is always there; the names are plain. */
		bad |= c != ncat || g != GROUP__COUNT || !r->files[EDITION_BUNDLE].name;
		for (g = 0; g < EDITIONS_MAX; g++)
			bad |= r->files[g].name && (strchr(r->files[g].name, '/') || r->files[g].name[0] == '.');
	}
	xml_doc_free(doc);
	if (bad) {
		diag(E_SHARD_BAD, &loc);
		catalog_release(cat);
		return -1;
	}
	return 0;
}

void
catalog_release(struct catalog *cat)
{
	size_t i;
	int k;

	for (i = 0; i < cat->nrows; i++) {
		for (k = 0; k < EDITIONS_MAX; k++)
			free(cat->rows[i].files[k].name);
		free(cat->rows[i].village);
		free(cat->rows[i].hours);
	}
	for (i = 0; i < cat->ncats; i++) {
		free(cat->cats[i].name);
		free(cat->cats[i].colour);
	}
	free(cat->rows);
	free(cat->cats);
	free(cat->township);
	free(cat->county);
	free(cat->name);
	free(cat->title);
	free(cat->season);
	for (i = 0; i < cat->nmissing; i++)
		free(cat->missing[i]);
	free(cat->missing);
	memset(cat, 0, sizeof *cat);
}

/* SHA256SUMS (signed with key, when given) and index.html in dir. */
int
catalog_write(const struct catalog *cat, const char *dir, const struct minisign_key *key, time_t when)
{
	char *sums = catalog_sums(cat), *html = catalog_render(cat), *path = path_join(dir, "SHA256SUMS");
	int rc = write_atomic(path, sums, strlen(sums));

	if (rc == 0)
		rc = sign_file(key, path, when);
	free(path);
	path = path_join(dir, "index.html");
	if (rc == 0)
		rc = write_atomic(path, html, strlen(html));
	free(path);
	free(html);
	free(sums);
	return rc;
}
