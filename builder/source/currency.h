/* Currency: whether what lessons teach is still current.  A lesson may
 * state its sources and a review-by date (course.xml); a recipe's season
 * has a first and a last day (recipe.xml).  These checks compare the two,
 * or the lessons with a day given on the command line (check --as-of).
 * Dates are YYYY-MM-DD strings, compared as strings. */
#ifndef COURSEPACK_CURRENCY_H
#define COURSEPACK_CURRENCY_H

#include "model.h"

/* Whether s is a day of the calendar written YYYY-MM-DD (years 1000 to
 * 9999). */
int date_valid(const char *s);
/* The first year (four digits, 1980 to 2107) a season's text names,
 * "2022—2023年度冬春训" -> 2022, or 0 when it names none (or is NULL). */
int season_year(const char *season);
/* The season's first and last day: the recipe's start and end when
 * given, else 1 November of its first year and 30 April of the year
 * after.  0, or -1 when the season has no dates (no year, no start or
 * end) or one written is no day. */
int season_dates(const struct recipe *, char start[11], char end[11]);

/* A course's sources and review-by dates: every date a day (errors), and
 * a review-by date on each lesson of a category that requires one
 * (warnings; cats NULL: not checked).  Returns the number of errors. */
int currency_check_course(const struct course *, const struct categories *cats);
/* A recipe's season start and end: days, in order.  Returns the number
 * of errors. */
int currency_check_recipe(const struct recipe *);
/* Every lesson of the library against the recipe's season: a review-by
 * date before the season's end warns; one before its start warns, or is
 * an error when require_review.  Returns the number of errors. */
int currency_check_season(const struct library *, const struct recipe *, int require_review);
/* The course's lessons whose review-by date is on or before `day`
 * (check --as-of), each warned about.  Returns how many. */
int currency_check_as_of(const struct course *, const char *day);

#endif
