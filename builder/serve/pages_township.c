/* GET /: the township at a glance; GET /village/ID: one village.  Both
 * re-read the sources on every request (an edit on disk shows on reload)
 * and compute with the engine the command line uses: plan_village for
 * the package and coverage (as `plan`), ledger_totals and the reports'
 * standing for the members' hours (as `ledger report`), the catalogue's
 * bar chart.  The engine's messages are shown on the page. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle_reader.h"
#include "catalog.h"
#include "ledger.h"
#include "pages.h"
#include "plan.h"
#include "project.h"
#include "render.h"
#include "roster.h"
#include "sheets.h"
#include "util.h"

static const char *const group_zh[GROUP__COUNT] = {"在村", "居家", "流动"};

/* What a page shows, loaded with the diagnostics captured. */
struct view {
	const struct serve_ctx *ctx;
	struct project pr;
	int loaded;			/* project_load succeeded, no errors */
	struct plan **plans;		/* per village, NULL where it failed */
	struct ledger *ledger;
	struct ledger_totals ts;
	int totals;			/* ts computed */
};

static void
view_load(void *arg)
{
	struct view *v = arg;
	struct check_stats st = {0};
	size_t i;

	if (project_load(&v->pr, v->ctx->township, NULL, NULL, &st) == -1 || v->pr.errors)
		return;
	v->loaded = 1;
	v->plans = xcalloc(v->pr.nvillages ? v->pr.nvillages : 1, sizeof *v->plans);
	for (i = 0; i < v->pr.nvillages; i++)
		if (v->pr.villages[i])
			v->plans[i] = plan_village(v->pr.library, v->pr.recipe, v->pr.villages[i]);
	/* No ledger yet is no problem: nothing has been imported. */
	if (v->ctx->ledger == NULL || access(v->ctx->ledger, F_OK) == -1)
		return;
	if ((v->ledger = ledger_open(v->ctx->ledger, LEDGER_READ, 0)) == NULL)
		return;
	if (ledger_totals(v->ledger, &v->pr, &v->ts) == -1) {
		ledger_totals_release(&v->ts);
		return;
	}
	v->totals = 1;
	ledger_report_rosters(&v->ts, v->pr.township->dir && v->pr.township->dir[0] ? v->pr.township->dir : ".");
}

static void
view_release(struct view *v)
{
	size_t i;

	if (v->totals)
		ledger_totals_release(&v->ts);
	ledger_close(v->ledger);
	if (v->plans)
		for (i = 0; i < v->pr.nvillages; i++)
			plan_free(v->plans[i]);
	free(v->plans);
	if (v->pr.township)
		project_release(&v->pr);
}

static void
put_hours(struct buf *b, int tenths)
{
	buf_printf(b, "%d.%d", tenths / 10, tenths % 10);
}

/* Loads the view; on failure shows the messages and returns -1 (the
 * page is then complete). */
static int
begin(const struct serve_request *req, struct serve_response *res, struct view *v, const char *title)
{
	char *captured;

	memset(v, 0, sizeof *v);
	v->ctx = req->ctx;
	if (req->ctx->township == NULL) {
		page_begin(&res->body, req->ctx, title);
		buf_puts(&res->body, "<p>工作台打开的是课程库，没有乡镇：请看<a href=\"/library\">课程库</a>。</p>\n");
		page_end(&res->body);
		return -1;
	}
	captured = serve_capture(view_load, v);
	page_begin(&res->body, req->ctx, v->loaded ? v->pr.township->name : title);
	page_diagnostics(&res->body, captured);
	free(captured);
	if (!v->loaded) {
		buf_puts(&res->body, "<p class=\"error\">请先改正上面的问题，保存后刷新本页。</p>\n");
		page_end(&res->body);
		view_release(v);
		return -1;
	}
	return 0;
}

/* A village's members who reached the goal, of those the ledger knows. */
static void
village_progress(const struct view *v, size_t vi, int *reached, int *members)
{
	const struct ledger_village *lv;
	size_t i;

	*reached = *members = 0;
	if (!v->totals || vi >= v->ts.nvillages)
		return;
	lv = &v->ts.villages[vi];
	for (i = lv->first; i < lv->first + lv->count; i++) {
		size_t *picks, npicks;

		*reached += ledger_member_standing(&v->ts, &v->ts.v[i], &picks, &npicks);
		free(picks);
		(*members)++;
	}
}

static void
villages_table(struct buf *b, const struct view *v)
{
	size_t i, k;
	int g;

	buf_puts(b, "<h2>各村计划与学时</h2>\n<div class=\"scroll\"><table id=\"villages\">\n<tr><th>村</th>"
	    "<th class=\"num\">在村</th><th class=\"num\">居家</th><th class=\"num\">流动</th><th>需求</th>"
	    "<th class=\"num\">课数</th><th class=\"num\">课时</th>"
	    "<th class=\"num\">在村可学</th><th class=\"num\">居家可学</th><th class=\"num\">流动可学</th>"
	    "<th>计划</th><th class=\"num\">已达标/已登记</th></tr>\n");
	for (i = 0; i < v->pr.nvillages; i++) {
		const struct plan *p = v->plans[i];
		const struct village *vi = v->pr.villages[i];
		int reached, members;

		if (p == NULL)
			continue;
		buf_puts(b, "<tr data-village=\"");
		buf_escape(b, vi->id);
		buf_puts(b, "\"><td><a href=\"/village/");
		buf_escape(b, vi->id);
		buf_puts(b, "\">");
		buf_escape(b, vi->name);
		buf_puts(b, "</a></td>");
		for (g = 0; g < GROUP__COUNT; g++)
			buf_printf(b, "<td class=\"num\">%d</td>", vi->members[g]);
		buf_puts(b, "<td>");
		for (k = 0; k < vi->nneeds; k++) {
			buf_puts(b, k ? "、" : "");
			buf_escape(b, vi->needs[k].id);
		}
		buf_printf(b, "</td><td class=\"num\">%zu</td><td class=\"num package\">", p->nlessons);
		put_hours(b, p->total);
		buf_puts(b, "</td>");
		for (g = 0; g < GROUP__COUNT; g++) {
			buf_printf(b, "<td class=\"num reach-%s\">", group_name((enum group)g));
			put_hours(b, p->reach_total[g]);
			buf_puts(b, "</td>");
		}
		buf_puts(b, p->nshortfalls ? "<td class=\"short\">不足</td>" : "<td class=\"ok\">达标</td>");
		village_progress(v, i, &reached, &members);
		if (v->totals)
			buf_printf(b, "<td class=\"num\">%d/%d</td></tr>\n", reached, members);
		else
			buf_puts(b, "<td class=\"num\">-</td></tr>\n");
	}
	buf_puts(b, "</table></div>\n");
}

/* The catalogue's chart: each village's package hours by category. */
static void
hours_chart(struct buf *b, const struct view *v)
{
	const struct recipe *r = v->pr.recipe;
	struct catalog_category *cats = xcalloc(r->ncategories ? r->ncategories : 1, sizeof *cats);
	struct chart_bar *bars = xcalloc(v->pr.nvillages ? v->pr.nvillages : 1, sizeof *bars);
	struct bar_chart ch = {"各村课时（按类别）", "hours-chart", cats, r->ncategories, bars, 0, 0};
	size_t i, c;

	for (c = 0; c < r->ncategories; c++) {
		const struct category *known = categories_find(v->pr.library->categories, r->categories[c].ref);

		cats[c].name = (char *)render_category_zh(&v->pr, r->categories[c].ref);
		cats[c].colour = (char *)(known && known->color ? known->color : "#888888");
	}
	for (i = 0; i < v->pr.nvillages; i++)
		if (v->plans[i]) {
			bars[ch.nbars].label = v->pr.villages[i]->name;
			bars[ch.nbars].values = v->plans[i]->hours;
			bars[ch.nbars].total = v->plans[i]->total;
			ch.nbars++;
		}
	buf_puts(b, "<h2>各村课时</h2>\n<div class=\"scroll\">");
	bar_chart(b, &ch);
	buf_puts(b, "</div>\n");
	free(cats);
	free(bars);
}

/* verify's checks of one bundle (no key: the manifest's hashes, names
 * and links), for serve_capture. */
struct verify_job {
	const char *path;
	int problems;
};

static void
verify_bundle(void *arg)
{
	struct verify_job *j = arg;
	struct bundle b;

	if (bundle_open(&b, j->path, NULL, NULL) == -1)
		j->problems = 1;
	else
		j->problems = bundle_verify(&b);
	bundle_release(&b);
}

/* What the last build left in the server's output folder: the bundles
 * and their sizes; with ?verify=1, whether each passes verify's checks
 * (hashing every bundle is not done on every page view). */
static void
build_state(struct buf *b, const struct view *v, int verify)
{
	char *dir = path_join(v->ctx->output, v->pr.township->id);
	char **names;
	size_t n, i, shown = 0;

	buf_puts(b, "<h2>上次打包</h2>\n");
	if (list_dir(dir, &names, &n) == -1) {
		buf_puts(b, "<p>还没有打包。<a class=\"button\" href=\"/build\">去打包</a></p>\n");
		free(dir);
		return;
	}
	buf_puts(b, "<div class=\"scroll\"><table id=\"bundles\"><tr><th>文件</th><th class=\"num\">大小</th>"
	    "<th>校验</th></tr>\n");
	for (i = 0; i < n; i++) {
		char *path = path_join(dir, names[i]);
		struct stat st;

		if (has_suffix(names[i], ".zip") && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			char *size = human_size((size_t)st.st_size);

			buf_puts(b, "<tr><td>");
			buf_escape(b, names[i]);
			buf_puts(b, "</td><td class=\"num\">");
			buf_escape(b, size);
			if (verify) {
				struct verify_job j = {path, 0};
				char *said = serve_capture(verify_bundle, &j);

				if (j.problems == 0)
					buf_puts(b, "</td><td class=\"ok verify\">通过");
				else {
					buf_printf(b, "</td><td class=\"short verify\">有 %d 个问题", j.problems);
					page_diagnostics(b, said);
				}
				free(said);
				buf_puts(b, "</td></tr>\n");
			} else
				buf_puts(b, "</td><td>未验证</td></tr>\n");
			free(size);
			shown++;
		}
		free(path);
	}
	buf_puts(b, "</table></div>\n");
	if (shown == 0)
		buf_puts(b, "<p>还没有打包。</p>\n");
	else if (!verify)
		buf_puts(b, "<p><a class=\"button\" href=\"/?verify=1#bundles\">校验这些文件</a></p>\n");
	free_names(names, n);
	free(dir);
}

void
page_township(const struct serve_request *req, struct serve_response *res)
{
	struct view v;
	const struct township *t;
	const struct recipe *r;

	if (begin(req, res, &v, "乡镇") == -1)
		return;
	t = v.pr.township;
	r = v.pr.recipe;
	buf_puts(&res->body, "<p>");
	if (t->county) {
		buf_escape(&res->body, t->county);
		buf_puts(&res->body, " · ");
	}
	buf_puts(&res->body, "培训方案：");
	buf_escape(&res->body, r->title);
	if (r->season) {
		buf_puts(&res->body, "（");
		buf_escape(&res->body, r->season);
		buf_puts(&res->body, "）");
	}
	buf_puts(&res->body, "，每人至少 ");
	put_hours(&res->body, r->min_hours);
	buf_puts(&res->body, " 学时。</p>\n");
	if (!v.totals)
		buf_puts(&res->body, "<p>学时登记簿里还没有记录：<a href=\"/attendance/\">去登记学时</a>。</p>\n");
	villages_table(&res->body, &v);
	hours_chart(&res->body, &v);
	build_state(&res->body, &v, serve_field(req, "verify") != NULL);
	page_end(&res->body);
	view_release(&v);
}

static void
plan_table(struct buf *b, const struct view *v, const struct plan *p)
{
	size_t i;
	unsigned m;

	buf_puts(b, "<h2>课程计划</h2>\n<div class=\"scroll\"><table id=\"plan\">\n<tr><th class=\"num\">#</th>"
	    "<th>课</th><th>类别</th><th class=\"num\">学时</th><th>方式</th></tr>\n");
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];
		const char *sep = "";

		buf_printf(b, "<tr><td class=\"num\">%zu%s</td><td>", i + 1,
		    p->sources[i] == SOURCE_INCLUDED ? "+" : "");
		buf_escape(b, l->title ? l->title : l->id);
		buf_puts(b, "</td><td>");
		buf_escape(b, render_category_zh(&v->pr, l->course->category));
		buf_puts(b, "</td><td class=\"num\">");
		put_hours(b, l->hours);
		buf_puts(b, "</td><td>");
		for (m = MODE_CLASSROOM; m <= MODE_ONLINE; m <<= 1)
			if (l->modes & m) {
				buf_printf(b, "%s%s", sep, render_mode_zh((enum mode)m));
				sep = "、";
			}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "<tr><th></th><th>合计</th><th></th><th class=\"num\">");
	put_hours(b, p->total);
	buf_puts(b, "</th><th></th></tr>\n</table></div>\n");
}

static void
members_table(struct buf *b, const struct view *v, size_t vi)
{
	const struct ledger_village *lv;
	const struct plan *p;
	size_t i, k;

	buf_puts(b, "<h2>党员学时</h2>\n");
	if (!v->totals || vi >= v->ts.nvillages) {
		buf_puts(b, "<p>学时登记簿里还没有这个村的记录：先导入花名册和签到表。</p>\n");
		return;
	}
	lv = &v->ts.villages[vi];
	p = lv->plan;
	buf_puts(b, "<div class=\"scroll\"><table id=\"members\">\n<tr><th>编号</th><th>姓名</th><th>类别</th>"
	    "<th class=\"num\">学时</th><th>情况</th><th>可补的课</th></tr>\n");
	for (i = lv->first; i < lv->first + lv->count; i++) {
		const struct ledger_total *t = &v->ts.v[i];
		size_t *picks, npicks;
		int reached = ledger_member_standing(&v->ts, t, &picks, &npicks);

		buf_puts(b, "<tr data-member=\"");
		buf_escape(b, t->member);
		buf_puts(b, "\"><td>");
		buf_escape(b, t->member);
		buf_puts(b, "</td><td>");
		buf_escape(b, t->name ? t->name : "");
		buf_printf(b, "</td><td>%s</td><td class=\"hours\">", t->group >= 0 ? group_zh[t->group] : "类别不明");
		put_hours(b, t->total);
		buf_puts(b, reached ? "</td><td class=\"ok\">达标</td><td>" : "</td><td class=\"short\">不足</td><td>");
		for (k = 0; k < npicks && p; k++) {
			const struct lesson *l = p->lessons[picks[k]];

			buf_puts(b, k ? "；" : "");
			buf_escape(b, l->title ? l->title : l->id);
		}
		buf_puts(b, "</td></tr>\n");
		free(picks);
	}
	buf_puts(b, "</table></div>\n");
}

static void
sheet_link(struct buf *b, const char *village, const char *kind, const char *label)
{
	buf_puts(b, "<a class=\"button\" href=\"/sheets/");
	buf_escape(b, village);
	buf_printf(b, "/%s\">", kind);
	buf_escape(b, label);
	buf_puts(b, "</a> ");
}

void
page_village(const struct serve_request *req, struct serve_response *res)
{
	const char *id = req->path + strlen("/village/");
	struct view v;
	size_t i;

	if (begin(req, res, &v, "村") == -1)
		return;
	for (i = 0; i < v.pr.nvillages; i++)
		if (v.pr.villages[i] && v.plans[i] && streq(v.pr.villages[i]->id, id))
			break;
	if (i == v.pr.nvillages) {
		res->status = 404;
		buf_puts(&res->body, "<p class=\"error\">没有这个村：");
		buf_escape(&res->body, id);
		buf_puts(&res->body, "。<a href=\"/\">回到乡镇</a></p>\n");
	} else {
		const struct village *vi = v.pr.villages[i];
		const struct plan *p = v.plans[i];

		buf_puts(&res->body, "<h2>");
		buf_escape(&res->body, vi->name);
		buf_printf(&res->body, "</h2>\n<p>在村 %d 人，居家 %d 人，流动 %d 人。计划%s。</p>\n",
		    vi->members[GROUP_RESIDENT], vi->members[GROUP_HOMEBOUND], vi->members[GROUP_MOBILE],
		    p->nshortfalls ? "<span class=\"short\">不足</span>" : "<span class=\"ok\">达标</span>");
		buf_puts(&res->body, "<p><a class=\"button\" href=\"/attendance/");
		buf_escape(&res->body, vi->id);
		buf_puts(&res->body, "\">学时登记</a></p>\n");
		buf_puts(&res->body, "<p>打印：");
		sheet_link(&res->body, vi->id, "signin.html", "签到表");
		sheet_link(&res->body, vi->id, "home.html", "居家学习记录表");
		sheet_link(&res->body, vi->id, "attendance.csv", "学时登记表（CSV）");
		buf_puts(&res->body, "</p>\n");
		plan_table(&res->body, &v, p);
		members_table(&res->body, &v, i);
	}
	page_end(&res->body);
	view_release(&v);
}

/* The sheets of one village, made as `sheets` makes them, into the
 * server's output folder (sheets/TOWNSHIP/, the layout of `sheets -o`). */
struct sheets_job {
	const struct view *v;
	size_t village;
	const char *kind;
	char *path;			/* the file asked for, when all were written */
};

static void
sheets_write(void *arg)
{
	struct sheets_job *j = arg;
	const struct project *pr = &j->v->pr;
	const struct village *vi = pr->villages[j->village];
	static const char *const kinds[] = {"signin.html", "home.html", "attendance.csv"};
	struct roster *ro = NULL;
	struct sheets s;
	char *rpath = NULL, *dir;
	const struct buf *bufs[3];
	size_t k;

	if (roster_locate(vi, pr->township->dir, &rpath) == 0 && rpath && roster_read(rpath, vi->id, &ro) == 0)
		roster_check_counts(ro, vi);
	free(rpath);
	sheets_make(pr, j->v->plans[j->village], ro, &s);
	bufs[0] = &s.signin;
	bufs[1] = &s.home;
	bufs[2] = &s.csv;
	dir = xasprintf("%s/sheets/%s", j->v->ctx->output, pr->township->id);
	if (mkdirs(dir, 0755) == -1) {
		struct loc loc = {dir, 0, 0};

		diag(S_WRITE, &loc, dir, strerror(errno));
	} else
		for (k = 0; k < NELEM(kinds); k++) {
			char *path = xasprintf("%s/%s-%s-%s", dir, pr->township->id, vi->id, kinds[k]);

			if (write_file_atomic(path, bufs[k]->data, bufs[k]->len) == -1) {
				diag(S_WRITE, NULL, path, strerror(errno));
				free(path);
				break;
			}
			if (streq(kinds[k], j->kind))
				j->path = path;
			else
				free(path);
		}
	if (k < NELEM(kinds)) {
		free(j->path);
		j->path = NULL;
	}
	free(dir);
	sheets_release(&s);
	roster_free(ro);
}

void
page_sheets(const struct serve_request *req, struct serve_response *res)
{
	const char *rest = req->path + strlen("/sheets/"), *slash = strchr(rest, '/');
	struct sheets_job j = {0};
	struct view v;
	char *id, *captured;

	if (slash == NULL || (!streq(slash + 1, "signin.html") && !streq(slash + 1, "home.html") &&
	    !streq(slash + 1, "attendance.csv"))) {
		res->status = 404;
		page_begin(&res->body, req->ctx, "找不到");
		buf_puts(&res->body, "<p>找不到这个表。</p>\n");
		page_end(&res->body);
		return;
	}
	if (begin(req, res, &v, "表格") == -1)
		return;
	id = xstrndup(rest, (size_t)(slash - rest));
	for (j.village = 0; j.village < v.pr.nvillages; j.village++)
		if (v.pr.villages[j.village] && v.plans[j.village] && streq(v.pr.villages[j.village]->id, id))
			break;
	free(id);
	if (j.village == v.pr.nvillages) {
		res->status = 404;
		buf_puts(&res->body, "<p class=\"error\">没有这个村。</p>\n");
		page_end(&res->body);
		view_release(&v);
		return;
	}
	j.v = &v;
	j.kind = slash + 1;
	captured = serve_capture(sheets_write, &j);
	if (j.path) {
		buf_release(&res->body);
		res->file = j.path;
		res->content_type = has_suffix(j.path, ".csv") ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
		if (has_suffix(j.path, ".csv"))
			res->download = xstrdup(path_basename(j.path));
	} else {
		page_diagnostics(&res->body, captured);
		page_end(&res->body);
	}
	free(captured);
	view_release(&v);
}
