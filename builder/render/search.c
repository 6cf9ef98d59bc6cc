#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "editions.h"
#include "util.h"

/* Terms are collected per lesson into a small hash set, in the order
 * they first appear (search_script sorts them all), with how often each
 * occurs.  Their text is kept in one buffer, each NUL-terminated. */
struct term_set {
	struct buf text;
	uint32_t *off;		/* each term's offset in text */
	uint32_t *hash;
	uint32_t *count;	/* occurrences in title and text */
	size_t n, cap;		/* cap: a power of two, slots in `slot` */
	uint32_t *slot;		/* 0 empty, else index + 1 */
};

static uint32_t
term_hash(const char *s, size_t len)
{
	return fnv1a(FNV1A_INIT, s, len);
}

static void
set_grow(struct term_set *ts)
{
	size_t cap = ts->cap ? ts->cap * 2 : 1024, i;

	free(ts->slot);
	ts->slot = xcalloc(cap, sizeof *ts->slot);
	ts->cap = cap;
	ts->off = xreallocarray(ts->off, cap / 2, sizeof *ts->off);
	ts->hash = xreallocarray(ts->hash, cap / 2, sizeof *ts->hash);
	ts->count = xreallocarray(ts->count, cap / 2, sizeof *ts->count);
	for (i = 0; i < ts->n; i++) {
		size_t k = ts->hash[i] & (cap - 1);

		while (ts->slot[k])
			k = (k + 1) & (cap - 1);
		ts->slot[k] = (uint32_t)i + 1;
	}
}

static void
add(struct term_set *ts, const char *term, size_t len)
{
	uint32_t h;
	size_t k;

	if (len == 0 || len >= 64)
		return;
	if (ts->n + 1 > ts->cap / 2)
		set_grow(ts);
	h = term_hash(term, len);
	for (k = h & (ts->cap - 1); ts->slot[k]; k = (k + 1) & (ts->cap - 1)) {
		size_t i = ts->slot[k] - 1;
		const char *t = ts->text.data + ts->off[i];

		if (ts->hash[i] == h && memcmp(t, term, len) == 0 && t[len] == '\0') {
			if (ts->count[i] < SEARCH_COUNT_MAX)
				ts->count[i]++;
			return;
		}
	}
	ts->off[ts->n] = (uint32_t)ts->text.len;
	buf_add(&ts->text, term, len);
	buf_add(&ts->text, "", 1);
	ts->hash[ts->n] = h;
	ts->count[ts->n] = 1;
	ts->slot[k] = (uint32_t)++ts->n;
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

/* Character bigrams of every run of CJK characters, and Latin words of
 * two or more letters or digits, lowercased. */
static void
index_text(struct term_set *ts, const char *text)
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
				add(ts, word, wlen);
			wlen = 0;
		}
		if (cjk) {
			size_t len2 = char_at(s + len, &next_cjk);

			if (next_cjk)
				add(ts, (const char *)s, len + len2);
		}
		s += len;
	}
	if (wlen >= 2)
		add(ts, word, wlen);
}

void
search_terms_make(struct search_terms *out, const char *title, const char *text)
{
	struct term_set ts = {0};
	struct buf blob = {0};

	index_text(&ts, title);
	index_text(&ts, text);
	out->n = ts.n;
	buf_reserve(&blob, 2 * ts.n * sizeof(uint32_t) + ts.text.len);
	if (ts.n > 0) {
		buf_add(&blob, ts.hash, ts.n * sizeof(uint32_t));
		buf_add(&blob, ts.count, ts.n * sizeof(uint32_t));
	}
	buf_add(&blob, ts.text.data, ts.text.len);
	out->len = blob.len;
	out->data = buf_detach(&blob);
	buf_release(&ts.text);
	free(ts.off);
	free(ts.hash);
	free(ts.count);
	free(ts.slot);
}

void
search_terms_release(struct search_terms *t)
{
	free(t->data);
	memset(t, 0, sizeof *t);
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
    "  function lessons(post) {\n"
    "    var gaps = post.split('.'), out = [], n = 0;\n"
    "    for (var k = 0; k < gaps.length; k++) {\n"
    "      var p = gaps[k].split(':');\n"
    "      n += +p[0];\n"
    "      out.push([n, p.length > 1 ? +p[1] : 1]);\n"
    "    }\n"
    "    return out;\n"
    "  }\n"
    "  function find(q) {\n"
    "    var t = terms(q), index = COURSEPACK_SEARCH.terms, hits = null;\n"
    "    if (!t.length) return null;\n"
    "    for (var i = 0; i < t.length; i++) {\n"
    "      var post = Object.prototype.hasOwnProperty.call(index, t[i]) ? index[t[i]] : null;\n"
    "      if (!post) return [];\n"
    "      var pages = lessons(post), next = [], a = 0, b = 0;\n"
    "      if (hits === null) { hits = pages; continue; }\n"
    "      while (a < hits.length && b < pages.length)\n"
    "        if (hits[a][0] < pages[b][0]) a++;\n"
    "        else if (hits[a][0] > pages[b][0]) b++;\n"
    "        else { next.push([hits[a][0], hits[a][1] + pages[b][1]]); a++; b++; }\n"
    "      hits = next;\n"
    "    }\n"
    "    return hits;\n"
    "  }\n"
    "  function rank(q, hits) {\n"
    "    var words = q.toLowerCase().match(/[\\u3400-\\u4dbf\\u4e00-\\u9fff]{2,}|[a-z0-9]{2,}/g) || [], t = terms(q);\n"
    "    var scored = [];\n"
    "    for (var i = 0; i < hits.length; i++) {\n"
    "      var title = COURSEPACK_SEARCH.pages[hits[i][0]][0].toLowerCase(), w = 0, b = 0, k;\n"
    "      for (k = 0; k < words.length; k++) if (title.indexOf(words[k]) >= 0) w++;\n"
    "      for (k = 0; k < t.length; k++) if (title.indexOf(t[k]) >= 0) b++;\n"
    "      scored.push([w, b, hits[i][1], i, hits[i][0]]);\n"
    "    }\n"
    "    scored.sort(function (x, y) { return y[0] - x[0] || y[1] - x[1] || y[2] - x[2] || x[3] - y[3]; });\n"
    "    return scored.map(function (x) { return x[4]; });\n"
    "  }\n"
    "  function show() {\n"
    "    var hits = find(input.value);\n"
    "    if (hits) hits = rank(input.value, hits);\n"
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

/* Appends n in decimal: printf is slow for millions of page numbers. */
static void
put_number(struct buf *b, size_t n)
{
	char tmp[24];
	size_t i = sizeof tmp;

	do
		tmp[--i] = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	buf_add(b, tmp + i, sizeof tmp - i);
}

/* The distinct terms of a village: their text, copied (lessons' terms
 * are read one lesson at a time), and hashes. */
struct terms {
	struct buf text;
	uint32_t *off, *hash;
};

/* A term id with its text, sorted by the text: each element carries what
 * the comparison needs, so plain qsort does (qsort_r's arguments differ
 * between glibc and the BSDs, and a global would not do: villages build
 * in parallel). */
struct term_key {
	const char *text;
	uint32_t id;
};

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct term_key *)a)->text, ((const struct term_key *)b)->text);
}

/* A table of slots (term id + 1, 0 empty) twice the size of `cap` ids,
 * rebuilt from the ids' hashes. */
static uint32_t *
slots_make(const uint32_t *hash, size_t n, size_t cap)
{
	uint32_t *slot = xcalloc(2 * cap, sizeof *slot);
	size_t i, s;

	for (i = 0; i < n; i++) {
		for (s = hash[i] & (2 * cap - 1); slot[s]; s = (s + 1) & (2 * cap - 1))
			;
		slot[s] = (uint32_t)i + 1;
	}
	return slot;
}

/* A village's terms gathered from its lessons: one id per distinct term
 * (its text in tt), and for each occurrence-record of all lessons in plan
 * order its term id and count (ids[j], occ[j]; count[i] of them are
 * lesson i's). */
struct gathered {
	struct terms tt;
	size_t nterms, cap;	/* cap: room in tt.off and tt.hash */
	uint32_t *slot;		/* while gathering: slots_make's table */
	uint32_t *ids, *occ, *count;
	size_t total, idcap;
};

static void
gathered_release(struct gathered *g)
{
	free(g->slot);
	free(g->ids);
	free(g->occ);
	free(g->count);
	free(g->tt.off);
	free(g->tt.hash);
	buf_release(&g->tt.text);
}

/* The id of term t (hash h), added to the table if new. */
static uint32_t
gathered_intern(struct gathered *g, uint32_t h, const char *t)
{
	size_t s;

	for (s = h & (2 * g->cap - 1); g->slot[s]; s = (s + 1) & (2 * g->cap - 1))
		if (g->tt.hash[g->slot[s] - 1] == h && streq(g->tt.text.data + g->tt.off[g->slot[s] - 1], t))
			return g->slot[s] - 1;
	if (g->nterms == g->cap) {
		g->cap *= 2;
		g->tt.off = xreallocarray(g->tt.off, g->cap, sizeof *g->tt.off);
		g->tt.hash = xreallocarray(g->tt.hash, g->cap, sizeof *g->tt.hash);
		free(g->slot);
		g->slot = slots_make(g->tt.hash, g->nterms, g->cap);
		for (s = h & (2 * g->cap - 1); g->slot[s]; s = (s + 1) & (2 * g->cap - 1))
			;
	}
	g->tt.off[g->nterms] = (uint32_t)g->tt.text.len;
	buf_add(&g->tt.text, t, strlen(t) + 1);
	g->tt.hash[g->nterms] = h;
	g->slot[s] = (uint32_t)++g->nterms;
	return g->slot[s] - 1;
}

/* Every lesson's terms into one table: an id per distinct term.  The
 * table grows with the distinct terms, which are far fewer than the
 * lessons' terms together.  Returns 0, or -1 when `get` failed
 * (diagnosed); either way the caller releases g. */
static int
gather(struct gathered *g, const struct plan *p, search_terms_get *get, void *ctx)
{
	size_t i, k;

	g->cap = 1024;
	g->idcap = 1 << 16;
	g->tt.off = xcalloc(g->cap, sizeof *g->tt.off);
	g->tt.hash = xcalloc(g->cap, sizeof *g->tt.hash);
	g->slot = slots_make(g->tt.hash, 0, g->cap);
	g->ids = xcalloc(g->idcap, sizeof *g->ids);
	g->occ = xcalloc(g->idcap, sizeof *g->occ);
	g->count = xcalloc(p->nlessons ? p->nlessons : 1, sizeof *g->count);
	for (i = 0; i < p->nlessons; i++) {
		const struct search_terms *lt;
		const char *t;

		if (get(ctx, i, &lt) == -1)
			return -1;
		g->count[i] = (uint32_t)lt->n;
		if (g->total + lt->n > g->idcap) {
			while (g->total + lt->n > g->idcap)
				g->idcap *= 2;
			g->ids = xreallocarray(g->ids, g->idcap, sizeof *g->ids);
			g->occ = xreallocarray(g->occ, g->idcap, sizeof *g->occ);
		}
		t = lt->data + 2 * lt->n * sizeof(uint32_t);
		for (k = 0; k < lt->n; t += strlen(t) + 1, k++) {
			uint32_t h;

			memcpy(&h, lt->data + k * sizeof h, sizeof h);
			memcpy(&g->occ[g->total], lt->data + (lt->n + k) * sizeof(uint32_t), sizeof(uint32_t));
			g->ids[g->total++] = gathered_intern(g, h, t);
		}
	}
	free(g->slot);
	g->slot = NULL;
	return 0;
}

/* Each term's lessons: terms in byte order (term order[r] has rank r),
 * and for the term of rank r its lessons pages[start[r]] to
 * pages[start[r + 1] - 1] in plan order, with its count in each (pocc). */
struct postings {
	uint32_t *order, *start, *pocc;
	uint16_t *pages;	/* lesson numbers: a package holds fewer than 65,536 */
};

/* The term ids in byte order of their text. */
static uint32_t *
terms_order(const struct gathered *g)
{
	struct term_key *keys = xcalloc(g->nterms ? g->nterms : 1, sizeof *keys);
	uint32_t *order = xcalloc(g->nterms ? g->nterms : 1, sizeof *order);
	size_t i;

	for (i = 0; i < g->nterms; i++) {
		keys[i].text = g->tt.text.data + g->tt.off[i];
		keys[i].id = (uint32_t)i;
	}
	if (g->nterms > 1)
		qsort(keys, g->nterms, sizeof *keys, key_cmp);
	for (i = 0; i < g->nterms; i++)
		order[i] = keys[i].id;
	free(keys);
	return order;
}

/* The postings of g, by counting: lessons are visited in order, so each
 * list comes out sorted.  Frees g->ids and g->occ, not needed after:
 * room for the script. */
static void
postings_make(struct postings *ps, struct gathered *g, const struct plan *p)
{
	size_t n = g->nterms, i, k, at = 0;
	uint32_t *rank = xcalloc(n ? n : 1, sizeof *rank), *fill;

	ps->order = terms_order(g);
	for (i = 0; i < n; i++)
		rank[ps->order[i]] = (uint32_t)i;
	ps->start = xcalloc(n + 1, sizeof *ps->start);
	ps->pages = xcalloc(g->total ? g->total : 1, sizeof *ps->pages);
	ps->pocc = xcalloc(g->total ? g->total : 1, sizeof *ps->pocc);
	for (i = 0; i < g->total; i++)
		ps->start[rank[g->ids[i]] + 1]++;
	for (i = 0; i < n; i++)
		ps->start[i + 1] += ps->start[i];
	fill = xcalloc(n ? n : 1, sizeof *fill);
	for (i = 0; i < p->nlessons; i++)
		for (k = 0; k < g->count[i]; k++) {
			uint32_t r = rank[g->ids[at]];

			ps->pocc[ps->start[r] + fill[r]] = g->occ[at++];
			ps->pages[ps->start[r] + fill[r]++] = (uint16_t)i;
		}
	free(fill);
	free(g->ids);
	free(g->occ);
	free(rank);
	g->ids = g->occ = NULL;
}

static void
postings_release(struct postings *ps)
{
	free(ps->order);
	free(ps->start);
	free(ps->pages);
	free(ps->pocc);
}

/* The index as the script's data: the pages, then each term with its
 * lessons (gaps, and counts above one). */
static void
put_index(struct buf *b, const struct plan *p, const struct gathered *g, const struct postings *ps)
{
	size_t i, k;

	buf_puts(b, "/* coursepack search index: character bigrams and words of each lesson.\n"
	    " * Each term's lessons are numbers into \"pages\", ascending: the first, then\n"
	    " * the gap from the one before; \":N\" after one when the term occurs N times\n"
	    " * in that lesson (more than once).\n"
	    " * Generated; loaded as a plain script so that it works from file://. */\n"
	    "var COURSEPACK_SEARCH = {\n\"pages\": [\n");
	for (i = 0; i < p->nlessons; i++) {
		char *page = render_page_name(p->lessons[i]);

		buf_puts(b, "[");
		js_string(b, p->lessons[i]->title);
		buf_puts(b, ", ");
		js_string(b, page);
		buf_puts(b, i + 1 < p->nlessons ? "],\n" : "]\n");
		free(page);
	}
	buf_puts(b, "],\n\"terms\": {");
	for (i = 0; i < g->nterms; i++) {
		buf_puts(b, i ? "\",\n" : "\n");
		js_string(b, g->tt.text.data + g->tt.off[ps->order[i]]);
		buf_puts(b, ": \"");
		for (k = ps->start[i]; k < ps->start[i + 1]; k++) {
			if (k > ps->start[i])
				buf_puts(b, ".");
			put_number(b, k > ps->start[i] ? (size_t)(ps->pages[k] - ps->pages[k - 1]) : ps->pages[k]);
			if (ps->pocc[k] > 1) {
				buf_puts(b, ":");
				put_number(b, ps->pocc[k]);
			}
		}
	}
	buf_puts(b, g->nterms ? "\"\n}\n};\n" : "}\n};\n");
}

static char *
search_script(const struct plan *p, search_terms_get *get, void *ctx)
{
	struct gathered g = {0};
	struct postings ps = {0};
	struct buf b = {0};

	if (p->nlessons > UINT16_MAX + 1u)
		return NULL;	/* package_build refuses such a package before */
	if (gather(&g, p, get, ctx) == -1) {
		gathered_release(&g);
		return NULL;
	}
	postings_make(&ps, &g, p);
	put_index(&b, p, &g, &ps);
	buf_puts(&b, search_code);
	gathered_release(&g);
	postings_release(&ps);
	return buf_detach(&b);
}

int
search_make(const struct edition_input *in, struct edition_output *out)
{
	char *js = search_script(in->plan, in->terms, in->terms_ctx);

	if (js == NULL)
		return -1;
	archive_insert(out->ar, out->ar->nfiles, xstrdup("search.js"), js, strlen(js), 0);
	return 0;
}
