/* The ledger's store (ledger.h): the only file that includes sqlite3.h.
 * SQLite's errors become our diagnostics here; a failed statement inside
 * a transaction leaves it to the caller to roll back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto.h"
#include "i18n.h"
#include "ledger.h"
#include "roster.h"
#include "util.h"

/* The statements an import runs once per row or cell, prepared once. */
enum cached {
	ST_MEMBER_ID, ST_MEMBER_RECORDS, ST_RECORD_TEXT, ST_VOID_FIND, ST_RECORD_ADD, ST_LESSON_FIND, ST_LESSON_ADD,
	ST_MEMBER_FIND, ST_MEMBER_ADD, ST_MEMBER_ROSTER, ST__COUNT
};

/* The records of the member an import last added to, by identity (32
 * bytes) and rowid: a sheet adds a member's lessons one after another,
 * and one query per member rather than per lesson halves a county's
 * import.  A record's content is read again only when its identity comes
 * again.  Forgotten at every transaction's start and end. */
struct member_records {
	char *village, *member;
	sqlite3_int64 member_id;	/* -1: no such member */
	unsigned char (*identity)[32];
	sqlite3_int64 *rowid;
	size_t n, cap;
};

/* Lesson ids ("course/lesson") to their keys in the lessons table, as
 * met: an open-addressing hash table.  Forgotten with member_records (a
 * rollback takes back the lessons it added). */
struct lesson_keys {
	char **lesson;
	sqlite3_int64 *id;
	size_t n, size;		/* size: a power of two, or 0 */
};

struct ledger {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST__COUNT];
	struct member_records mr;
	struct lesson_keys lk;
};

static void member_records_forget(struct member_records *);
static void lesson_keys_forget(struct lesson_keys *);

const char ledger_schema_v1[] =
	"CREATE TABLE imports (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  file TEXT NOT NULL,\n"
	"  sha256 TEXT NOT NULL UNIQUE,\n"
	"  kind TEXT NOT NULL,\n"
	"  imported TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE members (\n"
	"  village TEXT NOT NULL,\n"
	"  member TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  grp TEXT CHECK (grp IS NULL OR grp IN ('resident', 'homebound', 'mobile')),\n"
	"  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
	"  PRIMARY KEY (village, member)\n"
	");\n"
	"CREATE TABLE records (\n"
	"  identity TEXT PRIMARY KEY,\n"
	"  canon TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('attendance', 'claim', 'void')),\n"
	"  village TEXT,\n"
	"  member TEXT,\n"
	"  lesson TEXT,\n"
	"  channel TEXT CHECK (channel IS NULL OR channel IN ('class', 'home', 'online')),\n"
	"  date TEXT,\n"
	"  reverses TEXT REFERENCES records(identity),\n"
	"  reason TEXT,\n"
	"  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
	"  line INTEGER NOT NULL,\n"
	"  FOREIGN KEY (village, member) REFERENCES members(village, member)\n"
	");\n";

/* Version 2: the live records as a view (what every total reads), and the
 * indexes that keep reports and voids fast on a county's ledger. */
static const char schema_v2[] =
	"CREATE INDEX records_member ON records(village, member, lesson);\n"
	"CREATE INDEX records_reverses ON records(reverses) WHERE reverses IS NOT NULL;\n"
	"CREATE INDEX records_import ON records(import_id, line);\n"
	"CREATE VIEW live AS SELECT * FROM records r WHERE r.kind <> 'void' AND NOT EXISTS\n"
	"  (SELECT 1 FROM records v WHERE v.kind = 'void' AND v.reverses = r.identity);\n";

/* Version 3: records without the unique index on their identity (a
 * hash: every insert went to a random page of it, and a county's import
 * of 750,000 credits took minutes); a record is found again by its
 * member and lesson, whose index a sheet fills in order.  Without the
 * stored canonical text, which the columns hold already (ledger check
 * recomputes it), and with checks that need no temporary table for
 * each insert (an IN list does).  And members: the roster import that last listed each
 * (what names in sheets and receipts are matched against), and an index
 * to find a member by name. */
static const char schema_v3[] =
	"ALTER TABLE members ADD COLUMN roster_import INTEGER REFERENCES imports(id);\n"
	"CREATE INDEX members_name ON members(village, name);\n"
	"DROP VIEW live;\n"
	"CREATE TABLE records_v3 (\n"
	"  identity TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind = 'attendance' OR kind = 'claim' OR kind = 'void'),\n"
	"  village TEXT,\n"
	"  member TEXT,\n"
	"  lesson TEXT,\n"
	"  channel TEXT CHECK (channel IS NULL OR channel = 'class' OR channel = 'home' OR channel = 'online'),\n"
	"  date TEXT,\n"
	"  reverses TEXT,\n"
	"  reason TEXT,\n"
	"  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
	"  line INTEGER NOT NULL,\n"
	"  FOREIGN KEY (village, member) REFERENCES members(village, member)\n"
	");\n"
	"INSERT INTO records_v3 SELECT identity, kind, village, member, lesson, channel, date, reverses, reason, "
	"import_id, line FROM records ORDER BY rowid;\n"
	"DROP TABLE records;\n"
	"ALTER TABLE records_v3 RENAME TO records;\n"
	"CREATE INDEX records_member ON records(village, member);\n"
	"CREATE INDEX records_reverses ON records(reverses) WHERE reverses IS NOT NULL;\n"
	"CREATE INDEX records_import ON records(import_id, line);\n"
	"CREATE VIEW live AS SELECT * FROM records r WHERE r.kind <> 'void' AND NOT EXISTS\n"
	"  (SELECT 1 FROM records v WHERE v.kind = 'void' AND v.reverses = r.identity);\n";

/* The columns of a row of events as text, the way version 3 stored them
 * (kind, village, member, lesson, channel, date, reverses, reason), with
 * events as e, members as m and lessons as l: what the records view, the
 * log, the export and ledger check read.  Dates are kept as the number
 * YYYYMMDD when they have that form, else as the text given. */
#define HEX(x) "CASE WHEN " x " IS NULL THEN NULL ELSE lower(hex(" x ")) END"
#define KIND_TEXT "CASE e.kind WHEN 0 THEN 'attendance' WHEN 1 THEN 'claim' WHEN 2 THEN 'void' END"
#define CHANNEL_TEXT "CASE e.channel WHEN 0 THEN 'class' WHEN 1 THEN 'home' WHEN 2 THEN 'online' END"
#define DATE_TEXT "CASE WHEN typeof(e.date) = 'integer' THEN printf('%04d-%02d-%02d', e.date / 10000, " \
	"e.date / 100 % 100, e.date % 100) ELSE e.date END"
#define RECORD_TEXT KIND_TEXT ", m.village, m.member, l.lesson, " CHANNEL_TEXT ", " DATE_TEXT ", " HEX("e.reverses") \
	", e.reason"
#define EVENTS_JOINED "events e LEFT JOIN members m ON m.id = e.member_id LEFT JOIN lessons l ON l.id = e.lesson_id"
#define RECORDS_VIEW "SELECT " HEX("e.identity") " AS identity, " KIND_TEXT " AS kind, m.village AS village, " \
	"m.member AS member, l.lesson AS lesson, " CHANNEL_TEXT " AS channel, " DATE_TEXT " AS date, " \
	HEX("e.reverses") " AS reverses, e.reason AS reason, e.import_id AS import_id, e.line AS line FROM " EVENTS_JOINED

/* Version 4: half the bytes per record (a county's ledger from 184 to
 * 88 bytes a record, 135 MB to 66 MB; make bench-ledger), so that an
 * import writes, and a report reads, half as much.  Records become
 * events: the identity and the
 * voided record's as 32-byte BLOBs rather than 64 hex digits, kind and
 * channel as small numbers (0, 1, 2 in the order of enum record_kind and
 * enum channel), the member as the integer key members now have, the
 * lesson as a key into a table of lessons, a date as the number
 * YYYYMMDD.  The view records shows them as version 3 stored them, for
 * people and scripts that read the ledger with sqlite3; live is the same
 * without the voided records and the voids.  ledger_unhex is a function
 * ledger_open registers for this step (SQLite 3.40 has no unhex).
 * Events refer to members_v4, which SQLite follows when it is renamed
 * members at the end of the step.  The index by import holds no line:
 * the log and the export read an import's records in rowid order, which
 * the index keeps within an import. */
static const char schema_v4[] =
	"CREATE TABLE lessons (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  lesson TEXT NOT NULL UNIQUE\n"
	");\n"
	"CREATE TABLE members_v4 (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  village TEXT NOT NULL,\n"
	"  member TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  grp TEXT CHECK (grp IS NULL OR grp = 'resident' OR grp = 'homebound' OR grp = 'mobile'),\n"
	"  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
	"  roster_import INTEGER REFERENCES imports(id),\n"
	"  UNIQUE (village, member)\n"
	");\n"
	"INSERT INTO members_v4 (village, member, name, grp, import_id, roster_import) SELECT village, member, name, grp, "
	"import_id, roster_import FROM members ORDER BY village, member;\n"
	"INSERT INTO lessons (lesson) SELECT DISTINCT lesson FROM records WHERE lesson IS NOT NULL ORDER BY lesson;\n"
	"CREATE TABLE events (\n"
	"  identity BLOB NOT NULL,\n"
	"  kind INTEGER NOT NULL CHECK (kind = 0 OR kind = 1 OR kind = 2),\n"
	"  member_id INTEGER REFERENCES members_v4(id),\n"
	"  lesson_id INTEGER REFERENCES lessons(id),\n"
	"  channel INTEGER CHECK (channel IS NULL OR channel = 0 OR channel = 1 OR channel = 2),\n"
	"  date INTEGER,\n"
	"  reverses BLOB,\n"
	"  reason TEXT,\n"
	"  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
	"  line INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO events (identity, kind, member_id, lesson_id, channel, date, reverses, reason, import_id, line)\n"
	"  SELECT ledger_unhex(r.identity), CASE r.kind WHEN 'attendance' THEN 0 WHEN 'claim' THEN 1 ELSE 2 END, m.id, l.id,\n"
	"  CASE r.channel WHEN 'class' THEN 0 WHEN 'home' THEN 1 WHEN 'online' THEN 2 END,\n"
	"  CASE WHEN r.date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN\n"
	"    CAST(substr(r.date, 1, 4) || substr(r.date, 6, 2) || substr(r.date, 9, 2) AS INTEGER) ELSE r.date END,\n"
	"  ledger_unhex(r.reverses), r.reason, r.import_id, r.line\n"
	"  FROM records r LEFT JOIN members_v4 m ON m.village = r.village AND m.member = r.member\n"
	"  LEFT JOIN lessons l ON l.lesson = r.lesson ORDER BY r.rowid;\n"
	"DROP VIEW live;\n"
	"DROP TABLE records;\n"
	"DROP TABLE members;\n"
	"ALTER TABLE members_v4 RENAME TO members;\n"
	"CREATE INDEX members_name ON members(village, name);\n"
	"CREATE INDEX events_member ON events(member_id);\n"
	"CREATE INDEX events_reverses ON events(reverses) WHERE reverses IS NOT NULL;\n"
	"CREATE INDEX events_import ON events(import_id);\n"
	"CREATE VIEW records AS " RECORDS_VIEW ";\n"
	"CREATE VIEW live AS " RECORDS_VIEW " WHERE e.kind <> 2 AND NOT EXISTS\n"
	"  (SELECT 1 FROM events v WHERE v.kind = 2 AND v.reverses = e.identity);\n";

/* Each step takes a ledger of version i+1 to i+2. */
static const char *const upgrades[LEDGER_VERSION] = {ledger_schema_v1, schema_v2, schema_v3, schema_v4};

const char *const ledger_reasons[] = {"tested-out", "equivalent-course", "administrative", "mistake", NULL};

static const char *const kind_names[] = {"attendance", "claim", "void"};
static const char *const channel_names[] = {"class", "home", "online"};

int
channel_parse(const char *s)
{
	static const char *const zh[] = {"课堂", "居家", "线上"};
	int i;

	for (i = 0; i < CHANNEL__COUNT; i++)
		if (streq(s, channel_names[i]) || streq(s, zh[i]))
			return i;
	return -1;
}

int
ledger_reason_valid(const char *s)
{
	size_t i;

	for (i = 0; ledger_reasons[i]; i++)
		if (streq(s, ledger_reasons[i]))
			return 1;
	return 0;
}

void
ledger_remove(const char *path)
{
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);

	unlink(path);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
}

char *
ledger_default_path(const struct township *t)
{
	return path_join(t->dir && t->dir[0] ? t->dir : ".", "ledger.sqlite");
}

const char *
ledger_fs_refused(long f_type)
{
	switch ((unsigned long)f_type) {
	case 0x6969UL:		/* NFS_SUPER_MAGIC */
		return "NFS";
	case 0xFF534D42UL:	/* CIFS_MAGIC_NUMBER */
	case 0xFE534D42UL:	/* SMB2_MAGIC_NUMBER */
	case 0x517BUL:		/* SMB_SUPER_MAGIC */
		return "SMB/CIFS";
	case 0x65735546UL:	/* FUSE_SUPER_MAGIC: sshfs, and NTFS/exFAT drives a desktop mounts */
		return "FUSE";
	case 0x564c:		/* NCP_SUPER_MAGIC */
		return "NetWare";
	case 0x01021997UL:	/* V9FS_MAGIC */
		return "9P";
	case 0x4d44:		/* MSDOS_SUPER_MAGIC: FAT, USB sticks and SD cards */
		return "FAT (a removable drive?)";
	case 0x2011BAB0UL:	/* EXFAT_SUPER_MAGIC */
		return "exFAT (a removable drive?)";
	default:
		return NULL;
	}
}

static void
sql_fail(const struct ledger *l, const char *what)
{
	struct loc loc = {l->path, 0, 0};
	int code = sqlite3_extended_errcode(l->db);

	(void)what;
	if ((code & 0xff) == SQLITE_FULL || (code & 0xff) == SQLITE_IOERR)
		diag(S_LEDGER_IO, &loc, sqlite3_errmsg(l->db));
	else if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT)
		diag(E_LEDGER_NOT_SQLITE, &loc, sqlite3_errmsg(l->db));
	else if ((code & 0xff) == SQLITE_READONLY)
		diag(E_LEDGER_READONLY, &loc);
	else if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		diag(E_LEDGER_BUSY, &loc);
	else
		diag(S_LEDGER_IO, &loc, sqlite3_errmsg(l->db));
}

static int
exec(struct ledger *l, const char *sql)
{
	if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		sql_fail(l, sql);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *
prepare(struct ledger *l, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sql_fail(l, sql);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

/* A lowercase hex digit's value, or -1 (uppercase is not how
 * identities are written). */
static int
lower_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The 32 bytes that 64 lowercase hex digits spell (an identity as
 * sha256_hex writes it): 0, or -1 when s is not such hex (out undefined).
 * Run for every record an import adds. */
static int
identity_bytes(const char *s, size_t n, unsigned char out[32])
{
	size_t i;

	if (n != 64)
		return -1;
	for (i = 0; i < 64; i += 2) {
		int hi = lower_hex((unsigned char)s[i]), lo = lower_hex((unsigned char)s[i + 1]);

		if ((hi | lo) < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* An identity is stored as its 32 bytes; one that is not a SHA-256 in
 * hex (a damaged ledger's, kept by the upgrade) as the text it is. */
static void
bind_identity(sqlite3_stmt *st, int i, const char *s)
{
	unsigned char b[32];

	if (s && identity_bytes(s, strlen(s), b) == 0)
		sqlite3_bind_blob(st, i, b, 32, SQLITE_TRANSIENT);
	else
		bind_text(st, i, s);
}

/* ledger_unhex(x), for the upgrade to version 4: the bytes of an
 * identity in hex; NULL for NULL, and x itself when it is not such hex. */
static void
sql_unhex(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *s;
	unsigned char b[32];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && (s = sqlite3_value_text(argv[0])) != NULL &&
	    identity_bytes((const char *)s, (size_t)sqlite3_value_bytes(argv[0]), b) == 0)
		sqlite3_result_blob(cx, b, 32, SQLITE_TRANSIENT);
	else
		sqlite3_result_value(cx, argv[0]);
}

/* A cached statement, reset and unbound; NULL after diagnosing.  Never
 * finalised by the caller. */
static sqlite3_stmt *
cached(struct ledger *l, enum cached which, const char *sql)
{
	if (l->st[which] == NULL)
		l->st[which] = prepare(l, sql);
	else {
		sqlite3_reset(l->st[which]);
		sqlite3_clear_bindings(l->st[which]);
	}
	return l->st[which];
}

static int
user_version(struct ledger *l, int *v)
{
	sqlite3_stmt *st = prepare(l, "PRAGMA user_version");
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sql_fail(l, "user_version");
		sqlite3_finalize(st);
		return -1;
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Takes the ledger from version `from` to LEDGER_VERSION in one
 * transaction: all steps or none. */
static int
upgrade(struct ledger *l, int from)
{
	char pragma[40];
	int v;

	if (exec(l, "BEGIN IMMEDIATE") == -1)
		return -1;
	/* Another process may have upgraded it meanwhile. */
	if (user_version(l, &from) == -1)
		goto fail;
	for (v = from; v < LEDGER_VERSION; v++)
		if (exec(l, upgrades[v]) == -1)
			goto fail;
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", LEDGER_VERSION);
	if (exec(l, pragma) == -1 || exec(l, "COMMIT") == -1)
		goto fail;
	return 0;
fail:
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

struct ledger *
ledger_open(const char *path, enum ledger_mode mode, int force)
{
	struct ledger *l = xcalloc(1, sizeof *l);
	struct loc loc = {path, 0, 0};
	struct statfs sf;
	struct stat sb;
	char *dir = path_dirname(path);
	const char *fs;
	int exists, flags, v;
	char head[16];
	FILE *fp;

	l->path = xstrdup(path);
	exists = stat(path, &sb) == 0;
	if (!exists && errno != ENOENT) {
		diag(S_OPEN, &loc, path, strerror(errno));
		goto fail;
	}
	if (!exists && mode != LEDGER_CREATE) {
		diag(E_LEDGER_NONE, &loc);
		goto fail;
	}
	if (exists && !S_ISREG(sb.st_mode)) {
		diag(E_FILE_KIND, &loc, path);
		goto fail;
	}
	if (statfs(exists ? path : dir, &sf) == 0 && (fs = ledger_fs_refused((long)sf.f_type)) != NULL && !force) {
		diag(E_LEDGER_REMOTE, &loc, fs);
		goto fail;
	}
	/* Write permission, as the file says it: root ignores it, but a
	 * ledger someone made read-only is meant to stay as it is. */
	if (exists && mode != LEDGER_READ && (sb.st_mode & 0222) == 0) {
		diag(E_LEDGER_READONLY, &loc);
		goto fail;
	}
	/* Not SQLite: said before SQLite opens it, which would otherwise
	 * create a -wal beside a stranger's file. */
	if (exists && sb.st_size > 0) {
		size_t n = 0;

		if ((fp = fopen(path, "rb")) == NULL) {
			diag(S_OPEN, &loc, path, strerror(errno));
			goto fail;
		}
		n = fread(head, 1, sizeof head, fp);
		fclose(fp);
		if (n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0) {
			diag(E_LEDGER_NOT_SQLITE, &loc, "file is not a database");
			goto fail;
		}
	}
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (!exists)
		flags |= SQLITE_OPEN_CREATE;
	if (exists && (sb.st_mode & 0222) == 0)
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &l->db, flags, NULL) != SQLITE_OK) {
		if (l->db)
			sql_fail(l, "open");
		else
			diag(S_OPEN, &loc, path, "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(l->db, 1);
	/* A report may run while an import holds the write lock: wait for it
	 * rather than fail at once. */
	sqlite3_busy_timeout(l->db, 10000);
	if (exec(l, "PRAGMA foreign_keys = ON") == -1)
		goto fail;
	if (sqlite3_create_function(l->db, "ledger_unhex", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_unhex,
	    NULL, NULL) != SQLITE_OK) {
		sql_fail(l, "function");
		goto fail;
	}
	if (user_version(l, &v) == -1)
		goto fail;
	if (v > LEDGER_VERSION) {
		diag(E_LEDGER_NEWER, &loc, v, LEDGER_VERSION);
		goto fail;
	}
	if (v < LEDGER_VERSION && mode == LEDGER_READ && exists && (sb.st_mode & 0222) == 0) {
		diag(E_LEDGER_READONLY, &loc);
		goto fail;
	}
	if (flags & SQLITE_OPEN_READONLY) {
		free(dir);
		return l;
	}
	/* Pages of 16 KiB for a new ledger: a county's import and report
	 * read and write a quarter as many pages as with SQLite's 4 KiB, for
	 * 5 to 15% less CPU (make bench-ledger).  An older ledger keeps its
	 * size (changing it means a VACUUM, which WAL mode does not allow). */
	if (!exists && exec(l, "PRAGMA page_size = 16384") == -1)
		goto fail;
	/* 40 MiB of cache: a county's import (750,000 records, 69 MB) spills
	 * to the write-ahead log as it goes, each page once, since records
	 * and their indexes grow in the order sheets are read; the whole
	 * import stays under 100 MiB (make bench-ledger). */
	if (exec(l, "PRAGMA journal_mode = WAL") == -1 || exec(l, "PRAGMA synchronous = FULL") == -1 ||
	    exec(l, "PRAGMA cache_size = -40960") == -1)
		goto fail;
	if (v < LEDGER_VERSION && upgrade(l, v) == -1)
		goto fail;
	free(dir);
	return l;
fail:
	free(dir);
	ledger_close(l);
	/* A ledger this call created and could not set up is removed. */
	if (!exists) {
		unlink(path);
		{
			char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);

			unlink(wal);
			unlink(shm);
			free(wal);
			free(shm);
		}
	}
	return NULL;
}

void
ledger_close(struct ledger *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(l->st[i]);
	member_records_forget(&l->mr);
	lesson_keys_forget(&l->lk);
	sqlite3_close(l->db);
	free(l->path);
	free(l);
}

int
ledger_begin(struct ledger *l)
{
	member_records_forget(&l->mr);
	lesson_keys_forget(&l->lk);
	return exec(l, "BEGIN IMMEDIATE");
}

static void
reset_cached(struct ledger *l)
{
	size_t i;

	for (i = 0; i < ST__COUNT; i++)
		if (l->st[i])
			sqlite3_reset(l->st[i]);
}

int
ledger_commit(struct ledger *l)
{
	reset_cached(l);
	member_records_forget(&l->mr);
	lesson_keys_forget(&l->lk);
	if (exec(l, "COMMIT") == -1) {
		ledger_rollback(l);
		return -1;
	}
	return 0;
}

void
ledger_rollback(struct ledger *l)
{
	reset_cached(l);
	member_records_forget(&l->mr);
	lesson_keys_forget(&l->lk);
	if (!sqlite3_get_autocommit(l->db))
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

void
ledger_now(char out[32])
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	struct tm tm;
	char *end;

	if (e && *e) {
		long long v;

		errno = 0;
		v = strtoll(e, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 0)
			t = (time_t)v;
	}
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
ledger_add_import(struct ledger *l, const char *file, const char *sha256, const char *kind, long long *id,
    char **already)
{
	sqlite3_stmt *st;
	char now[32];
	int rc = -1;

	*already = NULL;
	if ((st = prepare(l, "SELECT imported FROM imports WHERE sha256 = ?")) == NULL)
		return -1;
	bind_text(st, 1, sha256);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*already = xstrdup(col(st, 0));
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	ledger_now(now);
	if ((st = prepare(l, "INSERT INTO imports (file, sha256, kind, imported) VALUES (?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, file);
	bind_text(st, 2, sha256);
	bind_text(st, 3, kind);
	bind_text(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		sql_fail(l, "import");
	else {
		*id = sqlite3_last_insert_rowid(l->db);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

char *
ledger_canon(const struct ledger_record *r)
{
	if (r->kind == RECORD_VOID)
		return xasprintf("coursepack-ledger 1\nvoid\n%s\n%s\n", r->reverses, r->reason);
	/* By hand, not printf: a county's import makes 750,000 of them. */
	const char *part[] = {"coursepack-ledger 1", kind_names[r->kind], r->village, r->member, r->lesson,
	    channel_names[r->channel], r->date ? r->date : ""};
	size_t len[NELEM(part)], total = 0, i;
	char *s, *p;

	for (i = 0; i < NELEM(part); i++)
		total += (len[i] = strlen(part[i])) + 1;
	p = s = xmalloc(total + 1);
	for (i = 0; i < NELEM(part); i++) {
		memcpy(p, part[i], len[i]);
		p += len[i];
		*p++ = '\n';
	}
	*p = '\0';
	return s;
}

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

/* The record of a row of records (the columns from `first` on: kind,
 * village, member, lesson, channel, date, reverses, reason); its strings
 * live as long as the row. */
static void
record_of(sqlite3_stmt *st, int first, struct ledger_record *r)
{
	const char *kind = or_empty(col(st, first)), *ch = col(st, first + 4);
	int k, c;

	memset(r, 0, sizeof *r);
	for (k = 0; k < 3 && !streq(kind_names[k], kind); k++)
		;
	for (c = 0; ch && c < CHANNEL__COUNT && !streq(channel_names[c], ch); c++)
		;
	/* A field a damaged row lacks reads as "": ledger check names it. */
	r->kind = (enum record_kind)(k % 3);
	r->village = or_empty(col(st, first + 1));
	r->member = or_empty(col(st, first + 2));
	r->lesson = or_empty(col(st, first + 3));
	r->channel = (enum channel)(c % CHANNEL__COUNT);
	r->date = col(st, first + 5);
	r->reverses = or_empty(col(st, first + 6));
	r->reason = or_empty(col(st, first + 7));
}

static void
member_records_forget(struct member_records *mr)
{
	free(mr->identity);
	free(mr->rowid);
	free(mr->village);
	free(mr->member);
	memset(mr, 0, sizeof *mr);
}

static void
member_records_add(struct member_records *mr, const unsigned char identity[32], sqlite3_int64 rowid)
{
	if (mr->n == mr->cap) {
		mr->cap = mr->cap ? 2 * mr->cap : 32;
		mr->identity = xreallocarray(mr->identity, mr->cap, sizeof *mr->identity);
		mr->rowid = xreallocarray(mr->rowid, mr->cap, sizeof *mr->rowid);
	}
	memcpy(mr->identity[mr->n], identity, 32);
	mr->rowid[mr->n++] = rowid;
}

/* The member's key and records, loaded unless they are the ones loaded
 * last (a member not found then is looked for again: a sheet adds its
 * members before their records); -1 after diagnosing. */
static int
member_records_load(struct ledger *l, const char *village, const char *member)
{
	struct member_records *mr = &l->mr;
	sqlite3_stmt *st;
	int c;

	if (mr->village && mr->member_id >= 0 && streq(mr->village, village) && streq(mr->member, member))
		return 0;
	member_records_forget(mr);
	mr->member_id = -1;
	if ((st = cached(l, ST_MEMBER_ID, "SELECT id FROM members WHERE village = ? AND member = ?")) == NULL)
		return -1;
	bind_text(st, 1, village);
	bind_text(st, 2, member);
	if ((c = sqlite3_step(st)) == SQLITE_ROW)
		mr->member_id = sqlite3_column_int64(st, 0);
	else if (c != SQLITE_DONE) {
		sql_fail(l, "member");
		return -1;
	}
	sqlite3_reset(st);
	if (mr->member_id >= 0) {
		if ((st = cached(l, ST_MEMBER_RECORDS, "SELECT rowid, identity FROM events WHERE member_id = ?")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, mr->member_id);
		while ((c = sqlite3_step(st)) == SQLITE_ROW) {
			unsigned char b[32] = {0};
			const void *p = sqlite3_column_blob(st, 1);
			int n = sqlite3_column_bytes(st, 1);

			/* Not 32 bytes: a damaged identity, which no new
			 * record's matches. */
			if (p && n == 32 && sqlite3_column_type(st, 1) == SQLITE_BLOB) {
				memcpy(b, p, 32);
				member_records_add(mr, b, sqlite3_column_int64(st, 0));
			}
		}
		if (c != SQLITE_DONE) {
			sql_fail(l, "record");
			member_records_forget(mr);
			return -1;
		}
		sqlite3_reset(st);
	}
	mr->village = xstrdup(village);
	mr->member = xstrdup(member);
	return 0;
}

static void
lesson_keys_forget(struct lesson_keys *lk)
{
	size_t i;

	for (i = 0; i < lk->size; i++)
		free(lk->lesson[i]);
	free(lk->lesson);
	free(lk->id);
	memset(lk, 0, sizeof *lk);
}

static size_t
lesson_hash(const char *s)
{
	size_t h = 14695981039346656037ULL & SIZE_MAX;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot of `lesson` in lk, or the empty slot where it goes. */
static size_t
lesson_slot(const struct lesson_keys *lk, const char *lesson)
{
	size_t h = lesson_hash(lesson) & (lk->size - 1);

	while (lk->lesson[h] && !streq(lk->lesson[h], lesson))
		h = (h + 1) & (lk->size - 1);
	return h;
}

static void
lesson_keys_put(struct lesson_keys *lk, const char *lesson, sqlite3_int64 id)
{
	size_t h;

	if (lk->size && lk->lesson[lesson_slot(lk, lesson)])
		return;		/* a damaged ledger's second row: the first stands */
	if (2 * (lk->n + 1) > lk->size) {
		struct lesson_keys old = *lk;
		size_t i;

		lk->size = old.size ? 2 * old.size : 64;
		lk->lesson = xcalloc(lk->size, sizeof *lk->lesson);
		lk->id = xcalloc(lk->size, sizeof *lk->id);
		for (i = 0; i < old.size; i++)
			if (old.lesson[i]) {
				h = lesson_slot(lk, old.lesson[i]);
				lk->lesson[h] = old.lesson[i];
				lk->id[h] = old.id[i];
			}
		free(old.lesson);
		free(old.id);
	}
	h = lesson_slot(lk, lesson);
	lk->lesson[h] = xstrdup(lesson);
	lk->id[h] = id;
	lk->n++;
}

/* The key of lesson in the lessons table, added when new; -1 after
 * diagnosing. */
static sqlite3_int64
lesson_key(struct ledger *l, const char *lesson)
{
	struct lesson_keys *lk = &l->lk;
	sqlite3_stmt *st;
	sqlite3_int64 id = -1;
	size_t h;
	int c;

	if (lk->size && lk->lesson[h = lesson_slot(lk, lesson)])
		return lk->id[h];
	if ((st = cached(l, ST_LESSON_FIND, "SELECT id FROM lessons WHERE lesson = ?")) == NULL)
		return -1;
	bind_text(st, 1, lesson);
	if ((c = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (c != SQLITE_DONE) {
		sql_fail(l, "lesson");
		return -1;
	}
	sqlite3_reset(st);
	if (id < 0) {
		if ((st = cached(l, ST_LESSON_ADD, "INSERT INTO lessons (lesson) VALUES (?)")) == NULL)
			return -1;
		bind_text(st, 1, lesson);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sql_fail(l, "lesson");
			return -1;
		}
		id = sqlite3_last_insert_rowid(l->db);
	}
	lesson_keys_put(lk, lesson, id);
	return id;
}

/* A date as stored: the number YYYYMMDD when it has the form YYYY-MM-DD
 * (printed back the same by DATE_TEXT), else the text given. */
static void
bind_date(sqlite3_stmt *st, int i, const char *s)
{
	static const char form[] = "dddd-dd-dd";
	int v = 0;
	size_t k;

	if (s == NULL || strlen(s) != sizeof form - 1) {
		bind_text(st, i, s);
		return;
	}
	for (k = 0; form[k]; k++) {
		if (form[k] == '-' ? s[k] != '-' : !(s[k] >= '0' && s[k] <= '9')) {
			bind_text(st, i, s);
			return;
		}
		if (form[k] == 'd')
			v = v * 10 + (s[k] - '0');
	}
	sqlite3_bind_int(st, i, v);
}

/* The canonical text of the stored record at rowid (new string), or NULL
 * after diagnosing. */
static char *
stored_canon(struct ledger *l, sqlite3_int64 rowid)
{
	sqlite3_stmt *st;
	char *canon = NULL;
	int c;

	if ((st = cached(l, ST_RECORD_TEXT, "SELECT " RECORD_TEXT " FROM " EVENTS_JOINED " WHERE e.rowid = ?")) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, rowid);
	if ((c = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_record old;

		record_of(st, 0, &old);
		canon = ledger_canon(&old);
	} else
		sql_fail(l, "record");
	sqlite3_reset(st);
	return canon;
}

enum ledger_added
ledger_add_record(struct ledger *l, long long import_id, int line, const struct ledger_record *r, char identity[65])
{
	char *canon = ledger_canon(r), *stored = NULL;
	unsigned char id[32];
	sqlite3_stmt *st;
	enum ledger_added res = LEDGER_FAILED;
	sqlite3_int64 lesson = -1;
	int c;

	sha256_hex(canon, strlen(canon), identity);
	identity_bytes(identity, 64, id);
	/* Found by what the identity hashes: its member and lesson, or the
	 * record a void reverses. */
	if (r->kind == RECORD_VOID) {
		if ((st = cached(l, ST_VOID_FIND, "SELECT " RECORD_TEXT " FROM " EVENTS_JOINED " WHERE e.reverses = ? AND "
		    "e.identity = ?")) == NULL)
			goto out;
		bind_identity(st, 1, r->reverses);
		sqlite3_bind_blob(st, 2, id, 32, SQLITE_TRANSIENT);
		if ((c = sqlite3_step(st)) == SQLITE_ROW) {
			struct ledger_record old;

			record_of(st, 0, &old);
			stored = ledger_canon(&old);
			res = streq(stored, canon) ? LEDGER_SAME : LEDGER_CONFLICT;
			goto out;
		}
		if (c != SQLITE_DONE) {
			sql_fail(l, "record");
			goto out;
		}
	} else {
		size_t i;

		if (member_records_load(l, r->village, r->member) == -1)
			goto out;
		for (i = 0; i < l->mr.n; i++)
			if (memcmp(l->mr.identity[i], id, 32) == 0) {
				if ((stored = stored_canon(l, l->mr.rowid[i])) != NULL)
					res = streq(stored, canon) ? LEDGER_SAME : LEDGER_CONFLICT;
				goto out;
			}
		if ((lesson = lesson_key(l, r->lesson)) == -1)
			goto out;
	}
	if ((st = cached(l, ST_RECORD_ADD, "INSERT INTO events (identity, kind, member_id, lesson_id, channel, date, "
	    "reverses, reason, import_id, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) == NULL)
		goto out;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, (int)r->kind);
	if (r->kind == RECORD_VOID) {
		bind_identity(st, 7, r->reverses);
		bind_text(st, 8, r->reason);
	} else {
		/* A member the ledger does not know: the foreign key says so,
		 * as it did when records named their member by text. */
		sqlite3_bind_int64(st, 3, l->mr.member_id);
		sqlite3_bind_int64(st, 4, lesson);
		sqlite3_bind_int(st, 5, (int)r->channel);
		bind_date(st, 6, r->date);
	}
	sqlite3_bind_int64(st, 9, import_id);
	sqlite3_bind_int(st, 10, line);
	if (sqlite3_step(st) != SQLITE_DONE)
		sql_fail(l, "record");
	else {
		res = LEDGER_ADDED;
		if (r->kind != RECORD_VOID)
			member_records_add(&l->mr, id, sqlite3_last_insert_rowid(l->db));
	}
	sqlite3_reset(st);
out:
	free(stored);
	free(canon);
	return res;
}

int
ledger_add_member(struct ledger *l, long long import_id, const char *village, const char *member, const char *name,
    const char *group, char **known)
{
	sqlite3_stmt *st;
	int rc = -1;

	*known = NULL;
	if ((st = cached(l, ST_MEMBER_FIND, "SELECT name FROM members WHERE village = ? AND member = ?")) == NULL)
		return -1;
	bind_text(st, 1, village);
	bind_text(st, 2, member);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (!streq(col(st, 0), name)) {
			*known = xstrdup(col(st, 0));
			rc = 1;
		} else
			rc = 0;
		return rc;
	}
	if ((st = cached(l, ST_MEMBER_ADD, "INSERT INTO members (village, member, name, grp, import_id) VALUES (?, ?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, village);
	bind_text(st, 2, member);
	bind_text(st, 3, name);
	bind_text(st, 4, group);
	sqlite3_bind_int64(st, 5, import_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		sql_fail(l, "member");
	else
		rc = 0;
	return rc;
}

int
ledger_roster_member(struct ledger *l, long long import_id, const char *village, const char *member,
    const char *name, const char *group, char **known)
{
	sqlite3_stmt *st;
	int rc = ledger_add_member(l, import_id, village, member, name, group, known);

	if (rc != 0)
		return rc;
	/* New or already known under this name: the roster has the last
	 * word on the group. */
	if ((st = cached(l, ST_MEMBER_ROSTER, "UPDATE members SET grp = ?, roster_import = ? WHERE village = ? AND "
	    "member = ?")) == NULL)
		return -1;
	bind_text(st, 1, group);
	sqlite3_bind_int64(st, 2, import_id);
	bind_text(st, 3, village);
	bind_text(st, 4, member);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sql_fail(l, "member");
		return -1;
	}
	return 0;
}

int
ledger_village_members(struct ledger *l, const char *village, struct ledger_member **out, size_t *n)
{
	sqlite3_stmt *st = prepare(l, "SELECT member, name, grp, roster_import IS NOT NULL FROM members WHERE village = ? "
	    "ORDER BY member");
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	bind_text(st, 1, village);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_member *m;
		const char *g = col(st, 2);

		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		m = &(*out)[(*n)++];
		m->member = xstrdup(col(st, 0));
		m->name = xstrdup(col(st, 1));
		m->group = g ? roster_group_parse(g) : -1;
		m->on_roster = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sql_fail(l, "member");
		ledger_members_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void
ledger_members_free(struct ledger_member *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].member);
		free(v[i].name);
	}
	free(v);
}

int
ledger_void(struct ledger *l, const char *prefix, const char *reason, char identity[65])
{
	struct loc loc = {l->path, 0, 0};
	struct ledger_record r = {.kind = RECORD_VOID, .reason = reason};
	sqlite3_stmt *st = NULL;
	char *target = NULL, *pattern = NULL, *already = NULL, *canon = NULL;
	char sha[65];
	long long id;
	size_t i, n = strlen(prefix);
	int rc = -1, found = 0;

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", prefix[i]))
			break;
	if (n < 8 || n > 64 || i < n) {
		diag(E_LEDGER_RECORD_ID, &loc, prefix);
		return -1;
	}
	pattern = xasprintf("%s*", prefix);
	if ((st = prepare(l, "SELECT lower(hex(identity)), kind FROM events WHERE lower(hex(identity)) GLOB ? "
	    "LIMIT 2")) == NULL)
		goto out;
	bind_text(st, 1, pattern);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (found++ == 0) {
			target = xstrdup(col(st, 0));
			if (sqlite3_column_int(st, 1) == RECORD_VOID) {
				diag(E_LEDGER_VOID_VOID, &loc, prefix);
				goto out;
			}
		}
	}
	if (found == 0) {
		diag(E_LEDGER_NO_RECORD, &loc, prefix);
		goto out;
	}
	if (found > 1) {
		diag(E_LEDGER_AMBIGUOUS, &loc, prefix);
		goto out;
	}
	sqlite3_finalize(st);
	/* One void per record: a second, for another reason, would make the
	 * history say two things. */
	if ((st = prepare(l, "SELECT reason, lower(hex(identity)) FROM events WHERE kind = 2 AND reverses = ?")) == NULL)
		goto out;
	bind_identity(st, 1, target);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (streq(col(st, 0), reason)) {
			snprintf(identity, 65, "%s", col(st, 1));
			rc = 1;
		} else
			diag(E_LEDGER_VOIDED, &loc, target, col(st, 0));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	r.reverses = target;
	canon = ledger_canon(&r);
	sha256_hex(canon, strlen(canon), sha);
	if (ledger_add_import(l, "-", sha, "void", &id, &already) == -1)
		goto out;
	if (already) {
		rc = 1;
		snprintf(identity, 65, "%s", sha);
		goto out;
	}
	switch (ledger_add_record(l, id, 0, &r, identity)) {
	case LEDGER_ADDED:
		rc = 0;
		break;
	case LEDGER_SAME:
		rc = 1;
		break;
	case LEDGER_CONFLICT:
		diag(E_LEDGER_CONFLICT, &loc, identity);
		break;
	case LEDGER_FAILED:
		break;
	}
out:
	sqlite3_finalize(st);
	free(target);
	free(pattern);
	free(already);
	free(canon);
	return rc;
}

int
ledger_log(struct ledger *l, FILE *fp)
{
	sqlite3_stmt *st;
	long long last = -1;

	st = prepare(l, "SELECT i.id, i.imported, i.kind, i.file, i.sha256, " HEX("e.identity") ", " RECORD_TEXT ", "
	    "e.line FROM imports i LEFT JOIN events e ON e.import_id = i.id LEFT JOIN members m ON m.id = e.member_id "
	    "LEFT JOIN lessons l ON l.id = e.lesson_id ORDER BY i.id, e.rowid");
	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);

		if (id != last) {
			if (streq(col(st, 2), "void"))
				fprintf(fp, _("import %lld  %s  void, from the command line\n"), id, col(st, 1));
			else
				fprintf(fp, _("import %lld  %s  %s '%s'  sha256 %.16s\n"), id, col(st, 1), _(col(st, 2)),
				    col(st, 3), col(st, 4));
			last = id;
		}
		if (sqlite3_column_type(st, 5) == SQLITE_NULL)
			continue;
		if (streq(col(st, 6), "void"))
			fprintf(fp, _("  %.12s  void of %.12s: %s\n"), col(st, 5), col(st, 12), col(st, 13));
		else
			fprintf(fp, _("  %.12s  line %d  %s %s/%s  %s  %s  %s\n"), col(st, 5), sqlite3_column_int(st, 14),
			    col(st, 6), col(st, 7), col(st, 8), col(st, 9), col(st, 10),
			    sqlite3_column_type(st, 11) == SQLITE_NULL ? "-" : col(st, 11));
	}
	if (sqlite3_errcode(l->db) != SQLITE_DONE && sqlite3_errcode(l->db) != SQLITE_OK) {
		sql_fail(l, "log");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
ledger_export(struct ledger *l, FILE *fp)
{
	/* The column headers, as the catalogue in use spells them. */
	static const char *const heads[] = {
		N_("record"), N_("kind"), N_("village"), N_("member"), N_("name"), N_("lesson"), N_("channel"),
		N_("date"), N_("reverses"), N_("reason"), N_("voided by"), N_("file"), N_("file sha256"),
		N_("line"), N_("imported"),
	};
	sqlite3_stmt *st;
	size_t i;
	int c, rc = 0;

	st = prepare(l, "SELECT " HEX("e.identity") ", " KIND_TEXT ", m.village, m.member, m.name, l.lesson, "
	    CHANNEL_TEXT ", " DATE_TEXT ", " HEX("e.reverses") ", e.reason, (SELECT " HEX("v.identity") " FROM events v "
	    "WHERE v.kind = 2 AND v.reverses = e.identity), i.file, i.sha256, e.line, i.imported FROM " EVENTS_JOINED
	    " JOIN imports i ON i.id = e.import_id ORDER BY i.id, e.rowid");
	if (st == NULL)
		return -1;
	fputs("\xef\xbb\xbf", fp);
	for (i = 0; i < NELEM(heads); i++)
		csv_put(fp, _(heads[i]), i + 1 == NELEM(heads));
	while ((c = sqlite3_step(st)) == SQLITE_ROW)
		for (i = 0; i < NELEM(heads); i++)
			csv_put(fp, col(st, (int)i), i + 1 == NELEM(heads));
	if (c != SQLITE_DONE) {
		sql_fail(l, "export");
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Runs a query whose rows are problems, one diagnostic each. */
static int
check_rule(struct ledger *l, const char *sql, enum diag_code code, int *problems)
{
	struct loc loc = {l->path, 0, 0};
	sqlite3_stmt *st = prepare(l, sql);
	int c;

	if (st == NULL)
		return -1;
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		(*problems)++;
		(diag)(code, &loc, col(st, 0), col(st, 1));
	}
	sqlite3_finalize(st);
	if (c != SQLITE_DONE) {
		sql_fail(l, "check");
		return -1;
	}
	return 0;
}

int
ledger_check(struct ledger *l)
{
	struct loc loc = {l->path, 0, 0};
	sqlite3_stmt *st;
	int problems = 0, c;

	if ((st = prepare(l, "PRAGMA integrity_check")) == NULL)
		return -1;
	while ((c = sqlite3_step(st)) == SQLITE_ROW)
		if (!streq(col(st, 0), "ok")) {
			problems++;
			diag(E_LEDGER_DAMAGED, &loc, col(st, 0));
		}
	sqlite3_finalize(st);
	if (c != SQLITE_DONE) {
		sql_fail(l, "integrity_check");
		return -1;
	}
	if (check_rule(l, "SELECT \"table\", rowid FROM pragma_foreign_key_check", E_LEDGER_RULE_FK, &problems) == -1)
		return -1;
	/* Identities are hashes of the content: recomputed in C below. */
	if ((st = prepare(l, "SELECT " HEX("e.identity") ", " RECORD_TEXT " FROM " EVENTS_JOINED)) == NULL)
		return -1;
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_record r;
		char sha[65], *canon;

		record_of(st, 1, &r);
		canon = ledger_canon(&r);
		sha256_hex(canon, strlen(canon), sha);
		free(canon);
		if (!streq(sha, col(st, 0))) {
			problems++;
			diag(E_LEDGER_RULE_HASH, &loc, col(st, 0));
		}
	}
	sqlite3_finalize(st);
	if (c != SQLITE_DONE) {
		sql_fail(l, "check");
		return -1;
	}
	if (check_rule(l, "SELECT " HEX("v.identity") ", " HEX("v.reverses") " FROM events v LEFT JOIN events r "
	    "ON r.identity = v.reverses WHERE v.kind = 2 AND (r.identity IS NULL OR r.kind = 2)", E_LEDGER_RULE_VOID,
	    &problems) == -1 ||
	    check_rule(l, "SELECT " HEX("reverses") ", COUNT(*) FROM events WHERE kind = 2 GROUP BY reverses "
	    "HAVING COUNT(*) > 1", E_LEDGER_RULE_TWICE, &problems) == -1 ||
	    check_rule(l, "SELECT " HEX("e.identity") ", " KIND_TEXT " FROM events e WHERE (e.kind = 2) <> "
	    "(e.reverses IS NOT NULL) OR (e.kind = 2 AND (e.reason IS NULL OR e.reason NOT IN ('tested-out', "
	    "'equivalent-course', 'administrative', 'mistake'))) OR (e.kind <> 2 AND (e.member_id IS NULL OR "
	    "e.lesson_id IS NULL OR e.channel IS NULL))", E_LEDGER_RULE_FIELDS, &problems) == -1)
		return -1;
	return problems;
}

static void
total_release(struct ledger_total *t)
{
	free(t->village);
	free(t->member);
	free(t->name);
	free(t->by_category);
	free(t->credited);
}

void
ledger_totals_release(struct ledger_totals *ts)
{
	size_t i, j;

	for (i = 0; i < ts->n; i++)
		total_release(&ts->v[i]);
	for (i = 0; i < ts->nvillages; i++) {
		struct ledger_village *lv = &ts->villages[i];

		for (j = 0; lv->plan && j < lv->plan->nlessons; j++)
			free(lv->ids[j]);
		free(lv->ids);
		free(lv->keys);
		free(lv->groups);
		plan_free(lv->plan);
	}
	free(ts->villages);
	free(ts->v);
	memset(ts, 0, sizeof *ts);
}

/* Each loaded village's plan, its lessons' ids, and which groups' views
 * hold each lesson. */
static void
totals_plans(struct ledger_totals *ts, const struct project *pr)
{
	size_t i, j;
	int g;

	ts->nvillages = pr->nvillages;
	ts->villages = xcalloc(pr->nvillages ? pr->nvillages : 1, sizeof *ts->villages);
	for (i = 0; i < pr->nvillages; i++) {
		struct ledger_village *lv = &ts->villages[i];
		struct plan *p;

		if (pr->villages[i] == NULL)
			continue;
		lv->village = pr->villages[i];
		lv->plan = p = plan_village(pr->library, pr->recipe, pr->villages[i]);
		lv->groups = xcalloc(p->nlessons ? p->nlessons : 1, sizeof *lv->groups);
		lv->ids = xcalloc(p->nlessons ? p->nlessons : 1, sizeof *lv->ids);
		lv->keys = xcalloc(p->nlessons ? p->nlessons : 1, sizeof *lv->keys);
		for (j = 0; j < p->nlessons; j++)
			lv->ids[j] = xasprintf("%s/%s", p->lessons[j]->course->id, p->lessons[j]->id);
		for (g = 0; g < GROUP__COUNT; g++) {
			struct plan view;
			size_t k = 0;

			plan_view(p, (enum group)g, &view);
			/* The view keeps the plan's order: one walk marks it. */
			for (j = 0; j < p->nlessons && k < view.nlessons; j++)
				if (p->lessons[j] == view.lessons[k]) {
					lv->groups[j] |= 1u << g;
					k++;
				}
			plan_view_release(&view);
		}
	}
}

/* The loaded village `id` of ts, or NULL. */
static struct ledger_village *
totals_village(struct ledger_totals *ts, const char *id)
{
	size_t i;

	for (i = 0; i < ts->nvillages; i++)
		if (ts->villages[i].village && streq(ts->villages[i].village->id, id))
			return &ts->villages[i];
	return NULL;
}

/* Counts member t's credited lessons (t->credited, filled by the scan):
 * each lesson once, under the first channel that credits it, when the
 * member's group's view holds it. */
static void
total_count(struct ledger_total *t, size_t ncat)
{
	const struct ledger_village *lv = t->lv;
	size_t j, cat;
	int ch;

	for (j = 0; j < lv->plan->nlessons; j++) {
		const struct lesson *ls = lv->plan->lessons[j];
		unsigned mask = t->credited[j];

		if (mask == 0)
			continue;
		t->channels |= mask;
		if (t->group >= 0 && !(lv->groups[j] & (1u << t->group))) {
			t->uncounted++;
			continue;
		}
		cat = plan_category_index(lv->plan, ls);
		for (ch = 0; !(mask & (1u << ch)); ch++)
			;
		if (cat < ncat)
			t->by_category[cat] += ls->hours;
		t->by_channel[ch] += ls->hours;
		t->total += ls->hours;
		t->lessons++;
	}
}

/* A new member row from the members query's current row (id, village,
 * member, name, group). */
static struct ledger_total *
total_add(struct ledger_totals *ts, size_t *cap, sqlite3_stmt *st, struct ledger_village *lv, size_t ncat)
{
	struct ledger_total *t;
	int g;

	if (ts->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		ts->v = xreallocarray(ts->v, *cap, sizeof *ts->v);
	}
	t = &ts->v[ts->n++];
	memset(t, 0, sizeof *t);
	t->village = xstrdup(col(st, 1));
	t->member = xstrdup(col(st, 2));
	t->name = xstrdup(col(st, 3));
	t->group = -1;
	for (g = 0; g < GROUP__COUNT; g++)
		if (streq(col(st, 4), group_name((enum group)g)))
			t->group = g;
	t->lv = lv;
	t->by_category = xcalloc(ncat ? ncat : 1, sizeof *t->by_category);
	t->credited = xcalloc(lv->plan->nlessons ? lv->plan->nlessons : 1, 1);
	return t;
}

/* Members by their key in the ledger: (key, index into ts->v) sorted by
 * key, so that the scan of the records finds each record's member by a
 * binary search (once per run of a member's records). */
struct member_key {
	sqlite3_int64 key;
	size_t i;
};

static int
member_key_cmp(const void *a, const void *b)
{
	const struct member_key *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static struct ledger_total *
member_find(const struct member_key *keys, size_t n, struct ledger_totals *ts, sqlite3_int64 key)
{
	struct member_key k = {key, 0};
	const struct member_key *f = bsearch(&k, keys, n, sizeof *keys, member_key_cmp);

	return f ? &ts->v[f->i] : NULL;
}

/* The members of loaded villages, in (village, member) order, each
 * village's run recorded in it, and their keys (*keys, sorted; caller
 * frees). */
static int
totals_members(struct ledger *l, struct ledger_totals *ts, struct member_key **keys)
{
	size_t cap = 0, ncat = ts->recipe->ncategories;
	struct ledger_village *lv = NULL;
	char *lv_id = NULL;
	sqlite3_stmt *st = prepare(l, "SELECT id, village, member, name, grp FROM members ORDER BY village, member");
	int c;

	*keys = NULL;
	if (st == NULL)
		return -1;
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		if (lv_id == NULL || !streq(lv_id, col(st, 1))) {
			free(lv_id);
			lv_id = xstrdup(col(st, 1));
			if ((lv = totals_village(ts, lv_id)) != NULL)
				lv->first = ts->n;
		}
		if (lv) {
			size_t n = ts->n;

			total_add(ts, &cap, st, lv, ncat);
			lv->count++;
			if (n == 0 || (n & (n - 1)) == 0)
				*keys = xreallocarray(*keys, n ? 2 * n : 1, sizeof **keys);
			(*keys)[n].key = sqlite3_column_int64(st, 0);
			(*keys)[n].i = n;
		}
	}
	free(lv_id);
	sqlite3_finalize(st);
	if (c != SQLITE_DONE) {
		sql_fail(l, "totals");
		return -1;
	}
	if (ts->n)
		qsort(*keys, ts->n, sizeof **keys, member_key_cmp);
	return 0;
}

/* Each loaded village's plan lessons' keys in the lessons table (-1: no
 * record names that lesson): the table read once into a hash table. */
static int
totals_lessons(struct ledger *l, struct ledger_totals *ts)
{
	struct lesson_keys lk = {NULL, NULL, 0, 0};
	sqlite3_stmt *st = prepare(l, "SELECT id, lesson FROM lessons");
	size_t i, j, h;
	int c, rc = -1;

	if (st == NULL)
		return -1;
	while ((c = sqlite3_step(st)) == SQLITE_ROW)
		lesson_keys_put(&lk, col(st, 1), sqlite3_column_int64(st, 0));
	if (c != SQLITE_DONE) {
		sql_fail(l, "totals");
		goto out;
	}
	for (i = 0; i < ts->nvillages; i++) {
		struct ledger_village *lv = &ts->villages[i];

		for (j = 0; lv->plan && j < lv->plan->nlessons; j++)
			lv->keys[j] = lk.size && lk.lesson[h = lesson_slot(&lk, lv->ids[j])] ? lk.id[h] : -1;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	lesson_keys_forget(&lk);
	return rc;
}

static int
identity_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* The identities of the records voids reverse, sorted (caller frees). */
static int
totals_voided(struct ledger *l, unsigned char (**v)[32], size_t *n)
{
	sqlite3_stmt *st = prepare(l, "SELECT reverses FROM events WHERE kind = 2 AND reverses IS NOT NULL");
	size_t cap = 0;
	int c;

	*v = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_BLOB || sqlite3_column_bytes(st, 0) != 32)
			continue;	/* reverses no record: ledger check says so */
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*v = xreallocarray(*v, cap, sizeof **v);
		}
		memcpy((*v)[(*n)++], sqlite3_column_blob(st, 0), 32);
	}
	sqlite3_finalize(st);
	if (c != SQLITE_DONE) {
		sql_fail(l, "totals");
		return -1;
	}
	if (*n)
		qsort(*v, *n, sizeof **v, identity_cmp);
	return 0;
}

/* One scan of the records in rowid order (the table's own order: no
 * sort, no index lookups), skipping those a void reverses: the live
 * records, as the `live` view gives them.  Each credit marks its channel
 * on its member's lesson. */
static int
totals_scan(struct ledger *l, struct ledger_totals *ts, const struct member_key *keys)
{
	sqlite3_stmt *st = NULL;
	unsigned char (*voided)[32] = NULL;
	size_t nvoided = 0, j;
	struct ledger_total *t = NULL;
	sqlite3_int64 last = -1;
	int c, rc = -1;

	/* The identities are read only when some record is voided. */
	if (totals_voided(l, &voided, &nvoided) == -1 || (st = prepare(l, nvoided ? "SELECT member_id, lesson_id, "
	    "channel, identity FROM events WHERE kind <> 2" : "SELECT member_id, lesson_id, channel FROM events "
	    "WHERE kind <> 2")) == NULL)
		goto out;
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 member = sqlite3_column_int64(st, 0), lesson = sqlite3_column_int64(st, 1);
		int ch = sqlite3_column_int(st, 2);

		if (ch < 0 || ch >= CHANNEL__COUNT || sqlite3_column_type(st, 2) != SQLITE_INTEGER)
			continue;
		if (nvoided && sqlite3_column_bytes(st, 3) == 32 &&
		    bsearch(sqlite3_column_blob(st, 3), voided, nvoided, sizeof *voided, identity_cmp))
			continue;
		/* A sheet's records come member by member: keep the last. */
		if (t == NULL || member != last) {
			t = member_find(keys, ts->n, ts, member);
			last = member;
		}
		if (t == NULL)
			continue;
		for (j = 0; j < t->lv->plan->nlessons && t->lv->keys[j] != lesson; j++)
			;
		if (j < t->lv->plan->nlessons)
			t->credited[j] |= (unsigned char)(1u << ch);
	}
	if (c != SQLITE_DONE) {
		sql_fail(l, "totals");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(voided);
	return rc;
}

int
ledger_totals(struct ledger *l, const struct project *pr, struct ledger_totals *ts)
{
	struct member_key *keys = NULL;
	size_t i;
	int rc = -1;

	memset(ts, 0, sizeof *ts);
	ts->project = pr;
	ts->recipe = pr->recipe;
	totals_plans(ts, pr);
	/* One pass reads each page once: a large page cache (an import's)
	 * would only cost memory. */
	if (exec(l, "PRAGMA cache_size = -4096") == -1 || totals_lessons(l, ts) == -1 ||
	    totals_members(l, ts, &keys) == -1 || totals_scan(l, ts, keys) == -1)
		goto out;
	for (i = 0; i < ts->n; i++)
		total_count(&ts->v[i], ts->recipe->ncategories);
	rc = 0;
out:
	free(keys);
	return rc;
}
