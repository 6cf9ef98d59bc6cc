/* Rosters (花名册): who a village's party members are, read from the file
 * the staff already keep, a CSV export or an .xlsx workbook.
 *
 * Member data is personal: it is read to be checked (and, later, counted
 * in the ledger) and never goes into any build output.  Rosters are
 * untrusted input: size, rows, columns and cell length are bounded, and
 * an .xlsx is read through the zip wrapper's hostile-input limits and the
 * XML wrapper's refusals. */
#ifndef COURSEPACK_ROSTER_H
#define COURSEPACK_ROSTER_H

#include <stddef.h>

#include "model.h"
#include "table.h"

#define ROSTER_MAX_BYTES (8u * 1024 * 1024)	/* a CSV or .xlsx file */
#define ROSTER_MAX_ROWS 20000			/* rows, header included */
#define ROSTER_MAX_COLS 64
#define ROSTER_MAX_CELL 256			/* bytes of UTF-8 in one cell */

struct member {
	const char *village;	/* the roster's village id */
	char *id;		/* 编号; NULL when the roster has none for the member */
	char *name;		/* 姓名, never empty */
	enum group group;	/* 类别 */
	char *phone;		/* 手机; NULL when none */
	const char *file;	/* the roster's path */
	int line;		/* CSV line (where the record starts) or xlsx row */
};

struct roster {
	char *path;		/* as given */
	char *village;
	enum table_format format;
	struct member *members;	/* in file order */
	size_t nmembers;
};

/* Where village `v`'s roster is: its roster="…" (relative to the
 * profile) or rosters/ID.csv or rosters/ID.xlsx in `township_dir`.
 * Returns 0 with *path a new string, 0 with *path NULL when the village
 * has no roster (none named, none in rosters/), or -1 after diagnosing
 * (the named file missing, a .csv and an .xlsx both there). */
int roster_locate(const struct village *v, const char *township_dir, char **path);

/* Reads and checks the roster at `path` of village `village`: every bad
 * row is diagnosed.  Returns 0 and a roster the caller frees with
 * roster_free, or -1 with *out NULL after diagnosing. */
int roster_read(const char *path, const char *village, struct roster **out);
/* The same for a file's bytes already in memory (`path` names them). */
int roster_parse(const char *path, const char *village, const char *bytes, size_t len, struct roster **out);
/* The members of a table already read: its first row is the header. */
int roster_from_table(const struct table *, const char *village, struct roster **out);
void roster_free(struct roster *);

/* Warns about each group whose member count in the profile differs from
 * the roster's; returns the number of warnings. */
int roster_check_counts(const struct roster *, const struct village *);

/* 在村/居家/流动 or resident/homebound/mobile (ASCII case ignored); -1
 * when none of them. */
int roster_group_parse(const char *s);

#endif
