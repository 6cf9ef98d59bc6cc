/* Spreadsheets for staff who work in Excel or WPS: a grid of text cells
 * written as an .xlsx workbook with libxlsxwriter (Debian
 * libxlsxwriter-dev).  Every cell is text, so that 编号 001 keeps its
 * zeros and no name is taken for a formula; the lesson columns are
 * formatted as text, so that a date typed into them stays as typed. */
#ifndef COURSEPACK_XLSX_H
#define COURSEPACK_XLSX_H

#include <stddef.h>
#include <time.h>

/* Writes the grid (nrows x ncols cells, row 0 the header, NULL a blank
 * cell) as the one sheet `sheet` of a workbook at path, atomically (a
 * temporary file beside it, renamed).  Columns from `text_from` on are
 * formatted as text.  `created` is the workbook's creation time: the same
 * grid and time give the same bytes.  Returns 0, or -1 after diagnosing. */
int xlsx_write(const char *path, const char *sheet, char *const *grid, size_t nrows, size_t ncols, size_t text_from,
    time_t created);

#endif
