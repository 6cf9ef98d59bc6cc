/* Tables that staff make in a spreadsheet: a CSV export or the first sheet
 * of an .xlsx workbook, turned into rows of cells.  Rosters (roster.c)
 * and filled attendance sheets (ledger/import_sheet.c) are read through
 * here, so both take what Chinese Excel and WPS save:
 *
 *   CSV      RFC 4180; UTF-8 with or without a BOM, or GB18030/GBK (what
 *            Chinese Windows saves as plain "CSV"), detected;
 *   .xlsx    the first sheet: shared strings, inline strings, numbers, read
 *            through the zip wrapper's hostile-input limits and the XML
 *            wrapper's refusals;
 *   .xls     refused, with how to save the file again.
 *
 * Every table is untrusted input: bytes, rows, columns and cell length are
 * bounded by the caller's limits, and every problem is diagnosed with the
 * file and line. */
#ifndef COURSEPACK_TABLE_H
#define COURSEPACK_TABLE_H

#include <stddef.h>

enum table_format {
	TABLE_UTF8,		/* CSV, UTF-8 without a BOM */
	TABLE_UTF8_BOM,		/* CSV, UTF-8 with a BOM (Excel's "CSV UTF-8") */
	TABLE_GB18030,		/* CSV, GB18030/GBK (Chinese Excel's plain "CSV") */
	TABLE_XLSX,		/* first sheet of an .xlsx workbook */
};

struct table_limits {
	size_t bytes;		/* of the file */
	size_t rows;		/* header included */
	size_t cols;		/* cells past this column are dropped */
	size_t cell;		/* bytes of UTF-8 in one cell */
};

struct table_row {
	int line;		/* CSV line where the record starts, or xlsx row */
	char **cells;		/* NULL for a cell never written */
	size_t ncells;
};

struct table {
	const char *path;	/* for messages: not copied */
	struct table_limits lim;
	enum table_format format;
	struct table_row *rows;	/* blank rows left out */
	size_t nrows, cap;
	int errors;		/* diagnosed */
};

/* Reads the table at path: .xlsx by its suffix or its zip signature, .xls
 * refused, CSV otherwise.  Returns 0, or -1 after diagnosing (the table
 * is then released). */
int table_read(struct table *, const char *path, const struct table_limits *);

/* The same for a file's bytes already in memory (path names them). */
int table_parse(struct table *, const char *path, const char *bytes, size_t len, const struct table_limits *);

void table_release(struct table *);

/* Cell col of row r, "" when there is none. */
const char *table_cell(const struct table_row *r, int col);
/* s without spaces, tabs, line breaks or full-width spaces around it (new
 * string; "" for NULL). */
char *table_trimmed(const char *s);
/* The same in place: returns s. */
char *table_trim(char *s);

/* "UTF-8", "UTF-8 with BOM", "GB18030", "xlsx". */
const char *table_format_name(enum table_format);

#endif
