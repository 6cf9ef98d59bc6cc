#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "currency.h"
#include "review.h"
#include "fold.h"
#include "i18n.h"
#include "image.h"
#include "markdown.h"
#include "util.h"

/* Byte offset to 1-based line and column. */
static void
text_linecol(const char *text, size_t off, int *line, int *col)
{
	size_t i, start = 0;

	*line = 1;
	for (i = 0; i < off; i++)
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	*col = (int)(off - start) + 1;
}

/* The file `rel` names under `dir` when names are compared as Windows
 * and macOS compare them, without case (Unicode simple folding) and
 * normalization (fold.h): 'media/Été.jpg' finds 'media/été.jpg', composed
 * or not.  A new path relative to `dir`, or NULL when there is none. */
static char *
case_match(const char *dir, const char *rel)
{
	char *cur = xstrdup(dir), *out = NULL, *comp = xstrdup(rel), *save = NULL, *part;
	struct buf found = {0};

	for (part = strtok_r(comp, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		char **names, *next;
		size_t n, i, hit = (size_t)-1;

		if (list_dir(cur, &names, &n) == -1)
			goto out;
		for (i = 0; i < n && hit == (size_t)-1; i++)
			if (streq(names[i], part))
				hit = i;
		if (hit == (size_t)-1) {
			char *want = fold_key(part);

			for (i = 0; i < n && hit == (size_t)-1; i++) {
				char *key = fold_key(names[i]);

				if (streq(key, want))
					hit = i;
				free(key);
			}
			free(want);
		}
		if (hit == (size_t)-1) {
			free_names(names, n);
			goto out;
		}
		if (found.len)
			buf_puts(&found, "/");
		buf_puts(&found, names[hit]);
		next = path_join(cur, names[hit]);
		free(cur);
		cur = next;
		free_names(names, n);
	}
	out = buf_detach(&found);
	found.data = NULL;
out:
	buf_release(&found);
	free(cur);
	free(comp);
	return out;
}

/* A path written in a course (manifest or Markdown) must name a regular
 * file inside the course folder.  `what` is the path as written. */
static int
check_inside(const struct course *c, const char *rel, const char *what, const struct loc *loc,
    enum diag_code missing, enum diag_code outside)
{
	if (!path_is_safe_relative(rel)) {
		if (rel[0] == '/' || strstr(rel, ".."))
			(diag)(outside, loc, what);
		else
			diag(E_PATH_UNSAFE, loc, what);
		return 1;
	}
	switch (path_inside(c->dir, rel)) {
	case INSIDE_OK:
		image_check(c->dir, rel, loc);
		return 0;
	case INSIDE_MISSING: {
		char *other = case_match(c->dir, rel);

		if (other && path_inside(c->dir, other) == INSIDE_OK) {
			char *a = fold_canonical(rel), *b = fold_canonical(other);

			if (streq(a, b))
				diag(E_PATH_ACCENTS, loc, what, other);
			else
				diag(E_PATH_CASE, loc, what, other);
			free(a);
			free(b);
		} else
			(diag)(missing, loc, what);
		free(other);
		return 1;
	}
	case INSIDE_OUTSIDE:
		(diag)(outside, loc, what);
		return 1;
	case INSIDE_NOT_FILE:
		diag(E_FILE_KIND, loc, what);
		return 1;
	}
	return 1;
}

/* The course-relative paths the lessons use, for finding files no lesson
 * uses. */
struct used {
	char **v;
	size_t n;
	int incomplete;	/* a lesson could not be read: its paths are unknown */
};

static void
used_add(struct used *u, const char *rel)
{
	u->v = xreallocarray(u->v, u->n + 1, sizeof *u->v);
	u->v[u->n++] = xstrdup(rel);
}

static int
used_has(const struct used *u, const char *rel)
{
	char *want = fold_key(rel);
	size_t i;
	int found = 0;

	/* A case (or normalization) mismatch is said once, as E_PATH_CASE. */
	for (i = 0; i < u->n && !found; i++) {
		char *key = fold_key(u->v[i]);

		found = streq(key, want);
		free(key);
	}
	free(want);
	return found;
}

static void
used_release(struct used *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		free(u->v[i]);
	free(u->v);
}

/* A path on the computer the lesson was written on: "C:\...", "C:/...",
 * "file:..." or a Windows network share "\\host\...". */
static int
is_local_abs(const char *url)
{
	if (((url[0] >= 'A' && url[0] <= 'Z') || (url[0] >= 'a' && url[0] <= 'z')) && url[1] == ':' &&
	    (url[2] == '\\' || url[2] == '/'))
		return 1;
	if (url[0] == '\\' && url[1] == '\\')
		return 1;
	return strncasecmp(url, "file:", 5) == 0;
}

static int
check_refs(const struct course *c, const char *mdpath, const struct md_info *info, struct used *u)
{
	size_t i;
	int errors = 0;

	for (i = 0; i < info->nrefs; i++) {
		const struct md_ref *r = &info->refs[i];
		struct loc loc = {mdpath, r->line, r->col};
		char *rel;

		if (r->image && r->url[0] == '\0') {
			diag(E_IMAGE_NO_SRC, &loc);
			errors++;
			continue;
		}
		if (r->image && strspn(r->alt, " \t\r\n") == strlen(r->alt)) {
			diag(E_IMAGE_NO_ALT, &loc, r->url);
			errors++;
		}
		if (r->url[0] == '#' || r->url[0] == '\0')
			continue;
		if (is_local_abs(r->url)) {
			if (r->image) {
				diag(E_IMAGE_LOCAL, &loc, r->url);
				errors++;
			} else
				diag(W_LINK_LOCAL, &loc, r->url);
			continue;
		}
		if (url_has_scheme(r->url)) {
			if (r->image) {
				diag(E_LINK_REMOTE_IMAGE, &loc, r->url);
				errors++;
			}
			continue;
		}
		if (strchr(r->url, '\\')) {
			char *fixed = xstrdup(r->url), *p;

			for (p = fixed; *p; p++)
				if (*p == '\\')
					*p = '/';
			diag(E_LINK_BACKSLASH, &loc, r->url, fixed);
			used_add(u, fixed);
			free(fixed);
			errors++;
			continue;
		}
		if ((rel = url_local_path(r->url)) == NULL) {
			diag(E_LINK_OUTSIDE, &loc, r->url);
			errors++;
			continue;
		}
		if (rel[0] != '\0') {
			errors += check_inside(c, rel, r->url, &loc, E_LINK_MISSING, E_LINK_OUTSIDE);
			used_add(u, rel);
		}
		free(rel);
	}
	return errors;
}

/* The warnings about one lesson's text, said in line order once all are
 * found.  Every format they use takes up to three strings. */
struct finding {
	enum diag_code code;
	int line, col;
	char *arg[3];
};

struct findings {
	struct finding *v;
	size_t n;
};

static void
find_add(struct findings *f, enum diag_code code, int line, int col, const char *a0, const char *a1,
    const char *a2)
{
	struct finding *x;

	f->v = xreallocarray(f->v, f->n + 1, sizeof *f->v);
	x = &f->v[f->n++];
	x->code = code;
	x->line = line;
	x->col = col;
	x->arg[0] = a0 ? xstrdup(a0) : NULL;
	x->arg[1] = a1 ? xstrdup(a1) : NULL;
	x->arg[2] = a2 ? xstrdup(a2) : NULL;
}

static int
finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return (x->code > y->code) - (x->code < y->code);
}

#define MAX_FINDINGS 50	/* a pasted web page can hold thousands of tags */

/* Says the findings, in line order, at most MAX_FINDINGS of them, and
 * frees them all. */
static void
findings_say(struct findings *f, const char *mdpath)
{
	size_t i, k;

	if (f->n > 1)
		qsort(f->v, f->n, sizeof *f->v, finding_cmp);
	for (i = 0; i < f->n; i++) {
		struct finding *x = &f->v[i];
		struct loc loc = {mdpath, x->line, x->col};

		if (i < MAX_FINDINGS)
			(diag)(x->code, &loc, x->arg[0], x->arg[1], x->arg[2]);
		for (k = 0; k < 3; k++)
			free(x->arg[k]);
	}
	if (f->n > MAX_FINDINGS) {
		struct loc loc = {mdpath, 0, 0};
		char more[32];

		snprintf(more, sizeof more, "%zu", f->n - MAX_FINDINGS);
		diag(W_MORE_FINDINGS, &loc, more);
	}
	free(f->v);
	memset(f, 0, sizeof *f);
}

/* The characters trainers type, or Word pastes, for a bullet. */
static const char *const typed_bullets[] = {
	"\u2022", "\u00b7", "\u25cf", "\u25aa", "\u25ab", "\u25c6", "\u25c7", "\u25a0", "\u25a1",
	"\u25cb", "\u25e6", "\u2023", "\u2043", "\u25b6", "\u25ba", "\u2756", "\u2605", "\u2606",
	"\u2713", "\u2714", "\uf0b7", "\uf0a7", "\uf0d8",
};

/* Full-width marks that look like Markdown's, and what to type instead
 * (a heading's "#" is repeated as many times as typed). */
static const struct {
	const char *wide, *narrow;
} fullwidth[] = {
	{"\uff03", "#"}, {"\uff0d", "-"}, {"\uff0a", "-"}, {"\uff1e", ">"}, {"\uff0b", "-"},
};

static int
starts_with(const char *s, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - s) >= n && memcmp(s, prefix, n) == 0;
}

/* Skips what does not show at a line's start: spaces, tabs, ideographic
 * spaces. */
static const char *
skip_blank(const char *s, const char *end)
{
	for (;;) {
		if (s < end && (*s == ' ' || *s == '\t'))
			s++;
		else if (starts_with(s, end, "\u3000"))
			s += 3;
		else
			return s;
	}
}

/* A line starting a typed bullet: the bullet, else NULL.  An ASCII "-",
 * "*" or "+" (or Word's second-level "o") before a tab that cmark-gfm did
 * not take for a list item counts too. */
static const char *
typed_bullet(const char *s, const char *end)
{
	static const char *const ascii[] = {"-\t", "*\t", "+\t", "o\t"};
	size_t i;

	for (i = 0; i < NELEM(typed_bullets); i++)
		if (starts_with(s, end, typed_bullets[i]) && s + strlen(typed_bullets[i]) < end)
			return typed_bullets[i];
	for (i = 0; i < NELEM(ascii); i++)
		if (starts_with(s, end, ascii[i]))
			return i == 0 ? "-" : i == 1 ? "*" : i == 2 ? "+" : "o";
	return NULL;
}

/* Whether a line has a tab between two cells: after text, before text. */
static int
has_tab_cells(const char *s, const char *end)
{
	const char *tab = memchr(s, '\t', (size_t)(end - s));

	if (tab == NULL || tab == s)
		return 0;
	return skip_blank(tab, end) < end;
}

#define DEST_MAX 1024	/* longest link destination looked at, in bytes */

/* A "](dest)" whose destination has a space outside angle brackets and
 * is no "url \"title\"": CommonMark makes no link of it.  Returns the
 * destination's length and sets *dest, or 0. */
static size_t
spaced_dest(const char *p, const char *end, const char **dest)
{
	const char *q, *sp;

	p += 2;
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p == '<')
		return 0;
	if (end - p > DEST_MAX)	/* no path is longer; bounds the work per "](" */
		end = p + DEST_MAX;
	if ((q = memchr(p, ')', (size_t)(end - p))) == NULL)
		return 0;
	if ((sp = memchr(p, ' ', (size_t)(q - p))) == NULL)
		return 0;
	{
		const char *t = sp;

		while (t < q && *t == ' ')
			t++;
		if (t < q && (*t == '"' || *t == '\'' || *t == '('))
			return 0;
	}
	while (q > p && q[-1] == ' ')
		q--;
	*dest = p;
	return (size_t)(q - p);
}

/* Looks at each line of the lesson's paragraphs as the reader will see it:
 * typed bullets, full-width marks, tab-separated rows, link paths with
 * spaces.  One report per paragraph for bullets and rows, which come in
 * runs. */
static void
check_paragraph_lines(const char *text, size_t len, const struct md_info *info, struct findings *f,
    struct used *u)
{
	size_t i, off = 0;
	int line = 1;

	for (i = 0; i < info->nparas; i++) {
		const struct md_para *pa = &info->paras[i];
		int bullet_said = 0, rows_said = 0, prev_tabs = 0, prev_line = 0, prev_col = 0;

		for (; line < pa->first && off < len; off++)
			if (text[off] == '\n')
				line++;
		for (; line <= pa->last && off < len; line++) {
			const char *ls = text + off, *le = memchr(ls, '\n', len - off), *s, *b, *p;
			int col;
			size_t k;

			if (le == NULL)
				le = text + len;
			off = (size_t)(le - text) + 1;
			if (line == pa->first)
				s = ls + (pa->col > 0 && pa->col - 1 < le - ls ? pa->col - 1 : 0);
			else
				for (s = ls; s < le && (*s == ' ' || *s == '\t' || *s == '>'); s++)
					;
			s = skip_blank(s, le);
			col = (int)(s - ls) + 1;
			if ((b = typed_bullet(s, le)) != NULL) {
				if (!bullet_said)
					find_add(f, W_TYPED_BULLET, line, col, b, NULL, NULL);
				bullet_said = 1;
			}
			for (k = 0; k < NELEM(fullwidth); k++) {
				const char *w = fullwidth[k].wide;
				struct buf fix = {0};
				const char *q = s;

				if (!starts_with(s, le, w))
					continue;
				while (starts_with(q, le, w)) {
					buf_puts(&fix, fullwidth[k].narrow);
					q += strlen(w);
					if (fullwidth[k].narrow[0] != '#')
						break;
				}
				buf_puts(&fix, " ");
				{
					char *wide = xstrndup(s, (size_t)(q - s));

					find_add(f, W_FULLWIDTH_MARK, line, col, wide, fix.data, NULL);
					free(wide);
				}
				buf_release(&fix);
			}
			if (has_tab_cells(b ? skip_blank(s + strlen(b), le) : s, le)) {
				if (prev_tabs && prev_line == line - 1 && !rows_said) {
					find_add(f, W_TAB_ROWS, prev_line, prev_col, NULL, NULL, NULL);
					rows_said = 1;
				}
				prev_tabs = 1;
				prev_line = line;
				prev_col = col;
			} else
				prev_tabs = 0;
			for (p = s; p + 1 < le; p++) {
				const char *dest, *open;
				size_t n;
				int depth = 0;

				if (*p == '\\') {
					p++;
					continue;
				}
				if (p[0] != ']' || p[1] != '(' || (n = spaced_dest(p, le, &dest)) == 0)
					continue;
				for (open = p - 1; open >= s && p - open <= DEST_MAX; open--)
					if (*open == ']')
						depth++;
					else if (*open == '[' && depth-- == 0)
						break;
				if (open >= s && p - open <= DEST_MAX && *open == '[') {
					int image = open > s && open[-1] == '!';
					char *d = xstrndup(dest, n);

					find_add(f, W_PATH_SPACE, line, (int)(open - image - ls) + 1, d,
					    image ? _("image") : _("link"), d);
					used_add(u, d);
					free(d);
				}
			}
		}
	}
}

/* Raw HTML and indented code blocks, found by cmark-gfm. */
static void
check_notes(const struct md_info *info, struct findings *f)
{
	static const char *const table_tags[] = {"table", "tr", "td", "th", "tbody", "thead", "tfoot", "caption"};
	size_t i, k;

	for (i = 0; i < info->nnotes; i++) {
		const struct md_note *n = &info->notes[i];
		enum diag_code code;
		int table = 0;

		if (n->kind == MD_NOTE_INDENTED) {
			find_add(f, W_INDENTED_CODE, n->line, n->col, NULL, NULL, NULL);
			continue;
		}
		for (k = 0; k < NELEM(table_tags); k++)
			table |= streq(n->tag, table_tags[k]);
		if (streq(n->tag, "br"))
			code = W_HTML_BR;
		else if (streq(n->tag, "img"))
			code = W_HTML_IMG;
		else if (table)
			code = W_HTML_TABLE;
		else
			code = n->kind == MD_NOTE_HTML_BLOCK ? W_HTML_BLOCK : W_HTML_INLINE;
		find_add(f, code, n->line, n->col, n->tag, NULL, NULL);
	}
}

/* Reads and parses one lesson's Markdown: bounded in size before cmark-gfm
 * sees it (CVE-2023-22486), valid UTF-8, no NUL. */
static int
check_lesson_text(struct course *c, struct lesson *l, struct used *u)
{
	char *mdpath = path_join(c->dir, l->src), *text = NULL;
	struct loc loc = {mdpath, 0, 0};
	struct md_info info;
	struct findings f = {0};
	size_t len, bad;
	int errors = 0;

	u->incomplete = 1;
	if (read_file(mdpath, MD_MAX_BYTES, &text, &len) == -1) {
		struct stat st;

		if (errno == EFBIG && stat(mdpath, &st) == 0) {
			char size[32];
			unsigned long long tenths = ((unsigned long long)st.st_size * 10 + 512) / 1024;

			snprintf(size, sizeof size, "%llu.%llu", tenths / 10, tenths % 10);
			diag(E_LESSON_TOO_LARGE, &loc, size, MD_MAX_BYTES / 1024);
		} else
			diag(S_READ, NULL, mdpath, strerror(errno));
		errors++;
		goto out;
	}
	if (memchr(text, '\0', len)) {
		text_linecol(text, (size_t)((char *)memchr(text, '\0', len) - text), &loc.line, &loc.col);
		diag(E_LESSON_NUL, &loc);
		errors++;
		goto out;
	}
	if (!utf8_valid(text, len, &bad)) {
		text_linecol(text, bad, &loc.line, &loc.col);
		diag(E_LESSON_UTF8, &loc);
		errors++;
		goto out;
	}
	if (strspn(text, " \t\r\n") == len) {
		diag(E_LESSON_EMPTY, &loc);
		errors++;
		goto out;
	}
	if (md_scan(text, len, &info) == -1) {
		diag(S_READ, NULL, mdpath, strerror(ENOMEM));
		errors++;
		goto out;
	}
	u->incomplete = 0;
	if (l->title == NULL && info.title && info.title[0]) {
		l->title = info.title;
		info.title = NULL;
	}
	if (l->title == NULL) {
		diag(E_LESSON_NO_TITLE, &l->loc, l->id);
		errors++;
	}
	errors += check_refs(c, mdpath, &info, u);
	for (size_t i = 0; i < info.nstray; i++)
		find_add(&f, W_STRAY_STARS, info.stray[i].line, info.stray[i].col, NULL, NULL, NULL);
	check_notes(&info, &f);
	check_paragraph_lines(text, len, &info, &f, u);
	findings_say(&f, mdpath);
	md_info_release(&info);
out:
	free(text);
	free(mdpath);
	return errors;
}

static int
has_md_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && streq(name + n - 3, ".md");
}

/* Markdown files in the course folder that no lesson names: a lesson the
 * trainer wrote and forgot to list. */
static void
check_unlisted(const struct course *c)
{
	char **names;
	size_t n, i, j;

	if (list_dir(c->dir, &names, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (!has_md_suffix(names[i]))
			continue;
		for (j = 0; j < c->nlessons; j++)
			if (streq(c->lessons[j].src, names[i]))
				break;
		if (j == c->nlessons) {
			char *p = path_join(c->dir, names[i]);
			struct loc loc = {p, 0, 0};

			diag(W_UNLISTED_FILE, &loc, names[i]);
			free(p);
		}
	}
	free_names(names, n);
}

#define UNUSED_DEPTH 8	/* course folders deeper than this are not searched */

/* Files under the course folder (`sub` below it, "" at the top) that no
 * lesson links, embeds or lists: a photo the trainer meant to show.  XML
 * (checked as such), Markdown (see check_unlisted) and hidden files are
 * not media. */
static void
check_unused(const struct course *c, const char *sub, const struct used *u, int depth)
{
	char *dir = sub[0] ? path_join(c->dir, sub) : xstrdup(c->dir), **names;
	size_t n, i;

	if (depth > UNUSED_DEPTH || list_dir(dir, &names, &n) == -1) {
		free(dir);
		return;
	}
	for (i = 0; i < n; i++) {
		char *rel = sub[0] ? path_join(sub, names[i]) : xstrdup(names[i]);
		char *p = path_join(dir, names[i]);
		struct stat st;

		if (names[i][0] == '.' || has_md_suffix(names[i]) || has_suffix(names[i], ".xml") ||
		    lstat(p, &st) == -1)
			;
		else if (S_ISDIR(st.st_mode))
			check_unused(c, rel, u, depth + 1);
		else if (S_ISREG(st.st_mode) && !used_has(u, rel)) {
			struct loc loc = {p, 0, 0};

			diag(W_UNUSED_FILE, &loc, rel);
		}
		free(rel);
		free(p);
	}
	free_names(names, n);
	free(dir);
}

int
check_course(struct course *c, const struct categories *cats, struct check_stats *st)
{
	const char *folder = path_basename(c->dir);
	struct used u = {0};
	size_t i, j, k;
	int errors = 0, incomplete = 0;

	st->courses++;
	if (!streq(folder, ".") && !streq(folder, c->id)) {
		diag(E_COURSE_DIR, &c->loc, c->id, folder);
		errors++;
	}
	if (cats && categories_find(cats, c->category) == NULL) {
		diag(E_UNKNOWN_CATEGORY, &c->loc, c->category, cats->path);
		errors++;
	}
	for (i = 0; i < c->nlessons; i++) {
		struct lesson *l = &c->lessons[i];
		int bad;

		st->lessons++;
		for (j = 0; j < i; j++)
			if (streq(c->lessons[j].src, l->src))
				break;
		if (j < i) {
			diag(E_DUP_SRC, &l->src_loc, l->src, c->lessons[j].id);
			errors++;
			continue;
		}
		used_add(&u, l->src);
		bad = check_inside(c, l->src, l->src, &l->src_loc, E_FILE_MISSING, E_PATH_OUTSIDE);
		errors += bad;
		if (!bad) {
			errors += check_lesson_text(c, l, &u);
			incomplete |= u.incomplete;
		}
		for (k = 0; k < l->nassets; k++) {
			errors += check_inside(c, l->assets[k].id, l->assets[k].id, &l->assets[k].loc,
			    E_FILE_MISSING, E_PATH_OUTSIDE);
			used_add(&u, l->assets[k].id);
		}
	}
	errors += currency_check_course(c, cats);
	check_unlisted(c);
	if (!incomplete)
		check_unused(c, "", &u, 0);
	used_release(&u);
	/* Each lesson's review state, for check, the manifest and the pages
	 * (review.h); what to say about it is the command's call. */
	errors += review_assess(c, NULL);
	return errors;
}

int
check_library(struct library *lib, struct check_stats *st)
{
	size_t i;
	int errors = 0;

	for (i = 0; i < lib->ncourses; i++) {
		if (i > 0 && streq(lib->courses[i]->id, lib->courses[i - 1]->id)) {
			char *where = xasprintf("%s:%d", lib->courses[i - 1]->path,
			    lib->courses[i - 1]->loc.line);

			diag(E_DUP_COURSE, &lib->courses[i]->loc, lib->courses[i]->id, where);
			free(where);
			errors++;
		}
		errors += check_course(lib->courses[i], lib->categories, st);
	}
	if (lib->categories)
		st->files++;
	return errors;
}

static int
recipe_lists(const struct recipe *r, const char *category)
{
	size_t i;

	for (i = 0; i < r->ncategories; i++)
		if (streq(r->categories[i].ref, category))
			return 1;
	return 0;
}

/* A course the recipe names must be in a category the recipe lists, or
 * its lessons could never be placed. */
static int
check_listed(const struct recipe *r, const struct course *c, const char *what,
    const char *id, const struct loc *loc)
{
	if (recipe_lists(r, c->category))
		return 0;
	diag(E_CATEGORY_UNLISTED, loc, what, id, c->category);
	return 1;
}

static int
course_hours(const struct course *c)
{
	size_t i;
	int h = 0;

	for (i = 0; i < c->nlessons; i++)
		h += c->lessons[i].hours;
	return h;
}

static int
int_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

/* The most hours of `category` any village could get: all of the core
 * courses, the largest courses chosen by need, the longest activity.  A
 * minimum above that can never be met, whatever the village. */
static int
reachable_hours(const struct recipe *r, const struct library *lib, const char *category)
{
	const struct course *c;
	size_t i, j;
	int h = 0;

	for (i = 0; i < r->ncore; i++)
		if ((c = library_find_course(lib, r->core[i].id)) && streq(c->category, category))
			h += course_hours(c);
	for (i = 0; i < r->nby_need; i++) {
		int *v, n = 0;

		if (!streq(r->by_need[i].category, category))
			continue;
		v = xcalloc(lib->ncourses, sizeof *v);
		for (j = 0; j < lib->ncourses; j++)
			if (streq(lib->courses[j]->category, category) && lib->courses[j]->ntags > 0)
				v[n++] = course_hours(lib->courses[j]);
		if (n > 1)
			qsort(v, (size_t)n, sizeof *v, int_desc);
		for (j = 0; j < (size_t)n && j < (size_t)r->by_need[i].max_courses; j++)
			h += v[j];
		free(v);
	}
	if (r->activity_course.id && (c = library_find_course(lib, r->activity_course.id)) &&
	    streq(c->category, category)) {
		int longest = 0;

		for (j = 0; j < c->nlessons; j++)
			if (c->lessons[j].hours > longest)
				longest = c->lessons[j].hours;
		h += longest;
	}
	return h;
}

static int
check_reachable(const struct recipe *r, const struct library *lib)
{
	char need[16], have[16];
	size_t i;
	int errors = 0, total = 0;

	for (i = 0; i < r->ncategories; i++) {
		const struct recipe_category *rc = &r->categories[i];
		int h = reachable_hours(r, lib, rc->ref);

		total += h;
		if (rc->min_hours > h) {
			char *what = xasprintf(_("category '%s'"), rc->ref);

			hours_format(rc->min_hours, need);
			hours_format(h, have);
			diag(E_RECIPE_UNREACHABLE, &rc->loc, what, need, have);
			free(what);
			errors++;
		}
	}
	if (r->min_hours > total) {
		hours_format(r->min_hours, need);
		hours_format(total, have);
		diag(E_RECIPE_UNREACHABLE, &r->min_hours_loc, _("the package"), need, have);
		errors++;
	}
	return errors;
}

/* Whether the library has a folder for course `id` (or the course of
 * lesson id "course/lesson") whose manifest failed to load: its errors
 * are reported there, and a reference to it is not a second error. */
static int
course_failed(const struct library *lib, const char *id)
{
	size_t n = strcspn(id, "/");
	char *cid, *sub, *m;
	struct stat st;
	int failed;

	if (lib == NULL || lib->dir == NULL)
		return 0;
	cid = xstrndup(id, n);
	sub = path_join(lib->dir, cid);
	m = path_join(sub, "course.xml");
	failed = library_find_course(lib, cid) == NULL && path_is_safe_relative(cid) && lstat(m, &st) == 0;
	free(cid);
	free(sub);
	free(m);
	return failed;
}

int
check_recipe(const struct recipe *r, const struct library *lib)
{
	const struct categories *cats = lib ? lib->categories : NULL;
	const struct lesson *first;
	const struct course *c;
	size_t i, j;
	int errors = currency_check_recipe(r), first_core = 0, unsure = 0;

	for (i = 0; cats && i < r->ncategories; i++)
		if (categories_find(cats, r->categories[i].ref) == NULL) {
			diag(E_NO_CATEGORY, &r->categories[i].loc, r->categories[i].ref);
			errors++;
		}
	for (i = 0; i < r->ncore; i++) {
		const struct ref *core = &r->core[i];

		for (j = 0; j < i; j++)
			if (streq(r->core[j].id, core->id))
				break;
		if (j < i) {
			diag(E_DUP_CORE, &core->loc, core->id);
			errors++;
			continue;
		}
		if ((c = library_find_course(lib, core->id)) == NULL) {
			if (course_failed(lib, core->id))
				unsure = 1;
			else {
				diag(E_NO_COURSE, &core->loc, core->id);
				errors++;
			}
			continue;
		}
		errors += check_listed(r, c, _("core course"), core->id, &core->loc);
		if (strncmp(r->first_lesson.id, core->id, strlen(core->id)) == 0 &&
		    r->first_lesson.id[strlen(core->id)] == '/')
			first_core = 1;
	}
	if ((first = library_find_lesson(lib, r->first_lesson.id)) == NULL) {
		if (course_failed(lib, r->first_lesson.id))
			unsure = 1;
		else {
			diag(E_NO_LESSON, &r->first_lesson.loc, r->first_lesson.id);
			errors++;
		}
	} else {
		errors += check_listed(r, first->course, _("first lesson"), r->first_lesson.id,
		    &r->first_lesson.loc);
		if (!first_core)
			diag(W_FIRST_NOT_CORE, &r->first_lesson.loc, r->first_lesson.id);
	}
	for (i = 0; i < r->nby_need; i++) {
		const struct by_need *bn = &r->by_need[i];

		if (cats && categories_find(cats, bn->category) == NULL) {
			diag(E_NO_CATEGORY, &bn->loc, bn->category);
			errors++;
		} else if (!recipe_lists(r, bn->category)) {
			diag(E_BY_NEED_UNLISTED, &bn->loc, bn->category);
			errors++;
		}
	}
	if (r->activity_course.id) {
		if ((c = library_find_course(lib, r->activity_course.id)) == NULL) {
			if (course_failed(lib, r->activity_course.id))
				unsure = 1;
			else {
				diag(E_NO_COURSE, &r->activity_course.loc, r->activity_course.id);
				errors++;
			}
		} else
			errors += check_listed(r, c, _("activity course"), c->id, &r->activity_course.loc);
	}
	/* Hours are summed over the courses that loaded: with one missing,
	 * a shortfall would be false. */
	if (errors == 0 && !unsure)
		errors += check_reachable(r, lib);
	return errors;
}

static int
chosen_by_need(const struct recipe *r, const char *category)
{
	size_t j;

	for (j = 0; r && j < r->nby_need; j++)
		if (streq(r->by_need[j].category, category))
			return 1;
	return 0;
}

static int
str_cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Tags a need could name: those of courses in a category the recipe
 * chooses by need (of every course without a recipe), sorted, each once.
 * The array points into the library; the caller frees it. */
static const char **
need_tags(const struct recipe *r, const struct library *lib, size_t *count)
{
	const char **v = NULL;
	size_t i, j, k, n = 0;

	for (i = 0; i < lib->ncourses; i++) {
		const struct course *c = lib->courses[i];

		if (r && !chosen_by_need(r, c->category))
			continue;
		for (j = 0; j < c->ntags; j++) {
			for (k = 0; k < n && !streq(v[k], c->tags[j].id); k++)
				;
			if (k < n)
				continue;
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = c->tags[j].id;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof *v, str_cmp_ptr);
	*count = n;
	return v;
}

/* Levenshtein distance, capped: ids are at most 40 bytes by schema, and
 * anything past the cap is no typo. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[65];

	if (la > 64 || lb > 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t corner = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = corner + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			corner = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* Whether `part` is one of the hyphen-separated words of `id`. */
static int
is_segment(const char *part, const char *id)
{
	size_t n = strlen(part);
	const char *s;

	for (s = id; (s = strstr(s, part)) != NULL; s++)
		if ((s == id || s[-1] == '-') && (s[n] == '\0' || s[n] == '-'))
			return 1;
	return 0;
}

/* The tag a mistyped need most likely meant, or NULL: a tag having the
 * need as one of its words ('tea' -> 'oil-tea') or the other way round,
 * else one a few edits away (at most one per three letters). */
static const char *
need_suggest(const char *need, const char **tags, size_t n)
{
	const char *best = NULL;
	size_t i, best_d = (size_t)-1, limit = strlen(need) / 3 ? strlen(need) / 3 : 1;

	for (i = 0; i < n; i++)
		if (is_segment(need, tags[i]) || is_segment(tags[i], need))
			return tags[i];
	for (i = 0; i < n; i++) {
		size_t d = edit_distance(need, tags[i]);

		if (d <= limit && d < best_d) {
			best = tags[i];
			best_d = d;
		}
	}
	return best;
}

#define NEED_TAGS_SHOWN 16

/* A need no tag matches: the tag it likely meant, else the tags a need
 * can name (the first NEED_TAGS_SHOWN). */
static void
need_unmatched(const struct ref *need, const struct recipe *r, const struct library *lib)
{
	size_t n, i;
	const char **tags = need_tags(r, lib, &n);
	const char *like = need_suggest(need->id, tags, n);
	struct buf list = {0};

	if (like)
		diag(W_NEED_LIKE, &need->loc, need->id, like);
	else {
		for (i = 0; i < n && i < NEED_TAGS_SHOWN; i++) {
			if (i)
				buf_puts(&list, ", ");
			buf_puts(&list, tags[i]);
		}
		if (n > NEED_TAGS_SHOWN)
			buf_puts(&list, ", ...");
		diag(W_NEED_UNMATCHED, &need->loc, need->id, n ? list.data : "-");
	}
	buf_release(&list);
	free(tags);
}

/* A need is met by a course carrying its tag, in a category the recipe
 * chooses by need (any category without a recipe). */
static void
check_need(const struct ref *need, const struct recipe *r, const struct library *lib)
{
	size_t i;
	int tagged = 0;

	for (i = 0; i < lib->ncourses; i++) {
		const struct course *c = lib->courses[i];

		if (!course_has_tag(c, need->id))
			continue;
		if (r == NULL || chosen_by_need(r, c->category))
			return;
		tagged = 1;
	}
	if (tagged)
		diag(W_NEED_NOT_BY_NEED, &need->loc, need->id);
	else
		need_unmatched(need, r, lib);
}

static int
refs_index(const struct ref *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (streq(v[i].id, id))
			return (int)i;
	return -1;
}

/* The village's <include> and <exclude>: known courses, each named once,
 * not both; included ones placeable; the first lesson's course kept. */
static int
check_village_courses(const struct village *v, const struct recipe *r, const struct library *lib)
{
	const struct course *c;
	size_t i;
	int errors = 0;

	for (i = 0; i < v->nincludes + v->nexcludes; i++) {
		int inc = i < v->nincludes;
		const struct ref *ref = inc ? &v->includes[i] : &v->excludes[i - v->nincludes];
		const struct ref *same = inc ? v->includes : v->excludes;
		size_t at = inc ? i : i - v->nincludes;

		if (refs_index(same, at, ref->id) >= 0) {
			diag(E_DUP_CORE, &ref->loc, ref->id);
			errors++;
			continue;
		}
		if ((c = library_find_course(lib, ref->id)) == NULL) {
			diag(E_NO_COURSE, &ref->loc, ref->id);
			errors++;
			continue;
		}
		if (inc && refs_index(v->excludes, v->nexcludes, ref->id) >= 0) {
			diag(E_INCLUDE_EXCLUDE, &ref->loc, ref->id);
			errors++;
			continue;
		}
		if (r == NULL)
			continue;
		if (inc && !recipe_lists(r, c->category)) {
			errors += check_listed(r, c, _("included course"), ref->id, &ref->loc);
			continue;
		}
		if (inc && refs_index(r->core, r->ncore, ref->id) >= 0)
			diag(W_INCLUDE_CORE, &ref->loc, ref->id);
		if (!inc && r->first_lesson.id && strncmp(r->first_lesson.id, ref->id, strlen(ref->id)) == 0 &&
		    r->first_lesson.id[strlen(ref->id)] == '/') {
			diag(E_EXCLUDE_FIRST, &ref->loc, ref->id, r->first_lesson.id);
			errors++;
		}
	}
	return errors;
}

int
check_village(const struct village *v, const struct township *t,
    const struct recipe *r, const struct library *lib)
{
	size_t i;
	int errors = 0;

	if (t && !streq(v->township, t->id)) {
		struct loc loc = v->loc;

		diag(E_WRONG_TOWNSHIP, &loc, v->township, t->id);
		errors++;
	}
	if (v->members[GROUP_RESIDENT] + v->members[GROUP_HOMEBOUND] + v->members[GROUP_MOBILE] == 0)
		diag(W_NO_MEMBERS, &v->loc);
	for (i = 0; lib && i < v->nneeds; i++)
		check_need(&v->needs[i], r, lib);
	if (lib)
		errors += check_village_courses(v, r, lib);
	if (v->activity.id && lib) {
		const struct lesson *l = library_find_lesson(lib, v->activity.id);

		if (l == NULL) {
			if (!course_failed(lib, v->activity.id)) {
				diag(E_NO_LESSON, &v->activity.loc, v->activity.id);
				errors++;
			}
		} else if (r && r->activity_course.id == NULL) {
			diag(E_ACTIVITY_NONE, &v->activity.loc, v->activity.id);
			errors++;
		} else if (r && !streq(l->course->id, r->activity_course.id)) {
			diag(E_ACTIVITY_COURSE, &v->activity.loc, v->activity.id, r->activity_course.id);
			errors++;
		}
	} else if (v->activity.id == NULL && r && r->activity_course.id)
		diag(W_NO_ACTIVITY, &v->loc, r->activity_course.id);
	return errors;
}

int
check_villages_unique(struct village *const *vs, size_t n)
{
	size_t i, j;
	int errors = 0;

	for (i = 0; i < n; i++)
		for (j = 0; vs[i] && j < i; j++)
			if (vs[j] && streq(vs[j]->id, vs[i]->id)) {
				char *where = xasprintf("%s:%d", vs[j]->path, vs[j]->loc.line);

				diag(E_DUP_VILLAGE, &vs[i]->loc, vs[i]->id, where);
				free(where);
				errors++;
				break;
			}
	return errors;
}
