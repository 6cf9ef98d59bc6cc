/* The ledger (builder/ledger): identities, the upgrade from the first
 * schema, the file systems refused, and totals computed from the events
 * with the plan's hours.  Ledgers are made in a temporary folder; the
 * project is the bundled example. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto.h"
#include "ledger.h"
#include "project.h"
#include "unit.h"
#include "util.h"

static int
put_file(const char *path, const char *s, size_t n)
{
	FILE *fp = fopen(path, "wb");
	int ok = fp && fwrite(s, 1, n, fp) == n;

	return fp && fclose(fp) == 0 && ok ? 0 : -1;
}

static int
sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* A version-1 ledger as the first coursepack with a ledger wrote it: one
 * import, one member, one attendance record. */
static int
make_v1(const char *path)
{
	struct ledger_record r = {RECORD_ATTENDANCE, "jili", "张三", "congress20/rejuvenation", CHANNEL_CLASS,
	    "2026-12-06", NULL, NULL};
	char *canon = ledger_canon(&r), id[65], *sql;
	sqlite3 *db = NULL;
	int rc;

	sha256_hex(canon, strlen(canon), id);
	sql = xasprintf("%s"
	    "INSERT INTO imports VALUES (1, 's.csv', '%064d', 'attendance sheet', '2026-12-06T00:00:00Z');\n"
	    "INSERT INTO members VALUES ('jili', '张三', '张三', 'resident', 1);\n"
	    "INSERT INTO records VALUES ('%s', '%s', 'attendance', 'jili', '张三', 'congress20/rejuvenation', "
	    "'class', '2026-12-06', NULL, NULL, 1, 2);\n"
	    "PRAGMA user_version = 1;\n", ledger_schema_v1, 0, id, canon);
	rc = sqlite3_open(path, &db) == SQLITE_OK && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	sqlite3_close(db);
	free(sql);
	free(canon);
	return rc;
}

static const struct ledger_total *
find_total(const struct ledger_totals *ts, const char *member)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (streq(ts->v[i].member, member))
			return &ts->v[i];
	return NULL;
}

/* The plan's hours of a lesson in jili's package. */
static int
lesson_hours(const struct project *pr, const char *id)
{
	const struct lesson *ls = library_find_lesson(pr->library, id);

	return ls ? ls->hours : -1;
}

void
test_ledger(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/cp-ledger-XXXXXX", tmp && *tmp ? tmp : "/tmp"), *path = NULL, *canon;
	struct ledger_record r = {RECORD_ATTENDANCE, "jili", "张三", "congress20/rejuvenation", CHANNEL_CLASS,
	    "2026-12-06", NULL, NULL};
	struct ledger_record v = {.kind = RECORD_VOID, .reverses = "ab", .reason = "mistake"};
	struct check_stats cs = {0};
	struct project pr;
	struct ledger_totals ts = {0};
	const struct ledger_total *t;
	struct ledger *l;
	char id[65], id2[65], now[32], *already = NULL;
	char sha[65], *f1, *f2;
	long long imp = 0;
	int h1, h2;
	static const char sheet[] =
	    "\xef\xbb\xbf村,姓名,编号,类别,方式,congress20/rejuvenation,congress20/rural-revitalization\r\n"
	    "jili,张三,,在村,课堂,2026-12-06,✓\r\n"
	    "jili,李四,7,居家,居家,,2026/12/7\r\n";
	/* 张三's first lesson again, from home: counts once. */
	static const char sheet2[] = "村,姓名,方式,congress20/rejuvenation\njili,张三,home,2026-12-08\n";

	/* The canonical form is pinned: identities must never change. */
	canon = ledger_canon(&r);
	EXPECT_STR(canon, "coursepack-ledger 1\nattendance\njili\n张三\ncongress20/rejuvenation\nclass\n2026-12-06\n",
	    "ledger: an attendance record's canonical content");
	free(canon);
	canon = ledger_canon(&v);
	EXPECT_STR(canon, "coursepack-ledger 1\nvoid\nab\nmistake\n", "ledger: a void's canonical content");
	free(canon);
	EXPECT(ledger_reason_valid("tested-out") && ledger_reason_valid("equivalent-course") &&
	    ledger_reason_valid("administrative") && ledger_reason_valid("mistake") && !ledger_reason_valid("other"),
	    "ledger: the void reasons");
	EXPECT(channel_parse("课堂") == CHANNEL_CLASS && channel_parse("home") == CHANNEL_HOME &&
	    channel_parse("线上") == CHANNEL_ONLINE && channel_parse("phone") == -1, "ledger: channels in two languages");

	/* Network and FUSE file systems are refused, local ones kept. */
	EXPECT(ledger_fs_refused(0x6969) && strstr(ledger_fs_refused(0x6969), "NFS"), "ledger: NFS is refused");
	EXPECT(ledger_fs_refused((long)0xFF534D42UL) && ledger_fs_refused((long)0xFE534D42UL) &&
	    ledger_fs_refused(0x517B), "ledger: CIFS and SMB are refused");
	EXPECT(ledger_fs_refused(0x65735546) != NULL, "ledger: FUSE (sshfs, desktop-mounted drives) is refused");
	EXPECT(ledger_fs_refused(0xEF53) == NULL && ledger_fs_refused(0x01021994) == NULL &&
	    ledger_fs_refused(0x58465342) == NULL && ledger_fs_refused((long)0x9123683EUL) == NULL,
	    "ledger: ext4, tmpfs, XFS and Btrfs are kept");

	if (mkdtemp(dir) == NULL) {
		UNIT_SKIP("ledger: the rest", "no temporary folder");
		free(dir);
		return;
	}
	path = xasprintf("%s/v1.sqlite", dir);

	/* The upgrade from version 1 keeps every record. */
	EXPECT(make_v1(path) == 0 && sql_int(path, "PRAGMA user_version") == 1, "ledger: a version-1 ledger made");
	l = ledger_open(path, LEDGER_WRITE, 0);
	EXPECT(l != NULL, "ledger: a version-1 ledger opens");
	EXPECT(l && ledger_check(l) == 0, "ledger: ... and checks sound after its upgrade");
	ledger_close(l);
	EXPECT(sql_int(path, "PRAGMA user_version") == LEDGER_VERSION, "ledger: ... as the current version");
	EXPECT(sql_int(path, "SELECT COUNT(*) FROM live") == 1 && sql_int(path, "SELECT COUNT(*) FROM imports") == 1,
	    "ledger: ... with its record live in the new view");
	EXPECT(sql_int(path, "PRAGMA journal_mode = WAL") >= -1 &&
	    sql_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'events_member'") == 1,
	    "ledger: ... and the indexes");
	EXPECT(sql_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'members_name'") == 1 &&
	    sql_int(path, "SELECT COUNT(*) FROM pragma_table_info('members') WHERE name = 'roster_import'") == 1,
	    "ledger: ... and version 3's roster column and name index");
	EXPECT(sql_int(path, "SELECT COUNT(*) FROM events e JOIN members m ON m.id = e.member_id JOIN lessons l "
	    "ON l.id = e.lesson_id WHERE typeof(e.identity) = 'blob' AND length(e.identity) = 32 AND e.kind = 0 AND "
	    "e.channel = 0 AND e.date = 20261206 AND m.member = '张三' AND l.lesson = 'congress20/rejuvenation'") == 1,
	    "ledger: ... its record as version 4 keeps it: identity in 32 bytes, member and lesson by key");
	EXPECT(sql_int(path, "SELECT COUNT(*) FROM records WHERE length(identity) = 64 AND kind = 'attendance' AND "
	    "village = 'jili' AND member = '张三' AND lesson = 'congress20/rejuvenation' AND channel = 'class' AND "
	    "date = '2026-12-06' AND reverses IS NULL AND line = 2") == 1,
	    "ledger: ... and shown in the records view as version 3 stored it");
	ledger_remove(path);

	/* Totals from the example's plan. */
	memset(&pr, 0, sizeof pr);
	if (project_load(&pr, "examples/xiayang/township.xml", NULL, NULL, &cs) == -1 || pr.errors) {
		UNIT_SKIP("ledger: totals", "the example did not load");
		goto out;
	}
	l = ledger_open(path, LEDGER_CREATE, 0);
	f1 = xasprintf("%s/s.csv", dir);
	f2 = xasprintf("%s/s2.csv", dir);
	EXPECT(l != NULL && put_file(f1, sheet, strlen(sheet)) == 0 && put_file(f2, sheet2, strlen(sheet2)) == 0 &&
	    ledger_import(l, &pr, (char *[]){f1, f2}, 2, 0) == 0 &&
	    sql_int(path, "SELECT COUNT(*) FROM records") == 4, "ledger: two sheets import");
	ledger_now(now);
	sha256_hex(sheet, strlen(sheet), sha);
	EXPECT(l && ledger_begin(l) == 0 && ledger_add_import(l, "again.csv", sha, "attendance sheet", &imp, &already) == 0 &&
	    already && strncmp(already, now, 10) == 0, "ledger: a file's content imported before is recognised");
	if (l)
		ledger_rollback(l);
	unlink(f1);
	unlink(f2);
	free(f1);
	free(f2);
	free(already);
	already = NULL;
	h1 = lesson_hours(&pr, "congress20/rejuvenation");
	h2 = lesson_hours(&pr, "congress20/rural-revitalization");
	EXPECT(l && ledger_totals(l, &pr, &ts) == 0 && ts.n == 2, "ledger: totals for the two members");
	t = find_total(&ts, "张三");
	EXPECT(t && t->total == h1 + h2 && t->lessons == 2 && t->by_channel[CHANNEL_CLASS] == h1 + h2 &&
	    t->by_channel[CHANNEL_HOME] == 0 && t->group == GROUP_RESIDENT,
	    "ledger: a lesson credited by class and home counts once, with the plan's hours");
	t = find_total(&ts, "7");
	EXPECT(t && streq(t->name, "李四") && t->total == h2 && t->by_channel[CHANNEL_HOME] == h2 &&
	    t->group == GROUP_HOMEBOUND, "ledger: a member with an id is counted under it, home hours as home");
	if (ts.n) {
		char *text = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&text, &len);

		ledger_report_text(&ts, 1, fp);
		fclose(fp);
		EXPECT(text && strstr(text, "    张三          resident   3.5/16.0 h") &&
		    strstr(text, "0 of 2 members in the ledger reached the goal"),
		    "ledger: the plain-text report");
		free(text);
	} else
		EXPECT(0, "ledger: the plain-text report");
	ledger_totals_release(&ts);

	/* A void takes the credit away; the record stays. */
	{
		struct ledger_record z = r;
		char vid[65];

		canon = ledger_canon(&z);
		sha256_hex(canon, strlen(canon), id);
		free(canon);
		EXPECT(l && ledger_begin(l) == 0 && ledger_void(l, id, "administrative", vid) == 0 && ledger_commit(l) == 0,
		    "ledger: a void");
		z.date = "2026-12-08";
		z.channel = CHANNEL_HOME;
		z.kind = RECORD_CLAIM;
		canon = ledger_canon(&z);
		sha256_hex(canon, strlen(canon), id2);
		free(canon);
		EXPECT(l && ledger_begin(l) == 0 && ledger_void(l, id2, "administrative", vid) == 0 && ledger_commit(l) == 0,
		    "ledger: a second void, of the home claim");
		EXPECT(l && ledger_totals(l, &pr, &ts) == 0 && (t = find_total(&ts, "张三")) && t->total == h2 &&
		    t->lessons == 1, "ledger: voided records count nothing");
		ledger_totals_release(&ts);
		EXPECT(l && ledger_begin(l) == 0 && ledger_void(l, vid, "mistake", id) == -1, "ledger: a void is not voided");
		if (l)
			ledger_rollback(l);
	}
	/* The same identity with other content: a conflict, nothing written. */
	EXPECT(l && ledger_begin(l) == 0 && ledger_add_record(l, 1, 9, &r, id) == LEDGER_SAME,
	    "ledger: the same record again changes nothing");
	if (l)
		ledger_rollback(l);
	ledger_close(l);
	{
		sqlite3 *db = NULL;

		sqlite3_open(path, &db);
		sqlite3_exec(db, "UPDATE events SET channel = 1 WHERE date = 20261206", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	l = ledger_open(path, LEDGER_WRITE, 0);
	EXPECT(l && ledger_begin(l) == 0 && ledger_add_record(l, 1, 9, &r, id) == LEDGER_CONFLICT,
	    "ledger: a record whose identity holds other content is a conflict");
	if (l)
		ledger_rollback(l);
	EXPECT(l && ledger_check(l) == 1, "ledger: check finds the record edited in place");
	ledger_close(l);
	project_release(&pr);
out:
	ledger_remove(path);
	rmdir(dir);
	free(path);
	free(dir);
}
