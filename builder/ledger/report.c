/* The ledger reports (ledger.h): what the township sends upward and what
 * the village secretary chases, from ledger_totals.  Text for the
 * terminal (translated), CSV with a BOM for spreadsheets, and an HTML
 * page for print (Chinese, like every page we make).  Pure functions of
 * the totals: no I/O but the stream they are given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "i18n.h"
#include "ledger.h"
#include "render.h"
#include "roster.h"
#include "util.h"

/* The groups as staff read them (the same words as `plan`), and a member
 * whose group the ledger does not know. */
static const char *const group_label[GROUP__COUNT + 1] = {
	N_("resident"), N_("homebound"), N_("mobile"), N_("unknown"),
};
static const char *const group_zh[GROUP__COUNT + 1] = {"在村", "居家", "流动", "类别不明"};
static const char *const channel_zh[CHANNEL__COUNT] = {"课堂", "居家", "线上"};

#define UNKNOWN GROUP__COUNT

/* A member's standing against the recipe, and the lessons that would
 * close the gap. */
struct standing {
	int reached;
	int short_total;	/* tenths under the recipe's total, or 0 */
	int *short_cat;		/* per category: tenths under its minimum, or 0 */
	size_t *picks;		/* plan lesson indexes, in the order offered */
	size_t npicks;
	int closes;		/* the picks close every gap */
};

/* Whether plan lesson j is one member t could still be credited with:
 * not credited, and in their group's view (the whole plan when the group
 * is unknown): the view holds only lessons of modes the group reaches. */
static int
candidate(const struct ledger_total *t, size_t j, const unsigned char *taken)
{
	return !t->credited[j] && !taken[j] && (t->group < 0 || (t->lv->groups[j] & (1u << t->group)));
}

/* Picks candidates, of category `cat` (or any when cat is ncat), the
 * longest first (then in plan order), until `gap` tenths are covered.
 * Returns the hours picked. */
static int
pick(const struct ledger_total *t, struct standing *s, unsigned char *taken, size_t cat, size_t ncat, int gap)
{
	const struct plan *p = t->lv->plan;
	int got = 0;

	while (got < gap) {
		size_t j, best = p->nlessons;

		for (j = 0; j < p->nlessons; j++)
			if (candidate(t, j, taken) && (cat == ncat || plan_category_index(p, p->lessons[j]) == cat) &&
			    (best == p->nlessons || p->lessons[j]->hours > p->lessons[best]->hours))
				best = j;
		if (best == p->nlessons)
			break;
		taken[best] = 1;
		s->picks[s->npicks++] = best;
		got += p->lessons[best]->hours;
	}
	return got;
}

static void
standing_of(const struct ledger_totals *ts, const struct ledger_total *t, struct standing *s)
{
	const struct recipe *r = ts->recipe;
	size_t c, n = t->lv->plan->nlessons;
	unsigned char *taken = xcalloc(n ? n : 1, 1);
	int total = t->total, closes = 1;

	memset(s, 0, sizeof *s);
	s->short_cat = xcalloc(r->ncategories ? r->ncategories : 1, sizeof *s->short_cat);
	s->picks = xcalloc(n ? n : 1, sizeof *s->picks);
	s->short_total = t->total < r->min_hours ? r->min_hours - t->total : 0;
	s->reached = s->short_total == 0;
	for (c = 0; c < r->ncategories; c++)
		if (t->by_category[c] < r->categories[c].min_hours) {
			s->short_cat[c] = r->categories[c].min_hours - t->by_category[c];
			s->reached = 0;
		}
	if (!s->reached) {
		/* Short categories first: their lessons count for the total too. */
		for (c = 0; c < r->ncategories; c++)
			if (s->short_cat[c]) {
				int got = pick(t, s, taken, c, r->ncategories, s->short_cat[c]);

				closes &= got >= s->short_cat[c];
				total += got;
			}
		if (total < r->min_hours)
			closes &= pick(t, s, taken, r->ncategories, r->ncategories, r->min_hours - total) >=
			    r->min_hours - total;
		s->closes = closes;
	}
	free(taken);
}

static void
standing_release(struct standing *s)
{
	free(s->short_cat);
	free(s->picks);
}

int
ledger_member_standing(const struct ledger_totals *ts, const struct ledger_total *t, size_t **picks, size_t *npicks)
{
	struct standing s;
	int reached;

	standing_of(ts, t, &s);
	reached = s.reached;
	*picks = s.picks;
	*npicks = s.npicks;
	free(s.short_cat);
	return reached;
}

/* Per village, or for the township (the sum). */
struct tally {
	int roster;		/* members in the rosters, -1 when a village has none */
	int members;		/* in the ledger */
	int reached[GROUP__COUNT + 1], in_group[GROUP__COUNT + 1];
	int offline, online;	/* anyone with a class or home credit; an online one */
	long hours;		/* tenths counted */
};

static int
group_index(const struct ledger_total *t)
{
	return t->group < 0 ? UNKNOWN : t->group;
}

static void
tally_village(const struct ledger_totals *ts, const struct ledger_village *lv, struct tally *y)
{
	size_t i;

	memset(y, 0, sizeof *y);
	y->roster = lv->roster;
	for (i = lv->first; i < lv->first + lv->count; i++) {
		const struct ledger_total *t = &ts->v[i];
		struct standing s;
		int g = group_index(t);

		standing_of(ts, t, &s);
		y->members++;
		y->in_group[g]++;
		y->reached[g] += s.reached;
		y->offline += (t->channels & (1u << CHANNEL_CLASS | 1u << CHANNEL_HOME)) != 0;
		y->online += (t->channels & 1u << CHANNEL_ONLINE) != 0;
		y->hours += t->total;
		standing_release(&s);
	}
}

static void
tally_add(struct tally *sum, const struct tally *y)
{
	int g;

	if (y->roster < 0 || sum->roster < 0)
		sum->roster = -1;
	else
		sum->roster += y->roster;
	sum->members += y->members;
	for (g = 0; g <= GROUP__COUNT; g++) {
		sum->reached[g] += y->reached[g];
		sum->in_group[g] += y->in_group[g];
	}
	sum->offline += y->offline;
	sum->online += y->online;
	sum->hours += y->hours;
}

static int
tally_reached(const struct tally *y)
{
	int g, n = 0;

	for (g = 0; g <= GROUP__COUNT; g++)
		n += y->reached[g];
	return n;
}

void
ledger_report_rosters(struct ledger_totals *ts, const char *township_dir)
{
	size_t i;

	for (i = 0; i < ts->nvillages; i++) {
		struct ledger_village *lv = &ts->villages[i];
		struct roster *ro = NULL;
		char *path = NULL;

		lv->roster = -1;
		if (lv->village == NULL)
			continue;
		if (roster_locate(lv->village, township_dir, &path) == 0 && path &&
		    roster_read(path, lv->village->id, &ro) == 0)
			lv->roster = (int)ro->nmembers;
		roster_free(ro);
		free(path);
	}
}

/* ---- text ---- */

/* The categories' Chinese names when the catalogue in use is Chinese,
 * else their ids (as `plan` does). */
static const char *
category_word(const struct ledger_totals *ts, size_t c)
{
	const char *id = ts->recipe->categories[c].ref;
	const struct category *cat;

	if (!strstr(gettext(""), "\nLanguage: zh"))
		return id;
	cat = categories_find(ts->project->library->categories, id);
	return cat && cat->name && cat->name[0] ? cat->name : id;
}

static void
put_hours(FILE *fp, long tenths, int width)
{
	fprintf(fp, "%*ld.%ld", width - 2, tenths / 10, tenths % 10);
}

static void
text_tally(FILE *fp, const struct tally *y)
{
	char cell[32];
	int g;

	if (y->roster >= 0)
		fprintf(fp, "  %6d", y->roster);
	else
		fprintf(fp, "  %6s", "-");
	fprintf(fp, "  %6d  %7d", y->members, tally_reached(y));
	for (g = 0; g < GROUP__COUNT; g++) {
		snprintf(cell, sizeof cell, "%d/%d", y->reached[g], y->in_group[g]);
		fprintf(fp, "  %*s", g == GROUP_HOMEBOUND ? 9 : g == GROUP_MOBILE ? 7 : 8, cell);
	}
	fprintf(fp, "  %7d  %6d  ", y->offline, y->online);
	put_hours(fp, y->hours, 8);
	fputc('\n', fp);
}

static void
text_summary(const struct ledger_totals *ts, FILE *fp)
{
	const struct recipe *r = ts->recipe;
	const struct township *tw = ts->project->township;
	struct tally sum, y;
	size_t i, c;

	memset(&sum, 0, sizeof sum);
	fprintf(fp, _("township %s (%s): class-hour ledger, goal %d.%d h"), tw->name, tw->id, r->min_hours / 10,
	    r->min_hours % 10);
	for (c = 0; c < r->ncategories; c++)
		if (r->categories[c].min_hours)
			fprintf(fp, _(", %s %d.%d"), category_word(ts, c), r->categories[c].min_hours / 10,
			    r->categories[c].min_hours % 10);
	fputc('\n', fp);
	fputs(_("  village         name          roster  ledger  reached  resident  homebound   mobile  offline  online     hours\n"),
	    fp);
	for (i = 0; i < ts->nvillages; i++) {
		const struct ledger_village *lv = &ts->villages[i];

		if (lv->village == NULL)
			continue;
		tally_village(ts, lv, &y);
		tally_add(&sum, &y);
		fprintf(fp, "  %-14s  ", lv->village->id);
		put_padded(fp, lv->village->name, 12);
		text_tally(fp, &y);
	}
	fputs("  ", fp);
	put_padded(fp, _("township"), 28);
	text_tally(fp, &sum);
	fprintf(fp, _("%d of %d members in the ledger reached the goal; offline: with a class or home credit, "
	    "online: with an online credit\n"), tally_reached(&sum), sum.members);
}

static void
text_member(const struct ledger_totals *ts, const struct ledger_total *t, const struct standing *s, FILE *fp)
{
	const struct recipe *r = ts->recipe;
	const struct plan *p = t->lv->plan;
	size_t c, k;
	char *who = streq(t->member, t->name) ? xstrdup(t->name) : xasprintf("%s (%s)", t->name, t->member);

	fputs("    ", fp);
	put_padded(fp, who, 12);
	free(who);
	fprintf(fp, "  %s  ", _(group_label[group_index(t)]));
	put_hours(fp, t->total, 4);
	fprintf(fp, _("/%d.%d h  class %d.%d  home %d.%d  online %d.%d "), r->min_hours / 10, r->min_hours % 10,
	    t->by_channel[0] / 10, t->by_channel[0] % 10, t->by_channel[1] / 10, t->by_channel[1] % 10,
	    t->by_channel[2] / 10, t->by_channel[2] % 10);
	for (c = 0; c < r->ncategories; c++) {
		fprintf(fp, " %s %d.%d", category_word(ts, c), t->by_category[c] / 10, t->by_category[c] % 10);
		if (r->categories[c].min_hours)
			fprintf(fp, "/%d.%d", r->categories[c].min_hours / 10, r->categories[c].min_hours % 10);
	}
	fputs(s->reached ? _("  reached\n") : _("  short\n"), fp);
	if (t->group < 0)
		fputs(_("      group unknown: counted against the village's whole plan\n"), fp);
	if (t->uncounted)
		fprintf(fp, _("      %d credited lesson(s) outside what counts for the group: not counted\n"), t->uncounted);
	if (s->reached)
		return;
	fputs(_("      missing:"), fp);
	for (c = 0; c < r->ncategories; c++)
		if (s->short_cat[c])
			fprintf(fp, _(" %s %d.%d h,"), category_word(ts, c), s->short_cat[c] / 10, s->short_cat[c] % 10);
	fprintf(fp, _(" total %d.%d h\n"), s->short_total / 10, s->short_total % 10);
	for (k = 0; k < s->npicks; k++) {
		const struct lesson *ls = p->lessons[s->picks[k]];

		fprintf(fp, "      %s %s  ", k == 0 ? _("offer:") : "      ", t->lv->ids[s->picks[k]]);
		fprintf(fp, _("%d.%d h"), ls->hours / 10, ls->hours % 10);
		fprintf(fp, "  %s\n", ls->title ? ls->title : "");
	}
	if (!s->closes)
		fputs(_("      the lessons of the plan the group can reach do not close the gap\n"), fp);
}

void
ledger_report_text(const struct ledger_totals *ts, int all, FILE *fp)
{
	size_t i, m;
	int shown = 0, heading;

	text_summary(ts, fp);
	if (all < 0)
		return;
	for (i = 0; i < ts->nvillages; i++) {
		const struct ledger_village *lv = &ts->villages[i];

		heading = 0;
		for (m = lv->first; lv->village && m < lv->first + lv->count; m++) {
			struct standing s;

			standing_of(ts, &ts->v[m], &s);
			if (all || !s.reached) {
				if (!heading) {
					fprintf(fp, "\n  %s %s\n", lv->village->id, lv->village->name);
					heading = 1;
				}
				text_member(ts, &ts->v[m], &s, fp);
				shown++;
			}
			standing_release(&s);
		}
	}
	if (shown == 0)
		fputs(all ? _("\nno members in the ledger\n") : _("\nno member is short\n"), fp);
}

/* ---- CSV ---- */

static void
csv_hours(FILE *fp, int tenths, int last)
{
	char h[16];

	snprintf(h, sizeof h, "%d.%d", tenths / 10, tenths % 10);
	csv_put(fp, h, last);
}

static void
csv_member(const struct ledger_totals *ts, const struct ledger_total *t, FILE *fp)
{
	const struct recipe *r = ts->recipe;
	struct standing s;
	struct buf cats = {0}, ids = {0};
	char n[24];
	size_t c, k;
	int ch;

	standing_of(ts, t, &s);
	csv_put(fp, ts->project->township->id, 0);
	csv_put(fp, t->village, 0);
	csv_put(fp, t->lv->village->name, 0);
	csv_put(fp, t->member, 0);
	csv_put(fp, t->name, 0);
	csv_put(fp, _(group_label[group_index(t)]), 0);
	snprintf(n, sizeof n, "%d", t->lessons);
	csv_put(fp, n, 0);
	csv_hours(fp, t->total, 0);
	csv_hours(fp, r->min_hours, 0);
	for (ch = 0; ch < CHANNEL__COUNT; ch++)
		csv_hours(fp, t->by_channel[ch], 0);
	for (c = 0; c < r->ncategories; c++)
		csv_hours(fp, t->by_category[c], 0);
	csv_put(fp, s.reached ? "1" : "0", 0);
	csv_hours(fp, s.short_total, 0);
	for (c = 0; c < r->ncategories; c++)
		if (s.short_cat[c])
			buf_printf(&cats, "%s%s:%d.%d", cats.len ? " " : "", r->categories[c].ref, s.short_cat[c] / 10,
			    s.short_cat[c] % 10);
	csv_put(fp, cats.data ? cats.data : "", 0);
	snprintf(n, sizeof n, "%d", t->uncounted);
	csv_put(fp, n, 0);
	for (k = 0; k < s.npicks; k++)
		buf_printf(&ids, "%s%s", k ? " " : "", t->lv->ids[s.picks[k]]);
	csv_put(fp, ids.data ? ids.data : "", 1);
	buf_release(&cats);
	buf_release(&ids);
	standing_release(&s);
}

void
ledger_report_csv(const struct ledger_totals *ts, FILE *fp)
{
	const struct recipe *r = ts->recipe;
	size_t i, m, c;

	fputs("\xef\xbb\xbf", fp);
	/* Whole rows as one message each, so that translators see the
	 * columns together; the category columns are the recipe's ids. */
	fputs(_("township,village,village_name,member,name,group,lessons,hours,required_hours,"
	    "class_hours,home_hours,online_hours"), fp);
	for (c = 0; c < r->ncategories; c++)
		fprintf(fp, ",%s", r->categories[c].ref);
	fprintf(fp, ",%s\r\n", _("reached,short_hours,short_categories,uncounted_lessons,offer"));
	for (i = 0; i < ts->nvillages; i++)
		for (m = ts->villages[i].first; ts->villages[i].village && m < ts->villages[i].first +
		    ts->villages[i].count; m++)
			csv_member(ts, &ts->v[m], fp);
}

/* ---- HTML ---- */

static const struct catalog_category reach_series[] = {
	{(char *)"达标", (char *)"#2e7d32"},
	{(char *)"未达标", (char *)"#b71c1c"},
};

static void
html_head(struct buf *b, const struct ledger_totals *ts)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_escape(b, ts->project->township->name);
	/* A4 for print, a page per village; the secretary's copy. */
	buf_puts(b, " 学时台账报告</title>\n<style>\n"
	    "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:0 auto;"
	    "max-width:60rem;padding:1rem;line-height:1.5;color:#1b1b1b;background:#fff}\n"
	    "h1{color:#b71c1c;font-size:1.5rem}h2{font-size:1.2rem;border-bottom:2px solid #b71c1c}"
	    "table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}"
	    "th,td{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top}"
	    "th{background:#f4efe6}td.num,th.num{text-align:right;white-space:nowrap}"
	    ".ok{color:#2e7d32}.short{color:#b71c1c;font-weight:bold}.note{color:#555;font-size:.85rem}"
	    "ul.offer{margin:0;padding-left:1.2rem}svg{display:block;margin:.5rem 0}\n"
	    "@page{size:A4;margin:15mm}"
	    "@media print{body{max-width:none;padding:0}section.village{break-before:page}"
	    "tr{break-inside:avoid}thead{display:table-header-group}}\n"
	    "</style>\n</head>\n<body>\n");
}

static void
html_num(struct buf *b, int n)
{
	buf_printf(b, "<td class=\"num\">%d</td>", n);
}

static void
html_tally_row(struct buf *b, const char *label, const char *name, const struct tally *y)
{
	int g;

	buf_puts(b, "<tr><td>");
	buf_escape(b, label);
	buf_puts(b, "</td><td>");
	buf_escape(b, name);
	buf_puts(b, "</td>");
	if (y->roster >= 0)
		html_num(b, y->roster);
	else
		buf_puts(b, "<td class=\"num\">—</td>");
	html_num(b, y->members);
	html_num(b, tally_reached(y));
	for (g = 0; g < GROUP__COUNT; g++)
		buf_printf(b, "<td class=\"num\">%d / %d</td>", y->reached[g], y->in_group[g]);
	html_num(b, y->offline);
	html_num(b, y->online);
	buf_puts(b, "<td class=\"num\">");
	render_hours(b, (int)y->hours);
	buf_puts(b, "</td></tr>\n");
}

static const char tally_heads[] = "<thead><tr><th>村</th><th>名称</th><th class=\"num\">花名册</th>"
	"<th class=\"num\">台账人数</th><th class=\"num\">达标</th><th class=\"num\">在村达标</th>"
	"<th class=\"num\">居家达标</th><th class=\"num\">流动达标</th><th class=\"num\">线下参学</th>"
	"<th class=\"num\">线上参学</th><th class=\"num\">学时合计</th></tr></thead>\n";

/* The township's table and its chart: members reached and short, per
 * village. */
static void
html_township(struct buf *b, const struct ledger_totals *ts)
{
	const struct recipe *r = ts->recipe;
	struct chart_bar *bars = xcalloc(ts->nvillages + 1, sizeof *bars);
	int (*vals)[2] = xcalloc(ts->nvillages + 1, sizeof *vals);
	struct bar_chart ch = {"各村达标与未达标人数", "chart-township", reach_series, 2, bars, 0, 1};
	struct tally sum, y;
	size_t i, c;

	memset(&sum, 0, sizeof sum);
	buf_puts(b, "<h1>");
	buf_escape(b, ts->project->township->name);
	buf_puts(b, " 党员冬训学时台账</h1>\n<p>目标：每人 ");
	render_hours(b, r->min_hours);
	buf_puts(b, " 学时");
	for (c = 0; c < r->ncategories; c++)
		if (r->categories[c].min_hours) {
			const struct category *cat = categories_find(ts->project->library->categories,
			    r->categories[c].ref);

			buf_puts(b, "，");
			buf_escape(b, cat && cat->name ? cat->name : r->categories[c].ref);
			buf_puts(b, "不少于 ");
			render_hours(b, r->categories[c].min_hours);
			buf_puts(b, " 学时");
		}
	buf_puts(b, "。线下参学：有课堂或居家学习记录；线上参学：有线上学习记录。</p>\n<table>\n");
	buf_puts(b, tally_heads);
	buf_puts(b, "<tbody>\n");
	for (i = 0; i < ts->nvillages; i++) {
		const struct ledger_village *lv = &ts->villages[i];

		if (lv->village == NULL)
			continue;
		tally_village(ts, lv, &y);
		tally_add(&sum, &y);
		html_tally_row(b, lv->village->id, lv->village->name, &y);
		vals[ch.nbars][0] = tally_reached(&y);
		vals[ch.nbars][1] = y.members - tally_reached(&y);
		bars[ch.nbars].label = lv->village->name;
		bars[ch.nbars].values = vals[ch.nbars];
		bars[ch.nbars++].total = y.members;
	}
	html_tally_row(b, "合计", "", &sum);
	buf_puts(b, "</tbody>\n</table>\n");
	bar_chart(b, &ch);
	free(vals);
	free(bars);
}

static void
html_member(struct buf *b, const struct ledger_totals *ts, const struct ledger_total *t)
{
	const struct recipe *r = ts->recipe;
	struct standing s;
	size_t c, k;
	int ch;

	standing_of(ts, t, &s);
	buf_puts(b, "<tr><td>");
	buf_escape(b, t->name);
	if (!streq(t->member, t->name)) {
		buf_puts(b, "（");
		buf_escape(b, t->member);
		buf_puts(b, "）");
	}
	buf_printf(b, "</td><td>%s</td><td class=\"num\">", group_zh[group_index(t)]);
	render_hours(b, t->total);
	for (ch = 0; ch < CHANNEL__COUNT; ch++) {
		buf_puts(b, "</td><td class=\"num\">");
		render_hours(b, t->by_channel[ch]);
	}
	for (c = 0; c < r->ncategories; c++) {
		buf_printf(b, "</td><td class=\"num%s\">", s.short_cat[c] ? " short" : "");
		render_hours(b, t->by_category[c]);
	}
	buf_printf(b, "</td><td class=\"%s\">%s", s.reached ? "ok" : "short", s.reached ? "达标" : "未达标");
	if (t->group < 0)
		buf_puts(b, "<div class=\"note\">类别不明，按全村学习包计</div>");
	if (t->uncounted)
		buf_printf(b, "<div class=\"note\">%d 课不属本类别学习方式，未计入</div>", t->uncounted);
	buf_puts(b, "</td><td>");
	if (s.npicks) {
		buf_puts(b, "<ul class=\"offer\">");
		for (k = 0; k < s.npicks; k++) {
			const struct lesson *ls = t->lv->plan->lessons[s.picks[k]];

			buf_puts(b, "<li>");
			buf_escape(b, ls->title ? ls->title : t->lv->ids[s.picks[k]]);
			buf_puts(b, "（");
			render_hours(b, ls->hours);
			buf_puts(b, " 学时）</li>");
		}
		buf_puts(b, "</ul>");
	}
	if (!s.reached && !s.closes)
		buf_puts(b, "<div class=\"note\">本类别可学的课程不足以补齐</div>");
	buf_puts(b, "</td></tr>\n");
	standing_release(&s);
}

/* A village's page: its figures, a chart of reached and short by group,
 * and every member, with what the short ones can still study. */
static void
html_village(struct buf *b, const struct ledger_totals *ts, const struct ledger_village *lv)
{
	const struct recipe *r = ts->recipe;
	struct chart_bar bars[GROUP__COUNT + 1];
	int vals[GROUP__COUNT + 1][2];
	char *id = xasprintf("chart-%s", lv->village->id);
	struct bar_chart ch = {"按类别的达标与未达标人数", id, reach_series, 2, bars, 0, 1};
	struct tally y;
	size_t c, m;
	int g;

	tally_village(ts, lv, &y);
	buf_puts(b, "<section class=\"village\">\n<h2>");
	buf_escape(b, lv->village->name);
	buf_printf(b, "（%s）</h2>\n<table>\n%s<tbody>\n", lv->village->id, tally_heads);
	html_tally_row(b, lv->village->id, lv->village->name, &y);
	buf_puts(b, "</tbody>\n</table>\n");
	if (lv->count == 0) {
		buf_puts(b, "<p>台账中还没有本村的学习记录。</p>\n</section>\n");
		free(id);
		return;
	}
	for (g = 0; g <= GROUP__COUNT; g++) {
		if (g == UNKNOWN && y.in_group[g] == 0)
			continue;
		vals[ch.nbars][0] = y.reached[g];
		vals[ch.nbars][1] = y.in_group[g] - y.reached[g];
		bars[ch.nbars].label = group_zh[g];
		bars[ch.nbars].values = vals[ch.nbars];
		bars[ch.nbars++].total = y.in_group[g];
	}
	bar_chart(b, &ch);
	buf_puts(b, "<table>\n<thead><tr><th>姓名</th><th>类别</th><th class=\"num\">学时</th>");
	for (g = 0; g < CHANNEL__COUNT; g++)
		buf_printf(b, "<th class=\"num\">%s</th>", channel_zh[g]);
	for (c = 0; c < r->ncategories; c++) {
		const struct category *cat = categories_find(ts->project->library->categories, r->categories[c].ref);

		buf_puts(b, "<th class=\"num\">");
		buf_escape(b, cat && cat->name ? cat->name : r->categories[c].ref);
		buf_puts(b, "</th>");
	}
	buf_puts(b, "<th>状态</th><th>还可学的课</th></tr></thead>\n<tbody>\n");
	for (m = lv->first; m < lv->first + lv->count; m++)
		html_member(b, ts, &ts->v[m]);
	buf_puts(b, "</tbody>\n</table>\n</section>\n");
	free(id);
}

char *
ledger_report_html(const struct ledger_totals *ts)
{
	struct buf b = {0};
	size_t i;

	html_head(&b, ts);
	html_township(&b, ts);
	for (i = 0; i < ts->nvillages; i++)
		if (ts->villages[i].village)
			html_village(&b, ts, &ts->villages[i]);
	buf_puts(&b, "<p class=\"note\">本报告含党员姓名，仅供乡镇和村使用，请勿外传。</p>\n</body>\n</html>\n");
	return buf_detach(&b);
}
