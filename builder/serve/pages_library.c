/* The library pages: every course by category, and a lesson previewed as
 * the class pages of a bundle render it (render_body, the same function
 * and the same link style), beside the diagnostics `check` gives for its
 * files.  The preview polls a stamp of the lesson's files every second
 * and swaps itself in place when it changes.
 *
 * The library is loaded and checked on every request, as `check` does:
 * a trainer edits the files while the page is open.  A preview renders
 * the lesson inside a plan of the whole library, so links to any lesson
 * stay links (a village's bundle drops those outside its plan). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "editions.h"
#include "load.h"
#include "markdown.h"
#include "media.h"
#include "pages.h"
#include "render.h"
#include "util.h"

struct loaded {
	const char *dir;
	struct library *lib;
};

static void
load_and_check(void *arg)
{
	struct loaded *ld = arg;
	struct check_stats st = {0, 0, 0};
	int failed = 0;

	ld->lib = load_library(ld->dir, NULL, &failed);
	if (ld->lib)
		check_library(ld->lib, &st);
}

/* The library with its check's diagnostics in *captured (caller frees
 * both), or NULL when it has no categories.xml. */
static struct library *
library_get(const struct serve_ctx *ctx, char **captured)
{
	struct loaded ld = {ctx->library, NULL};

	*captured = serve_capture(load_and_check, &ld);
	return ld.lib;
}

static void
not_found(struct serve_response *rs, const struct serve_ctx *ctx, const char *what)
{
	rs->status = 404;
	page_begin(&rs->body, ctx, "没有找到");
	buf_puts(&rs->body, "<p id=\"not-found\">没有找到：");
	buf_escape(&rs->body, what);
	buf_puts(&rs->body, "</p>\n<p><a href=\"/library\">回到课程库</a></p>\n");
	page_end(&rs->body);
}

static void
course_item(struct buf *b, const struct course *c)
{
	size_t k;

	buf_printf(b, "<li class=\"course\" id=\"course-%s\"><h3>", c->id);
	buf_escape(b, c->title);
	buf_puts(b, "</h3>\n<ol class=\"lessons\">\n");
	for (k = 0; k < c->nlessons; k++) {
		const struct lesson *l = &c->lessons[k];

		buf_printf(b, "<li><a href=\"/lesson/%s/%s\">", c->id, l->id);
		buf_escape(b, l->title ? l->title : l->id);
		buf_puts(b, "</a> <span class=\"hours\">");
		render_hours(b, l->hours);
		buf_puts(b, " 学时</span></li>\n");
	}
	buf_puts(b, "</ol></li>\n");
}

void
page_library(const struct serve_request *rq, struct serve_response *rs)
{
	const struct serve_ctx *ctx = rq->ctx;
	char *captured;
	struct library *lib = library_get(ctx, &captured);
	struct buf *b = &rs->body;
	size_t i, k;

	page_begin(b, ctx, "课程库");
	if (lib == NULL) {
		buf_puts(b, "<p id=\"no-library\">课程库读不出来，请看下面的检查结果。</p>\n");
		goto out;
	}
	buf_printf(b, "<p>共 %zu 门课程。点课名打开预览，改了课件会自动刷新。</p>\n", lib->ncourses);
	for (i = 0; lib->categories && i < lib->categories->n; i++) {
		const struct category *cat = &lib->categories->v[i];

		buf_printf(b, "<section class=\"category\" id=\"category-%s\"><h2>", cat->id);
		buf_escape(b, cat->name);
		buf_puts(b, "</h2>\n<ul class=\"courses\">\n");
		for (k = 0; k < lib->ncourses; k++)
			if (lib->courses[k]->category && streq(lib->courses[k]->category, cat->id))
				course_item(b, lib->courses[k]);
		buf_puts(b, "</ul></section>\n");
	}
	/* Courses of a category categories.xml does not list: check names them. */
	for (k = 0; k < lib->ncourses; k++)
		if (lib->categories == NULL || lib->courses[k]->category == NULL ||
		    categories_find(lib->categories, lib->courses[k]->category) == NULL) {
			buf_puts(b, "<section class=\"category\" id=\"category-other\"><h2>未分类</h2>\n<ul class=\"courses\">\n");
			for (; k < lib->ncourses; k++)
				if (lib->categories == NULL || lib->courses[k]->category == NULL ||
				    categories_find(lib->categories, lib->courses[k]->category) == NULL)
					course_item(b, lib->courses[k]);
			buf_puts(b, "</ul></section>\n");
		}
out:
	page_diagnostics(b, captured);
	page_end(b);
	library_free(lib);
	free(captured);
}

/* "C/L" after `prefix` in the request path, as two safe names (new
 * strings), or -1. */
static int
split_ids(const char *path, const char *prefix, char **course, char **rest)
{
	const char *s = path + strlen(prefix), *slash;

	if (strncmp(path, prefix, strlen(prefix)) != 0 || (slash = strchr(s, '/')) == NULL || slash == s)
		return -1;
	*course = xstrndup(s, (size_t)(slash - s));
	*rest = xstrdup(slash + 1);
	if (!path_is_safe_relative(*course) || !path_is_safe_relative(*rest)) {
		free(*course);
		free(*rest);
		return -1;
	}
	return 0;
}

/* The bundle's relative links made to work from /lesson/C/L: media
 * "../../assets/C/P" to /lesson-media/C/P, lessons "../C/L.html" to
 * /lesson/C/L.  Everything else is left as render_body made it. */
static char *
preview_links(const char *html)
{
	struct buf b = {0};
	const char *s = html, *t;

	while ((t = strstr(s, "=\"../")) != NULL) {
		const char *url = t + 2, *end = strchr(url, '"');

		buf_add(&b, s, (size_t)(url - s));
		if (end == NULL)
			break;
		if (strncmp(url, "../../assets/", 13) == 0) {
			buf_puts(&b, "/lesson-media/");
			buf_add(&b, url + 13, (size_t)(end - url - 13));
		} else if (strncmp(url, "../../", 6) != 0 && end - url > 8 && strncmp(end - 5, ".html", 5) == 0) {
			buf_puts(&b, "/lesson/");
			buf_add(&b, url + 3, (size_t)(end - url - 8));
		} else
			buf_add(&b, url, (size_t)(end - url));
		s = end;
	}
	buf_puts(&b, s);
	return buf_detach(&b);
}

/* Lesson `l` of library `lib` rendered as the class pages render it,
 * into a plan of every lesson of the library.  Caller frees; NULL when
 * its Markdown cannot be read (the check said why). */
static char *
preview_body(const struct library *lib, const struct lesson *l)
{
	struct body_kind kinds[LINKS__COUNT];
	struct plan p;
	struct asset_set assets = {NULL, 0};
	struct md_doc *md;
	char *text, *html, *done;
	size_t len, i, k, n = 0, at = 0;

	if (read_inside(l->course->dir, l->src, MD_MAX_BYTES, &text, &len, NULL) == -1)
		return NULL;
	if (!utf8_valid(text, len, NULL)) {
		free(text);
		return NULL;
	}
	memset(&p, 0, sizeof p);
	for (i = 0; i < lib->ncourses; i++)
		n += lib->courses[i]->nlessons;
	p.lessons = xcalloc(n, sizeof *p.lessons);
	for (i = 0; i < lib->ncourses; i++)
		for (k = 0; k < lib->courses[i]->nlessons; k++) {
			if (&lib->courses[i]->lessons[k] == l)
				at = p.nlessons;
			p.lessons[p.nlessons++] = &lib->courses[i]->lessons[k];
		}
	editions_body_kinds(kinds);
	md = md_parse(text, len);
	html = render_body(&p, at, md, LINKS_PAGE, kinds[LINKS_PAGE].modes, &assets, NULL);
	if (kinds[LINKS_PAGE].finish) {
		done = kinds[LINKS_PAGE].finish(html);
		free(html);
		html = done;
	}
	done = preview_links(html);
	free(html);
	md_doc_free(md);
	asset_set_release(&assets);
	free(p.lessons);
	free(text);
	return done;
}

/* Whether a diagnostic line names one of the lesson's files. */
static int
about_lesson(const char *line, size_t n, const struct lesson *l)
{
	char *md = path_join(l->course->dir, l->src), *hit;
	size_t k;
	int yes = 0;

	hit = memmem(line, n, md, strlen(md));
	yes = hit != NULL || memmem(line, n, l->course->path, strlen(l->course->path)) != NULL;
	for (k = 0; k < l->nassets && !yes; k++) {
		char *a = path_join(l->course->dir, l->assets[k].id);

		yes = memmem(line, n, a, strlen(a)) != NULL;
		free(a);
	}
	free(md);
	return yes;
}

static void
lesson_diagnostics(struct buf *b, const char *captured, const struct lesson *l)
{
	const char *s, *e;
	int any = 0;

	buf_puts(b, "<ul id=\"diagnostics\">\n");
	for (s = captured; *s; s = *e ? e + 1 : e) {
		char *line;

		e = strchr(s, '\n');
		if (e == NULL)
			e = s + strlen(s);
		if (!about_lesson(s, (size_t)(e - s), l))
			continue;
		line = xstrndup(s, (size_t)(e - s));
		buf_printf(b, "<li class=\"%s\">", strstr(line, ": error: ") ? "error" : "warning");
		buf_escape(b, strncmp(line, "coursepack: ", 12) == 0 ? line + 12 : line);
		buf_puts(b, "</li>\n");
		free(line);
		any = 1;
	}
	if (!any)
		buf_puts(b, "<li class=\"clean\">检查没有发现问题</li>\n");
	buf_puts(b, "</ul>\n");
}

/* Reloads #preview and #diagnostics from the page itself whenever the
 * stamp of the lesson's files changes. */
static const char poll_script[] =
    "<script>\n"
    "(function () {\n"
    "  var stamp = document.getElementById('preview').getAttribute('data-stamp');\n"
    "  var url = location.pathname.replace(/^\\/lesson\\//, '/lesson-stamp/');\n"
    "  setInterval(function () {\n"
    "    fetch(url, {cache: 'no-store'}).then(function (r) { return r.text(); }).then(function (t) {\n"
    "      t = t.trim();\n"
    "      if (t === stamp) return;\n"
    "      stamp = t;\n"
    "      return fetch(location.pathname, {cache: 'no-store'}).then(function (r) { return r.text(); }).then(function (h) {\n"
    "        var d = new DOMParser().parseFromString(h, 'text/html');\n"
    "        ['preview', 'diagnostics'].forEach(function (id) {\n"
    "          var n = d.getElementById(id), o = document.getElementById(id);\n"
    "          if (n && o) o.replaceWith(n);\n"
    "        });\n"
    "      });\n"
    "    }).catch(function () {});\n"
    "  }, 1000);\n"
    "})();\n"
    "</script>\n";

static void stamp_of(const struct serve_ctx *, const char *course, const char *lesson, char out[24]);

void
page_lesson(const struct serve_request *rq, struct serve_response *rs)
{
	const struct serve_ctx *ctx = rq->ctx;
	struct library *lib = NULL;
	const struct lesson *l = NULL;
	char *course = NULL, *id = NULL, *captured = NULL, *full, *body;
	char stamp[24];
	struct buf *b = &rs->body;

	if (split_ids(rq->path, "/lesson/", &course, &id) == -1) {
		not_found(rs, ctx, rq->path);
		return;
	}
	full = xasprintf("%s/%s", course, id);
	lib = library_get(ctx, &captured);
	if (lib)
		l = library_find_lesson(lib, full);
	if (l == NULL) {
		not_found(rs, ctx, full);
		goto out;
	}
	stamp_of(ctx, course, id, stamp);
	page_begin(b, ctx, l->title ? l->title : full);
	buf_puts(b, "<p class=\"crumbs\"><a href=\"/library\">课程库</a> · ");
	buf_escape(b, l->course->title);
	buf_printf(b, "</p>\n<div id=\"preview\" data-stamp=\"%s\">\n<main lang=\"%s\">\n<p class=\"meta\">", stamp,
	    l->course->lang);
	render_hours(b, l->hours);
	buf_puts(b, " 学时</p>\n<h1>");
	buf_escape(b, l->title ? l->title : full);
	buf_puts(b, "</h1>\n");
	if ((body = preview_body(lib, l)) != NULL) {
		buf_puts(b, body);
		free(body);
	} else
		buf_puts(b, "<p class=\"unreadable\">课件读不出来，请看右边的检查结果。</p>\n");
	buf_puts(b, "</main>\n</div>\n<aside><h2>检查结果</h2>\n");
	lesson_diagnostics(b, captured, l);
	buf_puts(b, "</aside>\n");
	buf_puts(b, poll_script);
	page_end(b);
out:
	library_free(lib);
	free(captured);
	free(full);
	free(course);
	free(id);
}

struct course_load {
	const char *path;
	struct course *c;
};

static void
load_one(void *arg)
{
	struct course_load *cl = arg;

	cl->c = load_course(cl->path);
}

static uint32_t
stamp_file(uint32_t h, const char *path)
{
	struct stat st;
	long long v[3] = {-1, -1, -1};

	if (stat(path, &st) == 0) {
		v[0] = (long long)st.st_mtim.tv_sec;
		v[1] = (long long)st.st_mtim.tv_nsec;
		v[2] = (long long)st.st_size;
	}
	h = fnv1a(h, path, strlen(path) + 1);
	return fnv1a(h, v, sizeof v);
}

/* A hash of the modification times and sizes of the lesson's Markdown,
 * its course's manifest and the media the manifest lists for it: what
 * the preview shows changes only when one of them does. */
static void
stamp_of(const struct serve_ctx *ctx, const char *course, const char *lesson, char out[24])
{
	char *dir = path_join(ctx->library, course), *manifest = path_join(dir, "course.xml"), *noise;
	struct course_load cl = {manifest, NULL};
	struct course *c;
	uint32_t h = stamp_file(2166136261u, manifest);
	size_t i, k;

	noise = serve_capture(load_one, &cl);
	c = cl.c;
	for (i = 0; c && i < c->nlessons; i++) {
		const struct lesson *l = &c->lessons[i];

		if (!streq(l->id, lesson) || !path_is_safe_relative(l->src))
			continue;
		{
			char *md = path_join(dir, l->src);

			h = stamp_file(h, md);
			free(md);
		}
		for (k = 0; k < l->nassets; k++)
			if (path_is_safe_relative(l->assets[k].id)) {
				char *a = path_join(dir, l->assets[k].id);

				h = stamp_file(h, a);
				free(a);
			}
	}
	snprintf(out, 24, "%08x", (unsigned)h);
	course_free(c);
	free(noise);
	free(manifest);
	free(dir);
}

void
page_lesson_stamp(const struct serve_request *rq, struct serve_response *rs)
{
	char *course, *id, stamp[24];

	rs->content_type = "text/plain; charset=utf-8";
	if (split_ids(rq->path, "/lesson-stamp/", &course, &id) == -1) {
		rs->status = 404;
		buf_puts(&rs->body, "not found\n");
		return;
	}
	stamp_of(rq->ctx, course, id, stamp);
	buf_printf(&rs->body, "%s\n", stamp);
	free(course);
	free(id);
}

/* A file of a course's folder, for the preview's images: only a regular
 * file that resolves (links followed) inside that folder. */
void
page_lesson_media(const struct serve_request *rq, struct serve_response *rs)
{
	char *course, *rel, *dir, *path, real_dir[PATH_MAX], real[PATH_MAX];
	size_t n;

	if (split_ids(rq->path, "/lesson-media/", &course, &rel) == -1) {
		rs->status = 404;
		buf_puts(&rs->body, "not found\n");
		return;
	}
	dir = path_join(rq->ctx->library, course);
	path = path_join(dir, rel);
	if (strchr(course, '/') == NULL && path_inside(dir, rel) == INSIDE_OK && realpath(dir, real_dir) &&
	    realpath(path, real) && (n = strlen(real_dir), strncmp(real, real_dir, n) == 0 && real[n] == '/')) {
		rs->file = xstrdup(real);
		rs->content_type = media_mime(real);
	} else {
		rs->status = 404;
		rs->content_type = "text/plain; charset=utf-8";
		buf_puts(&rs->body, "not found\n");
	}
	free(path);
	free(dir);
	free(course);
	free(rel);
}
