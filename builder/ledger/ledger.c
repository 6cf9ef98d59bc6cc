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
enum cached { ST_MEMBER_RECORDS, ST_VOID_FIND, ST_RECORD_ADD, ST_MEMBER_FIND, ST_MEMBER_ADD, ST_MEMBER_ROSTER, ST__COUNT };

/* The records of the member an import last added to, by identity and
 * canonical text: a sheet adds a member's lessons one after another, and
 * one query per member rather than per lesson halves a county's import.
 * Forgotten at every transaction's start and end. */
struct member_records {
	char *village, *member;
	char **identity, **canon;
	size_t n;
};

struct ledger {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST__COUNT];
	struct member_records mr;
};

static void member_records_forget(struct member_records *);

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

/* Each step takes a ledger of version i+1 to i+2. */
static const char *const upgrades[LEDGER_VERSION] = {ledger_schema_v1, schema_v2, schema_v3};

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
	/* 40 MiB of cache: a county's import (750,000 records, 130 MB) spills
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
	sqlite3_close(l->db);
	free(l->path);
	free(l);
}

int
ledger_begin(struct ledger *l)
{
	member_records_forget(&l->mr);
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

#define RECORD_COLUMNS "kind, village, member, lesson, channel, date, reverses, reason"

static void
member_records_forget(struct member_records *mr)
{
	size_t i;

	for (i = 0; i < mr->n; i++) {
		free(mr->identity[i]);
		free(mr->canon[i]);
	}
	free(mr->identity);
	free(mr->canon);
	free(mr->village);
	free(mr->member);
	memset(mr, 0, sizeof *mr);
}

static void
member_records_add(struct member_records *mr, const char *identity, char *canon)
{
	mr->identity = xreallocarray(mr->identity, mr->n + 1, sizeof *mr->identity);
	mr->canon = xreallocarray(mr->canon, mr->n + 1, sizeof *mr->canon);
	mr->identity[mr->n] = xstrdup(identity);
	mr->canon[mr->n++] = canon;
}

/* The records of (village, member), loaded unless they are the ones
 * loaded last; -1 after diagnosing. */
static int
member_records_load(struct ledger *l, const char *village, const char *member)
{
	struct member_records *mr = &l->mr;
	sqlite3_stmt *st;
	int c;

	if (mr->village && streq(mr->village, village) && streq(mr->member, member))
		return 0;
	member_records_forget(mr);
	if ((st = cached(l, ST_MEMBER_RECORDS, "SELECT identity, " RECORD_COLUMNS " FROM records WHERE village = ? AND "
	    "member = ?")) == NULL)
		return -1;
	bind_text(st, 1, village);
	bind_text(st, 2, member);
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_record old;

		record_of(st, 1, &old);
		member_records_add(mr, col(st, 0), ledger_canon(&old));
	}
	if (c != SQLITE_DONE) {
		sql_fail(l, "record");
		member_records_forget(mr);
		return -1;
	}
	mr->village = xstrdup(village);
	mr->member = xstrdup(member);
	return 0;
}

enum ledger_added
ledger_add_record(struct ledger *l, long long import_id, int line, const struct ledger_record *r, char identity[65])
{
	char *canon = ledger_canon(r);
	sqlite3_stmt *st;
	enum ledger_added res = LEDGER_FAILED;
	int c;

	sha256_hex(canon, strlen(canon), identity);
	/* Found by what the identity hashes: its member and lesson, or the
	 * record a void reverses. */
	if (r->kind == RECORD_VOID) {
		if ((st = cached(l, ST_VOID_FIND, "SELECT " RECORD_COLUMNS " FROM records WHERE reverses = ? AND "
		    "identity = ?")) == NULL)
			goto out;
		bind_text(st, 1, r->reverses);
		bind_text(st, 2, identity);
		if ((c = sqlite3_step(st)) == SQLITE_ROW) {
			struct ledger_record old;
			char *stored;

			record_of(st, 0, &old);
			stored = ledger_canon(&old);
			res = streq(stored, canon) ? LEDGER_SAME : LEDGER_CONFLICT;
			free(stored);
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
			if (streq(l->mr.identity[i], identity)) {
				res = streq(l->mr.canon[i], canon) ? LEDGER_SAME : LEDGER_CONFLICT;
				goto out;
			}
	}
	if ((st = cached(l, ST_RECORD_ADD, "INSERT INTO records (identity, kind, village, member, lesson, channel, date, "
	    "reverses, reason, import_id, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) == NULL)
		goto out;
	bind_text(st, 1, identity);
	bind_text(st, 2, kind_names[r->kind]);
	if (r->kind == RECORD_VOID) {
		bind_text(st, 3, NULL);
		bind_text(st, 4, NULL);
		bind_text(st, 5, NULL);
		bind_text(st, 6, NULL);
		bind_text(st, 7, NULL);
	} else {
		bind_text(st, 3, r->village);
		bind_text(st, 4, r->member);
		bind_text(st, 5, r->lesson);
		bind_text(st, 6, channel_names[r->channel]);
		bind_text(st, 7, r->date);
	}
	bind_text(st, 8, r->kind == RECORD_VOID ? r->reverses : NULL);
	bind_text(st, 9, r->kind == RECORD_VOID ? r->reason : NULL);
	sqlite3_bind_int64(st, 10, import_id);
	sqlite3_bind_int(st, 11, line);
	if (sqlite3_step(st) != SQLITE_DONE)
		sql_fail(l, "record");
	else {
		res = LEDGER_ADDED;
		if (r->kind != RECORD_VOID) {
			member_records_add(&l->mr, identity, canon);
			canon = NULL;
		}
	}
out:
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
	if ((st = prepare(l, "SELECT identity, kind FROM records WHERE identity GLOB ? LIMIT 2")) == NULL)
		goto out;
	bind_text(st, 1, pattern);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (found++ == 0) {
			target = xstrdup(col(st, 0));
			if (streq(col(st, 1), "void")) {
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
	if ((st = prepare(l, "SELECT reason, identity FROM records WHERE kind = 'void' AND reverses = ?")) == NULL)
		goto out;
	bind_text(st, 1, target);
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

	st = prepare(l, "SELECT i.id, i.imported, i.kind, i.file, i.sha256, r.identity, r.kind, r.village, r.member, "
	    "r.lesson, r.channel, r.date, r.reverses, r.reason, r.line FROM imports i LEFT JOIN records r "
	    "ON r.import_id = i.id ORDER BY i.id, r.rowid");
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

	st = prepare(l, "SELECT r.identity, r.kind, r.village, r.member, m.name, r.lesson, r.channel, r.date, "
	    "r.reverses, r.reason, (SELECT v.identity FROM records v WHERE v.kind = 'void' AND v.reverses = r.identity), "
	    "i.file, i.sha256, r.line, i.imported FROM records r JOIN imports i ON i.id = r.import_id "
	    "LEFT JOIN members m ON m.village = r.village AND m.member = r.member ORDER BY i.id, r.rowid");
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
	if ((st = prepare(l, "SELECT identity, " RECORD_COLUMNS " FROM records")) == NULL)
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
	if (check_rule(l, "SELECT v.identity, v.reverses FROM records v LEFT JOIN records r ON r.identity = v.reverses "
	    "WHERE v.kind = 'void' AND (r.identity IS NULL OR r.kind = 'void')", E_LEDGER_RULE_VOID, &problems) == -1 ||
	    check_rule(l, "SELECT reverses, COUNT(*) FROM records WHERE kind = 'void' GROUP BY reverses HAVING COUNT(*) > 1",
	    E_LEDGER_RULE_TWICE, &problems) == -1 ||
	    check_rule(l, "SELECT identity, kind FROM records WHERE (kind = 'void') <> (reverses IS NOT NULL) OR "
	    "(kind = 'void' AND (reason IS NULL OR reason NOT IN ('tested-out', 'equivalent-course', 'administrative', "
	    "'mistake'))) OR (kind <> 'void' AND (village IS NULL OR member IS NULL OR lesson IS NULL OR channel IS NULL))",
	    E_LEDGER_RULE_FIELDS, &problems) == -1)
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

/* A new member row from the members query's current row. */
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
	t->village = xstrdup(col(st, 0));
	t->member = xstrdup(col(st, 1));
	t->name = xstrdup(col(st, 2));
	t->group = -1;
	for (g = 0; g < GROUP__COUNT; g++)
		if (streq(col(st, 3), group_name((enum group)g)))
			t->group = g;
	t->lv = lv;
	t->by_category = xcalloc(ncat ? ncat : 1, sizeof *t->by_category);
	t->credited = xcalloc(lv->plan->nlessons ? lv->plan->nlessons : 1, 1);
	return t;
}

/* Members by (village, member): an open-addressing hash table of indexes
 * into ts->v, so that the scan of the records finds each record's member
 * in constant time. */
struct member_index {
	size_t *slot;		/* index + 1; 0: empty */
	size_t mask;
};

static size_t
key_hash(const char *village, const char *member)
{
	size_t h = 14695981039346656037ULL & SIZE_MAX;

	for (; *village; village++)
		h = (h ^ (unsigned char)*village) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;	/* no UTF-8 byte: a separator */
	for (; *member; member++)
		h = (h ^ (unsigned char)*member) * 1099511628211ULL;
	return h;
}

static void
index_build(struct member_index *ix, const struct ledger_totals *ts)
{
	size_t i, size = 16;

	while (size < 2 * ts->n)
		size *= 2;
	ix->slot = xcalloc(size, sizeof *ix->slot);
	ix->mask = size - 1;
	for (i = 0; i < ts->n; i++) {
		size_t h = key_hash(ts->v[i].village, ts->v[i].member) & ix->mask;

		while (ix->slot[h])
			h = (h + 1) & ix->mask;
		ix->slot[h] = i + 1;
	}
}

static struct ledger_total *
index_find(const struct member_index *ix, struct ledger_totals *ts, const char *village, const char *member)
{
	size_t h = key_hash(village, member) & ix->mask;

	for (; ix->slot[h]; h = (h + 1) & ix->mask) {
		struct ledger_total *t = &ts->v[ix->slot[h] - 1];

		if (streq(t->member, member) && streq(t->village, village))
			return t;
	}
	return NULL;
}

/* The members of loaded villages, in (village, member) order, each
 * village's run recorded in it. */
static int
totals_members(struct ledger *l, struct ledger_totals *ts)
{
	size_t cap = 0, ncat = ts->recipe->ncategories;
	struct ledger_village *lv = NULL;
	char *lv_id = NULL;
	sqlite3_stmt *st = prepare(l, "SELECT village, member, name, grp FROM members ORDER BY village, member");
	int c;

	if (st == NULL)
		return -1;
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		if (lv_id == NULL || !streq(lv_id, col(st, 0))) {
			free(lv_id);
			lv_id = xstrdup(col(st, 0));
			if ((lv = totals_village(ts, lv_id)) != NULL)
				lv->first = ts->n;
		}
		if (lv) {
			total_add(ts, &cap, st, lv, ncat);
			lv->count++;
		}
	}
	free(lv_id);
	sqlite3_finalize(st);
	if (c != SQLITE_DONE) {
		sql_fail(l, "totals");
		return -1;
	}
	return 0;
}

/* The rowids of the records a void reverses, ascending (caller frees). */
static int
totals_voided(struct ledger *l, sqlite3_int64 **v, size_t *n)
{
	sqlite3_stmt *st = prepare(l, "SELECT r.rowid FROM records v JOIN records r ON r.identity = v.reverses "
	    "WHERE v.kind = 'void' ORDER BY r.rowid");
	size_t cap = 0;
	int c;

	*v = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*v = xreallocarray(*v, cap, sizeof **v);
		}
		(*v)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (c != SQLITE_DONE) {
		sql_fail(l, "totals");
		return -1;
	}
	return 0;
}

/* One scan of the records in rowid order (the table's own order: no
 * sort, no index lookups), skipping those voided: the live records, as
 * the `live` view gives them, merged against the sorted voided rowids.
 * Each credit marks its channel on its member's lesson. */
static int
totals_scan(struct ledger *l, struct ledger_totals *ts, const struct member_index *ix)
{
	sqlite3_stmt *st = prepare(l, "SELECT rowid, village, member, lesson, channel FROM records "
	    "WHERE kind <> 'void' ORDER BY rowid");
	sqlite3_int64 *voided = NULL;
	size_t nvoided = 0, k = 0, j;
	struct ledger_total *t = NULL;
	int c, rc = -1;

	if (st == NULL || totals_voided(l, &voided, &nvoided) == -1)
		goto out;
	while ((c = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
		const char *village = col(st, 1), *member = col(st, 2), *lesson = col(st, 3);
		int ch = channel_parse(col(st, 4));

		while (k < nvoided && voided[k] < rowid)
			k++;
		if ((k < nvoided && voided[k] == rowid) || ch < 0)
			continue;
		/* A sheet's records come member by member: keep the last. */
		if (t == NULL || !streq(t->member, member) || !streq(t->village, village))
			t = index_find(ix, ts, village, member);
		if (t == NULL)
			continue;
		for (j = 0; j < t->lv->plan->nlessons && !streq(t->lv->ids[j], lesson); j++)
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
	struct member_index ix = {NULL, 0};
	size_t i;
	int rc = -1;

	memset(ts, 0, sizeof *ts);
	ts->project = pr;
	ts->recipe = pr->recipe;
	totals_plans(ts, pr);
	/* One pass reads each page once: a large page cache (an import's)
	 * would only cost memory, some 70 MiB on a county's ledger. */
	if (exec(l, "PRAGMA cache_size = -4096") == -1 || totals_members(l, ts) == -1)
		return -1;
	index_build(&ix, ts);
	if (totals_scan(l, ts, &ix) == -1)
		goto out;
	for (i = 0; i < ts->n; i++)
		total_count(&ts->v[i], ts->recipe->ncategories);
	rc = 0;
out:
	free(ix.slot);
	return rc;
}
