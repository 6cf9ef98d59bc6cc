/* The unit test runner: build/plain/unit [NAME ...] runs every test
 * function, or the named ones, and prints TAP (unit.h) on stdout. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "image.h"
#include "unit.h"
#include "xml.h"

int unit_n, unit_failed;

/* Each function's number of results is declared here, so that the plan
 * comes first and a function that stops early, or a result lost in
 * transit, is noticed.  Add to the count when you add an EXPECT. */
static const struct unit_test {
	const char *name;
	void (*fn)(void);
	int results;
} tests[] = {
	{"util", test_util, 45},
	{"deflate", test_deflate, 7},
	{"delta", test_delta, 7},
	{"zipfile", test_zipfile, 3},
	{"load", test_load, 41},
	{"markdown", test_markdown, 35},
	{"check", test_check, 17},
	{"currency", test_currency, 12},
	{"plan", test_plan, 49},
	{"shared", test_shared, 16},
	{"editions", test_editions, 28},
	{"image", test_image, 150},
	{"races", test_races, 28},
	{"fold", test_fold, 21},
	{"crypto", test_crypto, 24},
	{"receipt", test_receipt, 25},
	{"roster", test_roster, 36},
	{"ledger", test_ledger, 30},
	{"serve", test_serve, 11},
	{"serve_pages", test_serve_pages, 26},
	{"linediff", test_linediff, 15},
	{"review", test_review, 10},
};
#define NTESTS (sizeof tests / sizeof tests[0])

static int
chosen(const struct unit_test *t, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], t->name) == 0)
			return 1;
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t i;
	int plan = 0, wrong = 0, i_arg;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i_arg = 1; i_arg < argc; i_arg++) {
		for (i = 0; i < NTESTS && strcmp(argv[i_arg], tests[i].name) != 0; i++)
			;
		if (i == NTESTS) {
			fprintf(stderr, "unit: no test function '%s'\n", argv[i_arg]);
			return 2;
		}
	}
	for (i = 0; i < NTESTS; i++)
		if (chosen(&tests[i], argc, argv))
			plan += tests[i].results;
	printf("1..%d\n", plan);
	for (i = 0; i < NTESTS; i++) {
		int before = unit_n;
		double start = now();

		if (!chosen(&tests[i], argc, argv))
			continue;
		tests[i].fn();
		printf("# %s: %d results in %.2f s\n", tests[i].name, unit_n - before, now() - start);
		if (unit_n - before != tests[i].results) {
			printf("# %s: %d results, but tests/unit/main.c declares %d: it stopped early, or update the count\n",
			    tests[i].name, unit_n - before, tests[i].results);
			wrong++;
		}
	}
	xml_cleanup();
	image_shutdown();
	printf("# done: %d tests, %d failed\n", unit_n, unit_failed);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return unit_failed != 0 || wrong != 0;
}
