#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "unit.h"
#include "util.h"

static void
hours(const char *in, int ok, int want)
{
	int t = -1, rc = hours_parse(in, &t);
	char what[80];

	snprintf(what, sizeof what, "hours_parse('%s')", in);
	EXPECT(ok ? rc == 0 && t == want : rc == -1, what);
}

static void
norm(const char *in, const char *want)
{
	char *got = path_normalize(in), what[80];

	snprintf(what, sizeof what, "path_normalize('%s')", in);
	EXPECT_STR(got, want, what);
	free(got);
}

static void
safe(const char *in, int want)
{
	char what[80];

	snprintf(what, sizeof what, "path_is_safe_relative('%s') == %d", in, want);
	EXPECT(path_is_safe_relative(in) == want, what);
}

/* RFC 4648's vectors, and a run long enough to cross encoder blocks. */
static void
test_base64(void)
{
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	size_t i, ok = 0;
	unsigned char big[3000];
	char *got;

	for (i = 0; i < 7; i++) {
		got = base64_encode(in[i], strlen(in[i]));
		ok += strcmp(got, want[i]) == 0;
		free(got);
	}
	EXPECT(ok == 7, "base64: the RFC 4648 vectors");
	for (i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7);
	got = base64_encode(big, sizeof big);
	EXPECT(strlen(got) == 4000 && strncmp(got, "AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/AMKERgfJi00", 60) == 0 &&
	    strchr(got, '\n') == NULL, "base64: long input, one line, no padding needed");
	free(got);
}

void
test_util(void)
{
	char out[16];
	size_t bad = 0;

	{
		/* "./media/x" is "media/x", as in a browser: accepted, and the
		 * same asset. */
		char *a = url_local_path("./media/x.jpg"), *b = url_local_path("././a%20b.md#p"),
		    *c = url_local_path("./"), *d = url_local_path("../x");

		EXPECT(a && strcmp(a, "media/x.jpg") == 0, "url_local_path drops a leading './'");
		EXPECT(b && strcmp(b, "a b.md") == 0, "url_local_path drops repeated './', decodes, cuts '#'");
		EXPECT(c && strcmp(c, "./") == 0, "url_local_path keeps a bare './' (then refused as unsafe)");
		EXPECT(d && strcmp(d, "../x") == 0, "url_local_path keeps '../'");
		free(a);
		free(b);
		free(c);
		free(d);
	}
	hours("1", 1, 10);
	hours("1.5", 1, 15);
	hours(" 16 ", 1, 160);
	hours("0.5", 1, 5);
	hours("1.25", 0, 0);
	hours("1.", 0, 0);
	hours(".5", 0, 0);
	hours("", 0, 0);
	hours("-1", 0, 0);
	hours("99999", 0, 0);
	{
		/* One CSV writer for plan, sheets, the ledger's export and
		 * report: the formula guard's apostrophe is part of the cell,
		 * inside the quotes when it has any. */
		struct buf b = {0};

		buf_csv_cell(&b, "a", 0);
		buf_csv_cell(&b, NULL, 0);
		buf_csv_cell(&b, "say \"hi\", 1", 0);
		buf_csv_cell(&b, "=SUM(A1)", 0);
		buf_csv_cell(&b, "=HYPERLINK(\"x\",1)", 1);
		buf_add(&b, "", 1);
		EXPECT_STR(b.data, "a,,\"say \"\"hi\"\", 1\",'=SUM(A1),\"'=HYPERLINK(\"\"x\"\",1)\"\r\n",
		    "buf_csv_cell: quotes, empty, and the formula guard inside the quotes");
		buf_release(&b);
	}
	hours_format(15, out);
	EXPECT_STR(out, "1.5", "hours_format(15)");
	hours_format(160, out);
	EXPECT_STR(out, "16", "hours_format(160)");
	hours_format(5, out);
	EXPECT_STR(out, "0.5", "hours_format(5)");

	norm("a/./b", "a/b");
	norm("examples/xiayang/../../courses", "courses");
	norm("../x", "../x");
	norm("/a/../../b", "/b");
	norm("a/..", ".");
	norm("a//b/", "a/b");

	safe("01-a.md", 1);
	safe("media/a.svg", 1);
	safe("../a.md", 0);
	safe("a/../b", 0);
	safe("/etc/passwd", 0);
	safe("a\\b", 0);
	safe("a//b", 0);
	safe("./a", 0);
	safe("", 0);
	safe("a\tb", 0);

	EXPECT(utf8_valid("\xe4\xb8\xad\xe6\x96\x87", 6, &bad), "utf8: Chinese is valid");
	EXPECT(!utf8_valid("ab\xe4\xb8", 4, &bad) && bad == 2, "utf8: truncated sequence at offset 2");
	EXPECT(!utf8_valid("\xc0\xaf", 2, &bad) && bad == 0, "utf8: overlong '/' refused");
	EXPECT(!utf8_valid("\xed\xa0\x80", 3, &bad), "utf8: surrogate refused");
	EXPECT(!utf8_valid("\xf4\x90\x80\x80", 4, &bad), "utf8: past U+10FFFF refused");
	EXPECT(utf8_valid("\xf0\x9f\x8c\xbe", 4, &bad), "utf8: 4-byte sequence valid");

	{
		char *j = path_join(".", "a");
		EXPECT_STR(j, "a", "path_join('.', 'a')");
		free(j);
		j = path_dirname("a");
		EXPECT_STR(j, ".", "path_dirname('a')");
		free(j);
		j = path_dirname("x/y/course.xml");
		EXPECT_STR(j, "x/y", "path_dirname('x/y/course.xml')");
		free(j);
	}
	test_base64();
}
