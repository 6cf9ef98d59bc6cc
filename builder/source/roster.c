/* Rosters: a table (table.h: CSV in UTF-8 or GB18030, or .xlsx) turned
 * into members by header name.  See roster.h. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "roster.h"
#include "table.h"
#include "util.h"

/* --- members ----------------------------------------------------------- */

enum col { COL_NAME, COL_GROUP, COL_ID, COL_PHONE, COL__COUNT };

static const struct {
	enum col col;
	const char *name;
} headers[] = {
	{COL_NAME, "姓名"}, {COL_NAME, "name"},
	{COL_GROUP, "类别"}, {COL_GROUP, "group"},
	{COL_ID, "编号"}, {COL_ID, "id"},
	{COL_PHONE, "手机"}, {COL_PHONE, "手机号"}, {COL_PHONE, "phone"},
};

int
roster_group_parse(const char *s)
{
	static const char *names[][2] = {
		[GROUP_RESIDENT] = {"在村", "resident"},
		[GROUP_HOMEBOUND] = {"居家", "homebound"},
		[GROUP_MOBILE] = {"流动", "mobile"},
	};
	int g;

	for (g = 0; g < GROUP__COUNT; g++)
		if (streq(s, names[g][0]) || strcasecmp_ascii(s, names[g][1]) == 0)
			return g;
	return -1;
}

static int
by_name(const void *a, const void *b)
{
	const struct member *x = *(struct member *const *)a, *y = *(struct member *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->line - y->line;
}

static int
by_id(const void *a, const void *b)
{
	const struct member *x = *(struct member *const *)a, *y = *(struct member *const *)b;
	int c = strcmp(x->id ? x->id : "", y->id ? y->id : "");

	return c ? c : x->line - y->line;
}

/* Same name needs distinct ids; an id names one member.  Each clash is
 * reported once, at the later line, in line order. */
static int
check_unique(struct roster *ro)
{
	size_t n = ro->nmembers, i, j, k;
	struct member **v = xreallocarray(NULL, n ? n : 1, sizeof *v);
	int *name_clash = xcalloc(n ? n : 1, sizeof *name_clash), *id_clash = xcalloc(n ? n : 1, sizeof *id_clash);
	int errors = 0;

	for (i = 0; i < n; i++)
		v[i] = &ro->members[i];
	qsort(v, n, sizeof *v, by_name);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && streq(v[j]->name, v[i]->name); j++)
			;
		for (k = i + 1; k < j; k++) {
			size_t e;

			for (e = i; e < k; e++)
				if (v[k]->id == NULL || v[e]->id == NULL || streq(v[k]->id, v[e]->id)) {
					name_clash[v[k] - ro->members] = v[e]->line;
					break;
				}
		}
	}
	qsort(v, n, sizeof *v, by_id);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[i]->id && v[j]->id && streq(v[j]->id, v[i]->id); j++)
			if (!streq(v[j]->name, v[i]->name))
				id_clash[v[j] - ro->members] = v[i]->line;
	}
	for (i = 0; i < n; i++) {
		struct loc loc = {ro->path, ro->members[i].line, 0};

		if (name_clash[i]) {
			diag(E_ROSTER_SAME_NAME, &loc, ro->members[i].name, name_clash[i]);
			errors++;
		}
		if (id_clash[i]) {
			diag(E_ROSTER_SAME_ID, &loc, ro->members[i].id, id_clash[i]);
			errors++;
		}
	}
	free(v);
	free(name_clash);
	free(id_clash);
	return errors;
}

/* The members of a table: the first row is the header. */
static int
table_members(const struct table *t, struct roster *ro, int *errors)
{
	int cols[COL__COUNT] = {-1, -1, -1, -1};
	const struct table_row *h;
	size_t i, j, k;

	if (t->nrows == 0) {
		struct loc loc = {t->path, 0, 0};

		diag(E_ROSTER_EMPTY, &loc);
		return -1;
	}
	h = &t->rows[0];
	for (j = 0; j < h->ncells; j++) {
		char *s = table_trimmed(h->cells[j]);

		for (k = 0; k < sizeof headers / sizeof *headers; k++)
			if ((streq(s, headers[k].name) || strcasecmp_ascii(s, headers[k].name) == 0) &&
			    cols[headers[k].col] == -1)
				cols[headers[k].col] = (int)j;
		free(s);
	}
	if (cols[COL_NAME] == -1 || cols[COL_GROUP] == -1) {
		struct loc loc = {t->path, h->line, 0};
		struct buf b = {0};

		for (j = 0; j < h->ncells; j++) {
			char *s = table_trimmed(h->cells[j]);

			if (*s)
				buf_printf(&b, "%s'%s'", b.len ? ", " : "", s);
			free(s);
		}
		if (b.len == 0)
			buf_puts(&b, _("none"));
		buf_add(&b, "", 1);
		char *found = buf_detach(&b);

		diag(E_ROSTER_COLUMN, &loc, cols[COL_NAME] == -1 ? "姓名/name" : "类别/group", found);
		free(found);
		return -1;
	}
	ro->members = xreallocarray(NULL, t->nrows, sizeof *ro->members);
	for (i = 1; i < t->nrows; i++) {
		const struct table_row *r = &t->rows[i];
		struct loc loc = {t->path, r->line, 0};
		char *name = table_trimmed(table_cell(r, cols[COL_NAME])), *group = table_trimmed(table_cell(r, cols[COL_GROUP]));
		char *id = table_trimmed(table_cell(r, cols[COL_ID])), *phone = table_trimmed(table_cell(r, cols[COL_PHONE]));
		int g = roster_group_parse(group), ok = 1;

		if (*name == '\0') {
			diag(E_ROSTER_NO_NAME, &loc);
			ok = 0;
		}
		if (g == -1) {
			diag(E_ROSTER_GROUP, &loc, group);
			ok = 0;
		}
		free(group);
		if (!ok) {
			(*errors)++;
			free(name);
			free(id);
			free(phone);
			continue;
		}
		struct member *m = &ro->members[ro->nmembers++];

		m->village = ro->village;
		m->file = ro->path;
		m->line = r->line;
		m->name = name;
		m->group = (enum group)g;
		m->id = *id ? id : (free(id), NULL);
		m->phone = *phone ? phone : (free(phone), NULL);
	}
	*errors += check_unique(ro);
	return *errors ? -1 : 0;
}

static const struct table_limits roster_limits = {
	ROSTER_MAX_BYTES, ROSTER_MAX_ROWS, ROSTER_MAX_COLS, ROSTER_MAX_CELL,
};

int
roster_from_table(const struct table *t, const char *village, struct roster **out)
{
	struct roster *ro = xcalloc(1, sizeof *ro);
	int errors = 0;

	ro->path = xstrdup(t->path);
	ro->village = xstrdup(village);
	ro->format = t->format;
	*out = NULL;
	if (table_members(t, ro, &errors) == -1 || errors) {
		roster_free(ro);
		return -1;
	}
	*out = ro;
	return 0;
}

int
roster_parse(const char *path, const char *village, const char *bytes, size_t len, struct roster **out)
{
	struct table t;
	int rc;

	*out = NULL;
	if (table_parse(&t, path, bytes, len, &roster_limits) == -1)
		return -1;
	rc = roster_from_table(&t, village, out);
	table_release(&t);
	return rc;
}

int
roster_read(const char *path, const char *village, struct roster **out)
{
	struct loc loc = {path, 0, 0};
	struct table t;
	int rc;

	*out = NULL;
	if (!has_suffix(path, ".csv") && !has_suffix(path, ".CSV") && !has_suffix(path, ".xlsx") &&
	    !has_suffix(path, ".XLSX") && !has_suffix(path, ".xls") && !has_suffix(path, ".XLS")) {
		diag(E_ROSTER_KIND, &loc);
		return -1;
	}
	if (table_read(&t, path, &roster_limits) == -1)
		return -1;
	rc = roster_from_table(&t, village, out);
	table_release(&t);
	return rc;
}

void
roster_free(struct roster *ro)
{
	size_t i;

	if (ro == NULL)
		return;
	for (i = 0; i < ro->nmembers; i++) {
		free(ro->members[i].id);
		free(ro->members[i].name);
		free(ro->members[i].phone);
	}
	free(ro->members);
	free(ro->path);
	free(ro->village);
	free(ro);
}

int
roster_locate(const struct village *v, const char *township_dir, char **path)
{
	struct stat st;

	*path = NULL;
	if (v->roster) {
		char *dir = path_dirname(v->path), *p = path_join(dir, v->roster);

		free(dir);
		*path = path_normalize(p);
		free(p);
		if (stat(*path, &st) == -1) {
			diag(E_ROSTER_MISSING, &v->roster_loc, *path, strerror(errno));
			free(*path);
			*path = NULL;
			return -1;
		}
		return 0;
	}
	char *csv = xasprintf("%s/rosters/%s.csv", township_dir, v->id);
	char *xlsx = xasprintf("%s/rosters/%s.xlsx", township_dir, v->id);
	char *ncsv = path_normalize(csv), *nxlsx = path_normalize(xlsx);
	int has_csv = stat(ncsv, &st) == 0, has_xlsx = stat(nxlsx, &st) == 0, rc = 0;

	free(csv);
	free(xlsx);
	if (has_csv && has_xlsx) {
		struct loc loc = {ncsv, 0, 0};

		diag(E_ROSTER_TWO, &loc, v->id, nxlsx);
		rc = -1;
	} else if (has_csv) {
		*path = ncsv;
		ncsv = NULL;
	} else if (has_xlsx) {
		*path = nxlsx;
		nxlsx = NULL;
	}
	free(ncsv);
	free(nxlsx);
	return rc;
}

int
roster_check_counts(const struct roster *ro, const struct village *v)
{
	int have[GROUP__COUNT] = {0}, g, warnings = 0;
	size_t i;

	for (i = 0; i < ro->nmembers; i++)
		have[ro->members[i].group]++;
	for (g = 0; g < GROUP__COUNT; g++)
		if (have[g] != v->members[g]) {
			struct loc loc = {ro->path, 0, 0};

			diag(W_ROSTER_COUNT, &loc, have[g], group_name((enum group)g), v->path, v->members[g]);
			warnings++;
		}
	return warnings;
}
