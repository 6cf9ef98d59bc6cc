/* Rosters: the CSV parser (quotes, line ends, BOM, GB18030, limits), the
 * .xlsx reader (tests/rosters, made by examples/xiayang/rosters/gen.py,
 * hostile ones included) and finding a village's roster. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "roster.h"
#include "unit.h"
#include "util.h"

#define FIX "tests/rosters/"

static struct roster *
csv(const char *text)
{
	struct roster *ro;

	return roster_parse("t.csv", "v", text, strlen(text), &ro) == 0 ? ro : NULL;
}

static void
test_csv(void)
{
	struct roster *ro;
	struct buf b = {0};
	char *big;
	int i;

	/* Quotes: commas, doubled quotes and a line break inside a cell;
	 * CRLF line ends; the next record's line counts the break. */
	ro = csv("编号,姓名,类别,备注,手机\r\n"
	    "1,陈春,在村,\"a, \"\"b\"\"\r\nc\",139\r\n"
	    "2,\"李秋\",居家,,\r\n"
	    ",,,,\r\n"
	    "3, 张山 ,流动,,\r\n");
	EXPECT(ro && ro->nmembers == 3, "csv: three members, blank row skipped");
	EXPECT(ro && ro->format == TABLE_UTF8, "csv: UTF-8 without BOM");
	EXPECT(ro && streq(ro->members[0].name, "陈春") && streq(ro->members[0].phone, "139") &&
	    ro->members[0].group == GROUP_RESIDENT && ro->members[0].line == 2, "csv: first member, line 2");
	EXPECT(ro && ro->members[1].line == 4 && streq(ro->members[1].name, "李秋") &&
	    ro->members[1].phone == NULL && ro->members[1].group == GROUP_HOMEBOUND,
	    "csv: a quoted name; the line after a quoted line break");
	EXPECT(ro && ro->members[2].line == 6 && streq(ro->members[2].name, "张山") &&
	    streq(ro->members[2].id, "3") && streq(ro->members[2].village, "v") &&
	    streq(ro->members[2].file, "t.csv"), "csv: trimmed name, id, village and file");
	roster_free(ro);

	/* BOM, LF only, English headers, no final line end. */
	ro = csv("\xEF\xBB\xBFName,GROUP\nA,Resident\nB,mobile");
	EXPECT(ro && ro->format == TABLE_UTF8_BOM && ro->nmembers == 2 && streq(ro->members[1].name, "B") &&
	    ro->members[1].group == GROUP_MOBILE && ro->members[0].id == NULL, "csv: BOM, English headers");
	roster_free(ro);

	/* GB18030, as Chinese Excel saves "CSV": 姓名,类别 / 陈春,流动 */
	ro = csv("\xD0\xD5\xC3\xFB,\xC0\xE0\xB1\xF0\r\n\xB3\xC2\xB4\xBA,\xC1\xF7\xB6\xAF\r\n");
	EXPECT(ro && ro->format == TABLE_GB18030 && ro->nmembers == 1 && streq(ro->members[0].name, "陈春") &&
	    ro->members[0].group == GROUP_MOBILE, "csv: GB18030 detected and decoded");
	roster_free(ro);

	EXPECT(csv("姓名,类别\n\xFF\xFF,在村\n") == NULL, "csv: neither UTF-8 nor GB18030");
	EXPECT(csv("姓名,类别\n\"陈春,在村\n") == NULL, "csv: unclosed quote");
	EXPECT(csv("姓名,类别\n\"陈\"春,在村\n") == NULL, "csv: text after a closing quote");
	EXPECT(csv("名字,类别\n陈春,在村\n") == NULL, "csv: no name column");
	EXPECT(csv("姓名,类别\n陈春,外出\n") == NULL, "csv: unknown group");
	EXPECT(csv("姓名,类别\n陈春,在村\n陈春,居家\n") == NULL, "csv: namesakes without ids");
	ro = csv("编号,姓名,类别\n1,陈春,在村\n2,陈春,居家\n");
	EXPECT(ro && ro->nmembers == 2, "csv: namesakes with distinct ids");
	roster_free(ro);
	EXPECT(csv("编号,姓名,类别\n1,陈春,在村\n1,李秋,居家\n") == NULL, "csv: one id, two members");
	EXPECT(csv("") == NULL, "csv: empty");

	/* Limits: cell length, rows, size. */
	buf_puts(&b, "姓名,类别\n");
	for (i = 0; i < ROSTER_MAX_CELL + 1; i++)
		buf_puts(&b, "a");
	buf_puts(&b, ",在村\n");
	buf_add(&b, "", 1);
	big = buf_detach(&b);
	EXPECT(csv(big) == NULL, "csv: cell over the limit");
	free(big);
	buf_puts(&b, "姓名,类别\n");
	for (i = 0; i < ROSTER_MAX_ROWS; i++)
		buf_printf(&b, "m%d,在村\n", i);
	buf_add(&b, "", 1);
	big = buf_detach(&b);
	EXPECT(csv(big) == NULL, "csv: rows over the limit");
	free(big);
	big = xcalloc(1, ROSTER_MAX_BYTES + 2);
	memset(big, 'a', ROSTER_MAX_BYTES + 1);
	EXPECT(roster_parse("t.csv", "v", big, ROSTER_MAX_BYTES + 1, &ro) == -1 && ro == NULL,
	    "csv: file over the size limit");
	free(big);
}

static void
test_xlsx(void)
{
	struct roster *ro;
	size_t i, phones = 0, good = 0;

	EXPECT(roster_read(FIX "small.xlsx", "v", &ro) == 0 && ro->format == TABLE_XLSX && ro->nmembers == 3,
	    "xlsx: read");
	EXPECT(ro && streq(ro->members[0].name, "陈春") && streq(ro->members[0].id, "1000") &&
	    ro->members[0].line == 2 && ro->members[0].group == GROUP_RESIDENT,
	    "xlsx: shared strings, inline string group, 1.0E+3 as 1000");
	EXPECT(ro && streq(ro->members[1].name, "李秋") && streq(ro->members[1].id, "7") &&
	    ro->members[1].group == GROUP_HOMEBOUND && streq(ro->members[2].id, "1001"),
	    "xlsx: inline string name, numbers");
	roster_free(ro);
	if (roster_read("examples/xiayang/rosters/huangshalong.xlsx", "huangshalong", &ro) == 0)
		for (i = 0; i < ro->nmembers; i++)
			if (ro->members[i].phone) {
				phones++;
				good += strlen(ro->members[i].phone) == 11 && strspn(ro->members[i].phone, "0123456789") == 11;
			}
	EXPECT(ro && ro->nmembers == 131 && phones > 50 && good == phones,
	    "xlsx: example workbook, phone numbers stored as numbers read as typed");
	roster_free(ro);
	EXPECT(roster_read(FIX "bomb.xlsx", "v", &ro) == -1 && ro == NULL, "xlsx: zip bomb ratio refused");
	EXPECT(roster_read(FIX "hugestrings.xlsx", "v", &ro) == -1, "xlsx: huge shared strings refused");
	EXPECT(roster_read(FIX "nosheet.xlsx", "v", &ro) == -1, "xlsx: no sheet");
	EXPECT(roster_read(FIX "missing.xlsx", "v", &ro) == -1, "xlsx: missing sheet part");
	EXPECT(roster_read(FIX "badindex.xlsx", "v", &ro) == -1, "xlsx: shared string index out of range");
	EXPECT(roster_read(FIX "old.xlsx", "v", &ro) == -1, "xlsx: OLE2 (.xls) signature refused");
	EXPECT(roster_read(FIX "nothing.xls", "v", &ro) == -1, "xls: refused by name");
}

static void
test_locate(void)
{
	struct village v = {0};
	char *path;

	EXPECT(roster_group_parse("居家") == GROUP_HOMEBOUND && roster_group_parse("MOBILE") == GROUP_MOBILE &&
	    roster_group_parse("外出") == -1, "group names");
	v.id = "jili";
	v.path = "examples/xiayang/villages/jili.xml";
	EXPECT(roster_locate(&v, "examples/xiayang", &path) == 0 && path &&
	    streq(path, "examples/xiayang/rosters/jili.csv"), "locate: rosters/ID.csv");
	free(path);
	v.id = "huangshalong";
	EXPECT(roster_locate(&v, "examples/xiayang", &path) == 0 && path &&
	    streq(path, "examples/xiayang/rosters/huangshalong.xlsx"), "locate: rosters/ID.xlsx");
	free(path);
	v.id = "nowhere";
	EXPECT(roster_locate(&v, "examples/xiayang", &path) == 0 && path == NULL, "locate: none");
	v.roster = "../rosters/jili.csv";
	EXPECT(roster_locate(&v, "examples/xiayang", &path) == 0 && path &&
	    streq(path, "examples/xiayang/rosters/jili.csv"), "locate: roster= relative to the profile");
	free(path);
	v.roster = "no-such.csv";
	EXPECT(roster_locate(&v, "examples/xiayang", &path) == -1 && path == NULL, "locate: named file missing");
}

void
test_roster(void)
{
	test_csv();
	test_xlsx();
	test_locate();
}
