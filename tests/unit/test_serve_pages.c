/* The workspace's library, attendance and build pages (builder/serve/
 * pages_*.c), called as the server calls them, on a copy of
 * examples/xiayang and the course library. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "load.h"
#include "pages.h"
#include "unit.h"
#include "util.h"

static int
count(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void
response_release(struct serve_response *rs)
{
	buf_release(&rs->body);
	free(rs->location);
	free(rs->download);
	free(rs->file);
	memset(rs, 0, sizeof *rs);
}

/* Calls handler h with a request of `n` fields; rs is released first. */
static void
call(serve_handler *h, const struct serve_ctx *ctx, const char *method, const char *path,
    const struct serve_field *f, size_t n, struct serve_response *rs)
{
	struct serve_request rq = {ctx, method, path, f, n};

	response_release(rs);
	rs->status = 200;
	h(&rq, rs);
}

static int
has(const struct serve_response *rs, const char *s)
{
	return rs->body.data && strstr(rs->body.data, s) != NULL;
}

/* The text of lesson page `entry` of the zip between its title and the
 * end of <main>: the rendered body (new string), or NULL. */
static char *
bundle_body(const char *zip, const char *entry)
{
	char *cmd = xasprintf("unzip -p '%s' '%s'", zip, entry), *s, *a, *e, *body = NULL;
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	FILE *p = popen(cmd, "r");

	while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&b, chunk, n);
	if (p)
		pclose(p);
	s = buf_detach(&b);
	if (s && (a = strstr(s, "</h1>\n")) && (e = strstr(a, "</main>")))
		body = xstrndup(a + 6, (size_t)(e - a - 6));
	free(s);
	free(cmd);
	return body;
}

static void
library_pages(const struct serve_ctx *ctx, struct serve_response *rs)
{
	struct library *lib;
	char *md, *s1 = NULL, *s2 = NULL;
	int failed = 0, all = 1;
	size_t i, k;

	call(page_library, ctx, "GET", "/library", NULL, 0, rs);
	lib = load_library(ctx->library, NULL, &failed);
	for (i = 0; lib && i < lib->ncourses; i++) {
		char *id = xasprintf("id=\"course-%s\"", lib->courses[i]->id);

		all &= has(rs, id);
		free(id);
		for (k = 0; k < lib->courses[i]->nlessons; k++) {
			char *href = xasprintf("href=\"/lesson/%s/%s\"", lib->courses[i]->id, lib->courses[i]->lessons[k].id);

			all &= has(rs, href);
			free(href);
		}
	}
	EXPECT(lib && lib->ncourses > 5 && all && rs->status == 200, "serve pages: the library lists every course and lesson");
	library_free(lib);

	call(page_lesson, ctx, "GET", "/lesson/congress20/rejuvenation", NULL, 0, rs);
	EXPECT(rs->status == 200 && has(rs, "<div id=\"preview\" data-stamp=\"") && has(rs, "<ul id=\"diagnostics\">") &&
	    has(rs, "src=\"/lesson-media/congress20/media/two-steps.svg\"") && has(rs, "setInterval"),
	    "serve pages: a lesson's preview, its media served by the workspace, its diagnostics, the poll");
	call(page_lesson, ctx, "GET", "/lesson/congress20/nope", NULL, 0, rs);
	EXPECT(rs->status == 404, "serve pages: no such lesson is a 404");

	/* A warning in the lesson shows beside it, and the stamp moves. */
	call(page_lesson_stamp, ctx, "GET", "/lesson-stamp/congress20/rural-revitalization", NULL, 0, rs);
	s1 = buf_detach(&rs->body);
	call(page_lesson_stamp, ctx, "GET", "/lesson-stamp/congress20/rural-revitalization", NULL, 0, rs);
	EXPECT(s1 && strlen(s1) == 9 && has(rs, s1), "serve pages: the stamp is stable while nothing changes");
	md = xasprintf("%s/congress20/02-rural-revitalization.md", ctx->library);
	{
		FILE *fp = fopen(md, "a");

		if (fp) {
			fputs("\n<br>\n", fp);
			fclose(fp);
		}
	}
	call(page_lesson_stamp, ctx, "GET", "/lesson-stamp/congress20/rural-revitalization", NULL, 0, rs);
	s2 = buf_detach(&rs->body);
	EXPECT(s2 && strlen(s2) == 9 && strcmp(s1, s2) != 0, "serve pages: the stamp changes when the Markdown does");
	call(page_lesson, ctx, "GET", "/lesson/congress20/rural-revitalization", NULL, 0, rs);
	EXPECT(has(rs, "<li class=\"warning\">") && has(rs, "02-rural-revitalization.md") && has(rs, "&lt;br&gt;"),
	    "serve pages: the check's warning about the lesson shows beside the preview");
	free(s1);
	free(s2);
	free(md);

	call(page_lesson_media, ctx, "GET", "/lesson-media/congress20/media/two-steps.svg", NULL, 0, rs);
	EXPECT(rs->file && has_suffix(rs->file, "/congress20/media/two-steps.svg") && streq(rs->content_type, "image/svg+xml"),
	    "serve pages: a course's media file is served");
	call(page_lesson_media, ctx, "GET", "/lesson-media/congress20/../integrity/course.xml", NULL, 0, rs);
	EXPECT(rs->file == NULL && rs->status == 404, "serve pages: nothing outside the course folder");
}

static void
attendance_pages(const struct serve_ctx *ctx, struct serve_response *rs, const char *tmp)
{
	struct serve_field grid[] = {
		{"csrf", "t", 1, NULL}, {"action", "grid", 4, NULL}, {"channel", "课堂", 6, NULL},
		{"date", "2026-12-06", 10, NULL},
		{"c", "001|congress20/rejuvenation", 0, NULL}, {"c", "001|congress20/rural-revitalization", 0, NULL},
		{"c", "003|congress20/rejuvenation", 0, NULL}, {"c", "003|congress20/rural-revitalization", 0, NULL},
	};
	struct serve_field bad[] = {{"action", "grid", 4, NULL}, {"channel", "课堂", 6, NULL},
		{"date", "2026-12-06", 10, NULL}, {"c", "999|congress20/rejuvenation", 0, NULL}};
	struct serve_field up[2] = {{"action", "upload", 6, NULL}, {"file", NULL, 0, NULL}};
	struct serve_field chat[2] = {{"action", "preview", 7, NULL}, {"chat", NULL, 0, NULL}};
	char *data = NULL, *sheets;
	size_t len = 0;
	int before;

	call(page_attendance, ctx, "GET", "/attendance/", NULL, 0, rs);
	EXPECT(has(rs, "href=\"/attendance/jili\""), "serve pages: the attendance page lists the villages");
	call(page_attendance, ctx, "GET", "/attendance/jili", NULL, 0, rs);
	EXPECT(has(rs, "value=\"001|congress20/rejuvenation\"") && has(rs, "id=\"save-grid\"") &&
	    has(rs, "name=\"channel\"") && has(rs, "type=\"date\"") && has(rs, "id=\"paste\"") && has(rs, "id=\"upload\""),
	    "serve pages: the grid of the roster's members and the plan's lessons, with its forms");

	call(page_attendance_post, ctx, "POST", "/attendance/jili", grid, 8, rs);
	EXPECT(rs->location && strncmp(rs->location, "/attendance/jili?msg=", 21) == 0 &&
	    strstr(rs->location, "%E7%BD%91%E9%A1%B5%E7%99%BB%E8%AE%B0-") && !strstr(rs->location, "cp-serve-") &&
	    count(ctx->ledger, "SELECT COUNT(*) FROM records") == 4,
	    "serve pages: the grid's ticks import 4 records, said by the sheet's name alone");
	sheets = xasprintf("%s/out/登记", tmp);
	{
		char *cmd = xasprintf("ls '%s'/*/网页登记-*.csv >/dev/null 2>&1", sheets);

		EXPECT(system(cmd) == 0, "serve pages: ... and the sheet is kept as the provenance copy");
		free(cmd);
	}
	call(page_attendance_post, ctx, "POST", "/attendance/jili", grid, 8, rs);
	EXPECT(rs->location && count(ctx->ledger, "SELECT COUNT(*) FROM records") == 4,
	    "serve pages: the same ticks again change nothing");
	call(page_attendance_post, ctx, "POST", "/attendance/jili", bad, 4, rs);
	EXPECT(rs->location == NULL && rs->status == 400 && count(ctx->ledger, "SELECT COUNT(*) FROM records") == 4,
	    "serve pages: a tick of no member is refused, nothing imported");

	/* The roster, then a filled sheet, uploaded. */
	if (read_file("examples/xiayang/rosters/jili.csv", 1 << 20, &data, &len) == 0) {
		up[1].value = data;
		up[1].len = len;
		up[1].filename = "C:\\Users\\村干部\\jili.csv";
		call(page_attendance_post, ctx, "POST", "/attendance/jili", up, 2, rs);
		free(data);
	}
	EXPECT(rs->location && count(ctx->ledger, "SELECT COUNT(*) FROM members WHERE village = 'jili'") > 40,
	    "serve pages: an uploaded roster imports its members");
	before = count(ctx->ledger, "SELECT COUNT(*) FROM records");
	if (read_file("examples/xiayang/returns/class-jili.csv", 1 << 20, &data, &len) == 0) {
		up[1].value = data;
		up[1].len = len;
		up[1].filename = "class-jili.csv";
		call(page_attendance_post, ctx, "POST", "/attendance/jili", up, 2, rs);
		free(data);
	}
	EXPECT(rs->location && count(ctx->ledger, "SELECT COUNT(*) FROM records") > before + 100,
	    "serve pages: an uploaded filled sheet imports");

	/* Chat text: the preview imports nothing, the save does. */
	before = count(ctx->ledger, "SELECT COUNT(*) FROM records");
	if (read_file("examples/xiayang/returns/chat-jili.txt", 1 << 20, &data, &len) == 0) {
		chat[1].value = data;
		chat[1].len = len;
		call(page_attendance_post, ctx, "POST", "/attendance/jili", chat, 2, rs);
		EXPECT(rs->status == 200 && has(rs, "<table id=\"found\">") && has(rs, "校验码对") &&
		    has(rs, "id=\"save-chat\"") && count(ctx->ledger, "SELECT COUNT(*) FROM records") == before,
		    "serve pages: pasted chat is previewed, nothing imported");
		chat[0].value = "save";
		call(page_attendance_post, ctx, "POST", "/attendance/jili", chat, 2, rs);
		EXPECT(rs->location && count(ctx->ledger, "SELECT COUNT(*) FROM records") > before,
		    "serve pages: ... and saved, it imports");
		free(data);
	} else {
		UNIT_SKIP("serve pages: chat preview", "no chat example");
		UNIT_SKIP("serve pages: chat save", "no chat example");
	}
	free(sheets);
}

static void
build_pages(const struct serve_ctx *ctx, struct serve_response *rs)
{
	struct serve_field f[] = {{"csrf", "t", 1, NULL}, {"village", "jili", 4, NULL}};
	struct serve_response lesson = {0};
	char *zip, *body;

	struct build_view v;
	int waited;

	call(page_build, ctx, "GET", "/build", NULL, 0, rs);
	EXPECT(has(rs, "<select name=\"village\">") && has(rs, "<option value=\"jili\">"), "serve pages: the build form");
	/* The build runs in a child process (the coursepack beside this
	 * program): the POST answers at once, the page follows it. */
	call(page_build_post, ctx, "POST", "/build", f, 2, rs);
	EXPECT(rs->location && streq(rs->location, "/build"), "serve pages: POST /build starts the build and answers at once");
	for (waited = 0; build_job_view(&v) && v.state == BUILD_RUNNING && waited < 1200; waited++) {
		build_view_release(&v);
		usleep(100 * 1000);
	}
	build_view_release(&v);
	call(page_build_status, ctx, "GET", "/build/status", NULL, 0, rs);
	EXPECT(has(rs, "\"state\":\"ok\"") && has(rs, "\"done\":1,\"total\":1") && has(rs, "\"exit\":0"),
	    "serve pages: /build/status says ok, 1 of 1 village");
	call(page_build, ctx, "GET", "/build", NULL, 0, rs);
	EXPECT(rs->status == 200 && has(rs, "id=\"build-ok\"") &&
	    has(rs, "<a class=\"download\" href=\"/download/xiayang-jili.zip\">") &&
	    has(rs, "href=\"/download/xiayang-jili-phone.html\"") && has(rs, "href=\"/download/xiayang-jili.epub\"") &&
	    has(rs, "href=\"/download/index.html\""), "serve pages: one village built and verified, its files linked");
	call(page_download, ctx, "GET", "/download/xiayang-jili.zip", NULL, 0, rs);
	EXPECT(rs->file && access(rs->file, R_OK) == 0 && rs->download && streq(rs->download, "xiayang-jili.zip"),
	    "serve pages: the bundle downloads");
	zip = rs->file ? xstrdup(rs->file) : NULL;
	call(page_download, ctx, "GET", "/download/.x", NULL, 0, rs);
	EXPECT(rs->file == NULL && rs->status == 404, "serve pages: no dot files downloaded");
	call(page_download, ctx, "GET", "/download/a/b", NULL, 0, rs);
	EXPECT(rs->file == NULL && rs->status == 404, "serve pages: no paths downloaded");

	/* The preview's body is the bundle's, byte for byte (a lesson whose
	 * links the preview need not rewrite). */
	body = zip ? bundle_body(zip, "lessons/congress20/grassroots.html") : NULL;
	call(page_lesson, ctx, "GET", "/lesson/congress20/grassroots", NULL, 0, &lesson);
	EXPECT(body && strlen(body) > 200 && has(&lesson, body), "serve pages: the preview renders the lesson as the bundle does");
	response_release(&lesson);
	free(body);
	free(zip);
	build_job_stop();
}

void
test_serve_pages(void)
{
	const char *t = getenv("TMPDIR");
	char *tmp = xasprintf("%s/cp-serve-XXXXXX", t && *t ? t : "/tmp"), *cmd;
	struct serve_response rs = {0};
	struct serve_ctx ctx;
	char *exe, *dir;

	if (mkdtemp(tmp) == NULL) {
		UNIT_SKIP("serve pages", "no temporary folder");
		free(tmp);
		return;
	}
	cmd = xasprintf("mkdir -p '%s/examples' '%s/out' && cp -R examples/xiayang '%s/examples/' && cp -R courses '%s/'",
	    tmp, tmp, tmp, tmp);
	if (system(cmd) != 0)
		printf("# could not copy the example\n");
	free(cmd);
	ctx.township = xasprintf("%s/examples/xiayang/township.xml", tmp);
	ctx.library = xasprintf("%s/courses", tmp);
	ctx.ledger = xasprintf("%s/ledger.sqlite", tmp);
	ctx.output = xasprintf("%s/out", tmp);
	ctx.csrf = "t";
	exe = realpath("/proc/self/exe", NULL);
	dir = exe ? path_dirname(exe) : NULL;
	ctx.self = dir ? path_join(dir, "coursepack") : NULL;
	free(exe);
	free(dir);

	library_pages(&ctx, &rs);
	attendance_pages(&ctx, &rs, tmp);
	build_pages(&ctx, &rs);

	response_release(&rs);
	remove_tree(tmp);
	free((char *)ctx.township);
	free((char *)ctx.library);
	free((char *)ctx.ledger);
	free((char *)ctx.output);
	free((char *)ctx.self);
	free(tmp);
}
