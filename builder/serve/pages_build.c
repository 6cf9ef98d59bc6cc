/* Build: one village's bundle or every village's, made by the build
 * command in a child process (build_job.c) into the server's output
 * folder, then verified by the verify command; the page follows its
 * progress (/build/status, polled by a small script, or the refresh
 * link), then shows what both said and links each file made for
 * download.
 *
 * Downloads are files of OUTPUT/TOWNSHIP (the folder the build writes),
 * by plain name: no path separators, no dot files. */
#include <dirent.h>
#include <errno.h>
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

/* stdout is the process's: one capture at a time.  The commands run
 * here are not reentrant either (getopt's optind, the diagnostic counts),
 * so this lock also keeps two imports from overlapping.  (Builds run in
 * a child process, build_job.c.) */
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

/* The name of village id (NULL: all villages), or NULL when unknown. */
static const char *
village_name(const struct project *pr, const char *id)
{
	size_t i;

	for (i = 0; id && i < pr->nvillages; i++)
		if (pr->villages[i] && streq(pr->villages[i]->id, id))
			return pr->villages[i]->name;
	return id ? NULL : "全部村";
}

static char *
township_out(const struct serve_ctx *ctx, const struct project *pr)
{
	return pr->township ? path_join(ctx->output, pr->township->id) : NULL;
}

/* Follows /build/status while the build runs: the bar, the state line,
 * the messages and the log as they come; at the end the page reloads to
 * show the result and its downloads. */
static const char poll_script[] =
    "<script>\n"
    "(function () {\n"
    "  var bar = document.getElementById('build-progress'), said = document.getElementById('build-state');\n"
    "  var msgs = document.getElementById('build-messages'), log = document.getElementById('build-log');\n"
    "  var box = document.getElementById('build-diag');\n"
    "  var timer = setInterval(function () {\n"
    "    fetch('/build/status', {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {\n"
    "      if (s.state !== 'running') { clearInterval(timer); location.reload(); return; }\n"
    "      bar.max = Math.max(s.total, 1); bar.value = s.done; bar.textContent = s.done + '/' + s.total;\n"
    "      said.textContent = (s.total ? (s.step === 'verify' ? '正在校验' : '正在打包') + '：已打好 ' + s.done + '/' +\n"
    "        s.total + ' 个村' + (s.current ? '（' + s.current + '）' : '') : '正在读取乡镇的文件') +\n"
    "        '，用时 ' + s.elapsed + ' 秒';\n"
    "      box.hidden = s.diagnostics.length === 0;\n"
    "      msgs.replaceChildren.apply(msgs, s.diagnostics.map(function (d) {\n"
    "        var li = document.createElement('li'); li.textContent = d; return li; }));\n"
    "      log.textContent = s.log.join('\\n');\n"
    "    }).catch(function () {});\n"
    "  }, 1000);\n"
    "})();\n"
    "</script>\n";

/* The log's diagnostics, as page_diagnostics lists them. */
static char *
log_diagnostics(const char *log)
{
	struct buf b = {0};
	const char *s;

	buf_puts(&b, "");
	for (s = log; *s; ) {
		size_t n = strcspn(s, "\n");

		if (strncmp(s, "coursepack: ", 12) == 0) {
			buf_add(&b, s, n);
			buf_puts(&b, "\n");
		}
		s += n + (s[n] == '\n');
	}
	return buf_detach(&b);
}

/* The last build: running (a bar the script moves, a refresh link for
 * browsers without it) or its result with its downloads. */
static void
build_status(struct buf *b, const struct build_view *v, const char *name)
{
	char *diags = log_diagnostics(v->log ? v->log : "");

	buf_printf(b, "<section id=\"build-status\" data-state=\"%s\">\n<h2>这次打包：",
	    v->state == BUILD_RUNNING ? "running" : v->state == BUILD_OK ? "ok" : "failed");
	buf_escape(b, name ? name : v->village ? v->village : "全部村");
	buf_puts(b, "</h2>\n");
	buf_printf(b, "<progress id=\"build-progress\" max=\"%zu\" value=\"%zu\">%zu/%zu</progress>\n",
	    v->total ? v->total : 1, v->done, v->done, v->total);
	if (v->state == BUILD_RUNNING) {
		if (v->total)
			buf_printf(b, "<p id=\"build-state\">%s：已打好 %zu/%zu 个村", v->verifying ? "正在校验" : "正在打包",
			    v->done, v->total);
		else
			buf_puts(b, "<p id=\"build-state\">正在读取乡镇的文件");
		if (v->current[0]) {
			buf_puts(b, "（");
			buf_escape(b, v->current);
			buf_puts(b, "）");
		}
		buf_printf(b, "，用时 %lld 秒</p>\n", v->elapsed);
		buf_puts(b, "<p><a id=\"build-refresh\" class=\"button\" href=\"/build\">刷新看进度</a></p>\n");
	} else if (v->state == BUILD_OK)
		buf_printf(b, "<p id=\"build-ok\" class=\"ok\">打好了，也校验过了（%zu/%zu 个村，用时 %lld 秒，退出状态 0）。</p>\n",
		    v->done, v->total, v->elapsed);
	else if (v->build_exit != 0)
		buf_printf(b, "<p id=\"build-failed\" class=\"error\">没有打好（退出状态 %d），请看下面的说明。</p>\n",
		    v->build_exit);
	else if (v->verify_exit < 0)
		buf_puts(b, "<p id=\"build-failed\" class=\"error\">打好了，但没有找到可以校验的学习包。</p>\n");
	else
		buf_printf(b, "<p id=\"build-failed\" class=\"error\">打好了，但校验没有通过（退出状态 %d），请看下面的说明。</p>\n",
		    v->verify_exit);
	buf_printf(b, "<div class=\"diag\" id=\"build-diag\"%s><p>打包时的说明（文件:行: 问题）：</p><ul id=\"build-messages\">\n",
	    *diags ? "" : " hidden");
	/* page_diagnostics' list, without its box when empty. */
	{
		struct buf d = {0};
		const char *ul, *end;

		page_diagnostics(&d, diags);
		if (d.len && (ul = strstr(d.data, "<ul>\n")) && (end = strstr(ul, "</ul>")))
			buf_add(b, ul + 5, (size_t)(end - ul - 5));
		buf_release(&d);
	}
	buf_puts(b, "</ul></div>\n<pre id=\"build-log\">");
	buf_escape(b, v->log ? v->log : "");
	buf_puts(b, "</pre>\n");
	if (v->state != BUILD_RUNNING) {
		buf_puts(b, "<h2>这次打好的文件</h2>\n");
		downloads(b, v->dir, v->prefix);
	} else
		buf_puts(b, poll_script);
	buf_puts(b, "</section>\n");
	free(diags);
}

void
page_build(const struct serve_request *rq, struct serve_response *rs)
{
	struct bctx c = {rq->ctx, {0}, 0};
	char *captured = serve_capture(bload, &c), *dir;
	struct buf *b = &rs->body;
	struct build_view v;
	int have = build_job_view(&v);

	page_begin(b, rq->ctx, "打包学习包");
	if (have)
		build_status(b, &v, c.loaded ? village_name(&c.pr, v.village) : NULL);
	if (!c.loaded) {
		buf_puts(b, "<p id=\"no-township\">没有读到乡镇，或者它的文件有错误（见下面），不能打包。</p>\n");
		page_diagnostics(b, captured);
	} else {
		if (v.state != BUILD_RUNNING)
			build_form(b, rq->ctx, &c.pr, v.village);
		dir = township_out(rq->ctx, &c.pr);
		buf_puts(b, "<h2>已经打好的文件</h2>\n");
		downloads(b, dir, NULL);
		free(dir);
	}
	page_end(b);
	build_view_release(&v);
	if (rq->ctx->township)
		project_release(&c.pr);
	free(captured);
}

void
page_build_status(const struct serve_request *rq, struct serve_response *rs)
{
	struct build_view v;

	(void)rq;
	build_job_view(&v);
	rs->content_type = "application/json; charset=utf-8";
	build_view_json(&rs->body, &v);
	build_view_release(&v);
}

void
page_build_post(const struct serve_request *rq, struct serve_response *rs)
{
	struct bctx c = {rq->ctx, {0}, 0};
	char *captured = serve_capture(bload, &c), *dir = NULL, *prefix = NULL;
	const char *want = serve_field(rq, "village"), *source;
	struct buf *b = &rs->body;
	size_t i;
	int started, err;

	page_begin(b, rq->ctx, "打包");
	if (!c.loaded) {
		rs->status = 404;
		buf_puts(b, "<p id=\"no-build\">不能打包：没有读到乡镇的 township.xml。</p>\n");
		page_diagnostics(b, captured);
		goto out;
	}
	source = rq->ctx->township;
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
		source = c.pr.village_paths[i];
		prefix = xasprintf("%s-%s", c.pr.township->id, want);
	} else
		want = NULL;
	dir = township_out(rq->ctx, &c.pr);
	started = build_job_start(rq->ctx, source, want, dir, prefix);
	err = errno;
	switch (started) {
	case BUILD_START_OK:
		/* The page that follows the build; the POST answers at once. */
		rs->location = xstrdup("/build");
		break;
	case BUILD_START_BUSY:
		rs->status = 409;
		buf_puts(b, "<p id=\"build-busy\" class=\"error\">正在打包，一次只能打一个包："
		    "请等这次打完再打。<a href=\"/build\">看这次打包的进度</a></p>\n");
		break;
	case BUILD_START_LOCKED:
		rs->status = 409;
		buf_puts(b, "<p id=\"build-locked\" class=\"error\">另一个打包程序（coursepack build）"
		    "正在往这个文件夹打包：请等它结束后再打包。</p>\n");
		build_form(b, rq->ctx, &c.pr, want);
		break;
	default:
		rs->status = 500;
		buf_puts(b, "<p id=\"build-error\" class=\"error\">不能开始打包：");
		buf_escape(b, strerror(err));
		buf_puts(b, "</p>\n");
		build_form(b, rq->ctx, &c.pr, want);
		break;
	}
out:
	page_end(b);
	if (rq->ctx->township)
		project_release(&c.pr);
	free(captured);
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
