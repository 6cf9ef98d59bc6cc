/* Update patches: what turns a village's old bundle into its new one,
 * byte for byte, at a fraction of its size.  The only file that includes
 * libzstd.
 *
 * A patch walks the new bundle's zip entries in order.  An entry whose
 * bytes the old bundle holds is copied from it; a changed entry is carried
 * as a zstd delta of its text against the old entry of the same name, and
 * deflated again at apply time exactly as the builder deflates it (cut into
 * the same pieces, builder/zip/deflate.h); where that would not give the
 * same bytes, as a zstd delta of its deflated bytes.  Headers, the central
 * directory and the end record come from one zstd stream compressed
 * against the old central directory.  A file that is no zip of ours is
 * carried whole that way.
 *
 * Format (version 1; integers are LEB128 varints unless said):
 *     "CPDELTA" 0x01, SHA-256 of OLD and of NEW (64 hex digits each),
 *     OLD's size, NEW's size,
 *     literal stream: its length, the OLD range it is compressed against
 *       (offset, length), the length of its zstd frame, the frame,
 *     the number of operations, the operations:
 *       1 COPY  offset length             bytes of OLD
 *       2 LIT   length                    the literal stream's next bytes
 *       3 DATA  mode, ref offset, ref length, ref inflated (0/1), length,
 *               [mode 1: text length, CRC-32, number of cuts, the cuts
 *               as differences], frame length, zstd frame against the ref
 *     and the SHA-256 of everything before it (64 hex digits).
 * Every length is checked against OLD, NEW and the patch before use. */
#ifndef COURSEPACK_DELTA_H
#define COURSEPACK_DELTA_H

#include <stddef.h>

#include "util.h"

#define DELTA_MAX_BYTES (2ull * 1024 * 1024 * 1024)	/* an old or new bundle, a patch */

/* Writes the patch that turns old_zip into new_zip to patch_out (through a
 * temporary file and a rename), after checking that it does.  Returns 0,
 * or -1 after diagnosing. */
int delta_make(const char *old_zip, const char *new_zip, const char *patch_out);

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
