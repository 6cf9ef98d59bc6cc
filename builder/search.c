#include <stdlib.h>
#include <string.h>

#include "editions.h"
#include "util.h"

/* A term of the index: a pair of CJK characters or a Latin word, and a
 * lesson it occurs in. */
struct posting {
	char term[64];
	size_t page;
};

static int
posting_cmp(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;
	int c = strcmp(x->term, y->term);

	if (c)
		return c;
	return (x->page > y->page) - (x->page < y->page);
}

/* One UTF-8 character at s: its length, and whether it is a CJK
 * ideograph. */
static size_t
char_at(const unsigned char *s, int *cjk)
{
	unsigned long cp;

	*cjk = 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xf0) == 0xe0 && s[1] && s[2]) {
		cp = (unsigned long)(s[0] & 0x0f) << 12 | (unsigned long)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		*cjk = (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff);
		return 3;
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1])
		return 2;
	if ((s[0] & 0xf8) == 0xf0 && s[1] && s[2] && s[3])
		return 4;
	return 1;
}

static void
add(struct posting **v, size_t *n, size_t *cap, const char *term, size_t len, size_t page)
{
	if (len == 0 || len >= sizeof (*v)->term)
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	memcpy((*v)[*n].term, term, len);
	(*v)[*n].term[len] = '\0';
	(*v)[*n].page = page;
	(*n)++;
}

/* Character bigrams of every run of CJK characters, and Latin words of
 * two or more letters or digits, lowercased. */
static void
index_text(struct posting **v, size_t *n, size_t *cap, const char *text, size_t page)
{
	const unsigned char *s = (const unsigned char *)text;
	char word[64];
	size_t wlen = 0;

	while (*s) {
		int cjk, next_cjk;
		size_t len = char_at(s, &cjk);

		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')) {
			if (wlen < sizeof word - 1)
				word[wlen++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
		} else {
			if (wlen >= 2)
				add(v, n, cap, word, wlen, page);
			wlen = 0;
		}
		if (cjk) {
			size_t len2 = char_at(s + len, &next_cjk);

			if (next_cjk)
				add(v, n, cap, (const char *)s, len + len2, page);
		}
		s += len;
	}
	if (wlen >= 2)
		add(v, n, cap, word, wlen, page);
}

static void
js_string(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == '<')
			buf_printf(b, "\\u%04x", c);
		else
			buf_add(b, s, 1);
	}
	buf_puts(b, "\"");
}

/* The search code; it reads the index above it and works on index.html's
 * form.  Plain ES5, no fetch(): it runs from file://. */
static const char search_code[] =
    "(function () {\n"
    "  var form = document.getElementById('search');\n"
    "  var input = document.getElementById('q');\n"
    "  var list = document.getElementById('search-results');\n"
    "  var status = document.getElementById('search-status');\n"
    "  if (!form || !input || !list || !status) return;\n"
    "  function terms(q) {\n"
    "    var out = [], words = q.toLowerCase().match(/[\\u3400-\\u4dbf\\u4e00-\\u9fff]+|[a-z0-9]+/g) || [];\n"
    "    for (var i = 0; i < words.length; i++) {\n"
    "      var w = words[i];\n"
    "      if (w.length < 2) continue;\n"
    "      if (/^[a-z0-9]+$/.test(w)) { out.push(w); continue; }\n"
    "      for (var k = 0; k + 1 < w.length; k++) out.push(w.substr(k, 2));\n"
    "    }\n"
    "    return out;\n"
    "  }\n"
    "  function find(q) {\n"
    "    var t = terms(q), hits = null;\n"
    "    if (!t.length) return null;\n"
    "    for (var i = 0; i < t.length; i++) {\n"
    "      var post = COURSEPACK_SEARCH.terms[t[i]];\n"
    "      if (!post) return [];\n"
    "      var pages = post.split('.'), next = [];\n"
    "      for (var k = 0; k < pages.length; k++)\n"
    "        if (hits === null || hits.indexOf(+pages[k]) >= 0) next.push(+pages[k]);\n"
    "      hits = next;\n"
    "    }\n"
    "    return hits;\n"
    "  }\n"
    "  function show() {\n"
    "    var hits = find(input.value);\n"
    "    while (list.firstChild) list.removeChild(list.firstChild);\n"
    "    if (hits === null) { status.textContent = '请输入两个字以上的词。'; return; }\n"
    "    status.textContent = hits.length ? '找到 ' + hits.length + ' 课：' : '没有找到含有这个词的课。';\n"
    "    for (var i = 0; i < hits.length; i++) {\n"
    "      var page = COURSEPACK_SEARCH.pages[hits[i]], li = document.createElement('li'),\n"
    "          a = document.createElement('a');\n"
    "      a.href = page[1];\n"
    "      a.textContent = page[0];\n"
    "      li.appendChild(a);\n"
    "      list.appendChild(li);\n"
    "    }\n"
    "  }\n"
    "  form.addEventListener('submit', function (e) { e.preventDefault(); show(); });\n"
    "  input.addEventListener('input', show);\n"
    "  var m = /[?&]q=([^&]*)/.exec(window.location.search);\n"
    "  if (m) { input.value = decodeURIComponent(m[1].replace(/\\+/g, ' ')); show(); }\n"
    "})();\n";

char *
search_script(const struct plan *p, char *const *texts)
{
	struct posting *v = NULL;
	struct buf b = {0};
	size_t n = 0, cap = 0, i;

	for (i = 0; i < p->nlessons; i++) {
		index_text(&v, &n, &cap, p->lessons[i]->title, i);
		index_text(&v, &n, &cap, texts[i], i);
	}
	if (n > 1)
		qsort(v, n, sizeof *v, posting_cmp);
	buf_puts(&b, "/* coursepack search index: character bigrams and words of each lesson.\n"
	    " * Generated; loaded as a plain script so that it works from file://. */\n"
	    "var COURSEPACK_SEARCH = {\n\"pages\": [\n");
	for (i = 0; i < p->nlessons; i++) {
		char *page = render_page_name(p->lessons[i]);

		buf_puts(&b, "[");
		js_string(&b, p->lessons[i]->title);
		buf_puts(&b, ", ");
		js_string(&b, page);
		buf_puts(&b, i + 1 < p->nlessons ? "],\n" : "]\n");
		free(page);
	}
	buf_puts(&b, "],\n\"terms\": {");
	for (i = 0; i < n; i++) {
		if (i > 0 && streq(v[i].term, v[i - 1].term)) {
			if (v[i].page != v[i - 1].page)
				buf_printf(&b, ".%zu", v[i].page);
			continue;
		}
		buf_puts(&b, i ? "\",\n" : "\n");
		js_string(&b, v[i].term);
		buf_printf(&b, ": \"%zu", v[i].page);
	}
	buf_puts(&b, n ? "\"\n}\n};\n" : "}\n};\n");
	buf_puts(&b, search_code);
	free(v);
	return buf_detach(&b);
}
