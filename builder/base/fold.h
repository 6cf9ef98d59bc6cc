/* Names as case-insensitive and normalizing file systems file them, for
 * comparison only (fold.c; tables in casefold.h, made by casefold.py). */
#ifndef COURSEPACK_FOLD_H
#define COURSEPACK_FOLD_H

/* The key of a valid UTF-8 name: each code point through Unicode simple
 * case folding and canonical decomposition (Hangul by rule), then every
 * run of combining marks put in canonical order.  So 'été' (composed or
 * decomposed) and 'ÉTÉ' give one key, as do 'ǅ' and 'ǆ', final and medial
 * sigma, the Kelvin sign and 'k', and marks typed in either order; 'ß'
 * and 'ss' do not (full folding only, and NTFS keeps them apart).  Two
 * names with one key are one file on Windows or macOS.  The caller frees
 * the key. */
char *fold_key(const char *name);

/* The same without case folding: the name's NFD, marks in canonical
 * order.  Two names with one canonical form differ only in how their
 * accents are encoded (composed, decomposed, marks in another order). */
char *fold_canonical(const char *name);

#endif
