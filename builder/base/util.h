/* Small helpers every stage uses: allocation that cannot fail, growable
 * buffers, file reading with a size bound, and path strings. */
#ifndef COURSEPACK_UTIL_H
#define COURSEPACK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Allocators: on out-of-memory they print a message and exit 3, as oom
 * does for libraries that report it. */
void oom(void) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Append-only byte buffer, always NUL-terminated.  buf_detach hands the
 * bytes to the caller (free them) and leaves the buffer empty. */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_add(struct buf *, const void *p, size_t n);
/* Room for n more bytes and a NUL after len, without adding them. */
void buf_reserve(struct buf *, size_t n);
void buf_puts(struct buf *, const char *s);
void buf_printf(struct buf *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_detach(struct buf *);
void buf_release(struct buf *);

/* Reads a whole regular file of at most `limit` bytes into *out (NUL-
 * terminated, caller frees).  Returns 0, or -1 with errno set; EFBIG when
 * the file is larger than `limit`, EISDIR/EINVAL for non-regular files. */
int read_file(const char *path, size_t limit, char **out, size_t *len);
/* The same file passed to fn in parts of at most `step` bytes, never
 * whole in memory; the same errors. */
int read_parts(const char *path, size_t limit, size_t step, void (*fn)(void *ctx, const void *p, size_t n),
    void *ctx);
/* The same from an open descriptor, which stays the caller's. */
int read_fd(int fd, size_t limit, char **out, size_t *len);

/* Which file an open descriptor was: kept when a course file is read, so
 * that reopening it by name later finds the same file or refuses. */
struct file_id {
	uint64_t dev, ino;
};
/* read_file and read_parts through open_inside. */
int read_inside(const char *dir, const char *rel, size_t limit, char **out, size_t *len, struct file_id *id);
int read_parts_inside(const char *dir, const char *rel, size_t limit, size_t step,
    void (*fn)(void *ctx, const void *p, size_t n), void *ctx, struct file_id *id);
/* Opens `path` if it is still the regular file *id; else -1 with errno
 * set (0 when it is another file now). */
int open_same(const char *path, const struct file_id *id);

/* The names in folder `dir` except those starting with '.', sorted (the
 * order must not depend on the file system).  Returns 0, or -1 with errno
 * set.  Free with free_names. */
int list_dir(const char *dir, char ***names, size_t *n);
void free_names(char **names, size_t n);

/* Writes a whole file through a temporary file beside it and a rename:
 * it appears complete or not at all (mode 0644).  Returns 0, or -1 with
 * errno set. */
int write_file_atomic(const char *path, const void *data, size_t len);
/* The same, written in parts: a temp file beside `path` (kept by
 * pointer) that atomic_commit renames over it and atomic_abort removes.
 * Each returns 0, or -1 with errno set (after a failed commit nothing is
 * left, unless only the final fsync of the folder failed).  The file is
 * synced before the rename and its folder after it. */
/* A mkstemp/mkdtemp template beside `path` for a file being made:
 * DIR/.coursepack-NAME-XXXXXX (`path` is DIR/NAME).  Every temporary
 * name in an output folder starts with TEMP_PREFIX, so that what a killed
 * build leaves there is known for ours (leftovers.h).  Caller frees. */
#define TEMP_PREFIX ".coursepack-"
char *temp_template(const char *path);

struct atomic_file {
	const char *path;
	char *tmp;
	FILE *fp;
};
int atomic_open(struct atomic_file *, const char *path);
int atomic_write(struct atomic_file *, const void *data, size_t len);
int atomic_commit(struct atomic_file *);
/* Writes all `len` bytes to fd, through short writes and signals.
 * Returns 0, or -1 with the errno of the write that failed. */
int write_all(int fd, const void *data, size_t len);
/* fsync of a folder, or of the one holding `path`: what makes a rename
 * into it last.  0, or -1 with errno. */
int sync_dir(const char *dir);
/* The same for `dir` and every folder below it. */
int sync_tree(const char *dir);
/* fsync of the file `path` (written by someone else, libzip). */
int sync_file(const char *path);
int sync_parent(const char *path);
void atomic_abort(struct atomic_file *);

/* Removes a file, or a folder we made with all it holds, dot files
 * included; links are removed, not followed. */
void remove_tree(const char *path);
/* The same for entry `name` of the folder open as `at`. */
void remove_tree_at(int at, const char *name);
/* mkdir -p: makes `path` and each missing folder above it with `mode`
 * (folders that exist are left as they are).  Returns 0, or -1 with the
 * errno of the first mkdir that failed. */
int mkdirs(const char *path, mode_t mode);

/* Path strings.  path_join never produces "./x" for an empty or "." dir.
 * path_dirname returns "." for a bare name.  path_normalize removes "."
 * and folds "a/.." lexically, for display only (all caller-frees). */
char *path_join(const char *dir, const char *name);
char *path_dirname(const char *path);
const char *path_basename(const char *path);
char *path_normalize(const char *path);

/* 1 if `s` is a safe relative path: not empty, not absolute, no
 * backslash, no "." or ".." component, no empty component, no control
 * characters.  This is how every path in a manifest must look. */
int path_is_safe_relative(const char *s);

/* Resolves `rel` (a safe relative path) under `dir` through the file
 * system, symbolic links included, and says whether it is a regular file
 * inside `dir`. */
enum inside {
	INSIDE_OK,
	INSIDE_MISSING,
	INSIDE_OUTSIDE,
	INSIDE_NOT_FILE,
};
enum inside path_inside(const char *dir, const char *rel);

/* Class hours are held as integer tenths.  hours_parse accepts what the
 * schemas accept (digits, optionally '.' and one digit, surrounding
 * blanks); returns 0 or -1.  hours_format writes "1.5", "16", "0.5". */
int hours_parse(const char *s, int *tenths);
void hours_format(int tenths, char out[16]);

/* 1 if s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF); else 0 with *bad the offending byte offset. */
int utf8_valid(const char *s, size_t len, size_t *bad);

/* Terminal columns of valid UTF-8 `s`: East Asian wide and fullwidth
 * characters take two, combining marks none, the rest one. */
int utf8_width(const char *s);
/* Writes `s` to `fp` padded with spaces to `width` columns, cut with
 * "…" when wider. */
void put_padded(FILE *fp, const char *s, int width);

/* URLs in lessons.  url_has_scheme: "http:", "mailto:", "//host"...
 * url_local_path: the file part of a local URL, query and fragment cut,
 * %XX decoded, leading "./" dropped ("./media/x" is "media/x", as in a
 * browser); NULL when that yields a NUL (caller frees). */
int url_has_scheme(const char *url);
char *url_local_path(const char *url);

/* Appends `s` escaped for XML and HTML text and attribute values. */
void buf_escape(struct buf *, const char *s);
/* One CSV cell (RFC 4180 quoting), then ',' or, when last, CRLF.  A cell
 * starting with = + - @ gets a leading apostrophe: Excel and WPS would run
 * it as a formula.  NULL is an empty cell.  csv_put writes it to fp. */
/* The value of a hex digit, or -1. */
int hex_value(int c);
void buf_csv_cell(struct buf *, const char *s, int last);
void csv_put(FILE *fp, const char *s, int last);

/* Whether `s` ends with `suffix` (exactly). */
int has_suffix(const char *s, const char *suffix);

/* strcasecmp for ASCII letters only, whatever the locale. */
int strcasecmp_ascii(const char *a, const char *b);

int streq(const char *a, const char *b);

/* FNV-1a over n bytes, continuing from h (FNV1A_INIT to start): small,
 * and as good as needed for hash tables and shards. */
#define FNV1A_INIT 2166136261u
uint32_t fnv1a(uint32_t h, const void *p, size_t n);

/* "812 B", "4.2 KB", "8.0 MB": decimal, as phones count (caller frees). */
char *human_size(size_t n);
/* "8M", "500K", "1G", "2000000", an optional B after: decimal units, as
 * phones report sizes.  Returns 0 with the size in *out, or -1 for
 * anything else, zero, more than `max`, or a product that would overflow. */
int parse_size(const char *s, size_t max, size_t *out);

#endif
