#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void
oom(void)
{
	fputs("coursepack: out of memory\n", stderr);
	exit(3);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom();
	p = realloc(p, n * size != 0 ? n * size : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *p;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		oom();
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
buf_reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1) {
			if (cap > SIZE_MAX / 2)
				oom();
			cap *= 2;
		}
		b->data = xreallocarray(b->data, cap, 1);
		b->cap = cap;
	}
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, s);
	free(s);
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int
read_fd_parts(int fd, size_t limit, size_t step, void (*fn)(void *ctx, const void *p, size_t n), void *ctx)
{
	char *chunk = xmalloc(step);
	size_t total = 0;
	ssize_t n;
	int saved;

	/* Read to the limit and one byte past it rather than trusting
	 * st_size: the file may grow while we read. */
	for (;;) {
		n = read(fd, chunk, step);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		if (total + (size_t)n > limit) {
			errno = EFBIG;
			goto fail;
		}
		fn(ctx, chunk, (size_t)n);
		total += (size_t)n;
	}
	free(chunk);
	return 0;
fail:
	saved = errno;
	free(chunk);
	errno = saved;
	return -1;
}

/* Opens path for reading, a regular file only.  fd, or -1 with errno. */
static int
open_regular(const char *path, struct stat *st)
{
	int fd, saved;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer.  It has
	 * no effect on reading a regular file, the only kind we read. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, st) == -1)
		goto fail;
	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
read_parts(const char *path, size_t limit, size_t step, void (*fn)(void *ctx, const void *p, size_t n),
    void *ctx)
{
	struct stat st;
	int fd = open_regular(path, &st), rc, saved;

	if (fd == -1)
		return -1;
	rc = read_fd_parts(fd, limit, step, fn, ctx);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* Opens `rel` under `dir` for reading, and checks the descriptor, not the
 * name: a regular file, and the file the name leads to inside `dir`
 * (links inside are followed; a link out, or a name swapped meanwhile, is
 * refused).  Records it in *id unless NULL.  Returns the descriptor, or -1
 * with errno set: ENOENT when missing, 0 when outside `dir` or swapped,
 * as read_file otherwise. */
static int
open_inside(const char *dir, const char *rel, struct file_id *id)
{
	char *joined = path_join(dir, rel), *rdir = NULL, *rfile = NULL;
	struct stat st, named;
	size_t n;
	int fd, ok = 0, saved;

	if ((fd = open_regular(joined, &st)) == -1) {
		free(joined);
		return -1;
	}
	/* The check is on what was opened: the name, resolved now, must
	 * lead inside `dir` to this very file.  A name swapped for a link
	 * between the two resolves elsewhere, or to another file. */
	errno = 0;
	if ((rdir = realpath(dir, NULL)) != NULL && (rfile = realpath(joined, NULL)) != NULL &&
	    stat(rfile, &named) == 0) {
		n = strlen(rdir);
		ok = strncmp(rfile, rdir, n) == 0 && (rfile[n] == '/' || (n == 1 && rdir[0] == '/')) &&
		    named.st_dev == st.st_dev && named.st_ino == st.st_ino;
	}
	saved = errno;
	free(joined);
	free(rdir);
	free(rfile);
	if (!ok) {
		close(fd);
		errno = saved == ENOENT ? ENOENT : 0;
		return -1;
	}
	if (id) {
		id->dev = (uint64_t)st.st_dev;
		id->ino = (uint64_t)st.st_ino;
	}
	return fd;
}

int
open_same(const char *path, const struct file_id *id)
{
	struct stat st;
	int fd = open_regular(path, &st);

	if (fd != -1 && ((uint64_t)st.st_dev != id->dev || (uint64_t)st.st_ino != id->ino)) {
		close(fd);
		errno = 0;
		return -1;
	}
	return fd;
}

int
read_parts_inside(const char *dir, const char *rel, size_t limit, size_t step,
    void (*fn)(void *ctx, const void *p, size_t n), void *ctx, struct file_id *id)
{
	int fd = open_inside(dir, rel, id), rc, saved;

	if (fd == -1)
		return -1;
	rc = read_fd_parts(fd, limit, step, fn, ctx);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static void
add_part(void *ctx, const void *p, size_t n)
{
	buf_add(ctx, p, n);
}

/* What read_file and read_fd return: the bytes gathered in b after a read
 * that returned rc, or nothing (errno kept). */
static int
take_parts(int rc, struct buf *b, char **out, size_t *len)
{
	if (rc == -1) {
		int saved = errno;

		buf_release(b);
		errno = saved;
		*out = NULL;
		*len = 0;
		return -1;
	}
	*len = b->len;
	*out = buf_detach(b);
	return 0;
}

int
read_file(const char *path, size_t limit, char **out, size_t *len)
{
	struct buf b = {0};

	return take_parts(read_parts(path, limit, 64 * 1024, add_part, &b), &b, out, len);
}

int
read_fd(int fd, size_t limit, char **out, size_t *len)
{
	struct buf b = {0};

	return take_parts(read_fd_parts(fd, limit, 64 * 1024, add_part, &b), &b, out, len);
}

int
read_inside(const char *dir, const char *rel, size_t limit, char **out, size_t *len, struct file_id *id)
{
	int fd = open_inside(dir, rel, id), rc, saved;

	*out = NULL;
	*len = 0;
	if (fd == -1)
		return -1;
	rc = read_fd(fd, limit, out, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0, saved;

	for (s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, mode) == -1 && errno != EEXIST)
		rc = -1;
	saved = errno;
	free(p);
	errno = saved;
	return rc;
}

char *
path_join(const char *dir, const char *name)
{
	if (name[0] == '/' || dir[0] == '\0' || streq(dir, "."))
		return xstrdup(name);
	if (dir[strlen(dir) - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

char *
path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

const char *
path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *
path_normalize(const char *path)
{
	struct buf b = {0};
	const char **part;
	size_t nparts = 0, i;
	char *copy = xstrdup(path), *tok, *save = NULL;
	int absolute = path[0] == '/';

	part = xcalloc(strlen(path) + 1, sizeof *part);
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (streq(tok, "."))
			continue;
		if (streq(tok, "..") && nparts > 0 && !streq(part[nparts - 1], "..")) {
			nparts--;
			continue;
		}
		if (streq(tok, "..") && absolute)
			continue;
		part[nparts++] = tok;
	}
	if (absolute)
		buf_puts(&b, "/");
	for (i = 0; i < nparts; i++) {
		if (i)
			buf_puts(&b, "/");
		buf_puts(&b, part[i]);
	}
	if (b.len == 0)
		buf_puts(&b, ".");
	free(part);
	free(copy);
	return buf_detach(&b);
}

int
path_is_safe_relative(const char *s)
{
	const char *p, *comp = s;

	if (*s == '\0' || *s == '/')
		return 0;
	for (p = s;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t n = (size_t)(p - comp);

			if (n == 0 || (n == 1 && comp[0] == '.') ||
			    (n == 2 && comp[0] == '.' && comp[1] == '.'))
				return 0;
			if (*p == '\0')
				return 1;
			comp = p + 1;
			continue;
		}
		if (*p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	}
}

int
hours_parse(const char *s, int *tenths)
{
	long whole = 0;
	int frac = 0, digits = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 4)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		frac = *s++ - '0';
	}
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s != '\0')
		return -1;
	*tenths = (int)whole * 10 + frac;
	return 0;
}

void
hours_format(int tenths, char out[16])
{
	if (tenths % 10)
		snprintf(out, 16, "%d.%d", tenths / 10, tenths % 10);
	else
		snprintf(out, 16, "%d", tenths / 10);
}

int
streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

uint32_t
fnv1a(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

enum inside
path_inside(const char *dir, const char *rel)
{
	char *joined = path_join(dir, rel), *rdir = NULL, *rfile = NULL;
	enum inside result = INSIDE_MISSING;
	struct stat st;
	size_t n;

	if ((rdir = realpath(dir, NULL)) == NULL)
		goto out;
	if ((rfile = realpath(joined, NULL)) == NULL) {
		/* A dangling link is missing; a path through a missing
		 * folder too. */
		goto out;
	}
	n = strlen(rdir);
	if (strncmp(rfile, rdir, n) != 0 || (rfile[n] != '/' && !(n == 1 && rdir[0] == '/'))) {
		result = INSIDE_OUTSIDE;
		goto out;
	}
	if (stat(rfile, &st) == -1)
		goto out;
	result = S_ISREG(st.st_mode) ? INSIDE_OK : INSIDE_NOT_FILE;
out:
	free(joined);
	free(rdir);
	free(rfile);
	return result;
}

int
utf8_valid(const char *str, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n, k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			goto fail;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				goto fail;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto fail;
		i += n + 1;
	}
	return 1;
fail:
	*bad = i;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
list_dir(const char *dir, char ***names, size_t *n)
{
	DIR *dp;
	struct dirent *de;

	*names = NULL;
	*n = 0;
	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		*names = xreallocarray(*names, *n + 1, sizeof **names);
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (*n > 1)
		qsort(*names, *n, sizeof **names, name_cmp);
	return 0;
}

void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Decodes one code point of valid UTF-8; returns its length. */
static size_t
utf8_decode(const unsigned char *s, unsigned long *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1]) {
		*cp = (unsigned long)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && s[1] && s[2]) {
		*cp = (unsigned long)(s[0] & 0x0f) << 12 | (unsigned long)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	if ((s[0] & 0xf8) == 0xf0 && s[1] && s[2] && s[3]) {
		*cp = (unsigned long)(s[0] & 0x07) << 18 | (unsigned long)(s[1] & 0x3f) << 12 |
		    (unsigned long)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

static int
cp_width(unsigned long c)
{
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f))
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) || (c >= 0x3041 && c <= 0x33ff) ||
	    (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
	    (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

int
utf8_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long cp;
	int w = 0;

	while (*s) {
		s += utf8_decode(s, &cp);
		w += cp_width(cp);
	}
	return w;
}

void
put_padded(FILE *fp, const char *str, int width)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long cp;
	int w = 0;

	if (utf8_width(str) > width) {
		/* Leave one column for the ellipsis. */
		while (*s) {
			size_t n = utf8_decode(s, &cp);

			if (w + cp_width(cp) > width - 1)
				break;
			fwrite(s, 1, n, fp);
			w += cp_width(cp);
			s += n;
		}
		fputs("\xe2\x80\xa6", fp);
		w++;
	} else {
		fputs(str, fp);
		w = utf8_width(str);
	}
	for (; w < width; w++)
		fputc(' ', fp);
}

int
url_has_scheme(const char *url)
{
	const char *p = url;

	if (url[0] == '/' && url[1] == '/')
		return 1;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	for (p++; *p; p++) {
		if (*p == ':')
			return 1;
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'))
			return 0;
	}
	return 0;
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
url_local_path(const char *url)
{
	size_t n = strcspn(url, "?#");
	char *out = xmalloc(n + 1), *o = out;
	size_t i = 0;

	while (i + 2 < n && url[i] == '.' && url[i + 1] == '/')
		i += 2;
	for (; i < n; i++) {
		int hi, lo;

		if (url[i] == '%' && i + 2 < n && (hi = hex_value((unsigned char)url[i + 1])) >= 0 &&
		    (lo = hex_value((unsigned char)url[i + 2])) >= 0) {
			if (hi == 0 && lo == 0) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*o++ = url[i];
	}
	*o = '\0';
	return out;
}


void
buf_csv_cell(struct buf *b, const char *s, int last)
{
	/* The apostrophe is part of the cell, inside its quotes if any. */
	if (s && s[0] && strchr("=+-@", s[0])) {
		char *safe = xasprintf("'%s", s);

		buf_csv_cell(b, safe, last);
		free(safe);
		return;
	}
	if (s && strpbrk(s, ",\"\r\n")) {
		buf_puts(b, "\"");
		for (; *s; s++) {
			if (*s == '"')
				buf_puts(b, "\"");
			buf_add(b, s, 1);
		}
		buf_puts(b, "\"");
	} else if (s)
		buf_puts(b, s);
	buf_puts(b, last ? "\r\n" : ",");
}

void
csv_put(FILE *fp, const char *s, int last)
{
	struct buf b = {0};

	buf_csv_cell(&b, s, last);
	fwrite(b.data, 1, b.len, fp);
	buf_release(&b);
}

void
buf_escape(struct buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			buf_add(b, s, 1);
		}
}

int
strcasecmp_ascii(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y || x == 0)
			return x - y;
	}
}

char *
temp_template(const char *path)
{
	char *dir = path_dirname(path), *name = xasprintf(TEMP_PREFIX "%s-XXXXXX", path_basename(path));
	char *t = path_join(dir, name);

	free(dir);
	free(name);
	return t;
}

int
atomic_open(struct atomic_file *af, const char *path)
{
	int fd, saved;

	af->tmp = temp_template(path);
	af->path = path;
	af->fp = NULL;
	if ((fd = mkostemp(af->tmp, O_CLOEXEC)) == -1)
		goto fail;
	if ((af->fp = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlink(af->tmp);
		errno = saved;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	free(af->tmp);
	af->tmp = NULL;
	errno = saved;
	return -1;
}

int
atomic_write(struct atomic_file *af, const void *data, size_t len)
{
	return len == 0 || fwrite(data, 1, len, af->fp) == len ? 0 : -1;
}

void
atomic_abort(struct atomic_file *af)
{
	int saved = errno;

	if (af->fp)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	af->fp = NULL;
	af->tmp = NULL;
	errno = saved;
}

int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			/* No progress and no error: report one, not a stale errno. */
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, saved;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	/* Some file systems cannot sync a folder, and say so with EINVAL:
	 * nothing more can be done there. */
	if (rc == -1 && saved == EINVAL)
		rc = 0;
	errno = saved;
	return rc;
}

/* fsync of the folder open as `fd` and every folder below it, files
 * synced by whoever wrote them.  Takes fd. */
static int
sync_tree_fd(int fd, int depth)
{
	struct dirent *de;
	DIR *dp;
	int rc = 0, sub;

	if (fsync(fd) == -1 && errno != EINVAL)
		rc = -1;
	if (depth >= 64 || (dp = fdopendir(fd)) == NULL) {
		close(fd);
		return rc;
	}
	while ((de = readdir(dp)) != NULL) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		sub = openat(dirfd(dp), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub != -1 && sync_tree_fd(sub, depth + 1) == -1)
			rc = -1;
	}
	closedir(dp);
	return rc;
}

int
sync_tree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd == -1 ? -1 : sync_tree_fd(fd, 0);
}

int
sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc, saved;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
sync_parent(const char *path)
{
	char *dir = path_dirname(path);
	int rc = sync_dir(dir), saved = errno;

	free(dir);
	errno = saved;
	return rc;
}

int
atomic_commit(struct atomic_file *af)
{
	int rc;

	/* On disk before the rename, and the rename itself after: a power
	 * cut must not leave an empty file under the final name. */
	if (fflush(af->fp) != 0 || fchmod(fileno(af->fp), 0644) == -1 || fsync(fileno(af->fp)) == -1) {
		atomic_abort(af);
		return -1;
	}
	rc = fclose(af->fp);
	af->fp = NULL;
	if (rc != 0 || rename(af->tmp, af->path) == -1) {
		atomic_abort(af);
		return -1;
	}
	free(af->tmp);
	af->tmp = NULL;
	return sync_parent(af->path);
}

int
write_file_atomic(const char *path, const void *data, size_t len)
{
	struct atomic_file af;

	if (atomic_open(&af, path) == -1)
		return -1;
	if (atomic_write(&af, data, len) == -1) {
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af);
}

int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && streq(s + n - m, suffix);
}

/* Entry `name` of the folder open as `at`, and all below it.  Folders
 * are opened relative to their parent and never through a link, so that
 * an entry swapped for a link meanwhile cannot lead the removal out. */
static void
remove_at(int at, const char *name, int depth);

void
remove_tree_at(int at, const char *name)
{
	remove_at(at, name, 0);
}

static void
remove_at(int at, const char *name, int depth)
{
	struct dirent *de;
	DIR *dp;
	int fd;

	/* Not a folder, or a link: the entry itself goes. */
	if ((fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		unlinkat(at, name, 0);
		return;
	}
	if (depth < 64 && (dp = fdopendir(fd)) != NULL) {
		while ((de = readdir(dp)) != NULL)
			if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
				remove_at(dirfd(dp), de->d_name, depth + 1);
		closedir(dp);
	} else {
		close(fd);
	}
	unlinkat(at, name, AT_REMOVEDIR);
}

void
remove_tree(const char *path)
{
	remove_at(AT_FDCWD, path, 0);
}

int
parse_size(const char *s, size_t max, size_t *out)
{
	unsigned long long v, unit = 1;
	char *end;

	/* strtoull would take a sign or leading blanks. */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'K': case 'k': unit = 1000; end++; break;
	case 'M': case 'm': unit = 1000 * 1000; end++; break;
	case 'G': case 'g': unit = 1000 * 1000 * 1000; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	/* Checked before multiplying: 18446744073709552K must not wrap. */
	if (*end != '\0' || v == 0 || v > max / unit || v * unit > max)
		return -1;
	*out = (size_t)(v * unit);
	return 0;
}

char *
human_size(size_t n)
{
	if (n < 1000)
		return xasprintf("%zu B", n);
	if (n < 1000 * 1000)
		return xasprintf("%.1f KB", (double)n / 1e3);
	return xasprintf("%.1f MB", (double)n / 1e6);
}
