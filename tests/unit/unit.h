/* A minimal TAP-like harness: each EXPECT prints "ok N - what" or
 * "not ok N - what (file:line)"; tests/run.sh counts them. */
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

#define EXPECT_STR(got, want, what) do { \
	const char *g_ = (got), *w_ = (want); \
	EXPECT(g_ && w_ && strcmp(g_, w_) == 0, what); \
	if (!(g_ && w_ && strcmp(g_, w_) == 0)) \
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

void test_util(void);
void test_deflate(void);
void test_zipfile(void);
void test_load(void);
void test_markdown(void);
void test_check(void);
void test_plan(void);
void test_shared(void);
void test_editions(void);
void test_image(void);
void test_races(void);
void test_fold(void);
void test_crypto(void);

#endif
