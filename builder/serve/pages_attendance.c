/* Stubs until the attendance pages are merged: each answers 501. */
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
page_attendance(const struct serve_request *req, struct serve_response *res)
{
	not_yet(req, res);
}

void
page_attendance_post(const struct serve_request *req, struct serve_response *res)
{
	not_yet(req, res);
}
