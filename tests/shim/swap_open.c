/* An LD_PRELOAD shim for tests/unpack.sh, compiled by the test and never
 * linked into coursepack: it stands for someone who swaps a bundle for
 * another file between the moments coursepack opens it.
 *
 *   SWAP_PATH  the path to watch, exactly as coursepack is given it
 *   SWAP_WITH  a file renamed over SWAP_PATH just before the SWAP_AT-th
 *              open of SWAP_PATH (1-based)
 *   SWAP_LOG   a file that gets one line per open of SWAP_PATH
 *
 * It wraps open, open64, openat, openat64, fopen and fopen64, the calls
 * by which our code and libzip open files (glibc's fopen opens inside
 * libc, out of reach of a preload, hence the fopen wrappers). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int opens;

static void
seen(const char *path)
{
	const char *watch = getenv("SWAP_PATH"), *with = getenv("SWAP_WITH"), *at = getenv("SWAP_AT"),
	    *log = getenv("SWAP_LOG");

	if (path == NULL || watch == NULL || strcmp(path, watch) != 0)
		return;
	opens++;
	if (log) {
		FILE *(*real_fopen)(const char *, const char *) = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen");
		FILE *f = real_fopen(log, "a");

		if (f) {
			fprintf(f, "open %d of %s\n", opens, path);
			fclose(f);
		}
	}
	if (with && at && atoi(at) == opens)
		rename(with, watch);
}

#define WRAP_OPEN(name)                                                                   \
	int name(const char *path, int flags, ...)                                        \
	{                                                                                 \
		int (*real)(const char *, int, ...) =                                     \
		    (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name);             \
		va_list ap;                                                               \
		int mode;                                                                 \
                                                                                          \
		va_start(ap, flags);                                                      \
		mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;            \
		va_end(ap);                                                               \
		seen(path);                                                               \
		return real(path, flags, mode);                                           \
	}
#define WRAP_OPENAT(name)                                                                 \
	int name(int dir, const char *path, int flags, ...)                               \
	{                                                                                 \
		int (*real)(int, const char *, int, ...) =                                \
		    (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #name);        \
		va_list ap;                                                               \
		int mode;                                                                 \
                                                                                          \
		va_start(ap, flags);                                                      \
		mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;            \
		va_end(ap);                                                               \
		seen(path);                                                               \
		return real(dir, path, flags, mode);                                      \
	}
#define WRAP_FOPEN(name)                                                                  \
	FILE *name(const char *path, const char *how)                                     \
	{                                                                                 \
		FILE *(*real)(const char *, const char *) =                               \
		    (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, #name);       \
                                                                                          \
		seen(path);                                                               \
		return real(path, how);                                                   \
	}

WRAP_OPEN(open)
WRAP_OPEN(open64)
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)
WRAP_FOPEN(fopen)
WRAP_FOPEN(fopen64)
