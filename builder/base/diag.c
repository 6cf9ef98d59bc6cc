#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "i18n.h"
#include "util.h"

static const struct {
	enum diag_level level;
	const char *format;
} catalogue[DIAG__COUNT] = {
#define X(code, level, fmt) [code] = {level, fmt},
	DIAG_CATALOGUE(X)
#undef X
};

/* Translated at the sink, like the formats; xgettext finds the formats
 * through X's third argument (builder/po/extract.sh). */
static const char *const level_names[] = {
	[DL_WARNING] = N_("warning"),
	[DL_ERROR] = N_("error"),
	[DL_SYSERR] = N_("error"),
};

/* build writes bundles from several threads; one message at a time. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int counts[3];
static int werror;
/* Where messages go instead of stderr (coursepack serve shows them on
 * the page), or NULL. */
static void (*sink)(void *, const char *);
static void *sink_arg;

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
(diag)(enum diag_code code, const struct loc *loc, ...)
{
	va_list ap;
	enum diag_level level = catalogue[code].level;
	char *msg;
	struct buf line = {0};

	va_start(ap, loc);
	msg = xvasprintf(_(catalogue[code].format), ap);
	va_end(ap);
	buf_puts(&line, "coursepack: ");
	if (loc && loc->path) {
		put_safe(&line, loc->path);
		if (loc->line > 0) {
			buf_printf(&line, ":%d", loc->line);
			if (loc->col > 0)
				buf_printf(&line, ":%d", loc->col);
		}
		buf_puts(&line, ": ");
	}
	buf_printf(&line, "%s: ", _(level_names[level]));
	put_safe(&line, msg);
	buf_puts(&line, "\n");
	pthread_mutex_lock(&lock);
	if (sink)
		sink(sink_arg, line.data);
	else
		fputs(line.data, stderr);
	counts[level]++;
	pthread_mutex_unlock(&lock);
	buf_release(&line);
	free(msg);
}
#pragma GCC diagnostic pop

void
diag_set_sink(void (*fn)(void *, const char *line), void *arg)
{
	pthread_mutex_lock(&lock);
	sink = fn;
	sink_arg = arg;
	pthread_mutex_unlock(&lock);
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
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
}
