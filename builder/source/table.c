/* Tables from spreadsheets: CSV in UTF-8 or GB18030, and the first sheet
 * of an .xlsx workbook.  See table.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "i18n.h"
#include "table.h"
#include "util.h"
#include "xml.h"
#include "zipfile.h"

#define TABLE_MAX_PART (8u * 1024 * 1024)	/* one part of an .xlsx, unpacked */

void
table_release(struct table *t)
{
	size_t i, j;

	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->rows[i].ncells; j++)
			free(t->rows[i].cells[j]);
		free(t->rows[i].cells);
	}
	free(t->rows);
	t->rows = NULL;
	t->nrows = t->cap = 0;
}

static void
say(struct table *t, int line, enum diag_code code)
{
	struct loc loc = {t->path, line, 0};

	(diag)(code, &loc);	/* no arguments to check */
	t->errors++;
}

/* Adds a row; 0, or -1 (diagnosed) past the row limit. */
static int
table_add_row(struct table *t, int line)
{
	if (t->nrows >= t->lim.rows) {
		struct loc loc = {t->path, line, 0};

		diag(E_TABLE_ROWS, &loc, t->lim.rows);
		t->errors++;
		return -1;
	}
	if (t->nrows == t->cap) {	/* doubling: 20000 rows, not 20000 copies */
		t->cap = t->cap ? t->cap * 2 : 64;
		t->rows = xreallocarray(t->rows, t->cap, sizeof *t->rows);
	}
	t->rows[t->nrows].line = line;
	t->rows[t->nrows].cells = NULL;
	t->rows[t->nrows].ncells = 0;
	t->nrows++;
	return 0;
}

/* Puts `s` (taken) at column `col` of the last row, padding with empty
 * cells; over-long cells are diagnosed (once per row) and cut. */
static void
table_set(struct table *t, size_t col, char *s, int *cut)
{
	struct table_row *r = &t->rows[t->nrows - 1];

	if (strlen(s) > t->lim.cell) {
		if (!*cut) {
			struct loc loc = {t->path, r->line, 0};

			diag(E_TABLE_CELL, &loc, t->lim.cell);
			t->errors++;
		}
		*cut = 1;
		s[t->lim.cell] = '\0';
	}
	if (col >= t->lim.cols) {
		free(s);
		return;
	}
	if (col >= r->ncells) {
		r->cells = xreallocarray(r->cells, col + 1, sizeof *r->cells);
		while (r->ncells <= col)
			r->cells[r->ncells++] = NULL;
	}
	free(r->cells[col]);
	r->cells[col] = s;
}

static int
row_blank(const struct table_row *r)
{
	size_t i;

	for (i = 0; i < r->ncells; i++)
		if (r->cells[i] && r->cells[i][strspn(r->cells[i], " \t")] != '\0')
			return 0;
	return 1;
}

static void
drop_blank_last(struct table *t)
{
	struct table_row *r = &t->rows[t->nrows - 1];
	size_t j;

	if (!row_blank(r))
		return;
	for (j = 0; j < r->ncells; j++)
		free(r->cells[j]);
	free(r->cells);
	t->nrows--;
}

/* RFC 4180 over UTF-8 text: fields split by commas, records by CRLF, LF
 * or CR; a quoted field may hold commas, line breaks and doubled quotes.
 * A quote inside an unquoted field is kept as it is (spreadsheets write
 * none, people do).  Blank records are skipped. */
static void
csv_table(struct table *t, const char *p, size_t len)
{
	const char *end = p + len;
	int line = 1;

	while (p < end) {
		size_t col = 0;
		int cut = 0;

		if (table_add_row(t, line) == -1)
			return;
		for (;;) {
			struct buf b = {0};

			if (p < end && *p == '"') {
				int start = line;

				for (p++;; p++) {
					if (p == end) {
						buf_release(&b);
						say(t, start, E_TABLE_QUOTE);
						drop_blank_last(t);
						return;
					}
					if (*p == '"') {
						if (p + 1 < end && p[1] == '"') {
							buf_add(&b, "\"", 1);
							p++;
							continue;
						}
						p++;
						break;
					}
					if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] != '\n')))
						line++;
					buf_add(&b, p, 1);
				}
				if (p < end && *p != ',' && *p != '\r' && *p != '\n') {
					say(t, line, E_TABLE_AFTER_QUOTE);
					while (p < end && *p != ',' && *p != '\r' && *p != '\n')
						p++;
				}
			} else {
				const char *s = p;

				while (p < end && *p != ',' && *p != '\r' && *p != '\n')
					p++;
				buf_add(&b, s, (size_t)(p - s));
			}
			buf_add(&b, "", 1);
			table_set(t, col++, buf_detach(&b), &cut);
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			if (p < end && *p == '\r') {
				if (++p < end && *p == '\n')
					p++;
			} else if (p < end && *p == '\n')
				p++;
			line++;
			break;
		}
		drop_blank_last(t);
	}
}

/* Chinese Windows saves "CSV" in the ANSI code page, GBK, of which
 * GB18030 is the superset glibc's iconv knows.  Returns a new string, or
 * NULL when the bytes are not GB18030 either. */
static char *
from_gb18030(const char *in, size_t len, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	size_t cap = len * 2 + 4, left = cap, inleft = len;
	char *out, *o, *i = (char *)in;

	if (cd == (iconv_t)-1)
		return NULL;
	out = o = xmalloc(cap);
	if (iconv(cd, &i, &inleft, &o, &left) == (size_t)-1) {
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*outlen = cap - left;
	return out;
}

/* The table of a CSV file's bytes; *fmt says how they were decoded.
 * -1 after diagnosing when they are not text we know. */
static int
csv_decode(struct table *t, const char *bytes, size_t len, enum table_format *fmt)
{
	const char *nul;
	char *conv = NULL;
	size_t bad = 0, clen, i;
	int line = 1;

	if (len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) {
		*fmt = TABLE_UTF8_BOM;
		bytes += 3;
		len -= 3;
	} else
		*fmt = TABLE_UTF8;
	if (memchr(bytes, '\0', len) == NULL && utf8_valid(bytes, len, &bad)) {
		csv_table(t, bytes, len);
		return 0;
	}
	if (*fmt == TABLE_UTF8 && memchr(bytes, '\0', len) == NULL &&
	    (conv = from_gb18030(bytes, len, &clen)) != NULL && memchr(conv, '\0', clen) == NULL) {
		*fmt = TABLE_GB18030;
		csv_table(t, conv, clen);
		free(conv);
		return 0;
	}
	free(conv);
	if ((nul = memchr(bytes, '\0', len)) != NULL)
		bad = (size_t)(nul - bytes);
	else
		(void)utf8_valid(bytes, len, &bad);
	for (i = 0; i < bad; i++)
		if (bytes[i] == '\n')
			line++;
	say(t, line, E_TABLE_ENCODING);
	return -1;
}

/* --- .xlsx ------------------------------------------------------------- */

struct xlsx {
	const char *path;
	struct zip_reader *zr;
	char **strings;		/* shared strings */
	size_t nstrings;
};

static void
xlsx_bad(const struct xlsx *x, const char *why)
{
	struct loc loc = {x->path, 0, 0};

	diag(E_TABLE_XLSX, &loc, why);
}

/* Part `name` of the workbook parsed; 0 with *out NULL when there is no
 * such part and it may be missing, else -1 after diagnosing. */
static int
xlsx_part(struct xlsx *x, const char *name, int optional, struct xml_doc **out)
{
	size_t i, n = zipr_count(x->zr), len;
	char *data, *label;
	int rc;

	*out = NULL;
	for (i = 0; i < n; i++)
		if (streq(zipr_entry(x->zr, i)->name, name))
			break;
	if (i == n) {
		if (optional)
			return 0;
		label = xasprintf(_("part '%s' is missing"), name);
		xlsx_bad(x, label);
		free(label);
		return -1;
	}
	label = xasprintf("%s(%s)", x->path, name);
	if (zipr_entry(x->zr, i)->size > TABLE_MAX_PART) {
		struct loc loc = {label, 0, 0};

		diag(E_XML_TOO_LARGE, &loc, (int)(TABLE_MAX_PART / 1024));
		free(label);
		return -1;
	}
	if (zipr_read(x->zr, i, &data, &len) == -1) {
		free(label);
		return -1;
	}
	rc = xml_load_foreign(label, data, len, TABLE_MAX_PART, out);
	free(data);
	free(label);
	return rc;
}

/* A string item's text: <t>, or the <t> of its rich-text runs <r>;
 * phonetic runs <rPh> are left out. */
static char *
string_item(const struct xml_node *si)
{
	const struct xml_node *n, *t;
	struct buf b = {0};

	for (n = xml_first(si, NULL); n; n = xml_next(n, NULL)) {
		char *s = NULL;

		if (streq(xml_name(n), "t"))
			s = xml_text(n);
		else if (streq(xml_name(n), "r") && (t = xml_first(n, "t")) != NULL)
			s = xml_text(t);
		if (s) {
			buf_puts(&b, s);
			free(s);
		}
	}
	buf_add(&b, "", 1);
	return buf_detach(&b);
}

static int
xlsx_strings(struct xlsx *x)
{
	struct xml_doc *d;
	const struct xml_node *si;
	size_t cap = 0;

	if (xlsx_part(x, "xl/sharedStrings.xml", 1, &d) == -1)
		return -1;
	if (d == NULL)
		return 0;
	for (si = xml_first(xml_root(d), "si"); si; si = xml_next(si, "si")) {
		if (x->nstrings == cap) {
			cap = cap ? cap * 2 : 64;
			x->strings = xreallocarray(x->strings, cap, sizeof *x->strings);
		}
		x->strings[x->nstrings++] = string_item(si);
	}
	xml_doc_free(d);
	return 0;
}

/* The first sheet's part name, from the workbook and its relationships
 * (new string), or NULL after diagnosing. */
static char *
xlsx_first_sheet(struct xlsx *x)
{
	struct xml_doc *wb = NULL, *rels = NULL;
	const struct xml_node *n;
	char *rid = NULL, *target = NULL, *name = NULL;

	if (xlsx_part(x, "xl/workbook.xml", 0, &wb) == -1)
		goto out;
	if ((n = xml_first(xml_root(wb), "sheets")) == NULL || (n = xml_first(n, "sheet")) == NULL ||
	    (rid = xml_attr_any(n, "id")) == NULL) {
		xlsx_bad(x, _("the workbook lists no sheet"));
		goto out;
	}
	if (xlsx_part(x, "xl/_rels/workbook.xml.rels", 0, &rels) == -1)
		goto out;
	for (n = xml_first(xml_root(rels), "Relationship"); n && target == NULL; n = xml_next(n, "Relationship")) {
		char *id = xml_attr(n, "Id");

		if (id && streq(id, rid))
			target = xml_attr(n, "Target");
		free(id);
	}
	if (target == NULL) {
		xlsx_bad(x, _("the first sheet's part is not named in xl/_rels/workbook.xml.rels"));
		goto out;
	}
	name = target[0] == '/' ? xstrdup(target + 1) : xasprintf("xl/%s", target);
out:
	free(rid);
	free(target);
	xml_doc_free(wb);
	xml_doc_free(rels);
	return name;
}

/* "B12" -> column 1; -1 when it is no cell reference. */
static long
column_of(const char *ref)
{
	long col = 0;
	int n = 0;

	for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++)
		col = col * 26 + (*ref - 'A' + 1);
	if (n == 0 || n > 3 || *ref < '1' || *ref > '9')
		return -1;
	return col - 1;
}

/* A number cell as it would be typed: integers without ".0" or exponent
 * (an id of 1000 saved as "1.0E+3", a phone number as "1.3800138E10"). */
static char *
number_text(const char *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || errno || !isfinite(d))
		return xstrdup(v);
	if (d == floor(d) && fabs(d) < 1e15)
		return xasprintf("%.0f", d);
	return xasprintf("%.15g", d);
}

static char *
cell_value(struct xlsx *x, struct table *t, const struct xml_node *c, int line)
{
	char *type = xml_attr(c, "t"), *v = NULL, *s;
	const struct xml_node *n;

	if (type && streq(type, "inlineStr")) {
		s = (n = xml_first(c, "is")) ? string_item(n) : xstrdup("");
	} else if ((n = xml_first(c, "v")) == NULL) {
		s = xstrdup("");
	} else {
		v = xml_text(n);
		if (type && streq(type, "s")) {
			char *end;
			unsigned long k;

			errno = 0;
			k = strtoul(v, &end, 10);
			if (end == v || *end || errno || k >= x->nstrings) {
				struct loc loc = {t->path, line, 0};

				diag(E_TABLE_XLSX_STRING, &loc, v, x->nstrings);
				t->errors++;
				s = xstrdup("");
			} else
				s = xstrdup(x->strings[k]);
		} else if (type == NULL || streq(type, "n"))
			s = number_text(v);
		else
			s = xstrdup(v);	/* str, b, e, d: as written */
	}
	free(type);
	free(v);
	return s;
}

static int
xlsx_table(struct table *t, const char *path, int fd)
{
	struct xlsx x = {path, NULL, NULL, 0};
	struct xml_doc *d = NULL;
	const struct xml_node *data, *row, *c;
	char *sheet = NULL;
	int rc = -1, line = 0;
	size_t i;

	if (zipr_open_fd(fd, path, &x.zr) == -1)
		goto out;
	if ((sheet = xlsx_first_sheet(&x)) == NULL || xlsx_strings(&x) == -1 ||
	    xlsx_part(&x, sheet, 0, &d) == -1)
		goto out;
	if ((data = xml_first(xml_root(d), "sheetData")) == NULL) {
		xlsx_bad(&x, _("the first sheet has no sheetData"));
		goto out;
	}
	for (row = xml_first(data, "row"); row; row = xml_next(row, "row")) {
		char *r = xml_attr(row, "r");
		long col = 0;
		int cut = 0;

		long n = 0;

		/* Row numbers only go up; a missing or odd one is the next. */
		if (r) {
			char *end;

			errno = 0;
			n = strtol(r, &end, 10);
			if (end == r || *end || errno || n > 1048576)
				n = 0;
		}
		line = n > line ? (int)n : line + 1;
		free(r);
		if (table_add_row(t, line) == -1)
			goto out;
		for (c = xml_first(row, "c"); c; c = xml_next(c, "c"), col++) {
			char *ref = xml_attr(c, "r");

			if (ref) {
				long k = column_of(ref);

				if (k >= col)
					col = k;
			}
			free(ref);
			table_set(t, (size_t)col, cell_value(&x, t, c, line), &cut);
		}
		drop_blank_last(t);
	}
	rc = 0;
out:
	for (i = 0; i < x.nstrings; i++)
		free(x.strings[i]);
	free(x.strings);
	free(sheet);
	xml_doc_free(d);
	zipr_close(x.zr);
	return rc;
}

static int
is_ole2(const char *p, size_t n)
{
	return n >= 4 && memcmp(p, "\xD0\xCF\x11\xE0", 4) == 0;
}

char *
table_trim(char *s)
{
	char *e, *b = s;

	b += strspn(b, " \t\r\n");
	e = b + strlen(b);
	while (e > b && strchr(" \t\r\n", e[-1]))
		e--;
	/* A full-width space (U+3000) typed around a name. */
	while (e - b >= 3 && memcmp(e - 3, "\xE3\x80\x80", 3) == 0)
		e -= 3;
	while (e - b >= 3 && memcmp(b, "\xE3\x80\x80", 3) == 0)
		b += 3;
	memmove(s, b, (size_t)(e - b));
	s[e - b] = '\0';
	return s;
}

char *
table_trimmed(const char *s)
{
	return table_trim(xstrdup(s ? s : ""));
}


static int
is_zip(const char *p, size_t n)
{
	return n >= 4 && memcmp(p, "PK\3\4", 4) == 0;
}

static int
has_xlsx_suffix(const char *path)
{
	return has_suffix(path, ".xlsx") || has_suffix(path, ".XLSX");
}

static void
table_start(struct table *t, const char *path, const struct table_limits *lim)
{
	memset(t, 0, sizeof *t);
	t->path = path;
	t->lim = *lim;
}

/* Structural errors make the whole table unread: its columns may be
 * shifted. */
static int
table_done(struct table *t, int rc)
{
	if (rc == -1 || t->errors) {
		table_release(t);
		return -1;
	}
	return 0;
}

static int
too_large(const struct table *t, size_t len)
{
	struct loc loc = {t->path, 0, 0};
	char *max;

	if (len <= t->lim.bytes)
		return 0;
	max = human_size(t->lim.bytes);
	diag(E_TABLE_TOO_LARGE, &loc, max);
	free(max);
	return 1;
}

int
table_parse(struct table *t, const char *path, const char *bytes, size_t len, const struct table_limits *lim)
{
	struct loc loc = {path, 0, 0};
	FILE *fp;
	int rc;

	table_start(t, path, lim);
	if (too_large(t, len))
		return -1;
	if (is_ole2(bytes, len)) {
		diag(E_TABLE_XLS, &loc);
		return -1;
	}
	if (!is_zip(bytes, len)) {
		rc = csv_decode(t, bytes, len, &t->format);
		return table_done(t, rc);
	}
	/* The zip reader reads a file: give it one, private and unnamed. */
	if ((fp = tmpfile()) == NULL || fwrite(bytes, 1, len, fp) != len || fflush(fp) != 0) {
		diag(S_WRITE, NULL, "(temporary file)", strerror(errno));
		if (fp)
			fclose(fp);
		return -1;
	}
	t->format = TABLE_XLSX;
	rc = xlsx_table(t, path, fileno(fp));
	fclose(fp);
	return table_done(t, rc);
}

int
table_read(struct table *t, const char *path, const struct table_limits *lim)
{
	struct loc loc = {path, 0, 0};
	char head[8], *bytes = NULL;
	struct stat st;
	ssize_t got;
	size_t len;
	int fd, rc = -1;

	table_start(t, path, lim);
	if (has_suffix(path, ".xls") || has_suffix(path, ".XLS")) {
		diag(E_TABLE_XLS, &loc);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		diag(S_OPEN, NULL, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		diag(E_FILE_KIND, &loc, path);
		goto out;
	}
	if (too_large(t, (size_t)st.st_size))
		goto out;
	if ((got = pread(fd, head, sizeof head, 0)) == -1) {
		diag(S_READ, NULL, path, strerror(errno));
		goto out;
	}
	if (is_ole2(head, (size_t)got)) {
		diag(E_TABLE_XLS, &loc);
		goto out;
	}
	if (has_xlsx_suffix(path) || is_zip(head, (size_t)got)) {
		t->format = TABLE_XLSX;
		rc = table_done(t, xlsx_table(t, path, fd));
		goto out;
	}
	if (read_fd(fd, lim->bytes, &bytes, &len) == -1) {
		diag(S_READ, NULL, path, strerror(errno));
		goto out;
	}
	rc = table_done(t, csv_decode(t, bytes, len, &t->format));
out:
	free(bytes);
	close(fd);
	return rc;
}

const char *
table_cell(const struct table_row *r, int col)
{
	return col >= 0 && (size_t)col < r->ncells && r->cells[col] ? r->cells[col] : "";
}

const char *
table_format_name(enum table_format f)
{
	switch (f) {
	case TABLE_UTF8:
		return "UTF-8";
	case TABLE_UTF8_BOM:
		return "UTF-8 with BOM";
	case TABLE_GB18030:
		return "GB18030";
	case TABLE_XLSX:
		return "xlsx";
	}
	return "?";
}
