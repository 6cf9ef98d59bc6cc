/* A filled attendance sheet: CSV (UTF-8 or GB18030) or .xlsx, read as a
 * table (table.h).
 *
 * The header names the columns, in Chinese or English, in any order:
 *   村 / village     the village id, as township.xml lists it (required)
 *   姓名 / name      the member's name (required)
 *   编号 / id        the member's id, when two members share a name
 *   类别 / group     在村/居家/流动 or resident/homebound/mobile
 *   方式 / channel   课堂/居家/线上 or class/home/online (default class)
 * and every other column is a lesson, headed by its full id
 * (course/lesson).  A cell holds a date (2026-12-06 or 2026/12/6), a tick
 * (✓ √ ✔ 1 x X y Y 是 到) or nothing.  Class cells become attendance
 * records, home and online cells claims.  The hours are never the
 * sheet's: they come from the village's plan.  Any bad row fails the
 * whole import, every bad row named.
 *
 * Once a roster of the village is in the ledger, every row must be one of
 * its members: by 编号 when the row has one, else by a name only one
 * member has.  Before, the sheet's names make the members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ledger.h"
#include "util.h"

#define SHEET_MAX_COLUMNS 512

enum column_role { COL_VILLAGE, COL_NAME, COL_ID, COL_GROUP, COL_CHANNEL, COL_LESSON };

static const struct {
	const char *zh, *en;
	enum column_role role;
} known_heads[] = {
	{"村", "village", COL_VILLAGE},
	{"姓名", "name", COL_NAME},
	{"编号", "id", COL_ID},
	{"类别", "group", COL_GROUP},
	{"方式", "channel", COL_CHANNEL},
};

/* One row of fields; line is where it starts. */
struct row {
	char **f;
	size_t n;
	int line;
};

static void
row_clear(struct row *r)
{
	r->f = NULL;	/* the table's cells */
	r->n = 0;
}

static int
role_of(const char *h)
{
	size_t i;

	for (i = 0; i < NELEM(known_heads); i++)
		if (streq(h, known_heads[i].zh) || strcasecmp_ascii(h, known_heads[i].en) == 0)
			return (int)known_heads[i].role;
	return COL_LESSON;
}

static int
is_tick(const char *s)
{
	static const char *const ticks[] = {"✓", "√", "✔", "1", "x", "X", "y", "Y", "是", "到", "☑"};
	size_t i;

	for (i = 0; i < NELEM(ticks); i++)
		if (streq(s, ticks[i]))
			return 1;
	return 0;
}

/* Up to `max` digits at *s as a number, *s past them; -1 when none. */
static int
digits(const char **s, int max)
{
	int v = 0, n = 0;

	for (; n < max && **s >= '0' && **s <= '9'; (*s)++, n++)
		v = v * 10 + (**s - '0');
	return n ? v : -1;
}

/* A date Excel or WPS stored as a number (a serial: days since
 * 1899-12-30, valid from 1900-03-01 on) into y, m, d; 0 or -1.  Only
 * five digits, 2000 to 2099: a "1" in a cell is a tick. */
static int
serial_date(const char *s, int *y, int *m, int *d)
{
	const char *p = s;
	long n = digits(&p, 5), z, era, doe, yoe, doy, mp;

	if (p - s != 5 || *p != '\0' || n < 36526 || n > 73050)
		return -1;
	/* Days since 1970-01-01, then the civil date (Howard Hinnant's
	 * days_from_civil, inverted). */
	z = n - 25569 + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
	return 0;
}

/* 2026-12-06, 2026/12/6, 2026.12.6, or a serial as Excel stores a date
 * (46362), into out (YYYY-MM-DD); 0 or -1.  By hand: a county's sheets
 * hold 750,000 of them. */
static int
parse_date(const char *s, char out[11])
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p = s;
	int y, m, d;
	char sep;

	if (serial_date(s, &y, &m, &d) == 0)
		goto out;
	if ((y = digits(&p, 4)) < 2000 || y > 2099 || p - s != 4 || !strchr("-/.", *p) || *p == '\0')
		return -1;
	sep = *p++;
	if ((m = digits(&p, 2)) < 1 || m > 12 || *p++ != sep)
		return -1;
	if ((d = digits(&p, 2)) < 1 || d > days[m - 1] || (m == 2 && d == 29 && y % 4 != 0) || *p != '\0')
		return -1;
out:
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 0;
}

static int
parse_group(const char *s)
{
	static const char *const zh[] = {"在村", "居家", "流动"};
	int g;

	for (g = 0; g < GROUP__COUNT; g++)
		if (streq(s, zh[g]) || streq(s, group_name((enum group)g)))
			return g;
	return -1;
}

/* An attendance sheet being imported: its header, what each column is,
 * the plans of the villages met so far and the members seen. */
struct sheet {
	struct import *im;
	struct ledger *l;
	const struct project *pr;
	const char *path;
	long long import_id;
	struct row head;
	int *role;			/* per column: COL_* */
	int col_of[COL_LESSON];		/* per field: its column, or -1 */
	const struct lesson **lessons;	/* per lesson column: the lesson */
	struct plan **plans;		/* per village of pr, when met */
	struct seen *seen;		/* hash set of the rows' members so far */
	size_t nseen, seen_cap;
	size_t added, same;
	int bad;			/* rows diagnosed */
	int failed;			/* the ledger failed: stop */
};

/* The header row: which column holds what.  0, or -1 after diagnosing. */
static int
sheet_header(struct sheet *sh)
{
	struct loc loc = {sh->path, sh->head.line, 0};
	size_t i, j;

	if (sh->head.n > SHEET_MAX_COLUMNS) {
		diag(E_SHEET_COLUMNS, &loc, sh->head.n, SHEET_MAX_COLUMNS);
		return -1;
	}
	sh->role = xcalloc(sh->head.n, sizeof *sh->role);
	sh->lessons = xcalloc(sh->head.n, sizeof *sh->lessons);
	for (i = 0; i < sh->head.n; i++) {
		const char *h = sh->head.f[i];

		sh->role[i] = role_of(h);
		if (sh->role[i] != COL_LESSON) {
			if (sh->col_of[sh->role[i]] >= 0) {
				diag(E_SHEET_COLUMN_TWICE, &loc, h);
				sh->bad++;
			}
			sh->col_of[sh->role[i]] = (int)i;
			continue;
		}
		if (h[0] == '\0')
			continue;	/* a blank column: spreadsheets leave them */
		if ((sh->lessons[i] = library_find_lesson(sh->pr->library, h)) == NULL) {
			diag(E_SHEET_LESSON, &loc, h);
			sh->bad++;
		}
		for (j = 0; j < i; j++)
			if (sh->role[j] == COL_LESSON && streq(sh->head.f[j], h)) {
				diag(E_SHEET_COLUMN_TWICE, &loc, h);
				sh->bad++;
			}
	}
	if (sh->col_of[COL_VILLAGE] < 0 || sh->col_of[COL_NAME] < 0) {
		diag(E_SHEET_HEADER, &loc, sh->col_of[COL_VILLAGE] < 0 ? "村 (village)" : "姓名 (name)");
		sh->bad++;
	}
	return sh->bad ? -1 : 0;
}

/* The plan of the village named in a row, made when first met; NULL when
 * the township has no such village. */
static const struct plan *
sheet_plan(struct sheet *sh, const char *village)
{
	const struct project *pr = sh->pr;
	size_t v;

	for (v = 0; v < pr->nvillages; v++)
		if (pr->villages[v] && streq(pr->villages[v]->id, village)) {
			if (sh->plans[v] == NULL)
				sh->plans[v] = plan_village(pr->library, pr->recipe, pr->villages[v]);
			return sh->plans[v];
		}
	return NULL;
}

/* Two rows for one member: two people of one name, or a row copied
 * twice; either way a person must decide.  1 (diagnosed) when the member
 * was seen before, else 0 and remembered. */
struct seen {
	char *key;		/* "village\nmember", NULL: a free slot */
	int line;
};

/* Two rows for one member: two people of one name, or a row copied
 * twice; either way a person must decide.  1 (diagnosed) when the member
 * was seen before, else 0 and remembered. */
static int
sheet_seen_before(struct sheet *sh, const char *village, const char *member, const struct loc *loc)
{
	char *key = xasprintf("%s\n%s", village, member);
	size_t k, mask;

	if (2 * (sh->nseen + 1) > sh->seen_cap) {	/* grow: at most half full */
		struct seen *old = sh->seen;
		size_t ocap = sh->seen_cap, o;

		sh->seen_cap = ocap ? ocap * 2 : 256;
		sh->seen = xcalloc(sh->seen_cap, sizeof *sh->seen);
		for (o = 0; o < ocap; o++)
			if (old[o].key) {
				for (k = fnv1a(FNV1A_INIT, old[o].key, strlen(old[o].key)) & (sh->seen_cap - 1);
				    sh->seen[k].key; k = (k + 1) & (sh->seen_cap - 1))
					;
				sh->seen[k] = old[o];
			}
		free(old);
	}
	mask = sh->seen_cap - 1;
	for (k = fnv1a(FNV1A_INIT, key, strlen(key)) & mask; sh->seen[k].key; k = (k + 1) & mask)
		if (streq(sh->seen[k].key, key)) {
			diag(E_SHEET_MEMBER_TWICE, loc, member, village, sh->path, sh->seen[k].line);
			free(key);
			return 1;
		}
	sh->seen[k].key = key;
	sh->seen[k].line = loc->line;
	sh->nseen++;
	return 0;
}

/* The member a row names, when the village's roster is in the ledger: by
 * 编号, else by a name only one member has.  Returns the member key, or
 * NULL after diagnosing; *roster 0 (and NULL) when there is no roster. */
static const char *
sheet_on_roster(struct sheet *sh, const char *village, const char *id, const char *name, const struct loc *loc,
    int *roster)
{
	const struct ledger_member *m, *found = NULL;
	size_t n, i, count = 0;

	if ((m = import_members(sh->im, village, &n, roster)) == NULL) {
		sh->failed = 1;
		return NULL;
	}
	if (!*roster)
		return NULL;
	for (i = 0; i < n; i++)
		if (id[0] ? streq(m[i].member, id) : streq(m[i].name, name)) {
			found = &m[i];
			count++;
		}
	if (count == 1 && id[0] && !streq(found->name, name)) {
		diag(E_SHEET_MEMBER_NAME, loc, id, village, found->name, name);
		return NULL;
	}
	if (count == 1)
		return found->member;
	if (count == 0)
		diag(E_SHEET_NOT_ON_ROSTER, loc, id[0] ? id : name, village);
	else
		diag(E_SHEET_NAME_AMBIGUOUS, loc, name, village, count);
	return NULL;
}

/* One record per filled lesson cell of a row. */
static void
sheet_cells(struct sheet *sh, const struct row *r, const struct plan *p, const char *village, const char *member,
    int ch, const struct loc *loc)
{
	size_t i, j;

	for (i = 0; i < r->n && i < sh->head.n && !sh->failed; i++) {
		struct ledger_record rec = {0};
		char date[11], identity[65];
		const char *cell = r->f[i], *lesson = sh->head.f[i];

		if (sh->role[i] != COL_LESSON || sh->lessons[i] == NULL || cell[0] == '\0')
			continue;
		if (!is_tick(cell) && parse_date(cell, date) == -1) {
			diag(E_SHEET_CELL, loc, cell, lesson);
			sh->bad++;
			continue;
		}
		for (j = 0; j < p->nlessons && p->lessons[j] != sh->lessons[i]; j++)
			;
		if (j == p->nlessons) {
			diag(E_SHEET_NOT_PLANNED, loc, lesson, village);
			sh->bad++;
			continue;
		}
		if (sh->bad)
			continue;	/* nothing will be kept: just look for more */
		rec.kind = ch == CHANNEL_CLASS ? RECORD_ATTENDANCE : RECORD_CLAIM;
		rec.village = village;
		rec.member = member;
		rec.lesson = lesson;
		rec.channel = (enum channel)ch;
		rec.date = is_tick(cell) ? NULL : date;
		switch (ledger_add_record(sh->l, sh->import_id, r->line, &rec, identity)) {
		case LEDGER_ADDED:
			sh->added++;
			break;
		case LEDGER_SAME:
			sh->same++;
			break;
		case LEDGER_CONFLICT:
			diag(E_LEDGER_CONFLICT, loc, identity);
			sh->bad++;
			break;
		case LEDGER_FAILED:
			sh->failed = 1;
			break;
		}
	}
}

/* A row of fields, as text: the header's column, or "". */
static const char *
field(const struct sheet *sh, const struct row *r, int c)
{
	return sh->col_of[c] >= 0 && (size_t)sh->col_of[c] < r->n ? r->f[sh->col_of[c]] : "";
}

/* One member's row: checked, then its member and its records. */
static void
sheet_row(struct sheet *sh, const struct row *r)
{
	struct loc loc = {sh->path, r->line, 0};
	const char *village = field(sh, r, COL_VILLAGE), *name = field(sh, r, COL_NAME), *id = field(sh, r, COL_ID);
	const char *member = id[0] ? id : name;
	const struct plan *p;
	int ch = CHANNEL_CLASS, grp = -1, roster = 0;
	char *known = NULL;
	size_t i;

	/* A row of empty fields: the spreadsheet's trailing lines. */
	for (i = 0; i < r->n && r->f[i][0] == '\0'; i++)
		;
	if (i == r->n)
		return;
	for (i = sh->head.n; i < r->n && r->f[i][0] == '\0'; i++)
		;
	if (i < r->n) {
		diag(E_SHEET_WIDE, &loc, r->n, sh->head.n);
		sh->bad++;
		return;
	}
	if (field(sh, r, COL_CHANNEL)[0] && (ch = channel_parse(field(sh, r, COL_CHANNEL))) < 0) {
		diag(E_SHEET_CHANNEL, &loc, field(sh, r, COL_CHANNEL));
		sh->bad++;
	}
	if (field(sh, r, COL_GROUP)[0] && (grp = parse_group(field(sh, r, COL_GROUP))) < 0) {
		diag(E_SHEET_GROUP, &loc, field(sh, r, COL_GROUP));
		sh->bad++;
	}
	if (name[0] == '\0') {
		diag(E_SHEET_NO_NAME, &loc);
		sh->bad++;
		return;
	}
	if ((p = sheet_plan(sh, village)) == NULL) {
		diag(E_SHEET_VILLAGE, &loc, village);
		sh->bad++;
		return;
	}
	if ((member = sheet_on_roster(sh, village, id, name, &loc, &roster)) == NULL && roster) {
		sh->bad++;
		return;
	}
	if (sh->failed)
		return;
	if (member == NULL)
		member = id[0] ? id : name;
	if (sheet_seen_before(sh, village, member, &loc)) {
		sh->bad++;
		return;
	}
	if (roster) {
		sheet_cells(sh, r, p, village, member, ch, &loc);
		return;
	}
	import_forget(sh->im, village);
	switch (ledger_add_member(sh->l, sh->import_id, village, member, name,
	    grp >= 0 ? group_name((enum group)grp) : NULL, &known)) {
	case -1:
		sh->failed = 1;
		return;
	case 1:
		diag(E_SHEET_MEMBER_NAME, &loc, member, village, known, name);
		free(known);
		sh->bad++;
		return;
	default:
		break;
	}
	sheet_cells(sh, r, p, village, member, ch, &loc);
}

/* A table row as trimmed fields: its own cells, trimmed in place (a cell
 * never written becomes ""). */
static void
row_from(struct row *r, struct table_row *t)
{
	size_t i;

	r->n = t->ncells;
	r->line = t->line;
	r->f = t->cells;
	for (i = 0; i < r->n; i++)
		if (t->cells[i] == NULL)
			t->cells[i] = xstrdup("");
		else
			table_trim(t->cells[i]);
}

int
sheet_import(struct import *im, const struct import_input *in)
{
	struct table *t = in->table;
	const struct project *pr = im->pr;
	struct sheet sh;
	struct row r = {0};
	size_t i;

	memset(&sh, 0, sizeof sh);
	sh.im = im;
	sh.l = im->l;
	sh.pr = pr;
	sh.path = in->path;
	sh.import_id = im->id;
	for (i = 0; i < COL_LESSON; i++)
		sh.col_of[i] = -1;
	row_from(&sh.head, &t->rows[0]);
	if (sheet_header(&sh) == 0) {
		sh.plans = xcalloc(pr->nvillages ? pr->nvillages : 1, sizeof *sh.plans);
		for (i = 1; i < t->nrows && !sh.failed; i++) {
			row_from(&r, &t->rows[i]);
			sheet_row(&sh, &r);
			row_clear(&r);
		}
	} else
		sh.bad++;
	row_clear(&sh.head);
	for (i = 0; i < sh.seen_cap; i++)
		free(sh.seen[i].key);
	free(sh.seen);
	if (sh.plans)
		for (i = 0; i < pr->nvillages; i++)
			plan_free(sh.plans[i]);
	free(sh.plans);
	free(sh.role);
	free(sh.lessons);
	im->added = sh.added;
	im->same = sh.same;
	return sh.bad || sh.failed ? -1 : 0;
}
