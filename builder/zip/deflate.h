/* Deflate in pieces: the only file that includes zlib.
 *
 * A piece is a run of bytes deflated on its own (level 6, no dictionary)
 * and ended with a sync flush, so that it is byte-aligned and carries no
 * final block.  Pieces laid end to end, closed by an empty final block,
 * form one valid deflate stream, and their CRC-32s combine without the
 * data.  This is what lets a lesson body shared by many villages be
 * compressed once and copied into every bundle: the pages around it are
 * different, the piece is the same bytes everywhere.
 *
 * A file is always cut at the same places whether its pieces come from
 * the shared store or are made on the spot, so both give the same
 * archive, byte for byte. */
#ifndef COURSEPACK_DEFLATE_H
#define COURSEPACK_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct zpiece {
	unsigned char *z;	/* the deflated bytes */
	size_t zlen;
	size_t len;		/* bytes before deflating */
	uint32_t crc;		/* CRC-32 of those bytes */
};

/* Deflates `len` bytes into *out (empty input: an empty piece). */
void zpiece_make(struct zpiece *out, const void *data, size_t len);
void zpiece_release(struct zpiece *);

/* A piece made from input given in parts, never whole in memory: the
 * same bytes as zpiece_make of the parts laid end to end. */
struct zpiece_maker {
	void *state;		/* zlib's, once there is input */
	struct buf z;
	size_t len;
	uint32_t crc;
};
void zpiece_begin(struct zpiece_maker *);
void zpiece_more(struct zpiece_maker *, const void *data, size_t len);
void zpiece_end(struct zpiece_maker *, struct zpiece *out);

/* One zip entry's deflated data, assembled from pieces. */
struct zstream {
	struct buf z;
	size_t len;
	uint32_t crc;
};

/* Appends a piece, or bytes deflated on the spot. */
void zstream_add(struct zstream *, const struct zpiece *);
/* Appends a piece described by p whose p->zlen deflated bytes the caller
 * writes at the pointer returned (p->z is not read). */
unsigned char *zstream_add_space(struct zstream *, const struct zpiece *p);
void zstream_add_data(struct zstream *, const void *data, size_t len);
/* Ends the stream with an empty final block. */
void zstream_finish(struct zstream *);

/* Inflates the raw deflate stream z[0..zlen) whole, adding it to *out
 * (at most `max` bytes) and, when cuts is not NULL, adds to it (as size_t
 * values) the offsets in what it added where its pieces end: after each sync-flush marker,
 * as zstream lays pieces out.  Deflating the output again cut at those
 * offsets gives the same bytes, when the same zlib made them (update
 * patches, builder/pack/delta.c, rely on it and check it).  Returns 0, or
 * -1 when the stream is damaged, larger than max or has bytes after its
 * end. */
int zinflate(const void *z, size_t zlen, size_t max, struct buf *out, struct buf *cuts);

/* CRC-32 as zip uses it; crc32_more continues one (from 0). */
uint32_t crc32_of(const void *data, size_t len);
uint32_t crc32_more(uint32_t crc, const void *data, size_t len);

#endif
