/* A filled attendance sheet, as CSV (UTF-8, with or without a BOM).
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
 * whole import, every bad row named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ledger.h"
#include "util.h"

#define SHEET_MAX_COLUMNS 512
#define SHEET_MAX_FIELD 4096

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
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	r->f = NULL;
	r->n = 0;
}

/* Reads the next CSV row from *p (RFC 4180: quotes, doubled quotes,
 * CRLF or LF).  Returns 1 with a row, 0 at the end, -1 on a quote that
 * does not close (diagnosed).  Fields are trimmed of spaces outside
 * quotes. */
static int
next_row(const char **p, const char *end, int *line, struct row *r, const char *path)
{
	struct buf b = {0};
	const char *s = *p;
	size_t cap = 0;

	if (s >= end)
		return 0;
	r->line = *line;
	for (;;) {
		int quoted = 0;

		b.len = 0;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s == '"') {
			quoted = 1;
			s++;
			for (;;) {
				if (s >= end) {
					struct loc loc = {path, r->line, 0};

					diag(E_SHEET_QUOTE, &loc);
					buf_release(&b);
					return -1;
				}
				if (*s == '"') {
					if (s + 1 < end && s[1] == '"') {
						buf_add(&b, "\"", 1);
						s += 2;
						continue;
					}
					s++;
					break;
				}
				if (*s == '\n')
					(*line)++;
				buf_add(&b, s, 1);
				s++;
			}
		}
		while (s < end && *s != ',' && *s != '\n' && *s != '\r') {
			if (!quoted || (*s != ' ' && *s != '\t'))
				buf_add(&b, s, 1);
			s++;
		}
		while (!quoted && b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\t'))
			b.len--;
		if (r->n == cap) {
			cap = cap ? 2 * cap : 16;
			r->f = xreallocarray(r->f, cap, sizeof *r->f);
		}
		buf_add(&b, "", 1);
		r->f[r->n++] = xstrdup(b.data);
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == '\r')
			s++;
		if (s < end && *s == '\n')
			s++;
		(*line)++;
		break;
	}
	buf_release(&b);
	*p = s;
	return 1;
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

static const char *
skip_bom(const char *data, size_t *len)
{
	if (*len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		*len -= 3;
		return data + 3;
	}
	return data;
}

static int
sheet_recognise(const char *data, size_t len)
{
	const char *s = skip_bom(data, &len), *end = s + len;
	struct row r = {0};
	int line = 1, village = 0, name = 0, lesson = 0;
	size_t i;

	if (len == 0 || memchr(s, '\0', len))
		return 0;
	if (next_row(&s, end, &line, &r, NULL) != 1)
		return 0;
	for (i = 0; i < r.n; i++)
		switch (role_of(r.f[i])) {
		case COL_VILLAGE:
			village = 1;
			break;
		case COL_NAME:
			name = 1;
			break;
		case COL_LESSON:
			lesson += strchr(r.f[i], '/') != NULL;
			break;
		default:
			break;
		}
	row_clear(&r);
	return village && name && lesson;
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

/* 2026-12-06, 2026/12/6 or 2026.12.6 into out (YYYY-MM-DD); 0 or -1. */
static int
parse_date(const char *s, char out[11])
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m, d;
	char sep1, sep2, extra;

	if (sscanf(s, "%4u%c%2u%c%2u%c", &y, &sep1, &m, &sep2, &d, &extra) != 5)
		return -1;
	if (sep1 != sep2 || !strchr("-/.", sep1) || y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1 ||
	    (int)d > days[m - 1] || (m == 2 && d == 29 && y % 4 != 0))
		return -1;
	snprintf(out, 11, "%04u-%02u-%02u", y % 10000u, m % 100u, d % 100u);
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
	struct ledger *l;
	const struct project *pr;
	const char *path;
	long long import_id;
	struct row head;
	int *role;			/* per column: COL_* */
	int col_of[COL_LESSON];		/* per field: its column, or -1 */
	const struct lesson **lessons;	/* per lesson column: the lesson */
	struct plan **plans;		/* per village of pr, when met */
	char **seen;			/* "village\nmember" of the rows so far */
	int *seen_line;
	size_t nseen;
	size_t added, same;
	int bad;			/* rows diagnosed */
	int failed;			/* the ledger failed: stop */
};

/* The header row: which column holds what.  0, or -1 after diagnosing. */
static int
sheet_header(struct sheet *sh, const char **s, const char *end, int *line)
{
	struct loc loc = {sh->path, 1, 0};
	size_t i, j;

	if (next_row(s, end, line, &sh->head, sh->path) != 1)
		return -1;
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
static int
sheet_seen_before(struct sheet *sh, const char *village, const char *member, const struct loc *loc)
{
	char *key = xasprintf("%s\n%s", village, member);
	size_t k;

	for (k = 0; k < sh->nseen && !streq(sh->seen[k], key); k++)
		;
	if (k < sh->nseen) {
		diag(E_SHEET_MEMBER_TWICE, loc, member, village, sh->path, sh->seen_line[k]);
		free(key);
		return 1;
	}
	sh->seen = xreallocarray(sh->seen, sh->nseen + 1, sizeof *sh->seen);
	sh->seen_line = xreallocarray(sh->seen_line, sh->nseen + 1, sizeof *sh->seen_line);
	sh->seen[sh->nseen] = key;
	sh->seen_line[sh->nseen++] = loc->line;
	return 0;
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
	int ch = CHANNEL_CLASS, grp = -1;
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
	if (sheet_seen_before(sh, village, member, &loc)) {
		sh->bad++;
		return;
	}
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

int
sheet_import(struct ledger *l, const struct project *pr, const char *path, long long import_id, const char *data,
    size_t len, size_t *added, size_t *same)
{
	const char *s = skip_bom(data, &len), *end = s + len;
	struct sheet sh = {l, pr, path, import_id, {0}, NULL, {-1, -1, -1, -1, -1}, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0};
	struct row r = {0};
	struct loc loc = {path, 1, 0};
	int line = 1, got = 0;
	size_t bad_utf8, i;

	*added = *same = 0;
	if (!utf8_valid(s, len, &bad_utf8)) {
		diag(E_SHEET_UTF8, &loc);
		return -1;
	}
	if (sheet_header(&sh, &s, end, &line) == 0) {
		sh.plans = xcalloc(pr->nvillages ? pr->nvillages : 1, sizeof *sh.plans);
		while (!sh.failed && (got = next_row(&s, end, &line, &r, path)) == 1) {
			sheet_row(&sh, &r);
			row_clear(&r);
		}
		if (got == -1)
			sh.bad++;
	} else
		sh.bad++;
	row_clear(&r);
	row_clear(&sh.head);
	for (i = 0; i < sh.nseen; i++)
		free(sh.seen[i]);
	free(sh.seen);
	free(sh.seen_line);
	if (sh.plans)
		for (i = 0; i < pr->nvillages; i++)
			plan_free(sh.plans[i]);
	free(sh.plans);
	free(sh.role);
	free(sh.lessons);
	*added = sh.added;
	*same = sh.same;
	return sh.bad || sh.failed ? -1 : 0;
}

const struct ledger_importer ledger_importers[] = {
	{N_("attendance sheet"), sheet_recognise, sheet_import},
	/* rosters (roster.c) and chat exports with receipts (receipt.c) here */
	{NULL, NULL, NULL},
};
