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

/* Messages quote what the inputs say; a control character there must
 * not reach the terminal (escape sequences) or split the line. */
static void
put_safe(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
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

	va_start(ap, loc);
	msg = xvasprintf(_(catalogue[code].format), ap);
	va_end(ap);
	pthread_mutex_lock(&lock);
	fputs("coursepack: ", stderr);
	if (loc && loc->path) {
		put_safe(loc->path);
		if (loc->line > 0) {
			fprintf(stderr, ":%d", loc->line);
			if (loc->col > 0)
				fprintf(stderr, ":%d", loc->col);
		}
		fputs(": ", stderr);
	}
	fprintf(stderr, "%s: ", _(level_names[level]));
	put_safe(msg);
	fputc('\n', stderr);
	counts[level]++;
	pthread_mutex_unlock(&lock);
	free(msg);
}
#pragma GCC diagnostic pop

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
