/* Receipts from the phone edition: the short text a member copies into
 * the village chat after studying (学习回执), and finding them again in
 * chat text.  The phone edition's script (phone.c) writes them:
 *
 *   【学习回执】
 *   乡镇：霞阳镇
 *   村：吉利村
 *   姓名：张三
 *   已学：1-5,7,9（共 7 课）
 *   日期：2023-01-05 至 2023-02-10
 *   校验码：K3M7-9QXA
 *
 * Lesson numbers are the phone edition's order (1 is its first lesson);
 * the dates are the first and last day a lesson was ticked.  The check
 * code is the first 40 bits, in Crockford's base32, of FNV-1a 64 over
 *
 *   "coursepack receipt 1\n" BUILD-ID "\n" NAME "\n" LESSONS "\n" FIRST "," LAST
 *
 * with BUILD-ID from receipt_build_id, NAME from receipt_name_normalise
 * and LESSONS in canonical form (receipt_lessons_format).  It catches
 * typos, pasting errors and receipts of another village's or another
 * season's phone edition; it is no proof against forgery (anyone with
 * the phone edition can make a receipt for any name). */
#ifndef COURSEPACK_RECEIPT_H
#define COURSEPACK_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#define RECEIPT_TEXT_MAX (16u << 20)	/* bytes of chat text read */
#define RECEIPT_MAX 100000		/* receipts kept from one text */
#define RECEIPT_LESSON_MAX 999		/* highest lesson number */
#define RECEIPT_NAME_MAX 64		/* code points of a normalised name */
#define RECEIPT_FIELD_MAX 256		/* bytes of one field's value */
#define RECEIPT_CODE_LEN 8
#define RECEIPT_MARK "【学习回执】"	/* the line a receipt starts with */

enum receipt_status {
	RECEIPT_OK,		/* parsed, and its code matches a build id given */
	RECEIPT_BAD_CODE,	/* parsed, but its code matches none */
	RECEIPT_UNPARSABLE,	/* the marker, but fields missing or malformed */
};

struct receipt {
	size_t line;		/* 1-based line of the 【学习回执】 marker */
	enum receipt_status status;
	const char *why;	/* UNPARSABLE: what is wrong (static, English) */
	/* As written, trimmed (NULL when missing): */
	char *township, *village, *name;
	char *name_norm;	/* receipt_name_normalise(name) */
	int *lessons;		/* ascending, no repeats */
	size_t nlessons;
	char first[11], last[11];	/* YYYY-MM-DD */
	char code[RECEIPT_CODE_LEN + 1];	/* as written, in canonical letters */
	int bundle;		/* OK: index of the build id that matched; else -1 */
};

struct receipts {
	struct receipt *v;
	size_t n;
	int truncated;		/* more than RECEIPT_MAX: the rest not read */
};

/* The build id a phone edition's receipts are bound to: the bundle's
 * package id (TOWNSHIP-VILLAGE) and its recipe id, which names the
 * season: "xiayang-jili/xiayang-2022-2023".  Caller frees. */
char *receipt_build_id(const char *package_id, const char *recipe_id);

/* The name as hashed: whitespace dropped, full-width ASCII made ASCII,
 * ASCII letters lowercased, middle dots made U+00B7.  NULL when the name
 * is not valid UTF-8, empty, or longer than RECEIPT_NAME_MAX code points.
 * Caller frees. */
char *receipt_name_normalise(const char *name, size_t len);

/* Lessons (ascending, no repeats) as "1-5,7,9": runs of two or more as
 * FIRST-LAST.  Caller frees. */
char *receipt_lessons_format(const int *lessons, size_t n);

/* The check code of a receipt into out (8 characters and a NUL). */
void receipt_code(const char *build_id, const char *name_norm, const char *lessons,
    const char *first, const char *last, char out[RECEIPT_CODE_LEN + 1]);

/* Finds every receipt in text (chat export or pasted chat; any line
 * endings) and checks each one's code against the nids build ids.  The
 * text needs no NUL; it is untrusted.  Returns 0 with *out filled (release
 * it with receipts_release), or -1 when len is over RECEIPT_TEXT_MAX
 * (nothing filled). */
int receipts_parse(const char *text, size_t len, const char *const *build_ids, size_t nids,
    struct receipts *out);
void receipts_release(struct receipts *);

#endif
