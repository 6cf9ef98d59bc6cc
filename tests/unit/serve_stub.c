/* Stand-ins for the server core (page.c, server.c) that the page
 * handlers' unit tests link against until the core is merged: weak, so
 * that the real definitions win when both are linked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve.h"

#define WEAK __attribute__((weak))

WEAK const char *
serve_field(const struct serve_request *rq, const char *name)
{
	size_t i;

	for (i = 0; i < rq->nfields; i++)
		if (rq->fields[i].filename == NULL && strcmp(rq->fields[i].name, name) == 0)
			return rq->fields[i].value;
	return NULL;
}

WEAK const struct serve_field *
serve_file(const struct serve_request *rq, size_t n)
{
	size_t i;

	for (i = 0; i < rq->nfields; i++)
		if (rq->fields[i].filename && n-- == 0)
			return &rq->fields[i];
	return NULL;
}

WEAK void
page_begin(struct buf *b, const struct serve_ctx *ctx, const char *title)
{
	(void)ctx;
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
	buf_escape(b, title);
	buf_puts(b, "</title></head><body>\n");
}

WEAK void
page_end(struct buf *b)
{
	buf_puts(b, "</body></html>\n");
}

WEAK void
page_csrf(struct buf *b, const struct serve_ctx *ctx)
{
	buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_escape(b, ctx->csrf ? ctx->csrf : "");
	buf_puts(b, "\">");
}

WEAK void
page_diagnostics(struct buf *b, const char *captured)
{
	if (captured && *captured) {
		buf_puts(b, "<pre class=\"diagnostics\">");
		buf_escape(b, captured);
		buf_puts(b, "</pre>\n");
	}
}

/* stderr into a temporary file while fn runs. */
WEAK char *
serve_capture(void (*fn)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int saved;
	long n;
	char *s;

	fflush(stderr);
	saved = dup(2);
	if (tmp == NULL || saved == -1)
		abort();
	dup2(fileno(tmp), 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = ftell(tmp) >= 0 ? (long)lseek(fileno(tmp), 0, SEEK_END) : 0;
	s = xmalloc((size_t)n + 1);
	if (pread(fileno(tmp), s, (size_t)n, 0) != n)
		n = 0;
	s[n] = '\0';
	fclose(tmp);
	return s;
}
