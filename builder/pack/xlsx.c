/* .xlsx workbooks through libxlsxwriter.  See xlsx.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "diag.h"
#include "util.h"
#include "xlsx.h"

/* Column widths in characters: names and ids narrow, lesson ids wide
 * enough to read. */
static double
width_of(const char *head)
{
	size_t n = head ? strlen(head) : 0;

	return n < 6 ? 8 : n > 30 ? 30 : (double)n;
}

int
xlsx_write(const char *path, const char *sheet, char *const *grid, size_t nrows, size_t ncols, size_t text_from,
    time_t created)
{
	lxw_doc_properties props = {0};
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *text;
	lxw_error err;
	char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	size_t r, c;

	if ((wb = workbook_new(tmp)) == NULL) {
		diag(S_WRITE, NULL, path, strerror(errno ? errno : ENOMEM));
		free(tmp);
		return -1;
	}
	props.created = created;
	workbook_set_properties(wb, &props);
	ws = workbook_add_worksheet(wb, sheet);
	head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_num_format_index(head, 49);	/* "@", text */
	text = workbook_add_format(wb);
	format_set_num_format_index(text, 49);
	for (c = 0; c < ncols && c < LXW_COL_MAX; c++)
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width_of(grid[c]), c >= text_from ? text : NULL);
	for (r = 0; r < nrows && r < LXW_ROW_MAX; r++)
		for (c = 0; c < ncols && c < LXW_COL_MAX; c++) {
			const char *s = grid[r * ncols + c];

			if (s && *s)
				worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s, r == 0 ? head : text);
		}
	/* The names and the header stay in view while ticking. */
	worksheet_freeze_panes(ws, 1, (lxw_col_t)(text_from < 2 ? text_from : 2));
	if ((err = workbook_close(wb)) != LXW_NO_ERROR) {
		diag(S_WRITE, NULL, path, lxw_strerror(err));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		diag(S_WRITE, NULL, path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
