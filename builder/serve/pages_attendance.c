/* Attendance: a village's members against the lessons of its plan, as a
 * grid of checkboxes; chat text with receipts, previewed then imported;
 * filled sheets and rosters uploaded.  Everything goes into the ledger
 * through ledger_import, as `coursepack ledger import` does: the grid is
 * written as an attendance sheet (import_sheet.c's format) first.
 *
 * Every file imported is kept as the ledger's provenance copy, in a
 * folder of its own under the server's output folder,
 * 登记/YYYYMMDD-HHMMSS[-N]/NAME, with the name the ledger records: the
 * grid's sheet is 网页登记-YYYY-MM-DD-HHMMSS.csv, pasted chat
 * 聊天记录-….txt, an upload its own name made safe (a roster is matched
 * to its village by that name).  The same content again changes
 * nothing: the ledger knows it by its hash. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "pages.h"
#include "plan.h"
#include "project.h"
#include "receipt.h"
#include "roster.h"
#include "util.h"

struct att {
	const struct serve_ctx *ctx;
	struct project pr;
	int loaded;
};

static void
att_load(void *arg)
{
	struct att *a = arg;
	struct check_stats st = {0, 0, 0};

	memset(&a->pr, 0, sizeof a->pr);
	a->loaded = a->ctx->township && project_load(&a->pr, a->ctx->township, NULL, NULL, &st) == 0 &&
	    a->pr.errors == 0;
}

static const struct village *
find_village(const struct project *pr, const char *id)
{
	size_t i;

	for (i = 0; i < pr->nvillages; i++)
		if (pr->villages[i] && streq(pr->villages[i]->id, id))
			return pr->villages[i];
	return NULL;
}

/* A village's members: the ledger's, else its roster's (key = 编号, or
 * the name when it has none). */
struct att_member {
	char *key, *name;
};

struct member_fetch {
	const struct serve_ctx *ctx;
	const struct project *pr;
	const struct village *v;
	struct att_member *m;
	size_t n;
};

static void
fetch_members(void *arg)
{
	struct member_fetch *f = arg;
	struct ledger *l;
	struct ledger_member *lm = NULL;
	struct roster *ro = NULL;
	char *dir, *path = NULL;
	size_t i, n = 0;

	if (access(f->ctx->ledger, F_OK) == 0 && (l = ledger_open(f->ctx->ledger, LEDGER_READ, 0)) != NULL) {
		if (ledger_village_members(l, f->v->id, &lm, &n) == 0 && n > 0) {
			f->m = xcalloc(n, sizeof *f->m);
			for (i = 0; i < n; i++) {
				f->m[i].key = xstrdup(lm[i].member);
				f->m[i].name = xstrdup(lm[i].name ? lm[i].name : lm[i].member);
			}
			f->n = n;
		}
		ledger_members_free(lm, n);
		ledger_close(l);
		if (f->n)
			return;
	}
	dir = path_dirname(f->pr->township->path);
	if (roster_locate(f->v, dir, &path) == 0 && path && roster_read(path, f->v->id, &ro) == 0) {
		f->m = xcalloc(ro->nmembers + 1, sizeof *f->m);
		for (i = 0; i < ro->nmembers; i++) {
			f->m[i].key = xstrdup(ro->members[i].id ? ro->members[i].id : ro->members[i].name);
			f->m[i].name = xstrdup(ro->members[i].name);
		}
		f->n = ro->nmembers;
		roster_free(ro);
	}
	free(path);
	free(dir);
}

static void
members_release(struct member_fetch *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->m[i].key);
		free(f->m[i].name);
	}
	free(f->m);
}

static void
village_list(struct buf *b, const struct project *pr)
{
	size_t i;

	buf_puts(b, "<ul id=\"villages\">\n");
	for (i = 0; i < pr->nvillages; i++)
		if (pr->villages[i]) {
			buf_printf(b, "<li><a href=\"/attendance/%s\">", pr->villages[i]->id);
			buf_escape(b, pr->villages[i]->name);
			buf_puts(b, "</a></li>\n");
		}
	buf_puts(b, "</ul>\n");
}

static void
grid(struct buf *b, const struct serve_ctx *ctx, const struct village *v, const struct plan *p,
    const struct member_fetch *f)
{
	char today[32];
	size_t i, k;

	ledger_now(today);
	today[10] = '\0';
	buf_printf(b, "<form id=\"grid\" method=\"post\" action=\"/attendance/%s\">\n", v->id);
	page_csrf(b, ctx);
	buf_puts(b, "<p><label>方式 <select name=\"channel\"><option value=\"课堂\">课堂</option>"
	    "<option value=\"居家\">居家</option><option value=\"线上\">线上</option></select></label>\n");
	buf_printf(b, "<label>日期 <input type=\"date\" name=\"date\" value=\"%s\" required></label></p>\n", today);
	if (f->n == 0)
		buf_puts(b, "<p id=\"no-members\">还没有党员名单：先在下面上传本村的花名册。</p>\n");
	buf_puts(b, "<div class=\"scroll\"><table id=\"attendance-grid\">\n<thead><tr><th>姓名</th>");
	for (k = 0; k < p->nlessons; k++) {
		buf_printf(b, "<th title=\"%s/%s\">", p->lessons[k]->course->id, p->lessons[k]->id);
		buf_escape(b, p->lessons[k]->title ? p->lessons[k]->title : p->lessons[k]->id);
		buf_puts(b, "</th>");
	}
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < f->n; i++) {
		buf_puts(b, "<tr><th>");
		buf_escape(b, f->m[i].name);
		buf_puts(b, "</th>");
		for (k = 0; k < p->nlessons; k++) {
			char *val = xasprintf("%s|%s/%s", f->m[i].key, p->lessons[k]->course->id, p->lessons[k]->id);

			buf_puts(b, "<td><input type=\"checkbox\" name=\"c\" value=\"");
			buf_escape(b, val);
			buf_puts(b, "\"></td>");
			free(val);
		}
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n<p><button id=\"save-grid\" name=\"action\" value=\"grid\">登记勾选的学时</button></p>\n</form>\n");
}

static void
other_forms(struct buf *b, const struct serve_ctx *ctx, const struct village *v, const char *chat)
{
	buf_printf(b, "<h2>群聊里的学习回执</h2>\n<form id=\"paste\" method=\"post\" action=\"/attendance/%s\">\n", v->id);
	page_csrf(b, ctx);
	buf_puts(b, "<p><textarea name=\"chat\" rows=\"8\" cols=\"60\" placeholder=\"把微信群的聊天记录粘贴到这里\">");
	if (chat)
		buf_escape(b, chat);
	buf_puts(b, "</textarea></p>\n<p><button id=\"preview-chat\" name=\"action\" value=\"preview\">先看看能登记哪些</button></p>\n</form>\n");
	buf_printf(b, "<h2>上传填好的登记表或花名册</h2>\n<form id=\"upload\" method=\"post\" action=\"/attendance/%s\" "
	    "enctype=\"multipart/form-data\">\n", v->id);
	page_csrf(b, ctx);
	buf_puts(b, "<p><input type=\"file\" name=\"file\" accept=\".csv,.xlsx,.txt\"> "
	    "<button id=\"upload-file\" name=\"action\" value=\"upload\">上传并登记</button></p>\n</form>\n");
}

/* The village's page, with `extra` (a preview) before the forms. */
static void
village_page(const struct serve_request *rq, struct serve_response *rs, struct att *a, const struct village *v,
    const char *extra, const char *chat, const char *captured)
{
	struct member_fetch f = {rq->ctx, &a->pr, v, NULL, 0};
	struct plan *p = plan_village(a->pr.library, a->pr.recipe, v);
	char *noise = serve_capture(fetch_members, &f), *title = xasprintf("%s学时登记", v->name);
	const char *msg = serve_field(rq, "msg");
	struct buf *b = &rs->body;

	page_begin(b, rq->ctx, title);
	if (msg && *msg) {
		buf_puts(b, "<pre id=\"result\">");
		buf_escape(b, msg);
		buf_puts(b, "</pre>\n");
	}
	page_diagnostics(b, captured);
	if (extra)
		buf_puts(b, extra);
	grid(b, rq->ctx, v, p, &f);
	other_forms(b, rq->ctx, v, chat);
	page_diagnostics(b, noise);
	page_end(b);
	plan_free(p);
	members_release(&f);
	free(noise);
	free(title);
}

void
page_attendance(const struct serve_request *rq, struct serve_response *rs)
{
	struct att a = {rq->ctx, {0}, 0};
	char *captured = serve_capture(att_load, &a);
	const char *id = rq->path + strlen("/attendance");
	const struct village *v;

	if (*id == '/')
		id++;
	if (!a.loaded) {
		page_begin(&rs->body, rq->ctx, "学时登记");
		buf_puts(&rs->body, "<p id=\"no-township\">没有读到乡镇，或者它的文件有错误（见下面），不能登记学时。</p>\n");
		page_diagnostics(&rs->body, captured);
		page_end(&rs->body);
	} else if (*id == '\0') {
		page_begin(&rs->body, rq->ctx, "学时登记");
		buf_puts(&rs->body, "<p>选一个村：</p>\n");
		village_list(&rs->body, &a.pr);
		page_end(&rs->body);
	} else if ((v = find_village(&a.pr, id)) == NULL) {
		rs->status = 404;
		page_begin(&rs->body, rq->ctx, "没有这个村");
		buf_puts(&rs->body, "<p id=\"not-found\">乡镇里没有这个村。</p>\n");
		village_list(&rs->body, &a.pr);
		page_end(&rs->body);
	} else
		village_page(rq, rs, &a, v, NULL, NULL, NULL);
	if (rq->ctx->township)
		project_release(&a.pr);
	free(captured);
}

/* --- writing and importing ------------------------------------------- */

/* A new folder 登记/YYYYMMDD-HHMMSS[-N] under the output folder (new
 * string), or NULL after diagnosing.  stamp gets "YYYY-MM-DD-HHMMSS". */
static char *
import_folder(const struct serve_ctx *ctx, char stamp[32])
{
	char now[32], *base = path_join(ctx->output, "登记"), *dir = NULL;
	int n;

	ledger_now(now);	/* 2026-12-06T09:13:40Z */
	snprintf(stamp, 32, "%.10s-%.2s%.2s%.2s", now, now + 11, now + 14, now + 17);
	if (mkdirs(base, 0700) == -1) {
		diag(S_WRITE, NULL, base, strerror(errno));
		free(base);
		return NULL;
	}
	for (n = 1; n < 1000; n++) {
		dir = n == 1 ? xasprintf("%s/%.4s%.2s%.2s-%.6s", base, stamp, stamp + 5, stamp + 8, stamp + 11) :
		    xasprintf("%s/%.4s%.2s%.2s-%.6s-%d", base, stamp, stamp + 5, stamp + 8, stamp + 11, n);
		if (mkdir(dir, 0700) == 0)
			break;
		if (errno != EEXIST) {
			diag(S_WRITE, NULL, dir, strerror(errno));
			free(dir);
			dir = NULL;
			break;
		}
		free(dir);
		dir = NULL;
	}
	free(base);
	return dir;
}

/* A browser's file name made safe: its last component, without control
 * characters, slashes or a leading dot; "上传.csv" when nothing is left. */
static char *
safe_name(const char *name)
{
	const char *s = name, *t;
	char *out, *o;

	for (t = name; *t; t++)
		if (*t == '/' || *t == '\\')
			s = t + 1;
	o = out = xmalloc(strlen(s) + 16);
	for (; *s && o - out < 200; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == ':' || c == '"' || c == '<' || c == '>' || c == '|' || c == '*' || c == '?')
			*o++ = '_';
		else if (!(o == out && c == '.'))
			*o++ = (char)c;
	}
	*o = '\0';
	if (*out == '\0' || !utf8_valid(out, strlen(out), NULL))
		strcpy(out, "上传.csv");
	return out;
}

struct run_import {
	const struct serve_ctx *ctx;
	const struct project *pr;
	char *file;
	int dry_run;
	int rc;
	char *said;		/* what the import printed on stdout */
};

static void
import_inner(void *arg)
{
	struct run_import *ri = arg;
	struct ledger *l;

	ri->rc = -1;
	if ((l = ledger_open(ri->ctx->ledger, LEDGER_CREATE, 0)) == NULL)
		return;
	ri->rc = (ri->dry_run ? ledger_import_dry_run : ledger_import)(l, ri->pr, &ri->file, 1, 0);
	ledger_close(l);
}

static void
import_outer(void *arg)
{
	struct run_import *ri = arg;

	diag_reset();
	ri->said = pages_stdout(import_inner, ri);
}

/* s without the server's folder `dir` before the file names it says
 * (takes s, returns a new string). */
static char *
strip_dir(char *s, const char *dir)
{
	struct buf b = {0};
	char *at = xasprintf("%s/", dir);
	const char *p = s, *t;

	while ((t = strstr(p, at)) != NULL) {
		buf_add(&b, p, (size_t)(t - p));
		p = t + strlen(at);
	}
	buf_puts(&b, p);
	free(at);
	free(s);
	return buf_detach(&b);
}

/* Writes data to DIR/name in a new import folder and imports it; the
 * result message in *msg, the diagnostics in *captured.  Returns the
 * import's status (-1 when the file could not be written). */
static int
import_bytes(const struct serve_ctx *ctx, const struct project *pr, const char *name, const char *data, size_t len,
    int dry_run, char **msg, char **captured)
{
	struct run_import ri = {ctx, pr, NULL, dry_run, -1, NULL};
	char stamp[32], *dir;

	*msg = NULL;
	*captured = NULL;
	if ((dir = import_folder(ctx, stamp)) == NULL)
		return -1;
	ri.file = path_join(dir, name);
	if (write_file_atomic(ri.file, data, len) == -1) {
		free(ri.file);
		remove_tree(dir);
		free(dir);
		return -1;
	}
	*captured = serve_capture(import_outer, &ri);
	*msg = strip_dir(ri.said, dir);
	*captured = strip_dir(*captured, dir);
	/* Kept only when it went into the ledger: the provenance copy. */
	if (dry_run || ri.rc != 0)
		remove_tree(dir);
	free(ri.file);
	free(dir);
	return ri.rc;
}

static int
append_csv(struct buf *b, const char *s)
{
	buf_puts(b, ",\"");
	for (; *s; s++) {
		if (*s == '"')
			buf_puts(b, "\"\"");
		else if (*s == '\r' || *s == '\n')
			return -1;
		else
			buf_add(b, s, 1);
	}
	buf_puts(b, "\"");
	return 0;
}

/* The ticked cells as an attendance sheet: 村,姓名,编号,方式 then one
 * column per lesson of the plan ticked by anyone, the date in each
 * ticked cell.  NULL when a cell names no member or lesson of the
 * village, or nothing is ticked. */
static char *
grid_sheet(const struct serve_request *rq, const struct village *v, const struct plan *p,
    const struct member_fetch *f, const char *channel, const char *date)
{
	struct buf b = {0};
	unsigned char *tick = xcalloc(f->n * p->nlessons + 1, 1), *col = xcalloc(p->nlessons + 1, 1);
	size_t i, k, any = 0;
	int bad = 0;

	for (i = 0; i < rq->nfields && !bad; i++) {
		const struct serve_field *fl = &rq->fields[i];
		const char *bar;
		size_t m;

		if (fl->filename || !streq(fl->name, "c"))
			continue;
		bad = (bar = strrchr(fl->value, '|')) == NULL;
		for (m = 0; !bad && m < f->n; m++)
			if (strlen(f->m[m].key) == (size_t)(bar - fl->value) && strncmp(f->m[m].key, fl->value, (size_t)(bar - fl->value)) == 0)
				break;
		bad = bad || m == f->n;
		for (k = 0; !bad && k < p->nlessons; k++) {
			char *id = xasprintf("%s/%s", p->lessons[k]->course->id, p->lessons[k]->id);
			int hit = streq(id, bar + 1);

			free(id);
			if (hit)
				break;
		}
		bad = bad || k == p->nlessons;
		if (!bad) {
			any += !tick[m * p->nlessons + k];
			tick[m * p->nlessons + k] = col[k] = 1;
		}
	}
	if (bad || any == 0) {
		free(tick);
		free(col);
		return NULL;
	}
	buf_puts(&b, "村,姓名,编号,方式");
	for (k = 0; k < p->nlessons; k++)
		if (col[k])
			buf_printf(&b, ",%s/%s", p->lessons[k]->course->id, p->lessons[k]->id);
	buf_puts(&b, "\r\n");
	for (i = 0; i < f->n && !bad; i++) {
		for (k = 0; k < p->nlessons && !tick[i * p->nlessons + k]; k++)
			;
		if (k == p->nlessons)
			continue;
		buf_puts(&b, v->id);
		bad |= append_csv(&b, f->m[i].name) | append_csv(&b, streq(f->m[i].key, f->m[i].name) ? "" : f->m[i].key);
		buf_printf(&b, ",%s", channel);
		for (k = 0; k < p->nlessons; k++)
			if (col[k])
				buf_printf(&b, ",%s", tick[i * p->nlessons + k] ? date : "");
		buf_puts(&b, "\r\n");
	}
	free(tick);
	free(col);
	if (bad) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static int
date_valid(const char *s)
{
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	return s[10] == '\0';
}

static void
redirect(struct serve_response *rs, const struct village *v, const char *msg)
{
	struct buf b = {0};
	const unsigned char *s;

	buf_printf(&b, "/attendance/%s?msg=", v->id);
	for (s = (const unsigned char *)(msg ? msg : ""); *s && b.len < 1800; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("-_.~", *s))
			buf_add(&b, s, 1);
		else
			buf_printf(&b, "%%%02X", *s);
	rs->location = buf_detach(&b);
}

/* The receipts found in chat text, as the import would read them, then
 * the import's own account of what it would do. */
static char *
chat_table(const struct project *pr, const char *chat, const char *said, const char *captured)
{
	struct buf b = {0};
	struct receipts rc = {NULL, 0, 0};
	char **ids = xcalloc(pr->nvillages + 1, sizeof *ids);
	size_t i, n = 0;

	for (i = 0; i < pr->nvillages; i++)
		if (pr->villages[i]) {
			char *package = xasprintf("%s-%s", pr->township->id, pr->villages[i]->id);

			ids[n++] = receipt_build_id(package, pr->recipe->id);
			free(package);
		}
	buf_puts(&b, "<h2>预览：这段聊天记录能登记的回执</h2>\n<table id=\"found\">\n<thead><tr><th>行</th><th>姓名</th>"
	    "<th>村</th><th>已学</th><th>结果</th></tr></thead>\n<tbody>\n");
	if (receipts_parse(chat, strlen(chat), (const char *const *)ids, n, &rc) == 0)
		for (i = 0; i < rc.n; i++) {
			const struct receipt *r = &rc.v[i];
			char *lessons = receipt_lessons_format(r->lessons, r->nlessons);

			buf_printf(&b, "<tr class=\"%s\"><td>%zu</td><td>", r->status == RECEIPT_OK ? "ok" : "bad", r->line);
			buf_escape(&b, r->name ? r->name : "");
			buf_puts(&b, "</td><td>");
			buf_escape(&b, r->village ? r->village : "");
			buf_puts(&b, "</td><td>");
			buf_escape(&b, lessons);
			buf_printf(&b, "</td><td>%s</td></tr>\n", r->status == RECEIPT_OK ? "校验码对" :
			    r->status == RECEIPT_BAD_CODE ? "校验码不对，不登记" : "读不懂，不登记");
			free(lessons);
		}
	receipts_release(&rc);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	buf_puts(&b, "</tbody></table>\n<pre id=\"would\">");
	buf_escape(&b, said ? said : "");
	buf_escape(&b, captured ? captured : "");
	buf_puts(&b, "</pre>\n");
	return buf_detach(&b);
}

static void
save_form(struct buf *b, const struct serve_ctx *ctx, const struct village *v, const char *chat)
{
	buf_printf(b, "<form id=\"save\" method=\"post\" action=\"/attendance/%s\">\n", v->id);
	page_csrf(b, ctx);
	buf_puts(b, "<textarea name=\"chat\" hidden>");
	buf_escape(b, chat);
	buf_puts(b, "</textarea>\n<button id=\"save-chat\" name=\"action\" value=\"save\">确认登记</button>\n</form>\n");
}

static void
post_village(const struct serve_request *rq, struct serve_response *rs, struct att *a, const struct village *v)
{
	const char *action = serve_field(rq, "action"), *chat = serve_field(rq, "chat");
	const struct serve_field *file = serve_file(rq, 0);
	char *msg = NULL, *captured = NULL, *name = NULL, *sheet = NULL;
	int rc = -2;

	if (action && streq(action, "grid")) {
		struct member_fetch f = {rq->ctx, &a->pr, v, NULL, 0};
		struct plan *p = plan_village(a->pr.library, a->pr.recipe, v);
		const char *channel = serve_field(rq, "channel"), *date = serve_field(rq, "date");
		char *noise = serve_capture(fetch_members, &f), stamp[32];

		if (channel == NULL || channel_parse(channel) == -1 || date == NULL || !date_valid(date) ||
		    (sheet = grid_sheet(rq, v, p, &f, channel, date)) == NULL)
			captured = xstrdup("没有登记：没有勾选，或者方式、日期、勾选的格子不对。\n");
		else {
			ledger_now(stamp);
			name = xasprintf("网页登记-%.10s-%.2s%.2s%.2s.csv", stamp, stamp + 11, stamp + 14, stamp + 17);
			rc = import_bytes(rq->ctx, &a->pr, name, sheet, strlen(sheet), 0, &msg, &captured);
		}
		plan_free(p);
		members_release(&f);
		free(noise);
	} else if (action && chat && (streq(action, "preview") || streq(action, "save"))) {
		char stamp[32];

		ledger_now(stamp);
		name = xasprintf("聊天记录-%.10s-%.2s%.2s%.2s.txt", stamp, stamp + 11, stamp + 14, stamp + 17);
		if (streq(action, "preview")) {
			char *table;
			struct buf extra = {0};

			import_bytes(rq->ctx, &a->pr, name, chat, strlen(chat), 1, &msg, &captured);
			table = chat_table(&a->pr, chat, msg, captured);
			buf_puts(&extra, table);
			save_form(&extra, rq->ctx, v, chat);
			free(table);
			table = buf_detach(&extra);
			village_page(rq, rs, a, v, table, chat, NULL);
			free(table);
			goto out;
		}
		rc = import_bytes(rq->ctx, &a->pr, name, chat, strlen(chat), 0, &msg, &captured);
	} else if (action && streq(action, "upload") && file && file->len > 0) {
		name = safe_name(file->filename);
		rc = import_bytes(rq->ctx, &a->pr, name, file->value, file->len, 0, &msg, &captured);
	} else
		captured = xstrdup("没有登记：表单不完整。\n");
	if (rc == 0) {
		redirect(rs, v, msg);
		goto out;
	}
	rs->status = rc == -2 ? 400 : 422;
	village_page(rq, rs, a, v, NULL, NULL, captured);
out:
	free(sheet);
	free(name);
	free(msg);
	free(captured);
}

void
page_attendance_post(const struct serve_request *rq, struct serve_response *rs)
{
	struct att a = {rq->ctx, {0}, 0};
	char *captured = serve_capture(att_load, &a);
	const char *id = rq->path + strlen("/attendance");
	const struct village *v = NULL;

	if (*id == '/')
		id++;
	if (!a.loaded || (v = find_village(&a.pr, id)) == NULL) {
		rs->status = 404;
		page_begin(&rs->body, rq->ctx, "学时登记");
		buf_puts(&rs->body, "<p id=\"not-found\">没有这个村，或者没有读到乡镇的 township.xml。</p>\n");
		page_diagnostics(&rs->body, captured);
		page_end(&rs->body);
	} else
		post_village(rq, rs, &a, v);
	if (rq->ctx->township)
		project_release(&a.pr);
	free(captured);
}
