/* Stubs until the library pages are merged: each answers 501. */
#include "pages.h"
#include "util.h"

static void
not_yet(const struct serve_request *req, struct serve_response *res)
{
	res->status = 501;
	page_begin(&res->body, req->ctx, "尚未实现");
	buf_puts(&res->body, "<p>尚未实现。</p>\n");
	page_end(&res->body);
}

void
page_library(const struct serve_request *req, struct serve_response *res)
{
	not_yet(req, res);
}

void
page_lesson(const struct serve_request *req, struct serve_response *res)
{
	not_yet(req, res);
}

void
page_lesson_stamp(const struct serve_request *req, struct serve_response *res)
{
	not_yet(req, res);
}
