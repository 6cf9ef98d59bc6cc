/* Update patches: what turns a village's old bundle into its new one,
 * byte for byte, at a fraction of its size.  The only file that includes
 * libzstd.
 *
 * A patch walks the new bundle's zip entries in order.  An entry whose
 * bytes the old bundle holds is copied from it.  A changed entry is
 * carried as its text, deflated again at apply time exactly as the
 * builder deflates it (cut into the same pieces, builder/zip/deflate.h),
 * or as its bytes where that would not give them back.  All changed
 * entries go in one zstd stream compressed against the text of the old
 * bundle's entries, so that a lesson's new words, in its page, print.html
 * and search.js, are carried once.  Headers, the central directory and
 * the end record go in another, compressed against the old central
 * directory.  A file that is no zip of ours is carried whole that way,
 * against the old file.
 *
 * Format (version 1; integers are LEB128 varints unless said):
 *     "CPDELTA" 0x01, SHA-256 of OLD and of NEW (64 hex digits each),
 *     OLD's size, NEW's size,
 *     literal stream: its length, the OLD range it is compressed against
 *       (offset, length), the length of its zstd frame, the frame,
 *     data stream: its length, the number of OLD's entries (in the order
 *       of their data) whose deflated bytes join the reference and their
 *       indexes as differences, the length of its zstd frame, the frame;
 *       its reference is the text of every deflated entry of OLD and the
 *       bytes of those, in order, up to 64 MiB,
 *     the number of operations, the operations:
 *       1 COPY  offset length             bytes of OLD
 *       2 LIT   length                    the literal stream's next bytes
 *       3 DATA  0 length                  the data stream's next bytes
 *               1 length text-length CRC-32 number-of-cuts cuts...
 *                                         the next text, deflated again,
 *                                         cut where its pieces end
 *     and the SHA-256 of everything before it (64 hex digits).
 * Every length is checked against OLD, NEW and the patch before use. */
#ifndef COURSEPACK_DELTA_H
#define COURSEPACK_DELTA_H

#include <stddef.h>

#include "util.h"

/* An old or new bundle, a patch, at most (the fuzz build sets less, to
 * stay within libFuzzer's memory limit). */
#ifndef DELTA_MAX_BYTES
#define DELTA_MAX_BYTES (2ull * 1024 * 1024 * 1024)
#endif

/* Writes the patch that turns old_zip into new_zip to patch_out (through a
 * temporary file and a rename), after checking that it does.  Returns 0,
 * or -1 after diagnosing. */
int delta_make(const char *old_zip, const char *new_zip, const char *patch_out);
/* The same into *patch (empty on entry), with the SHA-256 of the bundles
 * read (hex): `export --since` puts patches on a stick without a file of
 * their own in between, and names both bundles in the kit. */
int delta_make_mem(const char *old_zip, const char *new_zip, struct buf *patch, char old_sha256[65],
    char new_sha256[65]);

/* Applies `patch` to old_zip and writes the result to new_out through a
 * temporary file, fsync and rename, once its SHA-256 is the one the patch
 * names: a wrong old bundle, a damaged patch or a wrong result leave
 * nothing under new_out.  Returns 0, or -1 after diagnosing. */
int delta_apply(const char *old_zip, const char *patch, const char *new_out);

/* The same in memory: the result is added to *out (it may hold part of it
 * after a failure).  Paths name the files in messages.  Returns 0, or -1
 * after diagnosing. */
int delta_apply_mem(const char *old_path, const void *old, size_t oldlen, const char *patch_path,
    const void *patch, size_t plen, struct buf *out);

#endif
