/* Currency (source/currency.c): days, the season's days, and the
 * comparisons, on structs built in memory. */
#include <stdlib.h>
#include <string.h>

#include "currency.h"
#include "diag.h"
#include "unit.h"
#include "util.h"

static void
season_is(const char *text, const char *start_attr, const char *end_attr, int want_rc, const char *want_start,
    const char *want_end, const char *what)
{
	struct recipe r = {0};
	char start[11] = "", end[11] = "";
	int rc, good;

	r.season = (char *)text;
	r.season_start = (char *)start_attr;
	r.season_end = (char *)end_attr;
	rc = season_dates(&r, start, end);
	good = rc == want_rc && (rc == -1 || (streq(start, want_start) && streq(end, want_end)));

	EXPECT(good, what);
	if (!good)
		printf("#   got %d, %s to %s\n", rc, start, end);
}

void
test_currency(void)
{
	struct course c = {0};
	struct lesson l[3] = {{0}};
	struct library lib = {0};
	struct course *cs[1] = {&c};
	struct recipe r = {0};
	int before;

	EXPECT(date_valid("2023-01-02") && date_valid("2024-02-29") && date_valid("2000-02-29"),
	    "days: ordinary and leap days");
	EXPECT(!date_valid("2023-02-29") && !date_valid("1900-02-29") && !date_valid("2023-04-31") &&
	    !date_valid("2023-13-01") && !date_valid("2023-00-10") && !date_valid("2023-01-00"),
	    "days: not in the calendar");
	EXPECT(!date_valid("2023-1-2") && !date_valid("2023/01/02") && !date_valid("2023-01-02 ") &&
	    !date_valid("") && !date_valid(NULL) && !date_valid("0999-01-01"), "days: not written YYYY-MM-DD");
	EXPECT(season_year("2022—2023年度冬春训") == 2022 && season_year("冬春训") == 0 && season_year(NULL) == 0 &&
	    season_year("第12345期 2024年") == 2024, "season_year: the first four-digit year");

	season_is("2022—2023年度冬春训", NULL, NULL, 0, "2022-11-01", "2023-04-30", "season: derived from its text");
	season_is("2022—2023年度冬春训", "2022-12-01", "2023-03-15", 0, "2022-12-01", "2023-03-15",
	    "season: start and end as written");
	season_is("冬春训", "2024-11-15", NULL, 0, "2024-11-15", "2025-04-30",
	    "season: no year in the text, the start's year");
	season_is("冬春训", NULL, NULL, -1, "", "", "season: no year, no dates: none");
	season_is("2022—2023", "2022-11-31", NULL, -1, "", "", "season: a start that is no day: none");

	/* One course of three lessons against the 2022-2023 season. */
	c.id = "pol";
	c.category = "policy";
	c.lessons = l;
	c.nlessons = 3;
	l[0].id = "mid", l[0].review_by = "2023-02-01";
	l[1].id = "passed", l[1].review_by = "2022-06-30";
	l[2].id = "fine", l[2].review_by = "2023-04-30";
	lib.courses = cs;
	lib.ncourses = 1;
	r.season = "2022—2023年度冬春训";
	before = diag_count(DL_WARNING);
	EXPECT(currency_check_season(&lib, &r, 0) == 0 && diag_count(DL_WARNING) - before == 2,
	    "season: mid-season and passed warn, the season's last day does not");
	EXPECT(currency_check_season(&lib, &r, 1) == 1, "season: --require-review makes the passed one an error");
	EXPECT(currency_check_as_of(&c, "2023-02-01") == 2 && currency_check_as_of(&c, "2022-06-29") == 0 &&
	    currency_check_as_of(&c, "2030-01-01") == 3, "as-of: the lessons due on or before the day");
}
