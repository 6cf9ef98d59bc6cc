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

int
sheet_import(struct ledger *l, const struct project *pr, const char *path, long long import_id, const char *data,
    size_t len, size_t *added, size_t *same)
{
	const char *s = skip_bom(data, &len), *end;
	struct row head = {0}, r = {0};
	int *role = NULL, col_of[COL_LESSON] = {-1, -1, -1, -1, -1}, line = 1, bad = 0, got;
	const struct lesson **lessons = NULL;
	struct plan **plans = NULL;
	char **seen = NULL;
	int *seen_line = NULL;
	size_t nseen = 0, i;
	struct loc loc = {path, 1, 0};
	size_t bad_utf8;

	*added = *same = 0;
	end = s + len;
	if (!utf8_valid(s, len, &bad_utf8)) {
		diag(E_SHEET_UTF8, &loc);
		return -1;
	}
	if (next_row(&s, end, &line, &head, path) != 1)
		return -1;
	if (head.n > SHEET_MAX_COLUMNS) {
		diag(E_SHEET_COLUMNS, &loc, head.n, SHEET_MAX_COLUMNS);
		row_clear(&head);
		return -1;
	}
	role = xcalloc(head.n, sizeof *role);
	lessons = xcalloc(head.n, sizeof *lessons);
	for (i = 0; i < head.n; i++) {
		role[i] = role_of(head.f[i]);
		if (role[i] != COL_LESSON) {
			if (col_of[role[i]] >= 0) {
				diag(E_SHEET_COLUMN_TWICE, &loc, head.f[i]);
				bad++;
			}
			col_of[role[i]] = (int)i;
			continue;
		}
		if (head.f[i][0] == '\0')
			continue;	/* a blank column: spreadsheets leave them */
		if ((lessons[i] = library_find_lesson(pr->library, head.f[i])) == NULL) {
			diag(E_SHEET_LESSON, &loc, head.f[i]);
			bad++;
		}
		{
			size_t j;

			for (j = 0; j < i; j++)
				if (role[j] == COL_LESSON && streq(head.f[j], head.f[i])) {
					diag(E_SHEET_COLUMN_TWICE, &loc, head.f[i]);
					bad++;
				}
		}
	}
	if (col_of[COL_VILLAGE] < 0 || col_of[COL_NAME] < 0) {
		diag(E_SHEET_HEADER, &loc, col_of[COL_VILLAGE] < 0 ? "村 (village)" : "姓名 (name)");
		bad++;
	}
	if (bad)
		goto out;
	plans = xcalloc(pr->nvillages ? pr->nvillages : 1, sizeof *plans);
	while ((got = next_row(&s, end, &line, &r, path)) == 1) {
		const char *village, *name, *id, *member;
		const struct plan *p = NULL;
		int ch = CHANNEL_CLASS, grp = -1;
		char *known = NULL;
		size_t v, k;

		loc.line = r.line;
		/* A row of empty fields: the spreadsheet's trailing lines. */
		for (i = 0; i < r.n && r.f[i][0] == '\0'; i++)
			;
		if (i == r.n) {
			row_clear(&r);
			continue;
		}
		if (r.n > head.n) {
			for (i = head.n; i < r.n && r.f[i][0] == '\0'; i++)
				;
			if (i < r.n) {
				diag(E_SHEET_WIDE, &loc, r.n, head.n);
				bad++;
				row_clear(&r);
				continue;
			}
		}
#define FIELD(c) (col_of[c] >= 0 && (size_t)col_of[c] < r.n ? r.f[col_of[c]] : "")
		village = FIELD(COL_VILLAGE);
		name = FIELD(COL_NAME);
		id = FIELD(COL_ID);
		member = id[0] ? id : name;
		if (FIELD(COL_CHANNEL)[0] && (ch = channel_parse(FIELD(COL_CHANNEL))) < 0) {
			diag(E_SHEET_CHANNEL, &loc, FIELD(COL_CHANNEL));
			bad++;
		}
		if (FIELD(COL_GROUP)[0] && (grp = parse_group(FIELD(COL_GROUP))) < 0) {
			diag(E_SHEET_GROUP, &loc, FIELD(COL_GROUP));
			bad++;
		}
#undef FIELD
		if (name[0] == '\0') {
			diag(E_SHEET_NO_NAME, &loc);
			bad++;
			row_clear(&r);
			continue;
		}
		for (v = 0; v < pr->nvillages; v++)
			if (pr->villages[v] && streq(pr->villages[v]->id, village)) {
				if (plans[v] == NULL)
					plans[v] = plan_village(pr->library, pr->recipe, pr->villages[v]);
				p = plans[v];
			}
		if (p == NULL) {
			diag(E_SHEET_VILLAGE, &loc, village);
			bad++;
			row_clear(&r);
			continue;
		}
		/* Two rows for one member: two people of one name, or a row
		 * copied twice; either way a person must decide. */
		{
			char *key = xasprintf("%s\n%s", village, member);

			for (k = 0; k < nseen && !streq(seen[k], key); k++)
				;
			if (k < nseen) {
				struct loc first = {path, seen_line[k], 0};

				diag(E_SHEET_MEMBER_TWICE, &loc, member, village, path, first.line);
				bad++;
				free(key);
				row_clear(&r);
				continue;
			}
			seen = xreallocarray(seen, nseen + 1, sizeof *seen);
			seen_line = xreallocarray(seen_line, nseen + 1, sizeof *seen_line);
			seen[nseen] = key;
			seen_line[nseen++] = r.line;
		}
		switch (ledger_add_member(l, import_id, village, member, name, grp >= 0 ? group_name((enum group)grp) : NULL,
		    &known)) {
		case -1:
			bad = -1;
			goto out;
		case 1:
			diag(E_SHEET_MEMBER_NAME, &loc, member, village, known, name);
			free(known);
			bad++;
			row_clear(&r);
			continue;
		default:
			break;
		}
		for (i = 0; i < r.n && i < head.n; i++) {
			struct ledger_record rec = {0};
			char date[11], identity[65];
			size_t j;

			if (role[i] != COL_LESSON || lessons[i] == NULL || r.f[i][0] == '\0')
				continue;
			if (!is_tick(r.f[i]) && parse_date(r.f[i], date) == -1) {
				diag(E_SHEET_CELL, &loc, r.f[i], head.f[i]);
				bad++;
				continue;
			}
			for (j = 0; j < p->nlessons && p->lessons[j] != lessons[i]; j++)
				;
			if (j == p->nlessons) {
				diag(E_SHEET_NOT_PLANNED, &loc, head.f[i], village);
				bad++;
				continue;
			}
			if (bad)
				continue;	/* nothing will be kept: just look for more */
			rec.kind = ch == CHANNEL_CLASS ? RECORD_ATTENDANCE : RECORD_CLAIM;
			rec.village = village;
			rec.member = member;
			rec.lesson = head.f[i];
			rec.channel = (enum channel)ch;
			rec.date = is_tick(r.f[i]) ? NULL : date;
			switch (ledger_add_record(l, import_id, r.line, &rec, identity)) {
			case LEDGER_ADDED:
				(*added)++;
				break;
			case LEDGER_SAME:
				(*same)++;
				break;
			case LEDGER_CONFLICT:
				diag(E_LEDGER_CONFLICT, &loc, identity);
				bad++;
				break;
			case LEDGER_FAILED:
				bad = -1;
				goto out;
			}
		}
		row_clear(&r);
	}
	if (got == -1)
		bad++;
out:
	row_clear(&r);
	row_clear(&head);
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	free(seen_line);
	if (plans)
		for (i = 0; i < pr->nvillages; i++)
			plan_free(plans[i]);
	free(plans);
	free(role);
	free(lessons);
	return bad ? -1 : 0;
}

const struct ledger_importer ledger_importers[] = {
	{N_("attendance sheet"), sheet_recognise, sheet_import},
	/* rosters (roster.c) and chat exports with receipts (receipt.c) here */
	{NULL, NULL, NULL},
};
