/* A small TAP harness (Test Anything Protocol).  main.c prints the plan
 * "1..N" first: N is the sum of the results each test function declares
 * in its table.  Each EXPECT prints "ok N - what" or "not ok N - what
 * (file:line)"; UNIT_SKIP prints "ok N - what # SKIP reason".  stdout is
 * line-buffered and holds only these lines and "#" comments; the code
 * under test writes its diagnostics to stderr, which tests/run.sh keeps
 * in a file of its own.  run.sh fails the suite when the results are
 * fewer or more than the plan, or when the exit status is not 0. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

extern int unit_n, unit_failed;

#define EXPECT(cond, what) do { \
	unit_n++; \
	if (cond) \
		printf("ok %d - %s\n", unit_n, what); \
	else { \
		unit_failed++; \
		printf("not ok %d - %s (%s:%d)\n", unit_n, what, __FILE__, __LINE__); \
	} \
} while (0)

/* One result that could not be checked here, with the reason. */
#define UNIT_SKIP(what, reason) do { \
	unit_n++; \
	printf("ok %d - %s # SKIP %s\n", unit_n, what, reason); \
} while (0)

#define EXPECT_STR(got, want, what) do { \
	const char *g_ = (got), *w_ = (want); \
	EXPECT(g_ && w_ && strcmp(g_, w_) == 0, what); \
	if (!(g_ && w_ && strcmp(g_, w_) == 0)) \
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

void test_receipt(void);
void test_review(void);
void test_serve_pages(void);
void test_util(void);
void test_deflate(void);
void test_delta(void);
void test_zipfile(void);
void test_load(void);
void test_markdown(void);
void test_check(void);
void test_currency(void);
void test_plan(void);
void test_shared(void);
void test_editions(void);
void test_image(void);
void test_races(void);
void test_fold(void);
void test_crypto(void);
void test_roster(void);
void test_ledger(void);
void test_serve(void);
void test_linediff(void);

#endif
