#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"
#include "crypto.h"
#include "markdown.h"
#include "media.h"
#include "render.h"
#include "review.h"
#include "doc.h"
#include "image.h"
#include "util.h"

extern const unsigned char embedded_style_css[];
extern const size_t embedded_style_css_len;

const char *
render_stylesheet(size_t *len)
{
	*len = embedded_style_css_len;
	return (const char *)embedded_style_css;
}

const char *
render_mode_zh(enum mode m)
{
	switch (m) {
	case MODE_CLASSROOM:
		return "集中学习";
	case MODE_FIELD:
		return "田间课堂";
	case MODE_HOME:
		return "送学上门";
	case MODE_ONLINE:
		return "线上学习";
	}
	return "";
}

const char *
render_group_zh(enum group g)
{
	switch (g) {
	case GROUP_RESIDENT:
		return "在村党员";
	case GROUP_HOMEBOUND:
		return "居家党员";
	case GROUP_MOBILE:
		return "流动党员";
	default:
		return "";
	}
}

const char *
render_category_zh(const struct project *pr, const char *category)
{
	const struct category *c = categories_find(pr->library->categories, category);

	return c && c->name ? c->name : category;
}

struct asset_ref *
asset_set_add(struct asset_set *s, const struct course *c, const char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].course == c && streq(s->v[i].path, path))
			return &s->v[i];
	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	s->v[s->n].course = c;
	s->v[s->n].path = xstrdup(path);
	s->v[s->n].bytes = 0;
	return &s->v[s->n++];
}

void
asset_set_release(struct asset_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

char *
render_page_name(const struct lesson *l)
{
	return xasprintf("lessons/%s/%s.html", l->course->id, l->id);
}

char *
render_anchor(const struct lesson *l)
{
	return xasprintf("%s--%s", l->course->id, l->id);
}

void
render_hours(struct buf *b, int tenths)
{
	char h[16];

	hours_format(tenths, h);
	buf_puts(b, h);
}

void
render_sources(struct buf *b, const struct lesson *l)
{
	size_t k;

	if (l->nsources == 0)
		return;
	buf_puts(b, "<p class=\"meta sources\">依据：");
	for (k = 0; k < l->nsources; k++) {
		const struct source *s = &l->sources[k];

		if (k > 0)
			buf_puts(b, "；");
		buf_puts(b, "《");
		buf_escape(b, s->title);
		buf_puts(b, "》");
		if (s->number)
			buf_escape(b, s->number);
		/* The schema holds dates to YYYY-MM-DD; written the Chinese
		 * way, without leading zeros: 2023年1月2日. */
		if (s->date && strlen(s->date) == 10)
			buf_printf(b, "，%.4s年%d月%d日", s->date, atoi(s->date + 5), atoi(s->date + 8));
	}
	buf_puts(b, "</p>\n");
}

static void
render_modes(struct buf *b, unsigned modes)
{
	unsigned m;
	int first = 1;

	/* Each mode on one line: a phone breaks between them, not inside. */
	buf_puts(b, "<span class=\"modes\">");
	for (m = MODE_CLASSROOM; m <= MODE_ONLINE; m <<= 1)
		if (modes & m) {
			if (!first)
				buf_puts(b, "、");
			buf_printf(b, "<span>%s</span>", render_mode_zh((enum mode)m));
			first = 0;
		}
	buf_puts(b, "</span>");
}

static void
page_head(struct buf *b, const char *lang, const char *title, const char *village, const char *up)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", lang);
	buf_escape(b, title);
	buf_puts(b, " · ");
	buf_escape(b, village);
	buf_printf(b, "</title>\n<link rel=\"stylesheet\" href=\"%sstyle.css\">\n</head>\n<body>\n", up);
}

static void
page_foot(struct buf *b, const struct project *pr)
{
	buf_puts(b, "<footer>");
	buf_escape(b, pr->recipe->title);
	buf_puts(b, " · ");
	if (pr->township->county)
		buf_escape(b, pr->township->county);
	buf_escape(b, pr->township->name);
	buf_printf(b, " · 由 coursepack %s 生成</footer>\n</body>\n</html>\n", COURSEPACK_VERSION);
}

/* Tables scroll sideways on a phone instead of overflowing the page. */
void
link_deps_add(struct link_deps *d, const struct lesson *l, int in_plan)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i] == l)
			return;
	d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
	d->in = xreallocarray(d->in, d->n + 1, sizeof *d->in);
	d->v[d->n] = l;
	d->in[d->n++] = (unsigned char)in_plan;
}

int
link_deps_hold(const struct link_deps *d, const struct plan *p)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		int in = 0;

		for (k = 0; k < p->nlessons && !in; k++)
			in = p->lessons[k] == d->v[i];
		if (in != d->in[i])
			return 0;
	}
	return 1;
}

void
link_deps_release(struct link_deps *d)
{
	free(d->v);
	free(d->in);
	memset(d, 0, sizeof *d);
}

char *
render_wrap_tables(const char *html)
{
	struct buf b = {0};
	const char *p = html, *t;

	while ((t = strstr(p, "<table>")) != NULL) {
		buf_add(&b, p, (size_t)(t - p));
		buf_puts(&b, "<div class=\"table-wrap\"><table>");
		p = t + strlen("<table>");
		if ((t = strstr(p, "</table>")) == NULL)
			break;
		buf_add(&b, p, (size_t)(t - p));
		buf_puts(&b, "</table></div>");
		p = t + strlen("</table>");
	}
	buf_puts(&b, p);
	return buf_detach(&b);
}

struct link_ctx {
	const struct plan *plan;
	const struct lesson *lesson;
	enum link_style style;
	unsigned modes;		/* of the lessons in the edition */
	struct asset_set *assets;
	char **inline_uris;	/* phone: data: URIs, put in after rendering */
	size_t ninline;
	char **omitted;		/* phone: attachments left out, named after rendering */
	size_t nomitted;
	struct pic {
		char id[24];
		int w, h;
	} *pics;		/* phone: photos shown through <use>, put in after rendering */
	size_t npics;
	struct link_deps *deps;	/* links to lessons: what the output depends on */
};

/* Whether the phone edition shows this image once per file (a photo,
 * through <use>) rather than inline where it is used (a drawing). */
static int
phone_shared_picture(const char *rel)
{
	const char *type = media_image(rel);

	return type && strcmp(type, "image/svg+xml") != 0;
}

/* An image of the course as a data: URI for the phone edition, or NULL
 * when it is not an image or cannot be read: a photo shrunk to
 * IMAGE_PHONE_SIDE, upright and stripped of metadata (image.h), with its
 * size in *w, *h; a drawing (SVG) as it is, *w and *h 0. */
char *
render_phone_picture(const struct course *c, const char *rel, int *w, int *h, size_t *bytes)
{
	const char *type = media_image(rel), *why;
	char *data, *b64;
	struct buf uri = {0}, small = {0};
	struct image_info info;
	size_t len, n64;

	*w = *h = 0;
	if (type == NULL || read_inside(c->dir, rel, 64 * 1024 * 1024, &data, &len, NULL) == -1)
		return NULL;
	if (phone_shared_picture(rel)) {
		if (image_for_phone(data, len, IMAGE_PHONE_SIDE, &small, &type, &why) == -1 ||
		    image_probe(small.data, small.len, &info, &why) == -1) {
			buf_release(&small);
			free(data);
			return NULL;
		}
		free(data);
		len = small.len;
		data = buf_detach(&small);
		*w = info.width;
		*h = info.height;
	}
	b64 = base64_encode(data, len);
	n64 = strlen(b64);
	/* Not printf: its %s goes a byte at a time, and images are large. */
	buf_reserve(&uri, strlen("data:;base64,") + strlen(type) + n64 + 1);
	buf_puts(&uri, "data:");
	buf_puts(&uri, type);
	buf_puts(&uri, ";base64,");
	buf_add(&uri, b64, n64);
	*bytes = uri.len;
	free(b64);
	free(data);
	return buf_detach(&uri);
}

void
render_picture_id(const struct course *c, const char *rel, char out[24])
{
	char *key = xasprintf("%s/%s", c->id, rel), hex[65];

	sha256_hex(key, strlen(key), hex);
	snprintf(out, 24, "pic-%.16s", hex);
	free(key);
}

/* A lesson's URLs as its page uses them: links to lessons of the package
 * go to their pages, links to lessons outside it are dropped, files of
 * the course go to assets/. */
static char *
map_url(void *arg, const char *url, int image)
{
	struct link_ctx *ctx = arg;
	const struct course *c = ctx->lesson->course;
	const char *frag = strchr(url, '#');
	char *rel, *out = NULL;
	size_t i, n;

	if (url[0] == '#' || url[0] == '\0' || url_has_scheme(url))
		return NULL;
	if ((rel = url_local_path(url)) == NULL || !path_is_safe_relative(rel)) {
		free(rel);
		return xstrdup("");
	}
	n = strlen(rel);
	if (n > 3 && streq(rel + n - 3, ".md")) {
		int in_plan = 0;

		out = xstrdup("");
		for (i = 0; i < ctx->plan->nlessons; i++) {
			const struct lesson *l = ctx->plan->lessons[i];

			if (l->course != c || !streq(l->src, rel))
				continue;
			in_plan = 1;
			/* Not in this edition: its group cannot count it. */
			if (!(l->modes & ctx->modes))
				break;
			free(out);
			if (ctx->style == LINKS_PAGE || ctx->style == LINKS_EPUB)
				out = xasprintf("%s.%s%s", l->id, ctx->style == LINKS_PAGE ? "html" : "xhtml",
				    frag ? frag : "");
			else
				out = xasprintf("#%s--%s", c->id, l->id);
			break;
		}
		/* The output depends on whether that lesson is in the plan. */
		if (ctx->deps)
			for (i = 0; i < c->nlessons; i++)
				if (streq(c->lessons[i].src, rel)) {
					link_deps_add(ctx->deps, &c->lessons[i], in_plan);
					break;
				}
	} else if (ctx->style == LINKS_PHONE) {
		size_t bytes = 0;

		/* One file: images inline, other media (audio, video,
		 * documents) left out.  A photo is put in once, at the end
		 * of the file, and shown where it is used through <use>. */
		int w = 0, h = 0;
		char *uri = image ? render_phone_picture(c, rel, &w, &h, &bytes) : NULL;

		if (uri && w > 0) {
			struct asset_ref *a = asset_set_add(ctx->assets, c, rel);

			free(uri);
			a->bytes = bytes;
			ctx->pics = xreallocarray(ctx->pics, ctx->npics + 1, sizeof *ctx->pics);
			render_picture_id(c, rel, ctx->pics[ctx->npics].id);
			ctx->pics[ctx->npics].w = w;
			ctx->pics[ctx->npics].h = h;
			free(rel);
			return xasprintf("cppic:%zu", ctx->npics++);
		}

		if (uri == NULL && !image) {
			/* A link to an attachment: its text stays, with a
			 * note saying it is not in this edition. */
			char *note = xstrdup(rel);

			ctx->omitted = xreallocarray(ctx->omitted, ctx->nomitted + 1, sizeof *ctx->omitted);
			ctx->omitted[ctx->nomitted] = note;
			out = xasprintf("cpomit:%zu", ctx->nomitted++);
		} else if (uri == NULL)
			out = xstrdup("");
		else {
			/* cmark's safe mode empties data:image/svg+xml URLs;
			 * a token goes through and is replaced afterwards. */
			ctx->inline_uris = xreallocarray(ctx->inline_uris, ctx->ninline + 1, sizeof *ctx->inline_uris);
			ctx->inline_uris[ctx->ninline] = uri;
			out = xasprintf("cpinline:%zu", ctx->ninline++);
			asset_set_add(ctx->assets, c, rel)->bytes += bytes;
		}
	} else {
		asset_set_add(ctx->assets, c, rel);
		out = xasprintf("%sassets/%s/%s", ctx->style == LINKS_PRINT ? "" : "../../", c->id, rel);
	}
	free(rel);
	return out;
}

/* Replaces each <img src="cppic:N" alt="ALT" ... /> by an SVG showing
 * picture N, defined once in the file (phone_make), sized like it and
 * labelled with its alt text.  Frees html and pics. */
static char *
use_pictures(char *html, struct pic *pics, size_t n)
{
	struct buf b = {0};
	const char *s, *t;

	for (s = html; (t = strstr(s, "<img src=\"cppic:")) != NULL;) {
		const char *end = strstr(t, "/>"), *alt = strstr(t, " alt=\""), *alt_end;
		char *stop;
		unsigned long i = strtoul(t + strlen("<img src=\"cppic:"), &stop, 10);

		alt_end = alt && alt < end ? strchr(alt + 6, '"') : NULL;
		if (end == NULL || *stop != '"' || i >= n || alt_end == NULL || alt_end > end) {
			buf_add(&b, s, (size_t)(t - s) + 1);
			s = t + 1;
			continue;
		}
		buf_add(&b, s, (size_t)(t - s));
		buf_printf(&b, "<svg class=\"pic\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", pics[i].w, pics[i].h);
		buf_add(&b, alt + 6, (size_t)(alt_end - alt - 6));
		buf_printf(&b, "\"><use href=\"#%s\" xlink:href=\"#%s\"/></svg>", pics[i].id, pics[i].id);
		s = end + 2;
	}
	buf_puts(&b, s);
	free(pics);
	free(html);
	return buf_detach(&b);
}

/* Replaces each link <a href="cpomit:N">text</a> by its text and a note
 * naming omitted[N], an attachment the phone edition leaves out, so that
 * nothing disappears without a word.  Frees html and the names. */
static char *
name_omitted(char *html, char **omitted, size_t n)
{
	struct buf b = {0};
	const char *s, *t;
	size_t k;

	for (s = html; (t = strstr(s, "<a href=\"cpomit:")) != NULL;) {
		const char *close = strchr(t, '>'), *end = close ? strstr(close, "</a>") : NULL;
		char *stop;
		unsigned long i = strtoul(t + strlen("<a href=\"cpomit:"), &stop, 10);

		if (end == NULL || *stop != '"' || i >= n) {
			buf_add(&b, s, (size_t)(t - s) + 1);
			s = t + 1;
			continue;
		}
		buf_add(&b, s, (size_t)(t - s));
		buf_add(&b, close + 1, (size_t)(end - close - 1));
		buf_puts(&b, "<span class=\"omitted\">（附件“");
		buf_escape(&b, omitted[i]);
		buf_puts(&b, "”没有收进手机版，请看村里的学习包）</span>");
		s = end + strlen("</a>");
	}
	buf_puts(&b, s);
	for (k = 0; k < n; k++)
		free(omitted[k]);
	free(omitted);
	free(html);
	return buf_detach(&b);
}

/* Previous, contents, next.  The top one is short, to leave a phone's
 * first screen to the lesson; the bottom one names the neighbours. */
char *
render_body(const struct plan *p, size_t i, struct md_doc *md, enum link_style style, unsigned modes,
    struct asset_set *assets, struct link_deps *deps)
{
	struct link_ctx ctx = {p, p->lessons[i], style, modes, assets, NULL, 0, NULL, 0, NULL, 0, deps};
	char *html = md ? md_doc_render(md, map_url, &ctx, style == LINKS_PRINT || style == LINKS_PHONE) : NULL;
	struct buf b = {0};
	const char *s, *t;
	size_t k;

	if (html == NULL)
		html = xstrdup("");
	if (ctx.nomitted > 0)
		html = name_omitted(html, ctx.omitted, ctx.nomitted);
	if (ctx.npics > 0)
		html = use_pictures(html, ctx.pics, ctx.npics);
	if (ctx.ninline == 0)
		return html;
	for (s = html; (t = strstr(s, "\"cpinline:")) != NULL; s = t) {
		char *end;
		unsigned long n;

		buf_add(&b, s, (size_t)(t - s) + 1);
		t += strlen("\"cpinline:");
		n = strtoul(t, &end, 10);
		if (end != t && *end == '"' && n < ctx.ninline) {
			buf_puts(&b, ctx.inline_uris[n]);
			t = end;
		}
	}
	buf_puts(&b, s);
	for (k = 0; k < ctx.ninline; k++)
		free(ctx.inline_uris[k]);
	free(ctx.inline_uris);
	free(html);
	return buf_detach(&b);
}

static void
pager(struct buf *b, const struct plan *p, size_t i, int titles)
{
	buf_puts(b, "<nav class=\"pager\">");
	if (i > 0) {
		const struct lesson *l = p->lessons[i - 1];

		buf_printf(b, "<a rel=\"prev\" href=\"../%s/%s.html\">← 上一课", l->course->id, l->id);
		if (titles) {
			buf_puts(b, "：");
			buf_escape(b, l->title);
		}
		buf_puts(b, "</a>");
	}
	buf_puts(b, "<a class=\"index\" href=\"../../index.html\">目录</a>");
	if (i + 1 < p->nlessons) {
		const struct lesson *l = p->lessons[i + 1];

		buf_printf(b, "<a rel=\"next\" href=\"../%s/%s.html\">下一课", l->course->id, l->id);
		if (titles) {
			buf_puts(b, "：");
			buf_escape(b, l->title);
		}
		buf_puts(b, " →</a>");
	}
	buf_puts(b, "</nav>\n");
}

void
render_review(struct buf *b, const struct lesson *l)
{
	const struct review_status *st = review_status_of(l);

	/* A review of an earlier version says nothing about this one. */
	if (st == NULL || st->state != REVIEW_OK)
		return;
	buf_puts(b, "<p class=\"meta review\">审核：");
	buf_escape(b, st->review->by);
	buf_printf(b, "&#160;&#160;日期：%s</p>\n", st->review->date);
}

void
render_lesson(const struct project *pr, const struct plan *p, size_t i, struct shared_text *body,
    struct asset_set *assets, struct doc *out)
{
	const struct lesson *l = p->lessons[i];
	struct buf *b = &out->b;
	size_t k;

	page_head(b, "zh-CN", l->title, p->village->name, "../../");
	buf_puts(b, "<header class=\"top\"><a href=\"../../index.html\">");
	buf_escape(b, p->village->name);
	buf_puts(b, "学习包</a> · ");
	buf_escape(b, render_category_zh(pr, l->course->category));
	buf_puts(b, " · ");
	buf_escape(b, l->course->title);
	buf_puts(b, "</header>\n");
	pager(b, p, i, 0);
	buf_printf(b, "<main lang=\"%s\">\n<p class=\"meta\">第 %zu 课 · ", l->course->lang, i + 1);
	render_hours(b, l->hours);
	buf_puts(b, " 学时 · ");
	render_modes(b, l->modes);
	buf_puts(b, "</p>\n<h1>");
	buf_escape(b, l->title);
	buf_puts(b, "</h1>\n");
	doc_add_shared(out, body);
	render_sources(b, l);
	buf_puts(b, "</main>\n");
	/* After the lesson's text: the workspace's preview shows the text
	 * only. */
	render_review(b, l);
	pager(b, p, i, 1);
	page_foot(b, pr);
	/* Media the manifest lists without the Markdown naming them. */
	for (k = 0; k < l->nassets; k++)
		asset_set_add(assets, l->course, l->assets[k].id);
}

static void
coverage_table(struct buf *b, const struct project *pr, const struct plan *p)
{
	const struct recipe *r = p->recipe;
	size_t c;
	int g;

	buf_puts(b, "<div class=\"table-wrap\"><table>\n<tr><th>党员</th><th class=\"num\">人数</th>"
	    "<th class=\"num\">可学学时</th>");
	for (c = 0; c < r->ncategories; c++) {
		buf_puts(b, "<th class=\"num\">");
		buf_escape(b, render_category_zh(pr, r->categories[c].ref));
		buf_puts(b, "</th>");
	}
	buf_puts(b, "<th>是否达标</th></tr>\n");
	for (g = 0; g < GROUP__COUNT; g++) {
		int short_ = 0;
		size_t k;

		for (k = 0; k < p->nshortfalls; k++)
			short_ |= p->shortfalls[k].group == (enum group)g;
		buf_printf(b, "<tr><td>%s</td><td class=\"num\">%d</td><td class=\"num\">",
		    render_group_zh((enum group)g), p->village->members[g]);
		render_hours(b, p->reach_total[g]);
		buf_puts(b, "</td>");
		for (c = 0; c < r->ncategories; c++) {
			buf_puts(b, "<td class=\"num\">");
			render_hours(b, p->reach[g][c]);
			buf_puts(b, "</td>");
		}
		buf_printf(b, "<td>%s</td></tr>\n", p->village->members[g] == 0 ? "无此类党员" :
		    short_ ? "<span class=\"short\">未达标</span>" : "<span class=\"ok\">达标</span>");
	}
	buf_puts(b, "<tr><th>要求</th><td></td><td class=\"num\">");
	render_hours(b, r->min_hours);
	buf_puts(b, "</td>");
	for (c = 0; c < r->ncategories; c++) {
		buf_puts(b, "<td class=\"num\">");
		render_hours(b, r->categories[c].min_hours);
		buf_puts(b, "</td>");
	}
	buf_puts(b, "<td></td></tr>\n</table></div>\n");
}

/* The index page's heading and the paragraphs under it: whose package,
 * how many lessons and hours, the print edition for homebound members. */
static void
index_intro(struct buf *b, const struct project *pr, const struct plan *p)
{
	const struct village *v = p->village;
	const struct recipe *r = p->recipe;
	struct plan home;

	buf_puts(b, "<main>\n<h1>");
	buf_escape(b, v->name);
	buf_puts(b, "党员冬春训学习包</h1>\n<p class=\"meta\">");
	buf_escape(b, r->title);
	buf_puts(b, "</p>\n<p>");
	if (pr->township->county)
		buf_escape(b, pr->township->county);
	buf_escape(b, pr->township->name);
	buf_escape(b, v->name);
	buf_printf(b, "，共 %zu 课、", p->nlessons);
	render_hours(b, p->total);
	buf_puts(b, " 学时。每名党员至少学习 ");
	render_hours(b, r->min_hours);
	buf_puts(b, " 学时。");
	if (v->dialect) {
		buf_puts(b, "授课使用普通话和");
		buf_escape(b, v->dialect);
		buf_puts(b, "。");
	}
	buf_puts(b, "</p>\n<p>送学上门用的大字读本：<a href=\"print.html\">打印版</a>（A4，每课另起一页，"
	    "附学习记录表），收录居家党员可计学时的 ");
	plan_view(p, GROUP_HOMEBOUND, &home);
	buf_printf(b, "%zu 课、", home.nlessons);
	render_hours(b, home.total);
	plan_view_release(&home);
	buf_puts(b, " 学时。</p>\n");
}

/* The table of contents: the lessons by category, in plan order, with
 * their hours and modes, and the total. */
static void
index_contents(struct buf *b, const struct project *pr, const struct plan *p)
{
	const struct recipe *r = p->recipe;
	size_t i, c;

	buf_puts(b, "<h2>课程目录</h2>\n<div class=\"table-wrap\"><table>\n"
	    "<tr><th class=\"num\">序号</th><th>课程</th><th class=\"num\">学时</th><th>学习方式</th></tr>\n");
	for (c = 0; c < r->ncategories; c++) {
		int any = 0;

		for (i = 0; i < p->nlessons; i++) {
			const struct lesson *l = p->lessons[i];
			char *page;

			if (plan_category_index(p, l) != c)
				continue;
			if (!any) {
				buf_puts(b, "<tr class=\"category\"><th colspan=\"2\">");
				buf_escape(b, render_category_zh(pr, r->categories[c].ref));
				buf_puts(b, "</th><th class=\"num\">");
				render_hours(b, p->hours[c]);
				buf_puts(b, "</th><th></th></tr>\n");
				any = 1;
			}
			page = render_page_name(l);
			buf_printf(b, "<tr><td class=\"num\">%zu</td><td><a href=\"%s\">", i + 1, page);
			buf_escape(b, l->title);
			buf_puts(b, "</a></td><td class=\"num\">");
			render_hours(b, l->hours);
			buf_puts(b, "</td><td>");
			render_modes(b, l->modes);
			buf_puts(b, "</td></tr>\n");
			free(page);
		}
	}
	buf_puts(b, "<tr><th colspan=\"2\">合计</th><th class=\"num\">");
	render_hours(b, p->total);
	buf_puts(b, "</th><th></th></tr>\n</table></div>\n");
}

/* The village's dates, when its profile gives any: the practical
 * activity, then its sessions. */
static void
index_schedule(struct buf *b, const struct plan *p)
{
	const struct village *v = p->village;
	size_t i;

	if (!v->nsessions && !(v->activity.id && v->activity_date))
		return;
	buf_puts(b, "<h2>学习安排</h2>\n<ul>\n");
	for (i = 0; i < p->nlessons && v->activity.id && v->activity_date; i++) {
		const struct lesson *l = p->lessons[i];
		char *full = xasprintf("%s/%s", l->course->id, l->id);

		if (streq(full, v->activity.id)) {
			buf_puts(b, "<li>");
			buf_escape(b, v->activity_date);
			buf_puts(b, "，实践活动：");
			buf_escape(b, l->title);
			buf_puts(b, "</li>\n");
		}
		free(full);
	}
	for (i = 0; i < v->nsessions; i++) {
		buf_puts(b, "<li>");
		buf_escape(b, v->sessions[i].date);
		if (v->sessions[i].place) {
			buf_puts(b, "，");
			buf_escape(b, v->sessions[i].place);
		}
		buf_puts(b, "：");
		buf_escape(b, v->sessions[i].topic);
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
}

char *
render_index(const struct project *pr, const struct plan *p)
{
	struct buf b = {0};
	size_t n;

	page_head(&b, "zh-CN", "学习包目录", p->village->name, "");
	index_intro(&b, pr, p);
	buf_puts(&b, "<h2>查找课程</h2>\n<form id=\"search\" role=\"search\" action=\"index.html\">"
	    "<label for=\"q\">输入两个字以上的词：</label> <input id=\"q\" name=\"q\" type=\"search\"> "
	    "<button type=\"submit\">查找</button></form>\n"
	    "<p id=\"search-status\" aria-live=\"polite\"></p>\n<ul id=\"search-results\"></ul>\n"
	    "<noscript><p>查找要用到浏览器的脚本功能；不查找也可以从下面的目录阅读全部课程。</p></noscript>\n");
	index_contents(&b, pr, p);
	buf_puts(&b, "<h2>各类党员学时</h2>\n"
	    "<p>在村党员参加集中学习和田间课堂，居家党员由支部送学上门，流动党员线上学习。</p>\n");
	coverage_table(&b, pr, p);
	index_schedule(&b, p);
	buf_puts(&b, "</main>\n");
	page_foot(&b, pr);
	/* After the footer's text, so that reading never waits for it. */
	n = b.len - strlen("</body>\n</html>\n");
	b.len = n;
	b.data[n] = '\0';
	buf_puts(&b, "<script src=\"search.js\"></script>\n</body>\n</html>\n");
	return buf_detach(&b);
}

/* The lessons of the package that are not in this edition (edition is a
 * view of all, plan_view), named so that nobody looks for them here: they
 * count only where their own group studies them. */
void
render_outside(struct buf *b, const struct plan *all, const struct plan *edition, const char *where)
{
	size_t i, k = 0, n = 0;
	int hours = 0;

	for (i = 0; i < all->nlessons; i++)
		if (k < edition->nlessons && all->lessons[i] == edition->lessons[k])
			k++;
		else
			n++, hours += all->lessons[i]->hours;
	if (n == 0)
		return;
	buf_printf(b, "<div class=\"outside\"><p>本村学习包另有 %zu 课、", n);
	render_hours(b, hours);
	buf_printf(b, " 学时%s，不计入本版学时，没有收在这里：</p>\n<ul>\n", where);
	for (i = 0, k = 0; i < all->nlessons; i++) {
		if (k < edition->nlessons && all->lessons[i] == edition->lessons[k]) {
			k++;
			continue;
		}
		buf_puts(b, "<li>");
		buf_escape(b, all->lessons[i]->title);
		buf_puts(b, "（");
		render_hours(b, all->lessons[i]->hours);
		buf_puts(b, " 学时）</li>\n");
	}
	buf_puts(b, "</ul>\n</div>\n");
}
