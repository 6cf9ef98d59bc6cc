/* The line diff coursepack diff shows a changed lesson with: edge cases
 * (empty, identical, all changed), hunks and their numbers, the bounds;
 * and the words of a lesson page it compares. */
#include <stdlib.h>
#include <string.h>

#include "linediff.h"
#include "unit.h"
#include "xml.h"

/* The hunks for a against b as one string (caller frees), or NULL when
 * line_diff refused. */
static char *
hunks(const char *const *a, size_t na, const char *const *b, size_t nb, size_t max_lines, size_t max_edits)
{
	struct buf o = {NULL, 0, 0};
	struct ld_edit *e;
	size_t n;

	if (line_diff(a, na, b, nb, max_lines, max_edits, &e, &n) == -1)
		return NULL;
	line_diff_hunks(&o, a, b, e, n, 1, "");
	free(e);
	return o.data ? o.data : xstrdup("");
}

/* Every edit accounted for: kept and deleted lines walk a in order, kept
 * and added lines walk b in order. */
static int
script_ok(const char *const *a, size_t na, const char *const *b, size_t nb, size_t *nchanged)
{
	struct ld_edit *e;
	size_t n, i, ia = 0, ib = 0;
	int ok = 1;

	if (line_diff(a, na, b, nb, 1000, 1000, &e, &n) == -1)
		return 0;
	*nchanged = 0;
	for (i = 0; i < n; i++) {
		if (e[i].op != LD_ADD)
			ok &= e[i].a == ia++;
		if (e[i].op != LD_DEL)
			ok &= e[i].b == ib++;
		if (e[i].op == LD_SAME)
			ok &= strcmp(a[e[i].a], b[e[i].b]) == 0;
		*nchanged += e[i].op != LD_SAME;
	}
	free(e);
	return ok && ia == na && ib == nb;
}

static void
collect(void *ctx, const char *line)
{
	struct buf *b = ctx;

	buf_printf(b, "%s\n", line);
}

static void
test_page_words(void)
{
	static const char page[] =
	    "<!DOCTYPE html><html><head><title>t</title><style>p{}</style></head><body>"
	    "<nav>上一课</nav><main><p class=\"meta\">第 3 课 · 1 学时</p><h1>标题</h1>\n"
	    "<p>第一句，\n  <strong>加粗</strong>。</p><ul><li>甲</li><li><p>乙</p></li></ul>"
	    "<table><tr><th>列</th><th>值</th></tr><tr><td>a</td><td>1</td></tr></table>"
	    "<script>x()</script><p>\x01尾</p></main><footer>页脚</footer></body></html>";
	struct buf b = {NULL, 0, 0}, deep = {NULL, 0, 0};
	long n = xml_html_text(page, sizeof page - 1, "meta", 100, collect, &b);
	size_t i;

	EXPECT(n == 7, "page words: one line per block of <main>");
	EXPECT_STR(b.data, "标题\n第一句， 加粗。\n甲\n乙\n列 | 值\na | 1\n尾\n",
	    "page words: no tags, chrome, scripts, meta line or control characters");
	buf_release(&b);
	EXPECT(xml_html_text(page, sizeof page - 1, "meta", 3, collect, &b) == -1,
	    "page words: more lines than the limit are refused");
	buf_release(&b);
	/* A hostile page nested deeper than any stack: the HTML parser
	 * caps the depth, so the walk stays shallow. */
	for (i = 0; i < 200000; i++)
		buf_puts(&deep, "<div><p>");
	EXPECT(xml_html_text(deep.data, deep.len, NULL, 100, collect, &b) >= 0,
	    "page words: a page nested 200000 deep is read without a crash");
	buf_release(&deep);
	buf_release(&b);
}

void
test_linediff(void)
{
	static const char *const a[] = {"一", "二", "三", "四", "五", "六", "七", "八"};
	static const char *const b[] = {"一", "二", "三", "肆", "五", "六", "七", "八", "九"};
	static const char *const c[] = {"x", "y"};
	size_t changed;
	char *h;

	h = hunks(NULL, 0, NULL, 0, 10, 10);
	EXPECT_STR(h, "", "line diff: two empty lists have no hunk");
	free(h);
	h = hunks(a, 8, a, 8, 10, 10);
	EXPECT_STR(h, "", "line diff: identical lists have no hunk");
	free(h);
	h = hunks(NULL, 0, c, 2, 10, 10);
	EXPECT_STR(h, "@@ -0,0 +1,2 @@\n+ x\n+ y\n", "line diff: from empty, all added");
	free(h);
	h = hunks(c, 2, NULL, 0, 10, 10);
	EXPECT_STR(h, "@@ -1,2 +0,0 @@\n- x\n- y\n", "line diff: to empty, all removed");
	free(h);
	h = hunks(a, 2, c, 2, 10, 10);
	EXPECT_STR(h, "@@ -1,2 +1,2 @@\n- 一\n- 二\n+ x\n+ y\n", "line diff: all changed");
	free(h);
	h = hunks(a, 8, b, 9, 10, 10);
	EXPECT_STR(h, "@@ -3,3 +3,3 @@\n  三\n- 四\n+ 肆\n  五\n@@ -8,1 +8,2 @@\n  八\n+ 九\n",
	    "line diff: two hunks, one line of context, numbered as diff -u");
	free(h);
	EXPECT(script_ok(a, 8, b, 9, &changed) && changed == 3, "line diff: the shortest script, every line once");
	EXPECT(script_ok(b, 9, c, 2, &changed) && changed == 11, "line diff: nothing in common");
	h = hunks(a, 8, b, 9, 10, 2);
	EXPECT(h == NULL, "line diff: more edits than the bound is 'too many changes'");
	h = hunks(a, 8, b, 9, 10, 3);
	EXPECT(h != NULL && strstr(h, "+ 九") != NULL, "line diff: exactly the bound is shown");
	free(h);
	h = hunks(a, 8, b, 9, 8, 10);
	EXPECT(h == NULL, "line diff: more lines than the bound are refused");
	test_page_words();
}
