#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "util.h"

static const struct {
	enum diag_level level;
	const char *format;
} catalogue[DIAG__COUNT] = {
#define X(code, level, fmt) [code] = {level, fmt},
	DIAG_CATALOGUE(X)
#undef X
};

static const char *const level_names[] = {
	[DL_WARNING] = "warning",
	[DL_ERROR] = "error",
	[DL_SYSERR] = "error",
};

/* build writes bundles from several threads; one message at a time. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int counts[3];
static int werror;

/* Messages of this thread go here instead of stderr while it holds. */
static _Thread_local struct diag_held *holding;

/* Messages quote what the inputs say; a control character there must
 * not reach the terminal (escape sequences) or split the line. */
static void
put_safe(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_add(b, s, 1);
	}
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void
diag(enum diag_code code, const struct loc *loc, ...)
{
	va_list ap;
	enum diag_level level = catalogue[code].level;
	struct buf b = {0};
	char *msg;

	va_start(ap, loc);
	msg = xvasprintf(catalogue[code].format, ap);
	va_end(ap);
	buf_puts(&b, "coursepack: ");
	if (loc && loc->path) {
		put_safe(&b, loc->path);
		if (loc->line > 0) {
			buf_printf(&b, ":%d", loc->line);
			if (loc->col > 0)
				buf_printf(&b, ":%d", loc->col);
		}
		buf_puts(&b, ": ");
	}
	buf_printf(&b, "%s: ", level_names[level]);
	put_safe(&b, msg);
	buf_puts(&b, "\n");
	free(msg);
	if (holding) {
		buf_add(&holding->text, b.data, b.len);
		holding->counts[level]++;
	} else {
		pthread_mutex_lock(&lock);
		fwrite(b.data, 1, b.len, stderr);
		counts[level]++;
		pthread_mutex_unlock(&lock);
	}
	buf_release(&b);
}
#pragma GCC diagnostic pop

void
diag_hold(struct diag_held *h)
{
	holding = h;
}

void
diag_tell(struct diag_held *h)
{
	int i;

	pthread_mutex_lock(&lock);
	if (h->text.len)
		fwrite(h->text.data, 1, h->text.len, stderr);
	for (i = 0; i < 3; i++)
		counts[i] += h->counts[i];
	pthread_mutex_unlock(&lock);
	buf_release(&h->text);
	memset(h, 0, sizeof *h);
}

void
diag_werror(int on)
{
	werror = on;
}

void
diag_reset(void)
{
	counts[DL_WARNING] = counts[DL_ERROR] = counts[DL_SYSERR] = 0;
}

int
diag_count(enum diag_level level)
{
	return counts[level];
}

int
diag_exit(void)
{
	if (counts[DL_SYSERR])
		return 3;
	if (counts[DL_ERROR] || (werror && counts[DL_WARNING]))
		return 1;
	return 0;
}

void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("coursepack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
options_help_only(int argc, char *argv[], const char *usage)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		usage_error("%s: unknown option '%s'", argv[0], argv[optind - 1]);
		fputs(usage, stderr);
		return 2;
	}
	return -1;
}
