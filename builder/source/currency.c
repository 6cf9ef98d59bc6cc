#include <stdio.h>
#include <string.h>

#include "currency.h"
#include "util.h"

#define SEASON_END_MONTH_DAY "-04-30"	/* winter-spring training ends with April */

int
date_valid(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int i, y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1000 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

int
season_year(const char *season)
{
	const unsigned char *p = (const unsigned char *)season;

	/* The first run of exactly four ASCII digits that is a zip year:
	 * "2022—2023年度冬春训" is the winter of 2022. */
	while (p && *p) {
		size_t n = 0;
		int y = 0;

		while (p[n] >= '0' && p[n] <= '9') {
			y = n < 8 ? y * 10 + (p[n] - '0') : y;
			n++;
		}
		if (n == 4 && y >= 1980 && y <= 2107)
			return y;
		p += n ? n : 1;
	}
	return 0;
}

int
season_dates(const struct recipe *r, char start[11], char end[11])
{
	int y = season_year(r->season);

	if (y == 0 && r->season_start && date_valid(r->season_start))
		y = (r->season_start[0] - '0') * 1000 + (r->season_start[1] - '0') * 100 +
		    (r->season_start[2] - '0') * 10 + (r->season_start[3] - '0');
	if (y == 0 && r->season_end && date_valid(r->season_end))
		y = (r->season_end[0] - '0') * 1000 + (r->season_end[1] - '0') * 100 +
		    (r->season_end[2] - '0') * 10 + (r->season_end[3] - '0') - 1;
	if (y < 1000 || y > 9998)
		return -1;
	if (r->season_start) {
		if (!date_valid(r->season_start))
			return -1;
		memcpy(start, r->season_start, 11);
	} else
		snprintf(start, 11, "%04d-11-01", y);
	if (r->season_end) {
		if (!date_valid(r->season_end))
			return -1;
		memcpy(end, r->season_end, 11);
	} else
		snprintf(end, 11, "%04d%s", y + 1, SEASON_END_MONTH_DAY);
	return 0;
}

static int
day_error(const char *what, const char *s, const struct loc *loc)
{
	if (s == NULL || date_valid(s))
		return 0;
	diag(E_DATE_INVALID, loc, what, s);
	return 1;
}

int
currency_check_course(const struct course *c, const struct categories *cats)
{
	const struct category *cat = cats ? categories_find(cats, c->category) : NULL;
	size_t i, k;
	int errors = 0;

	for (i = 0; i < c->nlessons; i++) {
		const struct lesson *l = &c->lessons[i];

		errors += day_error("review-by", l->review_by, &l->review_by_loc);
		for (k = 0; k < l->nsources; k++)
			errors += day_error("date", l->sources[k].date, &l->sources[k].loc);
		if (l->review_by == NULL && cat && cat->review_by_required)
			diag(W_REVIEW_BY_MISSING, &l->loc, c->category, c->id, l->id);
	}
	return errors;
}

int
currency_check_recipe(const struct recipe *r)
{
	int errors = 0;

	errors += day_error("start", r->season_start, &r->season_start_loc);
	errors += day_error("end", r->season_end, &r->season_end_loc);
	if (errors == 0 && r->season_start && r->season_end && strcmp(r->season_start, r->season_end) > 0) {
		diag(E_SEASON_ORDER, &r->season_end_loc, r->season_start, r->season_end);
		errors++;
	}
	return errors;
}

int
currency_check_season(const struct library *lib, const struct recipe *r, int require_review)
{
	char start[11], end[11];
	size_t i, j;
	int errors = 0;

	if (season_dates(r, start, end) == -1 || strcmp(start, end) > 0)
		return 0;
	for (i = 0; i < lib->ncourses; i++)
		for (j = 0; j < lib->courses[i]->nlessons; j++) {
			const struct lesson *l = &lib->courses[i]->lessons[j];
			const char *cid = lib->courses[i]->id;

			if (l->review_by == NULL || !date_valid(l->review_by))
				continue;
			if (strcmp(l->review_by, start) < 0) {
				if (require_review) {
					diag(E_REVIEW_BY_PASSED, &l->review_by_loc, cid, l->id, l->review_by,
					    r->season, start);
					errors++;
				} else
					diag(W_REVIEW_BY_PASSED, &l->review_by_loc, cid, l->id, l->review_by,
					    r->season, start);
			} else if (strcmp(l->review_by, end) < 0)
				diag(W_REVIEW_BY_SEASON, &l->review_by_loc, cid, l->id, l->review_by, r->season,
				    end);
		}
	return errors;
}

int
currency_check_as_of(const struct course *c, const char *day)
{
	size_t i;
	int n = 0;

	for (i = 0; i < c->nlessons; i++) {
		const struct lesson *l = &c->lessons[i];

		if (l->review_by && date_valid(l->review_by) && strcmp(l->review_by, day) <= 0) {
			diag(W_REVIEW_BY_AS_OF, &l->review_by_loc, c->id, l->id, day, l->review_by);
			n++;
		}
	}
	return n;
}
