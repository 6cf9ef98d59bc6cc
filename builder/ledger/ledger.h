/* The ledger: a township's class-hour records in one SQLite file, kept
 * beside township.xml (ledger.sqlite unless --ledger names another).
 *
 * Records are events, never rows edited in place: attendance (class), a
 * claim (home record sheet, phone receipt), a void that reverses an older
 * record with a reason.  A record's identity is the SHA-256 of its
 * canonical content (ledger_canon); the same record again changes
 * nothing, and a stored record whose content differs from a new one with
 * the same identity is a conflict, reported, never overwritten.  Every
 * record keeps where it came from: its import (file, SHA-256 of the
 * file, kind, time) and line.  Totals are computed from the live records
 * (those no void reverses), never stored.
 *
 * Only this stage includes sqlite3.h: callers see struct ledger. */
#ifndef COURSEPACK_LEDGER_H
#define COURSEPACK_LEDGER_H

#include <stdio.h>

#include "plan.h"
#include "project.h"
#include "table.h"

/* The schema version this coursepack writes (PRAGMA user_version).
 * Version 1 is the first schema; ledger_open upgrades older ledgers step
 * by step inside one transaction, and refuses newer ones. */
#define LEDGER_VERSION 4

/* The first schema, kept verbatim: the upgrade test makes a version-1
 * ledger from it. */
extern const char ledger_schema_v1[];

enum ledger_mode {
	LEDGER_READ,		/* log, export, check, report: must exist */
	LEDGER_WRITE,		/* void: must exist, must be writable */
	LEDGER_CREATE,		/* import: made when missing */
};

struct ledger;

/* The default ledger of a township: ledger.sqlite in its folder (new
 * string). */
char *ledger_default_path(const struct township *);
/* Removes a ledger file with its write-ahead log and shared memory. */
void ledger_remove(const char *path);

/* The file system type name for statfs' f_type when SQLite must not keep
 * a ledger there (network file systems, FUSE mounts such as removable
 * drives on a desktop), else NULL. */
const char *ledger_fs_refused(long f_type);

/* Opens (or, LEDGER_CREATE, makes) the ledger at path: refuses a file on
 * a network or FUSE file system unless force, a file without write
 * permission for LEDGER_WRITE/CREATE, a file that is not SQLite, and a
 * ledger of a newer version; upgrades an older one.  Diagnoses and
 * returns NULL on failure, leaving the file as it was.  Free with
 * ledger_close. */
struct ledger *ledger_open(const char *path, enum ledger_mode, int force);
void ledger_close(struct ledger *);

/* One transaction around an import or a void: begin takes the write lock
 * at once (BEGIN IMMEDIATE).  commit returns -1 after diagnosing (a full
 * disk), having rolled back.  Each returns 0 or -1. */
int ledger_begin(struct ledger *);
int ledger_commit(struct ledger *);
void ledger_rollback(struct ledger *);

/* The time an import is stamped with: SOURCE_DATE_EPOCH when set (tests,
 * reproducible demos), else now; ISO 8601 UTC. */
void ledger_now(char out[32]);

/* Registers an import of `file` whose content hashes to sha256.  When a
 * file with that content was imported before, sets *already to that
 * import's time (caller frees) and returns 0 without adding anything. */
int ledger_add_import(struct ledger *, const char *file, const char *sha256, const char *kind,
    long long *id, char **already);

enum record_kind { RECORD_ATTENDANCE, RECORD_CLAIM, RECORD_VOID };
enum channel { CHANNEL_CLASS, CHANNEL_HOME, CHANNEL_ONLINE, CHANNEL__COUNT };

/* The reasons a void gives (cmi5's waiver reasons, and a plain mistake). */
extern const char *const ledger_reasons[];	/* NULL-terminated */
int ledger_reason_valid(const char *);

/* class/home/online, or 课堂/居家/线上; -1 when neither. */
int channel_parse(const char *);

struct ledger_record {
	enum record_kind kind;
	const char *village, *member, *lesson;	/* attendance, claim */
	enum channel channel;
	const char *date;			/* YYYY-MM-DD, or NULL: ticked */
	const char *reverses, *reason;		/* void */
};

/* The canonical content a record's identity hashes (new string). */
char *ledger_canon(const struct ledger_record *);

enum ledger_added { LEDGER_ADDED, LEDGER_SAME, LEDGER_CONFLICT, LEDGER_FAILED };

/* Adds record r, read at `line` of import `import_id`; its identity goes
 * to identity.  LEDGER_SAME: already there, nothing changed;
 * LEDGER_CONFLICT: another record holds that identity, nothing changed;
 * LEDGER_FAILED: diagnosed (a system error). */
enum ledger_added ledger_add_record(struct ledger *, long long import_id, int line,
    const struct ledger_record *r, char identity[65]);

/* A member as a sheet or roster names them: added when new.  When the
 * ledger knows the member under another name, returns 1 and sets
 * *known to it (caller frees); group may be NULL (unknown).  -1 on a
 * system error, diagnosed. */
int ledger_add_member(struct ledger *, long long import_id, const char *village, const char *member,
    const char *name, const char *group, char **known);

/* A member as a roster lists them: as ledger_add_member, and the roster
 * import and group recorded (the roster has the last word on the group). */
int ledger_roster_member(struct ledger *, long long import_id, const char *village, const char *member,
    const char *name, const char *group, char **known);

/* The members the ledger knows in a village, by member key. */
struct ledger_member {
	char *member, *name;
	int group;		/* enum group, or -1: unknown */
	int on_roster;		/* listed by an imported roster */
};
int ledger_village_members(struct ledger *, const char *village, struct ledger_member **, size_t *n);
void ledger_members_free(struct ledger_member *, size_t n);

/* Voids the record whose identity starts with `prefix` (at least 8 hex
 * digits) with `reason`, as an import of its own.  Returns 0, 1 when
 * nothing changed (already voided for that reason), -1 after diagnosing. */
int ledger_void(struct ledger *, const char *prefix, const char *reason, char identity[65]);

/* The history, oldest first: each import, then its records. */
int ledger_log(struct ledger *, FILE *);
/* Every record with its provenance and member, as CSV with a BOM; the
 * headers follow the message catalogue. */
int ledger_export(struct ledger *, FILE *);
/* PRAGMA integrity_check, foreign keys, and the ledger's own rules; each
 * problem diagnosed.  Returns the number of problems, -1 if it could not
 * run. */
int ledger_check(struct ledger *);

/* Per-member totals, computed from the live records: a lesson counts once
 * per member whatever the channels that credit it (under the first of
 * class, home, online that does), with the hours and category the
 * member's village plan gives it.  What counts is the member's group's
 * view of the plan (plan_view): what each member receives must match
 * what counts for their group, so a lesson outside it (a homebound
 * member signed in at a classroom lesson) is credited but not counted.
 * A member of unknown group is counted against the whole plan.  Lessons
 * no longer in the plan count nothing.  The sheet never sets hours. */
struct ledger_village {
	const struct village *village;	/* NULL when not loaded (a one-village report) */
	struct plan *plan;
	unsigned *groups;		/* per plan lesson: bit g when group g's view holds it */
	char **ids;			/* per plan lesson: "course/lesson" */
	long long *keys;		/* per plan lesson: its key in the ledger's lessons, -1: none */
	size_t first, count;		/* its members: v[first .. first + count) */
	int roster;			/* members in its roster, -1: none read */
};

struct ledger_total {
	char *village, *member, *name;
	int group;			/* enum group, or -1: unknown */
	const struct ledger_village *lv;
	unsigned char *credited;	/* per plan lesson: bits 1 << enum channel */
	int *by_category;		/* tenths, per recipe category */
	int by_channel[CHANNEL__COUNT];	/* tenths */
	int total;			/* tenths */
	int lessons;			/* credited lessons that count */
	int uncounted;			/* credited lessons of the plan outside the group's view */
	unsigned channels;		/* bits 1 << enum channel of every credit in the plan */
};

struct ledger_totals {
	const struct project *project;
	const struct recipe *recipe;
	struct ledger_village *villages;	/* per project village, in its order */
	size_t nvillages;
	struct ledger_total *v;		/* by village id, then member key */
	size_t n;
};

/* Totals of every member of a loaded village of pr (members of villages
 * not loaded, or no longer in the township, are left out).  One pass
 * over the members and one over the live credits, both sorted, merged:
 * linear in the ledger.  0, or -1 after diagnosing; release with
 * ledger_totals_release either way. */
int ledger_totals(struct ledger *, const struct project *, struct ledger_totals *);
void ledger_totals_release(struct ledger_totals *);

/* The reports (report.c).  A member's standing: reached the goal (the
 * recipe's total and every category's minimum), or short, with the
 * lessons of their group's view not yet credited that would close the
 * gap, short categories first, then the total. */
/* Counts each village's roster (rosters/ID.csv or the one its profile
 * names) into ts; a roster that cannot be read is diagnosed and counts
 * as none (-1). */
void ledger_report_rosters(struct ledger_totals *, const char *township_dir);
/* A member's standing (as the reports compute it): 1 when they reached
 * the goal, else 0; *picks gets the plan lesson indexes that would close
 * the gap, in the order offered (*npicks of them; caller frees). */
int ledger_member_standing(const struct ledger_totals *, const struct ledger_total *, size_t **picks,
    size_t *npicks);
/* Text: the township's and each village's summary, then the members who
 * are short with their missing lessons (every member when `all` is 1,
 * none when it is -1). */
void ledger_report_text(const struct ledger_totals *, int all, FILE *);
/* CSV with a BOM and CRLF: one row per member, summable columns. */
void ledger_report_csv(const struct ledger_totals *, FILE *);
/* The HTML report (self-contained, for print), as a new string. */
char *ledger_report_html(const struct ledger_totals *);

/* Imports files into the ledger in one transaction (import.c): each
 * file's kind is recognised from its content and said; a file imported
 * before changes nothing.  Returns 0; 1 when some file had bad rows
 * (every one named; nothing imported); -1 on a system error (diagnosed;
 * nothing imported).  strict: receipts left out of a chat export (bad
 * code, unknown name) are errors, not warnings. */
int ledger_import(struct ledger *, const struct project *, char **files, size_t nfiles, int strict);
/* The same import, said as ledger_import says it, then rolled back: what
 * it would do, the ledger left as it was (the workspace's preview of
 * pasted chat text).  Returns as ledger_import does. */
int ledger_import_dry_run(struct ledger *, const struct project *, char **files, size_t nfiles, int strict);

/* What an importer is given: the file, and the file read as a table (a
 * roster, a sheet), or NULL (chat text). */
struct import_input {
	const char *path;
	const char *data;
	size_t len;
	struct table *table;		/* importers may trim its cells in place */
};

/* The members of each village met, as the ledger knows them
 * (import_members.c). */
struct village_members;
struct import_cache {
	struct village_members *v;
	size_t n;
};

/* An import under way: the file's import id and what it counted. */
struct import {
	struct ledger *l;
	const struct project *pr;
	long long id;
	int strict;
	size_t added, same;		/* records */
	size_t left_out;		/* receipts warned about and not imported */
	size_t members;			/* members a roster listed */
	struct import_cache *cache;
};

/* The members of a village as the ledger knows them (with this import's
 * so far), *roster set when any is on an imported roster; NULL on a system
 * error (diagnosed).  Valid until import_forget of the village, which an
 * importer calls after adding members there. */
const struct ledger_member *import_members(struct import *, const char *village, size_t *n, int *roster);
void import_forget(struct import *, const char *village);
void import_cache_release(struct import_cache *);

/* Importers: each recognises its kind of file and imports it into the
 * open transaction.  import returns 0, or -1 after naming every bad row
 * (nothing will then be committed). */
struct ledger_importer {
	const char *kind;		/* as the import says it: "attendance sheet" */
	int (*recognise)(const struct import_input *);
	int (*import)(struct import *, const struct import_input *);
};

extern const struct ledger_importer ledger_importers[];	/* ends with kind NULL */

/* import_sheet.c, import_chat.c */
int sheet_import(struct import *, const struct import_input *);
int chat_recognise(const struct import_input *);
int chat_import(struct import *, const struct import_input *);

#endif
