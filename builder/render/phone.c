#include <stdlib.h>
#include <string.h>

#include "editions.h"
#include "receipt.h"
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
    ".outside { color: #5a5a5a; font-size: 0.95rem; border-left: 4px solid #f4efe6; padding-left: 0.75rem; }\n"
    "button.done, #r-copy { font-size: 1rem; min-height: 44px; padding: 0.4rem 1rem; margin: 1rem 0 0; }\n"
    "button.done.on { background: #e6f2e6; }\n"
    "#receipt { border-top: 3px solid #f4efe6; margin-top: 2rem; }\n"
    "#receipt label { display: block; margin: 0.3rem 0; }\n"
    "#receipt ul { list-style: none; padding-left: 0; }\n"
    "#receipt input[type=checkbox] { width: 1.2rem; height: 1.2rem; vertical-align: middle; }\n"
    "#r-name, #r-text { box-sizing: border-box; width: 100%; font-size: 1rem; padding: 0.4rem; }\n"
    "#r-text { font-family: inherit; }\n"
    "[hidden] { display: none !important; }\n";

/* The receipt view (学习回执): ticks kept in localStorage where the
 * browser allows it for file://, ticked by hand where it does not, and a
 * text for the village chat with a check code that receipt.c checks
 * (receipt.h says how it is made).  Nothing is shown without script. */
static const char phone_receipt_js[] =
    "(function () {\n"
    "  'use strict';\n"
    "  var sec = document.getElementById('receipt');\n"
    "  if (!sec || !document.querySelectorAll) return;\n"
    "  var A = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';\n"
    "  var id = sec.getAttribute('data-build');\n"
    "  var key = 'coursepack-receipt:' + id;\n"
    "  var state = { name: '', done: {} };\n"
    "  var nlessons = document.querySelectorAll('button.done').length;\n"
    "  var store = null;\n"
    "  try {\n"
    "    store = window.localStorage;\n"
    "    store.setItem(key + ':probe', '1');\n"
    "    store.removeItem(key + ':probe');\n"
    "  } catch (e) { store = null; }\n"
    "  if (store) {\n"
    "    try {\n"
    "      var saved = JSON.parse(store.getItem(key) || 'null');\n"
    "      if (saved && typeof saved === 'object') {\n"
    "        if (typeof saved.name === 'string') state.name = saved.name;\n"
    "        if (saved.done && typeof saved.done === 'object')\n"
    "          for (var k in saved.done)\n"
    "            if (Object.prototype.hasOwnProperty.call(saved.done, k) && /^[0-9]{1,3}$/.test(k) && +k >= 1 && +k <= nlessons &&\n"
    "                /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(saved.done[k])) state.done[k] = saved.done[k];\n"
    "      }\n"
    "    } catch (e) { state = { name: '', done: {} }; }\n"
    "  }\n"
    "  function save() {\n"
    "    if (!store) return;\n"
    "    try { store.setItem(key, JSON.stringify(state)); } catch (e) { store = null; }\n"
    "  }\n"
    "  function pad(n) { return (n < 10 ? '0' : '') + n; }\n"
    "  function today() {\n"
    "    var d = new Date();\n"
    "    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());\n"
    "  }\n"
    "  function trim(s) { return s.replace(/^[\\s\\u3000]+|[\\s\\u3000]+$/g, ''); }\n"
    "  /* As receipt_name_normalise in coursepack's builder/receipt.c. */\n"
    "  function norm(s) {\n"
    "    var o = '', i, c;\n"
    "    for (i = 0; i < s.length; i++) {\n"
    "      c = s.charCodeAt(i);\n"
    "      if (c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x200b && c <= 0x200d) || c === 0xfeff) continue;\n"
    "      if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;\n"
    "      if (c >= 65 && c <= 90) c += 32;\n"
    "      if (c === 0x30fb || c === 0xff65 || c === 0x2022 || c === 0x2027) c = 0xb7;\n"
    "      o += String.fromCharCode(c);\n"
    "    }\n"
    "    return o;\n"
    "  }\n"
    "  function compact(ns) {\n"
    "    var out = [], i = 0, j;\n"
    "    while (i < ns.length) {\n"
    "      for (j = i; j + 1 < ns.length && ns[j + 1] === ns[j] + 1; j++);\n"
    "      out.push(j > i ? ns[i] + '-' + ns[j] : String(ns[i]));\n"
    "      i = j + 1;\n"
    "    }\n"
    "    return out.join(',');\n"
    "  }\n"
    "  /* FNV-1a 64 in two 32-bit halves (no BigInt on old phones); the code\n"
    "   * is its top 40 bits in Crockford's base32, as receipt_code does. */\n"
    "  function code(name, lessons, first, last) {\n"
    "    var s = unescape(encodeURIComponent('coursepack receipt 1\\n' + id + '\\n' + name + '\\n' + lessons + '\\n' + first + ',' + last));\n"
    "    var hi = 0xcbf29ce4, lo = 0x84222325, i, x, v, o = '';\n"
    "    for (i = 0; i < s.length; i++) {\n"
    "      lo = (lo ^ s.charCodeAt(i)) >>> 0;\n"
    "      x = lo * 0x1b3;\n"
    "      hi = (hi * 0x1b3 + Math.floor(x / 4294967296) + ((lo << 8) >>> 0)) >>> 0;\n"
    "      lo = x >>> 0;\n"
    "    }\n"
    "    v = hi * 256 + (lo >>> 24);\n"
    "    for (i = 0; i < 8; i++) o += A.charAt(Math.floor(v / Math.pow(2, 35 - 5 * i)) % 32);\n"
    "    return o;\n"
    "  }\n"
    "  var nameIn = document.getElementById('r-name');\n"
    "  var text = document.getElementById('r-text');\n"
    "  var said = document.getElementById('r-said');\n"
    "  var boxes = sec.querySelectorAll('input[type=checkbox]');\n"
    "  var buttons = document.querySelectorAll('button.done');\n"
    "  function render() {\n"
    "    var ns = [], k, first = '', last = '', i;\n"
    "    for (k in state.done) if (Object.prototype.hasOwnProperty.call(state.done, k)) ns.push(+k);\n"
    "    ns.sort(function (a, b) { return a - b; });\n"
    "    for (i = 0; i < ns.length; i++) {\n"
    "      var d = state.done[ns[i]];\n"
    "      if (!first || d < first) first = d;\n"
    "      if (!last || d > last) last = d;\n"
    "    }\n"
    "    for (i = 0; i < buttons.length; i++) {\n"
    "      var on = !!state.done[buttons[i].getAttribute('data-n')];\n"
    "      buttons[i].textContent = on ? '✓ 已学完（再点一下取消）' : '学完本课';\n"
    "      buttons[i].className = on ? 'done on' : 'done';\n"
    "    }\n"
    "    for (i = 0; i < boxes.length; i++) boxes[i].checked = !!state.done[boxes[i].getAttribute('data-n')];\n"
    "    var name = trim(nameIn.value), n = norm(name);\n"
    "    if (!n || !ns.length) {\n"
    "      text.value = !n ? '请先填写姓名。' : '请先勾选学完的课。';\n"
    "      return;\n"
    "    }\n"
    "    var les = compact(ns), c;\n"
    "    try { c = code(n, les, first, last); } catch (e) { text.value = '姓名里有认不出的字符，请重新填写。'; return; }\n"
    "    text.value = '【学习回执】\\n乡镇：' + sec.getAttribute('data-township') + '\\n村：' + sec.getAttribute('data-village') +\n"
    "      '\\n姓名：' + name + '\\n已学：' + les + '（共 ' + ns.length + ' 课）\\n日期：' + (first === last ? first : first + ' 至 ' + last) +\n"
    "      '\\n校验码：' + c.slice(0, 4) + '-' + c.slice(4);\n"
    "  }\n"
    "  function tick(n, on) {\n"
    "    if (on) state.done[n] = state.done[n] || today();\n"
    "    else delete state.done[n];\n"
    "    save();\n"
    "    render();\n"
    "  }\n"
    "  var i;\n"
    "  for (i = 0; i < buttons.length; i++) {\n"
    "    buttons[i].hidden = false;\n"
    "    buttons[i].onclick = function () { var n = this.getAttribute('data-n'); tick(n, !state.done[n]); };\n"
    "  }\n"
    "  for (i = 0; i < boxes.length; i++)\n"
    "    boxes[i].onchange = function () { tick(this.getAttribute('data-n'), this.checked); };\n"
    "  nameIn.value = state.name;\n"
    "  nameIn.oninput = function () { state.name = nameIn.value; save(); render(); };\n"
    "  document.getElementById('r-nostore').hidden = !!store;\n"
    "  document.getElementById('r-copy').onclick = function () {\n"
    "    function fallback() {\n"
    "      text.focus();\n"
    "      text.select();\n"
    "      var ok = false;\n"
    "      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }\n"
    "      said.textContent = ok ? '已复制，到村里的学习群里粘贴。' : '请长按上面的文字，全选后复制。';\n"
    "    }\n"
    "    try {\n"
    "      if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {\n"
    "        navigator.clipboard.writeText(text.value).then(function () {\n"
    "          said.textContent = '已复制，到村里的学习群里粘贴。';\n"
    "        }, fallback);\n"
    "        return;\n"
    "      }\n"
    "    } catch (e) { /* fall back */ }\n"
    "    fallback();\n"
    "  };\n"
    "  sec.hidden = false;\n"
    "  document.getElementById('r-link').hidden = false;\n"
    "  render();\n"
    "})();\n";

/* The receipt view after the lessons; build_id as receipt_build_id. */
static void
phone_receipt(const struct project *pr, const struct plan *p, const char *build_id, struct buf *b)
{
	size_t i;

	buf_puts(b, "<section id=\"receipt\" hidden data-build=\"");
	buf_escape(b, build_id);
	buf_puts(b, "\" data-township=\"");
	buf_escape(b, pr->township->name);
	buf_puts(b, "\" data-village=\"");
	buf_escape(b, p->village->name);
	buf_puts(b, "\">\n<h2>学习回执</h2>\n"
	    "<p>每学完一课，点课文末尾的“学完本课”。学完后在这里填上姓名，把下面的回执复制到村里的学习群。</p>\n"
	    "<p id=\"r-nostore\" class=\"outside\" hidden>这部手机不能保存学习记录，请在下面直接勾选学完的课。</p>\n"
	    "<label for=\"r-name\">姓名</label>\n<input id=\"r-name\" type=\"text\" maxlength=\"32\" autocomplete=\"name\">\n"
	    "<p>学完的课：</p>\n<ul>\n");
	for (i = 0; i < p->nlessons; i++) {
		buf_printf(b, "<li><label><input type=\"checkbox\" data-n=\"%zu\"> 第 %zu 课 ", i + 1, i + 1);
		buf_escape(b, p->lessons[i]->title);
		buf_puts(b, "</label></li>\n");
	}
	buf_puts(b, "</ul>\n<label for=\"r-text\">回执</label>\n<textarea id=\"r-text\" readonly rows=\"8\"></textarea>\n"
	    "<button type=\"button\" id=\"r-copy\">复制回执</button> <span id=\"r-said\" role=\"status\"></span>\n"
	    "<p class=\"outside\">校验码用来发现抄错、没粘贴全、用了别村或往年的学习包，不能证明确实学过。</p>\n"
	    "<a class=\"back\" href=\"#top\">↑ 回到目录</a>\n</section>\n<script>\n");
	buf_puts(b, phone_receipt_js);
	buf_puts(b, "</script>\n");
}

static void
phone_render(const struct project *pr, const struct plan *all, const struct plan *p,
    struct shared_text *const *bodies, const char *id, struct doc *out)
{
	char *build_id = receipt_build_id(id, p->recipe->id);

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
	buf_puts(b, "</ol>\n<p id=\"r-link\" hidden><a href=\"#receipt\">学习回执：学完后把回执发到村里的学习群</a></p>\n");
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
		buf_printf(b, "<button type=\"button\" class=\"done\" data-n=\"%zu\" hidden>学完本课</button>\n", i + 1);
		buf_puts(b, "<a class=\"back\" href=\"#top\">↑ 回到目录</a>\n</article>\n");
		free(a);
	}
	phone_receipt(pr, p, build_id, b);
	buf_puts(b, "</main>\n");
	free(build_id);
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

	phone_render(in->pr, in->all, in->plan, in->bodies, in->id, out->doc);
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
