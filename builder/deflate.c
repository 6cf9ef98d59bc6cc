#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate.h"
#include "util.h"

#define LEVEL 6	/* libzip's default 9 costs much time for little size */
#define CHUNK (1u << 30)

void
zpiece_make(struct zpiece *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t left = len;
	z_stream s;
	uLong bound;

	memset(out, 0, sizeof *out);
	out->len = len;
	out->crc = crc32_of(data, len);
	if (len == 0)
		return;
	memset(&s, 0, sizeof s);
	/* Raw deflate (no zlib header), as zip stores it. */
	if (deflateInit2(&s, LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		oom();
	/* deflateBound ignores flush markers: leave room for them. */
	bound = deflateBound(&s, (uLong)len) + 16 + 6 * (len / CHUNK);
	out->z = xmalloc(bound);
	s.next_out = out->z;
	s.avail_out = (uInt)bound;
	/* avail_in is 32 bits: feed larger inputs in slices.  With room for
	 * all the output, each call takes all the input it is given. */
	do {
		uInt n = left > CHUNK ? CHUNK : (uInt)left;

		s.next_in = (Bytef *)(uintptr_t)p;
		s.avail_in = n;
		p += n;
		left -= n;
		if (deflate(&s, left ? Z_NO_FLUSH : Z_SYNC_FLUSH) != Z_OK || s.avail_in != 0)
			oom();
	} while (left > 0);
	out->zlen = (size_t)(s.next_out - out->z);
	deflateEnd(&s);
	/* The bound is about the input's size: keep only what was written. */
	out->z = xreallocarray(out->z, out->zlen, 1);
}

void
zpiece_release(struct zpiece *p)
{
	free(p->z);
	memset(p, 0, sizeof *p);
}

void
zstream_add(struct zstream *st, const struct zpiece *p)
{
	if (p->len == 0)
		return;
	buf_add(&st->z, p->z, p->zlen);
	st->crc = st->len ? (uint32_t)crc32_combine(st->crc, p->crc, (z_off_t)p->len) : p->crc;
	st->len += p->len;
}

void
zstream_add_data(struct zstream *st, const void *data, size_t len)
{
	struct zpiece p;

	zpiece_make(&p, data, len);
	zstream_add(st, &p);
	zpiece_release(&p);
}

void
zstream_finish(struct zstream *st)
{
	/* BFINAL=1, BTYPE=01 (fixed codes), end-of-block: what zlib writes
	 * for Z_FINISH with no input left. */
	static const unsigned char last[] = {0x03, 0x00};

	buf_add(&st->z, last, sizeof last);
}

uint32_t
crc32_of(const void *data, size_t len)
{
	const unsigned char *p = data;
	uLong crc = crc32(0L, Z_NULL, 0);

	while (len > 0) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)crc;
}
