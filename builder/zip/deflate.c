#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate.h"
#include "util.h"

#define LEVEL 6	/* libzip's default 9 costs much time for little size */
#define CHUNK (1u << 30)
#define OUT_STEP (64u << 10)	/* output room added at a time while deflating */
/* Room for a sync flush: what is left is at most two blocks of up to
 * 16 Ki symbols (memLevel 8) of at most 6 bytes each, and the pending
 * buffer (64 KiB); with margin. */
#define FLUSH_ROOM (512u << 10)

/* Deflate states kept for reuse.  A village's pages are cut into
 * thousands of small pieces, and setting up a state (a quarter of a
 * megabyte) costs several times more than deflating a kilobyte;
 * deflateReset gives the same state, so the same bytes, for much less. */
struct state {
	z_stream s;
	struct state *next;
};
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct state *pool;

static void
pool_free(void)
{
	while (pool) {
		struct state *st = pool;

		pool = st->next;
		deflateEnd(&st->s);
		free(st);
	}
}

static struct state *
state_get(void)
{
	static int registered;
	struct state *st;

	pthread_mutex_lock(&pool_lock);
	if ((st = pool) != NULL)
		pool = st->next;
	else if (!registered++)
		atexit(pool_free);
	pthread_mutex_unlock(&pool_lock);
	if (st) {
		if (deflateReset(&st->s) != Z_OK)
			oom();
		return st;
	}
	st = xcalloc(1, sizeof *st);
	/* Raw deflate (no zlib header), as zip stores it. */
	if (deflateInit2(&st->s, LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		oom();
	return st;
}

static void
state_put(struct state *st)
{
	pthread_mutex_lock(&pool_lock);
	st->next = pool;
	pool = st;
	pthread_mutex_unlock(&pool_lock);
}

/* One call to deflate with `room` bytes of output at the end of out. */
static void
deflate_out(z_stream *s, int flush, size_t room, struct buf *out)
{
	buf_reserve(out, room);
	s->next_out = (Bytef *)out->data + out->len;
	s->avail_out = (uInt)room;
	if (deflate(s, flush) == Z_STREAM_ERROR)
		oom();
	out->len += room - s->avail_out;
}

/* Input without flushing, its output in steps of `step` bytes
 * (avail_in is 32 bits: larger inputs go in slices).  How the input is
 * cut into calls changes nothing in the output. */
static void
deflate_in(z_stream *s, const void *data, size_t len, size_t step, struct buf *out)
{
	const unsigned char *p = data;

	while (len > 0) {
		uInt n = len > CHUNK ? CHUNK : (uInt)len;

		s->next_in = (Bytef *)(uintptr_t)p;
		s->avail_in = n;
		p += n;
		len -= n;
		while (s->avail_in > 0)
			deflate_out(s, Z_NO_FLUSH, step, out);
	}
}

/* The sync flush that ends a piece, with room for whatever is left (see
 * FLUSH_ROOM) so that it ends in one call: a flush that fills the output
 * exactly is repeated on the next call, which would add a second marker
 * and change the bytes. */
static void
deflate_end(z_stream *s, size_t room, struct buf *out)
{
	do
		deflate_out(s, Z_SYNC_FLUSH, room, out);
	while (s->avail_out == 0);
	out->data[out->len] = '\0';
}

/* Appends len > 0 bytes deflated as a piece to out; returns the
 * deflated length.  The output grows as zlib fills it, so a large input
 * does not reserve its own size first. */
static size_t
deflate_piece(const void *data, size_t len, struct buf *out)
{
	size_t before = out->len;
	struct state *st = state_get();
	z_stream *s = &st->s;
	/* No more is ever needed than the bound of the whole piece. */
	size_t most = deflateBound(s, (uLong)(len > CHUNK ? CHUNK : len)) + 16 + 6 * (len / CHUNK);

	deflate_in(s, data, len, most < OUT_STEP ? most : OUT_STEP, out);
	deflate_end(s, most < FLUSH_ROOM ? most : FLUSH_ROOM, out);
	state_put(st);
	return out->len - before;
}

void
zpiece_begin(struct zpiece_maker *m)
{
	memset(m, 0, sizeof *m);
}

void
zpiece_more(struct zpiece_maker *m, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (m->state == NULL)
		m->state = state_get();
	deflate_in(&((struct state *)m->state)->s, data, len, OUT_STEP, &m->z);
	m->crc = crc32_more(m->crc, data, len);
	m->len += len;
}

void
zpiece_end(struct zpiece_maker *m, struct zpiece *out)
{
	memset(out, 0, sizeof *out);
	out->len = m->len;
	out->crc = m->crc;
	if (m->state) {
		deflate_end(&((struct state *)m->state)->s, FLUSH_ROOM, &m->z);
		state_put(m->state);
		out->zlen = m->z.len;
		/* Keep only what was written. */
		out->z = (unsigned char *)xreallocarray(m->z.data, out->zlen, 1);
	}
	memset(m, 0, sizeof *m);
}

void
zpiece_make(struct zpiece *out, const void *data, size_t len)
{
	struct buf z = {0};

	memset(out, 0, sizeof *out);
	out->len = len;
	out->crc = crc32_of(data, len);
	if (len == 0)
		return;
	out->zlen = deflate_piece(data, len, &z);
	/* Keep only what was written. */
	out->z = (unsigned char *)xreallocarray(z.data, out->zlen, 1);
}

void
zpiece_release(struct zpiece *p)
{
	free(p->z);
	memset(p, 0, sizeof *p);
}

/* The stream's length and CRC, after len more bytes with that CRC. */
static void
count_in(struct zstream *st, size_t len, uint32_t crc)
{
	if (len == 0)
		return;
	st->crc = st->len ? (uint32_t)crc32_combine(st->crc, crc, (z_off_t)len) : crc;
	st->len += len;
}

void
zstream_add(struct zstream *st, const struct zpiece *p)
{
	if (p->len == 0)
		return;
	buf_add(&st->z, p->z, p->zlen);
	count_in(st, p->len, p->crc);
}

unsigned char *
zstream_add_space(struct zstream *st, const struct zpiece *p)
{
	unsigned char *at;

	buf_reserve(&st->z, p->zlen);
	at = (unsigned char *)st->z.data + st->z.len;
	st->z.len += p->zlen;
	st->z.data[st->z.len] = '\0';
	count_in(st, p->len, p->crc);
	return at;
}

void
zstream_add_data(struct zstream *st, const void *data, size_t len)
{
	if (len == 0)
		return;
	/* Deflated straight into the stream, not through a piece. */
	deflate_piece(data, len, &st->z);
	count_in(st, len, crc32_of(data, len));
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
	return crc32_more(0, data, len);
}

uint32_t
crc32_more(uint32_t start, const void *data, size_t len)
{
	const unsigned char *p = data;
	uLong crc = start;

	while (len > 0) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)crc;
}

int
zinflate(const void *z, size_t zlen, size_t max, struct buf *out, struct buf *cuts)
{
	static const unsigned char marker[4] = {0x00, 0x00, 0xff, 0xff};
	const unsigned char *in = z;
	size_t start = out->len, boundary = 0, cut = 0, got;
	z_stream s;
	int r, rc = -1;

	if (zlen > UINT32_MAX)
		return -1;
	memset(&s, 0, sizeof s);
	if (inflateInit2(&s, -15) != Z_OK)
		oom();
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)zlen;
	for (;;) {
		size_t room;

		buf_reserve(out, OUT_STEP);
		room = out->cap - out->len - 1;
		if (room > UINT32_MAX)
			room = UINT32_MAX;
		s.next_out = (Bytef *)out->data + out->len;
		s.avail_out = (uInt)room;
		/* Z_BLOCK: back at every block's end, to see the markers. */
		r = inflate(&s, Z_BLOCK);
		out->len += room - s.avail_out;
		out->data[out->len] = '\0';
		if ((got = out->len - start) > max)
			break;
		if (r == Z_STREAM_END) {
			rc = s.avail_in == 0 ? 0 : -1;
			break;
		}
		if (r != Z_OK && !(r == Z_BUF_ERROR && s.avail_out == 0))
			break;
		if (s.data_type & 128) {
			size_t used = zlen - s.avail_in;

			/* An empty stored block, byte-aligned: a sync flush. */
			if (cuts && (s.data_type & 7) == 0 && used >= 4 && memcmp(in + used - 4, marker, 4) == 0 &&
			    got == boundary && got > cut) {
				cut = got;
				buf_add(cuts, &cut, sizeof cut);
			}
			boundary = got;
		}
	}
	inflateEnd(&s);
	return rc;
}
