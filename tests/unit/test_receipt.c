/* Receipts from the phone edition (receipt.h): the check code, names,
 * lesson lists, and finding receipts in chat text. */
#include <stdlib.h>
#include <string.h>

#include "receipt.h"
#include "unit.h"
#include "util.h"

#define JILI "xiayang-jili/xiayang-2022-2023"
#define MADAO "xiayang-madao/xiayang-2022-2023"

static void
test_code_and_forms(void)
{
	static const int les[] = {1, 2, 3, 4, 5, 7, 9}, two[] = {3, 4}, one[] = {12};
	char code[RECEIPT_CODE_LEN + 1], *s;

	s = receipt_build_id("xiayang-jili", "xiayang-2022-2023");
	EXPECT_STR(s, JILI, "receipt: build id is package id / recipe id");
	free(s);
	/* Vectors from an independent FNV-1a 64 (Python, 64-bit integers). */
	receipt_code(JILI, "张三", "1-5,7,9", "2023-01-05", "2023-02-10", code);
	EXPECT_STR(code, "GPQHFQHK", "receipt: code of a known receipt");
	receipt_code(MADAO, "张三", "1-5,7,9", "2023-01-05", "2023-02-10", code);
	EXPECT_STR(code, "RAX928E8", "receipt: another village's bundle, another code");
	receipt_code(JILI, "李四", "2", "2023-01-07", "2023-01-07", code);
	EXPECT_STR(code, "KEP5KTHQ", "receipt: code of a one-lesson receipt");
	s = receipt_lessons_format(les, 7);
	EXPECT_STR(s, "1-5,7,9", "receipt: lessons compactly");
	free(s);
	s = receipt_lessons_format(two, 2);
	EXPECT_STR(s, "3-4", "receipt: two in a row are a range");
	free(s);
	s = receipt_lessons_format(one, 1);
	EXPECT_STR(s, "12", "receipt: one lesson");
	free(s);
	s = receipt_name_normalise(" Ｚhang\xe3\x80\x80三 ", strlen(" Ｚhang\xe3\x80\x80三 "));
	EXPECT_STR(s, "zhang三", "receipt: name without blanks, full-width and capitals folded");
	free(s);
	s = receipt_name_normalise("阿依古丽・买买提", strlen("阿依古丽・买买提"));
	EXPECT_STR(s, "阿依古丽·买买提", "receipt: middle dots made one");
	free(s);
	EXPECT(receipt_name_normalise(" \xe3\x80\x80 ", 5) == NULL, "receipt: a blank name is no name");
	EXPECT(receipt_name_normalise("a\xff", 2) == NULL, "receipt: a name that is not UTF-8 is refused");
	s = xmalloc(RECEIPT_NAME_MAX + 2);
	memset(s, 'a', RECEIPT_NAME_MAX + 1);
	s[RECEIPT_NAME_MAX + 1] = '\0';
	EXPECT(receipt_name_normalise(s, RECEIPT_NAME_MAX + 1) == NULL, "receipt: an overlong name is refused");
	free(s);
}

/* A chat export: timestamps, nicknames, other messages; receipts good,
 * mistyped, from another village, and broken. */
static const char chat[] =
    "2023-02-10 20:01:13 村支书老王\r\n"
    "大家学完了记得发回执\r\n"
    "\r\n"
    "2023-02-10 20:05:42 张三\r\n"
    "【学习回执】\r\n"
    "乡镇：霞阳镇\r\n"
    "村：吉利村\r\n"
    "姓名：张三\r\n"
    "已学：1-5,7,9（共 7 课）\r\n"
    "日期：2023-01-05 至 2023-02-10\r\n"
    "校验码：GPQH-FQHK\r\n"
    "2023-02-10 20:06:00 李四\r\n"
    "  【学习回执】\n"
    "  乡镇：霞阳镇\n"
    "  村：吉利村\n"
    "  姓名： 李四 \n"
    "  已学：2（共 1 课）\n"
    "  日期：2023-01-07\n"
    "  校验码：kep5kthq\n"
    "2023-02-10 20:07:00 王五\n"
    "【学习回执】\n"
    "乡镇：霞阳镇\n"
    "村：吉利村\n"
    "姓名：王五\n"
    "已学：1-5,7,9（共 7 课）\n"
    "日期：2023-01-05 至 2023-02-10\n"
    "校验码：GPQH-FQHK\n"
    "2023-02-10 20:08:00 赵六\n"
    "【学习回执】\n"
    "乡镇：霞阳镇\n"
    "村：吉利村\n"
    "姓名：赵六\n"
    "已学：1-5,7,9（共 8 课）\n"
    "日期：2023-01-05 至 2023-02-10\n"
    "校验码：GPQH-FQHK\n"
    "转发：【学习回执】\n"
    "好的\n"
    "【学习回执】\n"
    "乡镇：霞阳镇\n"
    "村：马岛村\n"
    "姓名：张三\n"
    "已学：1-5,7,9（共 7 课）\n"
    "日期：2023-01-05 至 2023-02-10\n"
    "校验码：RAX9-28E8\n"
    "【学习回执】\n"
    "乡镇：霞阳镇\n"
    "村：吉利村\n"
    "姓名：钱七\n"
    "已学：1-999999\n"
    "日期：2023-02-30\n"
    "校验码：X\n"
    "【学习回执】";

static void
test_parse(void)
{
	const char *ids[] = {"xiayang-jili/xiayang-2021-2022", JILI};
	struct receipts rs;
	const struct receipt *r;

	EXPECT(receipts_parse(chat, sizeof chat - 1, ids, 2, &rs) == 0, "receipts: chat text parsed");
	EXPECT(rs.n == 8 && !rs.truncated, "receipts: every marker found, none more");
	if (rs.n != 8) {
		printf("#   found %zu\n", rs.n);
		receipts_release(&rs);
		return;
	}
	r = &rs.v[0];
	EXPECT(r->line == 5 && r->status == RECEIPT_OK && r->bundle == 1, "receipts: a good one, its line and bundle");
	EXPECT(strcmp(r->township, "霞阳镇") == 0 && strcmp(r->village, "吉利村") == 0 && strcmp(r->name, "张三") == 0 &&
	    r->nlessons == 7 && r->lessons[5] == 7 && strcmp(r->first, "2023-01-05") == 0 &&
	    strcmp(r->last, "2023-02-10") == 0 && strcmp(r->code, "GPQHFQHK") == 0, "receipts: ... its fields");
	r = &rs.v[1];
	EXPECT(r->line == 13 && r->status == RECEIPT_OK && strcmp(r->name, "李四") == 0 &&
	    strcmp(r->last, "2023-01-07") == 0, "receipts: indented, one date, code in small letters: ok");
	r = &rs.v[2];
	EXPECT(r->status == RECEIPT_BAD_CODE && r->bundle == -1, "receipts: another name under the same code: bad code");
	r = &rs.v[3];
	EXPECT(r->status == RECEIPT_UNPARSABLE && strstr(r->why, "count") != NULL, "receipts: a wrong lesson count: unparsable");
	r = &rs.v[4];
	EXPECT(r->line == 36 && r->status == RECEIPT_UNPARSABLE && strstr(r->why, "乡镇") != NULL,
	    "receipts: a marker without fields: unparsable, says what is missing");
	r = &rs.v[5];
	EXPECT(r->status == RECEIPT_BAD_CODE, "receipts: another village's receipt: bad code");
	r = &rs.v[6];
	EXPECT(r->status == RECEIPT_UNPARSABLE && strstr(r->why, "lesson") != NULL, "receipts: lesson 999999: unparsable");
	r = &rs.v[7];
	EXPECT(r->line == 52 && r->status == RECEIPT_UNPARSABLE, "receipts: a marker on the last line, no newline");
	receipts_release(&rs);

	EXPECT(receipts_parse(chat, sizeof chat - 1, ids, 0, &rs) == 0 && rs.v[0].status == RECEIPT_BAD_CODE,
	    "receipts: no build id given, nothing verifies");
	receipts_release(&rs);
	EXPECT(receipts_parse(chat, (size_t)RECEIPT_TEXT_MAX + 1, ids, 2, &rs) == -1 && rs.n == 0,
	    "receipts: text over the limit refused before reading");
	receipts_release(&rs);
}

void
test_receipt(void)
{
	test_code_and_forms();
	test_parse();
}
