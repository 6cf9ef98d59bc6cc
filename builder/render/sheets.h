/* Sheets: the paperwork of a village's winter training, with its
 * members' names filled in (coursepack sheets):
 *   - sign-in sheets (签到表), one page per lesson taught in class or in
 *     the field, one row per resident member;
 *   - home record sheets (居家学习记录表), one page per homebound member,
 *     one row per lesson the homebound can reach, as in the print
 *     booklet's record sheet;
 *   - the attendance spreadsheet in the form 'ledger import' reads
 *     (import_sheet.c), one row per member, one column per lesson of the
 *     village's plan, cells blank: as a grid of cells, and as CSV (the
 *     command writes the grid as .xlsx too, builder/pack/xlsx.c).
 * Hours are the plan's (plan_view of each group), printed as plan prints
 * them.  Pure: no I/O.  These carry names on purpose and go only into the
 * sheets folder, never into a bundle. */
#ifndef COURSEPACK_SHEETS_H
#define COURSEPACK_SHEETS_H

#include <stddef.h>

#include "plan.h"
#include "project.h"
#include "roster.h"
#include "util.h"

struct sheets {
	struct buf signin, home, csv;	/* the three files' bytes */
	size_t nsessions;		/* sign-in pages */
	size_t nhome;			/* home record pages */
	size_t nrows;			/* member rows of the CSV */
	char **grid;			/* the spreadsheet: (1 + nrows) x ncols cells, row 0 the
					 * header; NULL for a blank cell */
	size_t ncols;
};

/* Makes village p->village's sheets from its plan and its roster `ro`
 * (NULL when it has none: blank rows and pages, as many as the profile
 * counts, and no rows in the CSV).  Release with sheets_release. */
void sheets_make(const struct project *, const struct plan *p, const struct roster *ro, struct sheets *out);
void sheets_release(struct sheets *);

#endif
