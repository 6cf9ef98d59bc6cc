/* Leftovers: what a build killed outright (SIGKILL, a power cut) left in
 * its output folder, removed by the next build there.
 *
 * A build holds a lock on the folder while it runs (flock: shared, so
 * builds of shards may share a folder); the kernel drops it when the
 * process ends, however it ends.  Only a build that finds the folder
 * free takes what it finds for leftovers:
 *
 *   NAME.tmp-XXXXXX   ours (atomic_file), still at mkstemp's mode 0600
 *                     (a finished file is 0644)
 *   NAME.zip.XXXXXX   libzip's, and NAME.epub.XXXXXX: a zip begun (its
 *                     first local header) and never finished (no end
 *                     record)
 *   .scratch-XXXXXX   a scratch file killed before it was unlinked
 *   .print-XXXXXX/    the folder Chromium printed a booklet from
 *
 * where NAME is one of ours: TOWNSHIP-..., SHA256SUMS, index.html or a
 * shard record. */
#ifndef COURSEPACK_LEFTOVERS_H
#define COURSEPACK_LEFTOVERS_H

/* Takes the folder `dir` for a build of `township`, removing leftovers
 * if no other build holds it.  Returns the lock to give to
 * leftovers_release when the build is done, or -1 when the folder could
 * not be locked (the build goes on; nothing is removed). */
int leftovers_claim(const char *dir, const char *township);
void leftovers_release(int lock);

#endif
