/* Build: one village's bundle or every village's, made in-process by the
 * build command itself (pages_commands.build, cmd_build) into the
 * server's output folder, then verified by the verify command; the page
 * shows what both said and links each file made for download.
 *
 * Downloads are files of OUTPUT/TOWNSHIP (the folder the build writes),
 * by plain name: no path separators, no dot files. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media.h"
#include "pages.h"
#include "project.h"
#include "util.h"

struct pages_commands pages_commands;

/* stdout is the process's: one capture at a time.  The commands run
 * here are not reentrant either (getopt's optind, the diagnostic counts),
 * so this lock also keeps two builds or imports from overlapping. */
static pthread_mutex_t stdout_lock = PTHREAD_MUTEX_INITIALIZER;

char *
pages_stdout(void (*fn)(void *), void *arg)
{
	FILE *tmp;
	int saved;
	off_t n;
	char *s;

	pthread_mutex_lock(&stdout_lock);
	fflush(stdout);
	tmp = tmpfile();
	if (tmp == NULL || (saved = dup(1)) == -1) {
		if (tmp)
			fclose(tmp);
		fn(arg);
		pthread_mutex_unlock(&stdout_lock);
		return xstrdup("");
	}
	dup2(fileno(tmp), 1);
	fn(arg);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = lseek(fileno(tmp), 0, SEEK_END);
	if (n < 0)
		n = 0;
	s = xmalloc((size_t)n + 1);
	if (pread(fileno(tmp), s, (size_t)n, 0) != n)
		n = 0;
	s[n] = '\0';
	fclose(tmp);
	pthread_mutex_unlock(&stdout_lock);
	return s;
}

struct bctx {
	const struct serve_ctx *ctx;
	struct project pr;
	int loaded;
};

static void
bload(void *arg)
{
	struct bctx *c = arg;
	struct check_stats st = {0, 0, 0};

	memset(&c->pr, 0, sizeof c->pr);
	c->loaded = c->ctx->township && project_load(&c->pr, c->ctx->township, NULL, NULL, &st) == 0 &&
	    c->pr.errors == 0;
}

static void
village_options(struct buf *b, const struct project *pr, const char *chosen)
{
	size_t i;

	buf_puts(b, "<option value=\"\">全部村</option>\n");
	for (i = 0; i < pr->nvillages; i++)
		if (pr->villages[i]) {
			buf_printf(b, "<option value=\"%s\"%s>", pr->villages[i]->id,
			    chosen && streq(chosen, pr->villages[i]->id) ? " selected" : "");
			buf_escape(b, pr->villages[i]->name);
			buf_puts(b, "</option>\n");
		}
}

/* Links to the files of dir whose names start with `prefix` (all when
 * NULL), and the catalogue index. */
static void
downloads(struct buf *b, const char *dir, const char *prefix)
{
	char **names = NULL;
	size_t i, n = 0;

	if (dir == NULL || list_dir(dir, &names, &n) == -1)
		return;
	buf_puts(b, "<ul id=\"downloads\">\n");
	for (i = 0; i < n; i++) {
		char *path = path_join(dir, names[i]);
		struct stat st;

		if (names[i][0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (prefix == NULL || strncmp(names[i], prefix, strlen(prefix)) == 0 || streq(names[i], "index.html")) &&
		    !has_suffix(names[i], ".tmp")) {
			char *size = human_size((size_t)st.st_size);

			buf_puts(b, "<li><a class=\"download\" href=\"/download/");
			buf_escape(b, names[i]);
			buf_puts(b, "\">");
			buf_escape(b, names[i]);
			buf_printf(b, "</a> <span class=\"size\">%s</span></li>\n", size);
			free(size);
		}
		free(path);
	}
	buf_puts(b, "</ul>\n");
	free_names(names, n);
}

static void
build_form(struct buf *b, const struct serve_ctx *ctx, const struct project *pr, const char *chosen)
{
	buf_puts(b, "<form id=\"build-form\" method=\"post\" action=\"/build\">\n");
	page_csrf(b, ctx);
	buf_puts(b, "<p><label>打包 <select name=\"village\">\n");
	village_options(b, pr, chosen);
	buf_puts(b, "</select></label> <button id=\"build\">打包并校验</button></p>\n</form>\n");
}

static char *
township_out(const struct serve_ctx *ctx, const struct project *pr)
{
	return pr->township ? path_join(ctx->output, pr->township->id) : NULL;
}

void
page_build(const struct serve_request *rq, struct serve_response *rs)
{
	struct bctx c = {rq->ctx, {0}, 0};
	char *captured = serve_capture(bload, &c), *dir;
	struct buf *b = &rs->body;

	page_begin(b, rq->ctx, "打包学习包");
	if (!c.loaded) {
		buf_puts(b, "<p id=\"no-township\">没有读到乡镇，或者它的文件有错误（见下面），不能打包。</p>\n");
		page_diagnostics(b, captured);
	} else {
		build_form(b, rq->ctx, &c.pr, NULL);
		dir = township_out(rq->ctx, &c.pr);
		buf_puts(b, "<h2>已经打好的文件</h2>\n");
		downloads(b, dir, NULL);
		free(dir);
	}
	page_end(b);
	if (rq->ctx->township)
		project_release(&c.pr);
	free(captured);
}

struct run {
	const struct serve_ctx *ctx;
	const char *source;	/* township.xml or a village's file */
	const char *dir;	/* OUTPUT/TOWNSHIP */
	const char *prefix;	/* the files built: TOWNSHIP-VILLAGE, or NULL: all */
	int built, verified;
	char *said;
};

static void
run_commands(void *arg)
{
	struct run *r = arg;
	char *bargv[] = {"build", "-o", (char *)r->ctx->output, (char *)r->source, NULL};
	char **vargv, **names = NULL;
	size_t i, n = 0, nv = 1;

	diag_reset();
	r->built = pages_commands.build(4, bargv);
	if (r->built != 0 || list_dir(r->dir, &names, &n) == -1)
		return;
	vargv = xcalloc(n + 2, sizeof *vargv);
	vargv[0] = xstrdup("verify");
	for (i = 0; i < n; i++)
		if (has_suffix(names[i], ".zip") && (r->prefix == NULL || strncmp(names[i], r->prefix, strlen(r->prefix)) == 0))
			vargv[nv++] = path_join(r->dir, names[i]);
	diag_reset();
	r->verified = nv > 1 && pages_commands.verify ? pages_commands.verify((int)nv, vargv) : -1;
	for (i = 0; i < nv; i++)
		free(vargv[i]);
	free(vargv);
	free_names(names, n);
}

static void
run_outer(void *arg)
{
	struct run *r = arg;

	r->said = pages_stdout(run_commands, r);
}

void
page_build_post(const struct serve_request *rq, struct serve_response *rs)
{
	struct bctx c = {rq->ctx, {0}, 0};
	char *captured = serve_capture(bload, &c), *said = NULL, *dir = NULL, *prefix = NULL;
	const char *want = serve_field(rq, "village");
	struct run r = {rq->ctx, NULL, NULL, NULL, -1, -1, NULL};
	struct buf *b = &rs->body;
	size_t i;

	page_begin(b, rq->ctx, "打包结果");
	if (!c.loaded || pages_commands.build == NULL) {
		rs->status = c.loaded ? 503 : 404;
		buf_puts(b, "<p id=\"no-build\">不能打包：没有读到乡镇的 township.xml。</p>\n");
		page_diagnostics(b, captured);
		goto out;
	}
	r.source = rq->ctx->township;
	if (want && *want) {
		for (i = 0; i < c.pr.nvillages; i++)
			if (c.pr.villages[i] && streq(c.pr.villages[i]->id, want) && c.pr.village_paths[i])
				break;
		if (i == c.pr.nvillages) {
			rs->status = 400;
			buf_puts(b, "<p id=\"no-village\">乡镇里没有这个村。</p>\n");
			build_form(b, rq->ctx, &c.pr, NULL);
			goto out;
		}
		r.source = c.pr.village_paths[i];
		prefix = xasprintf("%s-%s", c.pr.township->id, want);
	}
	dir = township_out(rq->ctx, &c.pr);
	r.dir = dir;
	r.prefix = prefix;
	free(captured);
	captured = serve_capture(run_outer, &r);
	said = r.said;
	if (r.built == 0 && r.verified == 0)
		buf_puts(b, "<p id=\"build-ok\" class=\"ok\">打好了，也校验过了。</p>\n");
	else {
		rs->status = 422;
		buf_printf(b, "<p id=\"build-failed\" class=\"error\">%s，请看下面的说明。</p>\n",
		    r.built != 0 ? "没有打好" : "打好了，但校验没有通过");
	}
	downloads(b, dir, prefix);
	buf_puts(b, "<pre id=\"build-log\">");
	buf_escape(b, said ? said : "");
	buf_puts(b, "</pre>\n");
	page_diagnostics(b, captured);
	build_form(b, rq->ctx, &c.pr, want);
out:
	page_end(b);
	if (rq->ctx->township)
		project_release(&c.pr);
	free(captured);
	free(said);
	free(dir);
	free(prefix);
}

void
page_download(const struct serve_request *rq, struct serve_response *rs)
{
	const char *name = rq->path + strlen("/download/");
	struct bctx c = {rq->ctx, {0}, 0};
	char *captured, *dir, *path;
	struct stat st;

	if (strncmp(rq->path, "/download/", 10) != 0 || *name == '\0' || *name == '.' || strchr(name, '/') ||
	    strchr(name, '\\')) {
		rs->status = 404;
		rs->content_type = "text/plain; charset=utf-8";
		buf_puts(&rs->body, "not found\n");
		return;
	}
	captured = serve_capture(bload, &c);
	dir = c.loaded ? township_out(rq->ctx, &c.pr) : NULL;
	path = dir ? path_join(dir, name) : NULL;
	if (path && lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		rs->file = path;
		path = NULL;
		rs->content_type = media_mime(name);
		if (!has_suffix(name, ".html"))
			rs->download = xstrdup(name);
	} else {
		rs->status = 404;
		rs->content_type = "text/plain; charset=utf-8";
		buf_puts(&rs->body, "not found\n");
	}
	if (rq->ctx->township)
		project_release(&c.pr);
	free(path);
	free(dir);
	free(captured);
}
