#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate.h"
#include "unit.h"

/* Inflates a raw deflate stream; NULL when zlib rejects it. */
static unsigned char *
inflate_all(const struct buf *z, size_t want)
{
	unsigned char *out = malloc(want + 1);
	z_stream s;
	int rc;

	memset(&s, 0, sizeof s);
	if (inflateInit2(&s, -15) != Z_OK)
		return NULL;
	s.next_in = (Bytef *)z->data;
	s.avail_in = (uInt)z->len;
	s.next_out = out;
	s.avail_out = (uInt)want + 1;
	rc = inflate(&s, Z_FINISH);
	inflateEnd(&s);
	if (rc != Z_STREAM_END || s.total_out != want || s.avail_in != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* A piece as one call to zlib with room for all of it: what the output
 * must be, however zpiece_make hands zlib its output space. */
static int
same_as_one_call(const unsigned char *data, size_t len)
{
	struct zpiece got;
	unsigned char *want;
	z_stream s;
	uLong bound;
	int same;

	memset(&s, 0, sizeof s);
	if (deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	bound = deflateBound(&s, (uLong)len) + 16;
	want = malloc(bound);
	s.next_in = (Bytef *)(uintptr_t)data;
	s.avail_in = (uInt)len;
	s.next_out = want;
	s.avail_out = (uInt)bound;
	deflate(&s, Z_SYNC_FLUSH);
	zpiece_make(&got, data, len);
	same = got.zlen == s.total_out && memcmp(got.z, want, got.zlen) == 0;
	deflateEnd(&s);
	zpiece_release(&got);
	free(want);
	return same;
}

void
test_deflate(void)
{
	size_t n = 200000, cuts[] = {0, 1, 17, 4096, 70000, 70001, 150000, 200000}, i;
	unsigned char *data = malloc(n), *back;
	struct zstream st = {0}, one = {0};
	struct zpiece shared;
	unsigned long x = 1;

	/* Text-like bytes: a few words, repeated with variation. */
	for (i = 0; i < n; i++) {
		x = x * 1103515245ul + 12345ul;
		data[i] = (unsigned char)("abc \n<p>学习"[(x >> 16) % 12]);
	}
	/* Pieces cut anywhere, one of them made once and added twice. */
	for (i = 0; i + 1 < sizeof cuts / sizeof cuts[0]; i++)
		zstream_add_data(&st, data + cuts[i], cuts[i + 1] - cuts[i]);
	zstream_finish(&st);
	EXPECT(st.len == n, "zstream: length adds up");
	EXPECT(st.crc == crc32_of(data, n), "zstream: CRCs combine to the whole's");
	back = inflate_all(&st.z, n);
	EXPECT(back != NULL && memcmp(back, data, n) == 0, "zstream: pieces inflate to the whole");
	free(back);

	zpiece_make(&shared, data, 5000);
	zstream_add(&one, &shared);
	zstream_add_data(&one, "<hr>", 4);
	zstream_add(&one, &shared);
	zstream_add_data(&one, "", 0);
	zstream_finish(&one);
	back = inflate_all(&one.z, 10004);
	EXPECT(back != NULL && memcmp(back, data, 5000) == 0 && memcmp(back + 5000, "<hr>", 4) == 0 &&
	    memcmp(back + 5004, data, 5000) == 0, "zstream: one piece used twice, an empty one skipped");
	free(back);

	{
		struct zstream empty = {0};

		zstream_finish(&empty);
		back = inflate_all(&empty.z, 0);
		EXPECT(back != NULL && empty.crc == 0, "zstream: an empty file is a valid stream");
		free(back);
		buf_release(&empty.z);
	}
	zpiece_release(&shared);
	buf_release(&st.z);
	buf_release(&one.z);
	free(data);

	/* Large pieces, whose output zlib fills in steps: a sync flush that
	 * fills the room exactly must not be repeated (a second marker
	 * changes the bytes).  Random and text-like inputs of 0.1-1.2 MB. */
	{
		size_t k, differ = 0, tried = 0;
		unsigned long y = 7;

		for (k = 0; k < 48; k++) {
			size_t len, j;
			unsigned char *in;

			y = y * 6364136223846793005ul + 1442695040888963407ul;
			len = 100000 + (size_t)(y >> 33) % 1100000;
			in = malloc(len);
			for (j = 0; j < len; j++) {
				y = y * 6364136223846793005ul + 1442695040888963407ul;
				in[j] = k % 2 ? (unsigned char)(y >> 56) : (unsigned char)("0123456789,.\n"[(y >> 40) % 13]);
			}
			tried++;
			differ += !same_as_one_call(in, len);
			free(in);
		}
		EXPECT(tried == 48 && differ == 0, "zpiece: large pieces are the bytes of one zlib call (no repeated flush)");
	}

	/* A piece made from parts (a course file read a megabyte at a
	 * time) is the piece of the whole, however the parts are cut. */
	{
		size_t k, differ = 0;
		unsigned long y = 11;

		for (k = 0; k < 24; k++) {
			struct zpiece whole, parts;
			struct zpiece_maker m;
			size_t len, j, at;
			unsigned char *in;

			y = y * 6364136223846793005ul + 1442695040888963407ul;
			len = k == 0 ? 0 : 1 + (size_t)(y >> 33) % 2500000;
			in = malloc(len ? len : 1);
			for (j = 0; j < len; j++) {
				y = y * 6364136223846793005ul + 1442695040888963407ul;
				in[j] = k % 3 ? (unsigned char)("<p>党员学习 0123456789\n"[(y >> 40) % 28]) : (unsigned char)(y >> 56);
			}
			zpiece_make(&whole, in, len);
			zpiece_begin(&m);
			for (at = 0; at < len;) {
				size_t part;

				y = y * 6364136223846793005ul + 1442695040888963407ul;
				part = 1 + (size_t)(y >> 33) % (k % 2 ? 1000 : 1500000);
				part = part < len - at ? part : len - at;
				zpiece_more(&m, in + at, part);
				at += part;
			}
			zpiece_end(&m, &parts);
			differ += whole.len != parts.len || whole.crc != parts.crc || whole.zlen != parts.zlen ||
			    (whole.zlen && memcmp(whole.z, parts.z, whole.zlen) != 0);
			zpiece_release(&whole);
			zpiece_release(&parts);
			free(in);
		}
		EXPECT(differ == 0, "zpiece_maker: a piece from parts is the piece of the whole (24 inputs, cut at random)");
	}
}
