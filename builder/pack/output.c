/* Files written beside the bundles, atomically and digested, and the time
 * their entries and signatures carry (catalog.c writes the catalogue,
 * sign.c signs). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "currency.h"
#include "diag.h"
#include "i18n.h"
#include "output.h"
#include "doc.h"
#include "util.h"
#include "zipfile.h"

#define DEFAULT_EPOCH 1672531200	/* 2023-01-01 00:00:00 UTC */
#define ZIP_EPOCH_MIN 315532800		/* 1980-01-01, the first DOS date */
#define ZIP_EPOCH_MAX 4354819199LL	/* 2107-12-31 23:59:59, the last */
#define SEASON_MONTH 11		/* winter-spring training starts in November */
#define SEASON_DAY 1

int
file_digest(const char *path, size_t *size, char out[65])
{
	if (sha256_file(path, size, out) == 0)
		return 0;
	diag(S_READ, NULL, path, strerror(errno));
	return -1;
}

/* A whole file through a temporary one and a rename. */
int
write_atomic(const char *path, const char *data, size_t len)
{
	if (write_file_atomic(path, data, len) == 0)
		return 0;
	diag(S_WRITE, NULL, path, strerror(errno));
	return -1;
}

/* write_doc_atomic: the temp file being written and the hash so far. */
struct doc_out {
	struct atomic_file af;
	struct sha256 h;
	size_t size;
	int failed;
};

static void
doc_out_run(void *ctx, const void *p, size_t n)
{
	struct doc_out *o = ctx;

	if (o->failed)
		return;
	if (atomic_write(&o->af, p, n) == -1) {
		o->failed = 1;
		return;
	}
	sha256_add(&o->h, p, n);
	o->size += n;
}

int
write_doc_atomic(const char *path, const struct doc *d, size_t *size, char sha256[65])
{
	return write_spans_atomic(path, d->b.data, d->b.len, d->spans, d->nspans, size, sha256);
}

int
write_spans_atomic(const char *path, const char *chrome, size_t chrome_len, const struct span *spans,
    size_t nspans, size_t *size, char sha256[65])
{
	struct doc_out o;

	memset(&o, 0, sizeof o);
	if (atomic_open(&o.af, path) == -1) {
		diag(S_WRITE, NULL, path, strerror(errno));
		return -1;
	}
	sha256_begin(&o.h);
	if (spans_each(chrome, chrome_len, spans, nspans, doc_out_run, &o) == -1) {
		atomic_abort(&o.af);
		return -1;
	}
	if (o.failed) {
		diag(S_WRITE, NULL, path, strerror(errno));
		atomic_abort(&o.af);
		return -1;
	}
	if (atomic_commit(&o.af) == -1) {
		diag(S_WRITE, NULL, path, strerror(errno));
		return -1;
	}
	sha256_end(&o.h, sha256);
	*size = o.size;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's
 * days_from_civil), so that no time zone or libc extension is involved. */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* 1 November (00:00 UTC) of the first year (four digits, 1980-2107) in a
 * recipe's season text, "2022—2023年度冬春训" -> 2022-11-01; 2023-01-01
 * when it names none (or season is NULL). */
static time_t
season_time(const char *season)
{
	int y = season_year(season);

	return y ? (time_t)(days_from_civil(y, SEASON_MONTH, SEASON_DAY) * 86400) : DEFAULT_EPOCH;
}

/* Entry times: SOURCE_DATE_EPOCH when set (reproducible-builds.org), else
 * the season's start; never the clock. */
int
entry_time(const char *cmd, const char *season, time_t *t)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	*t = season_time(season);
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < 0 || v > ZIP_EPOCH_MAX) {
		usage_error("%s: SOURCE_DATE_EPOCH '%s' is not a number of seconds up to 2107 (zip's last year)", cmd, s);
		return -1;
	}
	*t = v < ZIP_EPOCH_MIN ? ZIP_EPOCH_MIN : (time_t)v;
	return 0;
}
