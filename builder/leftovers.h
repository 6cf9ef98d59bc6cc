/* Leftovers: what a build killed outright (SIGKILL, a power cut) left in
 * its output folder, removed by the next build there.
 *
 * Every temporary name a build or a catalog merge makes in an output
 * folder starts with TEMP_PREFIX (util.h): our temporary files, the
 * staging file libzip writes through and libzip's own temporary file
 * beside it, the scratch file and the folder Chromium prints from.  So a
 * leftover is known by its name, and nothing else is ever taken for one.
 *
 * A build or a merge holds a lock on the folder while it runs (flock,
 * shared); the kernel drops it when the process ends, however it ends.
 * Only one that finds the folder free removes what it finds there.  The
 * lock never waits: a folder held exclusively by someone else (a wrapper
 * script's flock) is used without it, and nothing is removed. */
#ifndef COURSEPACK_LEFTOVERS_H
#define COURSEPACK_LEFTOVERS_H

/* Takes the folder `dir`, removing leftovers if no one else holds it.
 * Returns the lock to give to leftovers_release when done, or -1 when it
 * could not be taken (the work goes on; nothing was removed). */
int leftovers_claim(const char *dir);
void leftovers_release(int lock);

#endif
