/* The chrome every page of coursepack serve shares (serve.h), and the
 * request helpers handlers use.  One small inline stylesheet: readable at
 * 1366x768 and on a phone (a narrow column, large tap targets, tables
 * that scroll sideways rather than squeeze). */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "serve.h"
#include "util.h"

static const char style[] =
    "body{margin:0;font:16px/1.6 system-ui,\"Noto Sans CJK SC\",sans-serif;color:#222;background:#f6f6f3}"
    "nav{background:#8b1a1a;padding:.25rem .5rem;display:flex;flex-wrap:wrap}"
    "nav a{color:#fff;text-decoration:none;padding:.6rem .9rem;min-height:44px;box-sizing:border-box}"
    "nav a:hover,nav a:focus{background:#a52a2a}"
    "main{max-width:64rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:1.8rem}"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}"
    "table{border-collapse:collapse;background:#fff;min-width:100%}"
    "th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;white-space:nowrap}"
    "td.num,th.num,td.hours{text-align:right}"
    ".short{color:#b00020;font-weight:bold}.ok{color:#1b5e20}"
    "a.button,button{display:inline-block;box-sizing:border-box;min-height:44px;line-height:1.5;vertical-align:middle;"
    "padding:.55rem 1rem;margin:.2rem 0;"
    "border:1px solid #8b1a1a;border-radius:4px;background:#fff;color:#8b1a1a;text-decoration:none}"
    ".diag{background:#fff3f3;border-left:4px solid #b00020;padding:.5rem 1rem}"
    ".diag li{font-family:monospace;white-space:pre-wrap;word-break:break-all}"
    ".error{color:#b00020}"
    "pre{overflow-x:auto;background:#fff;padding:.5rem;font-size:.85rem}progress{width:100%;height:1.2rem}"
    "svg{max-width:100%;height:auto}";

void
page_begin(struct buf *b, const struct serve_ctx *ctx, const char *title)
{
	(void)ctx;
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_escape(b, title);
	buf_puts(b, " · 培训工作台</title>\n<style>");
	buf_puts(b, style);
	buf_puts(b, "</style>\n</head>\n<body>\n<nav>"
	    "<a href=\"/\">乡镇</a><a href=\"/library\">课程库</a>"
	    "<a href=\"/attendance/\">学时登记</a><a href=\"/build\">打包</a></nav>\n<main>\n<h1>");
	buf_escape(b, title);
	buf_puts(b, "</h1>\n");
}

void
page_end(struct buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

void
page_csrf(struct buf *b, const struct serve_ctx *ctx)
{
	buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_escape(b, ctx->csrf);
	buf_puts(b, "\">");
}

/* One line per message, "coursepack: " left out: staff read the file,
 * line and message. */
void
page_diagnostics(struct buf *b, const char *captured)
{
	const char *s = captured;

	if (s == NULL || *s == '\0')
		return;
	buf_puts(b, "<div class=\"diag\"><p>检查发现以下问题（文件:行: 问题）：</p>\n<ul>\n");
	while (*s) {
		size_t n = strcspn(s, "\n");
		char *line;

		if (strncmp(s, "coursepack: ", 12) == 0 && n >= 12) {
			s += 12;
			n -= 12;
		}
		line = xstrndup(s, n);
		buf_puts(b, "<li>");
		buf_escape(b, line);
		buf_puts(b, "</li>\n");
		free(line);
		s += n;
		if (*s == '\n')
			s++;
	}
	buf_puts(b, "</ul></div>\n");
}

const char *
serve_field(const struct serve_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nfields; i++)
		if (req->fields[i].filename == NULL && streq(req->fields[i].name, name))
			return req->fields[i].value;
	return NULL;
}

const struct serve_field *
serve_file(const struct serve_request *req, size_t n)
{
	size_t i;

	for (i = 0; i < req->nfields; i++)
		if (req->fields[i].filename && n-- == 0)
			return &req->fields[i];
	return NULL;
}

static void
capture_line(void *arg, const char *line)
{
	buf_puts(arg, line);
}

char *
serve_capture(void (*fn)(void *), void *arg)
{
	struct buf b = {0};

	buf_puts(&b, "");
	diag_set_sink(capture_line, &b);
	fn(arg);
	diag_set_sink(NULL, NULL);
	return buf_detach(&b);
}
