#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "receipt.h"
#include "util.h"

static const char marker[] = RECEIPT_MARK;
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

enum field { F_TOWNSHIP, F_VILLAGE, F_NAME, F_LESSONS, F_DATES, F_CODE, F__COUNT };
static const char *const labels[F__COUNT] = {"乡镇", "村", "姓名", "已学", "日期", "校验码"};
static const char *const missing[F__COUNT] = {
	"no '乡镇' line", "no '村' line", "no '姓名' line", "no '已学' line", "no '日期' line", "no '校验码' line",
};

char *
receipt_build_id(const char *package_id, const char *recipe_id)
{
	return xasprintf("%s/%s", package_id, recipe_id);
}

/* Decodes one UTF-8 code point at s (n bytes left) into *cp; returns its
 * length, or 0 when the bytes are not valid UTF-8. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static void
utf8_put(struct buf *b, uint32_t c)
{
	unsigned char o[4];
	size_t n;

	if (c < 0x80)
		o[0] = (unsigned char)c, n = 1;
	else if (c < 0x800)
		o[0] = (unsigned char)(0xc0 | c >> 6), o[1] = (unsigned char)(0x80 | (c & 0x3f)), n = 2;
	else if (c < 0x10000)
		o[0] = (unsigned char)(0xe0 | c >> 12), o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f)),
		o[2] = (unsigned char)(0x80 | (c & 0x3f)), n = 3;
	else
		o[0] = (unsigned char)(0xf0 | c >> 18), o[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f)),
		o[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f)), o[3] = (unsigned char)(0x80 | (c & 0x3f)), n = 4;
	buf_add(b, o, n);
}

/* The same code points as the phone edition's script drops (phone.c). */
static int
is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xa0 ||
	    c == 0x3000 || (c >= 0x200b && c <= 0x200d) || c == 0xfeff;
}

char *
receipt_name_normalise(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	struct buf b = {0};
	size_t i = 0, k, count = 0;
	uint32_t c;

	while (i < len) {
		if ((k = utf8_next(s + i, len - i, &c)) == 0 || c == 0)
			goto bad;
		i += k;
		if (is_space(c))
			continue;
		if (c >= 0xff01 && c <= 0xff5e)
			c -= 0xfee0;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == 0x30fb || c == 0xff65 || c == 0x2022 || c == 0x2027)
			c = 0xb7;
		if (++count > RECEIPT_NAME_MAX)
			goto bad;
		utf8_put(&b, c);
	}
	if (count == 0)
		goto bad;
	return buf_detach(&b);
bad:
	buf_release(&b);
	return NULL;
}

char *
receipt_lessons_format(const int *lessons, size_t n)
{
	struct buf b = {0};
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j + 1 < n && lessons[j + 1] == lessons[j] + 1; j++)
			;
		if (j > i)
			buf_printf(&b, "%s%d-%d", i ? "," : "", lessons[i], lessons[j]);
		else
			buf_printf(&b, "%s%d", i ? "," : "", lessons[i]);
		i = j + 1;
	}
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_detach(&b);
}

static void
fnv_add(uint64_t *h, const char *s)
{
	for (; *s; s++) {
		*h ^= (unsigned char)*s;
		*h *= UINT64_C(0x100000001b3);
	}
}

void
receipt_code(const char *build_id, const char *name_norm, const char *lessons, const char *first,
    const char *last, char out[RECEIPT_CODE_LEN + 1])
{
	uint64_t h = UINT64_C(0xcbf29ce484222325), v;
	int k;

	fnv_add(&h, "coursepack receipt 1\n");
	fnv_add(&h, build_id);
	fnv_add(&h, "\n");
	fnv_add(&h, name_norm);
	fnv_add(&h, "\n");
	fnv_add(&h, lessons);
	fnv_add(&h, "\n");
	fnv_add(&h, first);
	fnv_add(&h, ",");
	fnv_add(&h, last);
	v = h >> 24;
	for (k = 0; k < RECEIPT_CODE_LEN; k++)
		out[k] = crockford[(v >> (35 - 5 * k)) & 31];
	out[RECEIPT_CODE_LEN] = '\0';
}

/* Skips ASCII blanks and U+3000. */
static const char *
skip_blanks(const char *p, const char *end)
{
	for (;;) {
		if (p < end && (*p == ' ' || *p == '\t'))
			p++;
		else if (end - p >= 3 && memcmp(p, "\xe3\x80\x80", 3) == 0)
			p += 3;
		else
			return p;
	}
}

static const char *
trim_end(const char *p, const char *end)
{
	for (;;) {
		if (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		else if (end - p >= 3 && memcmp(end - 3, "\xe3\x80\x80", 3) == 0)
			end -= 3;
		else
			return end;
	}
}

/* Whether p starts with any of the NULL-terminated list; advances past it. */
static int
eat(const char **p, const char *end, const char *const *any)
{
	for (; *any; any++) {
		size_t n = strlen(*any);

		if ((size_t)(end - *p) >= n && memcmp(*p, *any, n) == 0) {
			*p += n;
			return 1;
		}
	}
	return 0;
}

/* Up to `max` ASCII digits; -1 when there are none or more. */
static int
number(const char **p, const char *end, int max)
{
	int v = 0, digits = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		if (++digits > max)
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return digits ? v : -1;
}

static const char *const range_dashes[] = {"-", "\xe2\x80\x93", "\xe2\x80\x94", "~", "\xef\xbd\x9e", "\xef\xbc\x8d", NULL};
static const char *const list_seps[] = {",", "\xef\xbc\x8c", "\xe3\x80\x81", NULL};
static const char *const open_paren[] = {"(", "\xef\xbc\x88", NULL};
static const char *const close_paren[] = {")", "\xef\xbc\x89", NULL};
static const char *const word_total[] = {"共", NULL};
static const char *const word_lessons[] = {"课", NULL};
static const char *const date_seps[] = {"至", "到", "~", "\xef\xbd\x9e", NULL};

/* "1-5,7,9（共 7 课）" into r->lessons.  Returns NULL or what is wrong. */
static const char *
parse_lessons(const char *p, const char *end, struct receipt *r)
{
	unsigned char seen[RECEIPT_LESSON_MAX + 1] = {0};
	size_t n = 0;
	int a, b, i, total;

	for (;;) {
		p = skip_blanks(p, end);
		if ((a = number(&p, end, 3)) < 1)
			return "a lesson number is not 1 to 999";
		b = a;
		p = skip_blanks(p, end);
		if (eat(&p, end, range_dashes)) {
			p = skip_blanks(p, end);
			if ((b = number(&p, end, 3)) < a)
				return "a range of lessons does not go upwards";
			p = skip_blanks(p, end);
		}
		for (i = a; i <= b; i++)
			if (!seen[i]) {
				seen[i] = 1;
				n++;
			}
		if (!eat(&p, end, list_seps))
			break;
	}
	if (eat(&p, end, open_paren)) {
		p = skip_blanks(p, end);
		if (!eat(&p, end, word_total))
			return "the lessons are not followed by '（共 N 课）'";
		p = skip_blanks(p, end);
		total = number(&p, end, 3);
		p = skip_blanks(p, end);
		if (total < 0 || !eat(&p, end, word_lessons) || (p = skip_blanks(p, end), !eat(&p, end, close_paren)))
			return "the lessons are not followed by '（共 N 课）'";
		if ((size_t)total != n)
			return "the lesson count does not match the lessons listed";
	}
	if (skip_blanks(p, end) != end)
		return "the lessons are not a list like '1-5,7,9'";
	r->lessons = xcalloc(n, sizeof *r->lessons);
	for (i = 1; i <= RECEIPT_LESSON_MAX; i++)
		if (seen[i])
			r->lessons[r->nlessons++] = i;
	return NULL;
}

/* YYYY-MM-DD, a real day, into out. */
static int
date(const char **p, const char *end, char out[11])
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *s = *p;
	int y, m, d;

	if ((y = number(&s, end, 4)) < 1970 || s - *p != 4 || s >= end || *s++ != '-')
		return -1;
	if ((m = number(&s, end, 2)) < 1 || m > 12 || s >= end || *s++ != '-')
		return -1;
	if ((d = number(&s, end, 2)) < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	if (s - *p != 10)
		return -1;
	memcpy(out, *p, 10);
	out[10] = '\0';
	*p = s;
	return 0;
}

static const char *
parse_dates(const char *p, const char *end, struct receipt *r)
{
	p = skip_blanks(p, end);
	if (date(&p, end, r->first) == -1)
		return "the date is not a day written as YYYY-MM-DD";
	memcpy(r->last, r->first, sizeof r->last);
	p = skip_blanks(p, end);
	if (eat(&p, end, date_seps)) {
		p = skip_blanks(p, end);
		if (date(&p, end, r->last) == -1)
			return "the date is not a day written as YYYY-MM-DD";
		if (strcmp(r->first, r->last) > 0)
			return "the first date is after the last";
	}
	if (skip_blanks(p, end) != end)
		return "the dates are not 'YYYY-MM-DD 至 YYYY-MM-DD'";
	return NULL;
}

/* The code as typed: dashes and blanks dropped, letters that are easily
 * mistyped read as Crockford's base32 reads them (O as 0, I and L as 1). */
static const char *
parse_code(const char *p, const char *end, struct receipt *r)
{
	size_t n = 0;

	for (; p < end; p++) {
		char c = *p;

		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (c == '\0' || strchr(crockford, c) == NULL || n == RECEIPT_CODE_LEN)
			return "the check code is not 8 letters and digits";
		r->code[n++] = c;
	}
	if (n != RECEIPT_CODE_LEN)
		return "the check code is not 8 letters and digits";
	r->code[n] = '\0';
	return NULL;
}

struct line {
	const char *p, *end;
};

static int
next_line(const char **pos, const char *end, struct line *l)
{
	const char *nl;

	if (*pos >= end)
		return 0;
	l->p = *pos;
	nl = memchr(*pos, '\n', (size_t)(end - *pos));
	l->end = nl ? nl : end;
	*pos = nl ? nl + 1 : end;
	if (l->end > l->p && l->end[-1] == '\r')
		l->end--;
	return 1;
}

/* The field a line holds ("label：value"), or -1. */
static int
field_of(const char *p, const char *end, const char **value)
{
	static const char *const colons[] = {":", "\xef\xbc\x9a", NULL};
	int f;

	for (f = 0; f < F__COUNT; f++) {
		const char *s = p;
		const char *one[] = {labels[f], NULL};

		if (eat(&s, end, one) && (s = skip_blanks(s, end), eat(&s, end, colons))) {
			*value = s;
			return f;
		}
	}
	return -1;
}

/* Reads the fields after the marker's line.  Returns NULL or what is
 * wrong; fills r's fields. */
static const char *
parse_block(const char *pos, const char *end, struct receipt *r)
{
	const char *vp[F__COUNT] = {0}, *ve[F__COUNT] = {0};
	const char *why;
	struct line l;
	size_t bad;
	int f, lines = 0;

	while (lines++ < 12 && next_line(&pos, end, &l)) {
		const char *p = skip_blanks(l.p, l.end), *e = trim_end(p, l.end), *v;

		if (p == e)
			continue;
		if ((f = field_of(p, e, &v)) == -1)
			break;
		if (vp[f] != NULL)
			return "a field is given twice";
		vp[f] = skip_blanks(v, e);
		ve[f] = e;
		if ((size_t)(ve[f] - vp[f]) > RECEIPT_FIELD_MAX)
			return "a field is too long";
		if (f == F_CODE)
			break;
	}
	for (f = 0; f < F__COUNT; f++) {
		if (vp[f] == NULL)
			return missing[f];
		if (vp[f] == ve[f])
			return "a field is empty";
		if (!utf8_valid(vp[f], (size_t)(ve[f] - vp[f]), &bad) || memchr(vp[f], '\0', (size_t)(ve[f] - vp[f])))
			return "a field is not UTF-8 text";
	}
	r->township = xstrndup(vp[F_TOWNSHIP], (size_t)(ve[F_TOWNSHIP] - vp[F_TOWNSHIP]));
	r->village = xstrndup(vp[F_VILLAGE], (size_t)(ve[F_VILLAGE] - vp[F_VILLAGE]));
	r->name = xstrndup(vp[F_NAME], (size_t)(ve[F_NAME] - vp[F_NAME]));
	if ((r->name_norm = receipt_name_normalise(vp[F_NAME], (size_t)(ve[F_NAME] - vp[F_NAME]))) == NULL)
		return "the name is empty, too long or not UTF-8";
	if ((why = parse_lessons(vp[F_LESSONS], ve[F_LESSONS], r)) != NULL)
		return why;
	if ((why = parse_dates(vp[F_DATES], ve[F_DATES], r)) != NULL)
		return why;
	if ((why = parse_code(vp[F_CODE], ve[F_CODE], r)) != NULL)
		return why;
	return NULL;
}

static void
verify(struct receipt *r, const char *const *ids, size_t nids)
{
	char *lessons = receipt_lessons_format(r->lessons, r->nlessons);
	char code[RECEIPT_CODE_LEN + 1];
	size_t i;

	r->status = RECEIPT_BAD_CODE;
	for (i = 0; i < nids; i++) {
		receipt_code(ids[i], r->name_norm, lessons, r->first, r->last, code);
		if (strcmp(code, r->code) == 0) {
			r->status = RECEIPT_OK;
			r->bundle = (int)i;
			break;
		}
	}
	free(lessons);
}

int
receipts_parse(const char *text, size_t len, const char *const *build_ids, size_t nids, struct receipts *out)
{
	const char *pos = text, *end = text + len;
	size_t lineno = 0, cap = 0;
	struct line l;

	memset(out, 0, sizeof *out);
	if (len > RECEIPT_TEXT_MAX)
		return -1;
	while (next_line(&pos, end, &l)) {
		struct receipt *r;

		lineno++;
		if (l.end - l.p < (long)(sizeof marker - 1) || memmem(l.p, (size_t)(l.end - l.p), marker, sizeof marker - 1) == NULL)
			continue;
		if (out->n == RECEIPT_MAX) {
			out->truncated = 1;
			break;
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 16;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		r = &out->v[out->n++];
		memset(r, 0, sizeof *r);
		r->line = lineno;
		r->bundle = -1;
		if ((r->why = parse_block(pos, end, r)) != NULL)
			r->status = RECEIPT_UNPARSABLE;
		else
			verify(r, build_ids, nids);
	}
	return 0;
}

void
receipts_release(struct receipts *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		free(rs->v[i].township);
		free(rs->v[i].village);
		free(rs->v[i].name);
		free(rs->v[i].name_norm);
		free(rs->v[i].lessons);
	}
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}
