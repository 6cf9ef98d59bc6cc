#include <stdlib.h>

#include "editions.h"
#include "diag.h"
#include "doc.h"
#include "util.h"

static const char phone_css[] =
    "body { font-size: 17px; }\n"
    ".toc ol { padding-left: 1.5rem; }\n"
    ".toc li { margin: 0.4rem 0; }\n"
    "article { border-top: 3px solid #f4efe6; margin-top: 2rem; }\n"
    ".back { display: block; margin: 1.5rem 0; }\n"
    ".figure { display: block; margin: 1rem 0; }\n"
    ".caption { display: block; text-align: center; color: #5a5a5a; font-size: 0.9rem; }\n"
    "svg.pic { display: block; width: 100%; height: auto; margin: 0 auto; }\n"
    "svg.defs { position: absolute; }\n"
    ".outside { color: #5a5a5a; font-size: 0.95rem; border-left: 4px solid #f4efe6; padding-left: 0.75rem; }\n";

static void
phone_render(const struct project *pr, const struct plan *all, const struct plan *p,
    struct shared_text *const *bodies, struct doc *out)
{
	const struct village *v = p->village;
	struct buf *b = &out->b;
	const char *css;
	size_t i, css_len;

	css = render_stylesheet(&css_len);
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_escape(b, v->name);
	buf_puts(b, "党员冬春训学习包（手机版）</title>\n<style>\n");
	buf_add(b, css, css_len);
	buf_puts(b, phone_css);
	buf_puts(b, "</style>\n</head>\n<body>\n<main>\n<h1 id=\"top\">");
	buf_escape(b, v->name);
	buf_puts(b, "党员冬春训学习包</h1>\n<p class=\"meta\">");
	buf_escape(b, p->recipe->title);
	buf_printf(b, "。共 %zu 课、", p->nlessons);
	render_hours(b, p->total);
	buf_puts(b, " 学时。不用联网，不用装软件，在手机上直接打开阅读。</p>\n<nav class=\"toc\">\n<h2>目录</h2>\n<ol>\n");
	for (i = 0; i < p->nlessons; i++) {
		char *a = render_anchor(p->lessons[i]);

		buf_printf(b, "<li><a href=\"#%s\">", a);
		buf_escape(b, p->lessons[i]->title);
		buf_puts(b, "</a>（");
		render_hours(b, p->lessons[i]->hours);
		buf_puts(b, " 学时）</li>\n");
		free(a);
	}
	buf_puts(b, "</ol>\n");
	render_outside(b, all, p, "要到村里学习或由支部送学上门");
	buf_puts(b, "</nav>\n");
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];
		char *a = render_anchor(l);

		buf_printf(b, "<article id=\"%s\" lang=\"%s\">\n<p class=\"meta\">第 %zu 课 · ", a, l->course->lang,
		    i + 1);
		buf_escape(b, render_category_zh(pr, l->course->category));
		buf_puts(b, " · ");
		render_hours(b, l->hours);
		buf_puts(b, " 学时</p>\n<h2>");
		buf_escape(b, l->title);
		buf_puts(b, "</h2>\n");
		doc_add_shared(out, bodies[i]);
		buf_puts(b, "<a class=\"back\" href=\"#top\">↑ 回到目录</a>\n</article>\n");
		free(a);
	}
	buf_puts(b, "</main>\n");
}

/* Each photo of the edition once, after the text, so that a phone shows
 * the words first; lessons show them through <use> (render.c).  The store
 * made each photo's phone form once for the build.  Returns 0, or -1
 * after diagnosing (a photo could not be read). */
static int
phone_pictures(const struct edition_input *in, struct buf *b)
{
	size_t i;
	int any = 0;

	for (i = 0; i < in->media->n; i++) {
		const struct asset_ref *r = &in->media->v[i];
		const struct shared_asset *a = in->lender->lend(in->lender, r->course, r->path);
		char id[24];

		if (a == NULL)
			return -1;
		if (a->phone) {
			if (!any)
				buf_puts(b, "<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>\n");
			any = 1;
			render_picture_id(r->course, r->path, id);
			buf_printf(b, "<image id=\"%s\" width=\"%d\" height=\"%d\" href=\"", id, a->phone_w, a->phone_h);
			buf_add(b, a->phone, a->phone_len);
			buf_puts(b, "\"/>\n");
		}
		in->lender->give_back(in->lender, a);
	}
	if (any)
		buf_puts(b, "</defs></svg>\n");
	return 0;
}

static int
contribution_cmp(const void *a, const void *b)
{
	const struct asset_ref *x = a, *y = b;

	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

/* Over budget: name what weighs most, images and lesson texts alike. */
static void
over_budget(const struct edition_input *in, size_t have_bytes)
{
	const struct plan *p = in->plan;
	struct asset_ref *v = xcalloc(in->media->n + p->nlessons + 1, sizeof *v);
	struct buf top = {0};
	size_t i, n = 0;
	char *have, *most;

	for (i = 0; i < in->media->n; i++)
		v[n++] = in->media->v[i];
	for (i = 0; i < p->nlessons; i++) {
		const struct asset_set *inl = &in->lesson_media[i];
		size_t k, bytes = in->bodies[i]->len;

		/* The lesson's own text: its images are counted as images. */
		for (k = 0; k < inl->n; k++)
			bytes -= inl->v[k].bytes < bytes ? inl->v[k].bytes : bytes;
		v[n].course = p->lessons[i]->course;
		v[n].path = p->lessons[i]->src;
		v[n++].bytes = bytes;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, contribution_cmp);
	for (i = 0; i < n && i < 3; i++) {
		char *h = human_size(v[i].bytes);

		buf_printf(&top, "%s%s/%s %s", i ? ", " : "", v[i].course->id, v[i].path, h);
		free(h);
	}
	have = human_size(have_bytes);
	most = human_size(in->phone_budget);
	diag(E_PHONE_BUDGET, NULL, in->id, have, most, top.data ? top.data : "");
	free(have);
	free(most);
	buf_release(&top);
	free(v);
}

int
phone_make(const struct edition_input *in, struct edition_output *out)
{
	size_t len;

	phone_render(in->pr, in->all, in->plan, in->bodies, out->doc);
	if (phone_pictures(in, &out->doc->b) == -1)
		return -1;
	buf_puts(&out->doc->b, "</body>\n</html>\n");
	len = doc_len(out->doc);
	if (len > in->phone_budget) {
		over_budget(in, len);
		return -1;
	}
	return 0;
}
