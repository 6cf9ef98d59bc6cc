/* Scratch: an unlinked temporary file in the output folder that holds
 * bytes the build needs again later, so that they live in the page cache
 * (which the kernel may write out) rather than in the process.  The
 * shared store keeps each lesson's renderings there: memory then holds
 * what a village is working on, not the library.
 *
 * The file is unlinked as soon as it is made, so nothing is left behind
 * however the build ends. */
#ifndef COURSEPACK_SCRATCH_H
#define COURSEPACK_SCRATCH_H

#include <stddef.h>
#include <stdint.h>

struct scratch;

/* A new scratch file in dir.  NULL after diagnosing. */
struct scratch *scratch_open(const char *dir);
void scratch_close(struct scratch *);

/* Appends p[0..n) and sets *at to where it went.  Safe from any thread.
 * Returns 0, or -1 after diagnosing (only the first failure of a file
 * is told; the rest fail quietly). */
int scratch_put(struct scratch *, const void *p, size_t n, uint64_t *at);
/* Reads n bytes put at `at` into p.  Returns 0, or -1 after diagnosing. */
int scratch_get(struct scratch *, uint64_t at, void *p, size_t n);
/* The n bytes put at `at` will not be read again: their disk is given
 * back where the file system can (a hole punched), else nothing. */
void scratch_drop(struct scratch *, uint64_t at, size_t n);

#endif
