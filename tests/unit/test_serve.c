/* The workspace's request helpers, page chrome and diagnostics capture
 * (builder/serve/page.c, diag.c's sink), without a socket. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "serve.h"
#include "unit.h"
#include "util.h"

static void
say_nul(void *arg)
{
	struct loc loc = {arg, 3, 0};

	diag(E_XML_NUL, &loc);
}

void
test_serve(void)
{
	struct serve_ctx ctx = {"t/township.xml", "courses", "t/ledger.sqlite", "out", "c0ffee", NULL};
	struct serve_field f[] = {
		{(char *)"up", (char *)"bytes", 5, (char *)"a.csv"},
		{(char *)"csrf", (char *)"c0ffee", 6, NULL},
		{(char *)"csrf", (char *)"second", 6, NULL},
	};
	struct serve_request req = {&ctx, "POST", "/build", f, 3};
	struct buf b = {0};
	char *got;
	int errors = diag_count(DL_ERROR);

	EXPECT_STR(serve_field(&req, "csrf"), "c0ffee", "serve_field: the first field of that name");
	EXPECT(serve_field(&req, "up") == NULL, "serve_field: an upload is no field");
	EXPECT(serve_file(&req, 0) == &f[0] && serve_file(&req, 1) == NULL, "serve_file: the uploads in order");

	got = serve_capture(say_nul, (void *)"v/<x>.xml");
	EXPECT_STR(got, "coursepack: v/<x>.xml:3: error: file contains a NUL byte\n", "serve_capture: the message line");
	EXPECT(diag_count(DL_ERROR) == errors + 1, "serve_capture: the message still counts");
	page_diagnostics(&b, got);
	EXPECT(strstr(b.data, "<li>v/&lt;x&gt;.xml:3: error: file contains a NUL byte</li>") != NULL,
	    "page_diagnostics: file and line first, escaped, without the program's name");
	free(got);
	buf_release(&b);
	got = serve_capture(say_nul, (void *)"y.xml");
	EXPECT(strstr(got, "y.xml") && !strstr(got, "v/"), "serve_capture: each capture holds only its own messages");
	free(got);
	diag_reset();

	page_begin(&b, &ctx, "乡镇<1>");
	page_csrf(&b, &ctx);
	page_end(&b);
	EXPECT(strstr(b.data, "<html lang=\"zh-CN\">") && strstr(b.data, "<title>乡镇&lt;1&gt;"),
	    "page_begin: Chinese page, title escaped");
	EXPECT(strstr(b.data, "href=\"/library\">课程库</a>") && strstr(b.data, "href=\"/build\">打包</a>"),
	    "page_begin: the navigation");
	EXPECT(strstr(b.data, "<input type=\"hidden\" name=\"csrf\" value=\"c0ffee\">") != NULL,
	    "page_csrf: the token as a hidden field");
	EXPECT(has_suffix(b.data, "</html>\n"), "page_end: the page closed");
	buf_release(&b);
}
