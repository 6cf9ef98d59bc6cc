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
 * Only one that finds the folder free removes what it finds there, under
 * an exclusive lock that lasts one reading of the folder.  The shared lock
 * waits for an exclusive holder (that reading, or a wrapper script's
 * flock): working unlocked would let another build take our files for
 * leftovers. */
#ifndef COURSEPACK_LEFTOVERS_H
#define COURSEPACK_LEFTOVERS_H

/* Takes the folder `dir`, removing leftovers if no one else holds it.
 * Waits while someone holds it exclusively.  Returns the lock to give to
 * leftovers_release when done, or -1 when the folder cannot be opened
 * (nothing was removed). */
int leftovers_claim(const char *dir);
void leftovers_release(int lock);

#endif
