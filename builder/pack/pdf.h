/* build --pdf and sheets --pdf: print a bundle's print.html, or one
 * self-contained page, to PDF with a headless Chromium, the browser Debian ships (package "chromium").  The PDF's
 * dates are set to the build's entry time and its tagging is off, so
 * that the same inputs give the same bytes. */
#ifndef COURSEPACK_PDF_H
#define COURSEPACK_PDF_H

#include <time.h>

#include "package.h"

/* The Chromium to use (a new string), or NULL when none is installed. */
char *pdf_find_browser(void);

/* Prints the package's print.html (with its style sheet and media,
 * written to a temporary folder in `workdir`) to `out`.  Returns 0, or -1
 * after diagnosing. */
int pdf_print(const char *browser, const struct package *, const char *workdir, const char *out, time_t when);

/* Prints `html` (a page that needs no other file) to `out` through a
 * temporary folder in `workdir`; `name` says which page in a message.
 * Returns 0, or -1 after diagnosing. */
int pdf_print_page(const char *browser, const char *html, size_t len, const char *workdir, const char *name,
    const char *out, time_t when);

#endif
