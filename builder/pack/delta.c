#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "crypto.h"
#include "deflate.h"
#include "delta.h"
#include "diag.h"
#include "util.h"
#include "zipfile.h"

static const unsigned char magic[8] = {'C', 'P', 'D', 'E', 'L', 'T', 'A', 0x01};
#define HEX 64
#define HEAD (sizeof magic + 2 * HEX)
#define SHORT 16		/* hex digits of a hash shown in messages */
#define WINDOW_LOG_MAX 27	/* 128 MiB: what a reference plus its data may span */
#define REF_MAX (64u << 20)	/* a stream's reference in OLD, at most */
#define OP_COPY 1
#define OP_LIT 2
#define OP_DATA 3

/* ---- zstd ---- */

static unsigned
window_log(size_t n)
{
	unsigned w = 10;

	while (w < WINDOW_LOG_MAX && ((size_t)1 << w) < n)
		w++;
	return w;
}

/* Adds the zstd frame of src, compressed against ref, to out. */
static void
zc(const void *src, size_t n, const void *ref, size_t rlen, struct buf *out)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t bound = ZSTD_compressBound(n), r;

	if (c == NULL)
		oom();
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, n + rlen < (4u << 20) ? 19 : 3);
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, (int)window_log(n + rlen));
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0);
	if (rlen && ZSTD_isError(ZSTD_CCtx_refPrefix(c, ref, rlen)))
		oom();
	buf_reserve(out, bound);
	r = ZSTD_compress2(c, out->data + out->len, bound, src, n);
	if (ZSTD_isError(r))
		oom();
	out->len += r;
	out->data[out->len] = '\0';
	ZSTD_freeCCtx(c);
}

/* Adds exactly `want` bytes decompressed from the frame against ref to
 * out, growing it as they come (a frame that claims much and holds
 * little costs little).  Returns 0, or -1 when the frame is damaged or
 * of another size. */
static int
zd(const void *frame, size_t flen, const void *ref, size_t rlen, size_t want, struct buf *out)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer in = {frame, flen, 0};
	size_t start = out->len, r = 1, used;
	int rc = -1;

	if (d == NULL)
		oom();
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, WINDOW_LOG_MAX);
	if (rlen && ZSTD_isError(ZSTD_DCtx_refPrefix(d, ref, rlen)))
		goto done;
	if (ZSTD_getFrameContentSize(frame, flen) != want)
		goto done;
	while (r != 0) {
		size_t room = want - (out->len - start);
		ZSTD_outBuffer o;

		if (room > (1u << 20))
			room = 1u << 20;
		buf_reserve(out, room);
		o.dst = out->data + out->len;
		o.size = room;
		o.pos = 0;
		used = in.pos;
		r = ZSTD_decompressStream(d, &o, &in);
		out->len += o.pos;
		out->data[out->len] = '\0';
		/* An error, or no progress at all: cut short or too long. */
		if (ZSTD_isError(r) || (r != 0 && o.pos == 0 && in.pos == used))
			goto done;
	}
	rc = out->len - start == want && in.pos == in.size ? 0 : -1;
done:
	ZSTD_freeDCtx(d);
	return rc;
}

/* ---- varints ---- */

static void
put_uv(struct buf *b, uint64_t v)
{
	unsigned char c[10];
	size_t n = 0;

	do {
		c[n] = v & 0x7f;
		v >>= 7;
		if (v)
			c[n] |= 0x80;
		n++;
	} while (v);
	buf_add(b, c, n);
}

struct rd {
	const unsigned char *p;
	size_t at, len;
	int bad;
};

static uint64_t
get_uv(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift;

	for (shift = 0; shift < 64 && r->at < r->len; shift += 7) {
		unsigned char c = r->p[r->at++];

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

/* A value read that must be at most `most`. */
static uint64_t
get_upto(struct rd *r, uint64_t most)
{
	uint64_t v = get_uv(r);

	if (v > most)
		r->bad = 1;
	return r->bad ? 0 : v;
}

/* The next n bytes, or NULL. */
static const unsigned char *
get_bytes(struct rd *r, uint64_t n)
{
	const unsigned char *p = r->p + r->at;

	if (r->bad || n > r->len - r->at) {
		r->bad = 1;
		return NULL;
	}
	r->at += n;
	return p;
}

/* ---- zip layout ---- */

struct ent {
	const unsigned char *name;
	size_t nlen;
	size_t hdr, data, end;	/* local header, data, end of data */
	int method;
	int want_raw;		/* an old entry whose deflated bytes serve as reference */
};

static unsigned
le16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static uint32_t
le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int
by_offset(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	return x->hdr < y->hdr ? -1 : x->hdr > y->hdr;
}

/* The entries of the zip p[0..n), in the order of their data, none
 * overlapping; *cd where its central directory starts.  0 entries, *cd = n
 * when it is no zip as we write them. */
static size_t
zip_layout(const unsigned char *p, size_t n, struct ent **out, size_t *cd)
{
	const unsigned char *e;
	struct ent *v = NULL;
	size_t count, k, at, cdstart, cdend, kept = 0;

	*out = NULL;
	*cd = n;
	if (n < 22)
		return 0;
	e = p + n - 22;
	if (le32(e) != 0x06054b50 || le16(e + 20) != 0)
		return 0;
	count = le16(e + 10);
	cdstart = at = le32(e + 16);
	cdend = at + le32(e + 12);
	if (count > ZIP_MAX_ENTRIES || at > n - 22 || cdend > n - 22)
		return 0;
	v = xcalloc(count ? count : 1, sizeof *v);
	for (k = 0; k < count; k++) {
		const unsigned char *c = p + at, *l;
		size_t nlen, off, csize;

		if (cdend - at < 46 || le32(c) != 0x02014b50)
			goto fail;
		nlen = le16(c + 28);
		csize = le32(c + 20);
		off = le32(c + 42);
		if (nlen > cdend - at - 46 || cdstart < 30 || off > cdstart - 30)
			goto fail;
		l = p + off;
		if (le32(l) != 0x04034b50 || csize == 0xffffffff)
			goto fail;
		v[k].name = c + 46;
		v[k].nlen = nlen;
		v[k].method = le16(c + 10);
		v[k].hdr = off;
		v[k].data = off + 30 + le16(l + 26) + le16(l + 28);
		v[k].end = v[k].data + csize;
		if (v[k].end > cdstart)
			goto fail;
		at += 46 + nlen + le16(c + 30) + le16(c + 32);
		if (at > cdend)
			goto fail;
	}
	qsort(v, count, sizeof *v, by_offset);
	for (k = 0, at = 0; k < count; k++)
		if (v[k].hdr >= at) {
			at = v[k].end;
			v[kept++] = v[k];
		}
	*out = v;
	*cd = cdstart;
	return kept;
fail:
	free(v);
	return 0;
}

static struct ent *
find_name(struct ent *v, size_t n, const unsigned char *name, size_t nlen)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (v[k].nlen == nlen && memcmp(v[k].name, name, nlen) == 0)
			return &v[k];
	return NULL;
}

/* ---- making ---- */

struct maker {
	const unsigned char *old, *new;
	size_t oldlen, newlen;
	struct ent *oe;
	size_t on;
	struct buf lit;		/* the literal stream */
	struct buf data;	/* the data stream: changed entries' text or bytes */
	struct buf ops;
	size_t nops;
	int last;		/* the kind of the last operation, to merge */
	size_t last_end;	/* where the last COPY ends in OLD */
	size_t last_at;		/* where in ops its length starts */
	uint64_t last_len;
};

static void
op_copy(struct maker *m, size_t off, size_t len)
{
	if (len == 0)
		return;
	if (m->last == OP_COPY && m->last_end == off) {
		m->ops.len = m->last_at;
		m->last_len += len;
	} else {
		buf_add(&m->ops, (char[]){OP_COPY}, 1);
		put_uv(&m->ops, off);
		m->last_at = m->ops.len;
		m->last_len = len;
		m->nops++;
	}
	put_uv(&m->ops, m->last_len);
	m->last = OP_COPY;
	m->last_end = off + len;
}

static void
op_lit(struct maker *m, size_t from, size_t to)
{
	if (to <= from)
		return;
	buf_add(&m->lit, m->new + from, to - from);
	if (m->last == OP_LIT) {
		m->ops.len = m->last_at;
		m->last_len += to - from;
	} else {
		buf_add(&m->ops, (char[]){OP_LIT}, 1);
		m->last_at = m->ops.len;
		m->last_len = to - from;
		m->nops++;
	}
	put_uv(&m->ops, m->last_len);
	m->last = OP_LIT;
}

static void
put_sizes(struct buf *b, const struct buf *cuts)
{
	size_t k, n = cuts->len / sizeof(size_t), prev = 0;

	put_uv(b, n);
	for (k = 0; k < n; k++) {
		size_t c;

		memcpy(&c, cuts->data + k * sizeof c, sizeof c);
		put_uv(b, c - prev);
		prev = c;
	}
}

/* Deflates text cut at `cuts` (n offsets) as the builder does into *st. */
static void
redeflate(const unsigned char *text, size_t len, const size_t *cuts, size_t n, struct zstream *st)
{
	size_t k, at = 0;

	memset(st, 0, sizeof *st);
	for (k = 0; k < n; k++) {
		zstream_add_data(st, text + at, cuts[k] - at);
		at = cuts[k];
	}
	zstream_add_data(st, text + at, len - at);
	zstream_finish(st);
}

/* The DATA operation for a changed entry: its text, when deflating it
 * again gives its bytes, else its bytes, to the data stream. */
static void
op_data(struct maker *m, const struct ent *e, struct ent *o)
{
	const unsigned char *data = m->new + e->data;
	size_t len = e->end - e->data;
	struct buf text = {0}, cuts = {0};
	int mode = 0;

	if (e->method == 8 && zinflate(data, len, ZIP_MAX_ENTRY_BYTES, &text, &cuts) == 0) {
		struct zstream st;

		redeflate((unsigned char *)text.data, text.len, (size_t *)(void *)cuts.data, cuts.len / sizeof(size_t),
		    &st);
		if (st.z.len == len && memcmp(st.z.data, data, len) == 0) {
			buf_add(&m->ops, (char[]){OP_DATA}, 1);
			put_uv(&m->ops, 1);
			put_uv(&m->ops, len);
			put_uv(&m->ops, text.len);
			put_uv(&m->ops, st.crc);
			put_sizes(&m->ops, &cuts);
			buf_add(&m->data, text.data, text.len);
			mode = 1;
		}
		buf_release(&st.z);
	}
	if (mode == 0) {
		buf_add(&m->ops, (char[]){OP_DATA}, 1);
		put_uv(&m->ops, 0);
		put_uv(&m->ops, len);
		buf_add(&m->data, data, len);
		if (o)
			o->want_raw = 1;
	}
	m->nops++;
	m->last = OP_DATA;
	buf_release(&text);
	buf_release(&cuts);
}

/* Walks NEW's entries; the patch's operations into m->ops. */
static void
walk_entries(struct maker *m, const struct ent *ne, size_t nn)
{
	size_t k, at = 0;

	for (k = 0; k < nn; k++) {
		const struct ent *e = &ne[k];
		struct ent *o = find_name(m->oe, m->on, e->name, e->nlen);
		size_t hl = e->data - e->hdr, dl = e->end - e->data;

		op_lit(m, at, e->hdr);
		if (o && o->data - o->hdr == hl && memcmp(m->old + o->hdr, m->new + e->hdr, hl) == 0)
			op_copy(m, o->hdr, hl);
		else
			op_lit(m, e->hdr, e->data);
		if (o && o->end - o->data == dl && memcmp(m->old + o->data, m->new + e->data, dl) == 0)
			op_copy(m, o->data, dl);
		else if (dl > 0)
			op_data(m, e, o);
		at = e->end;
	}
	op_lit(m, at, m->newlen);
}

/* The data stream's reference: the text of every deflated entry of OLD
 * and the bytes of those marked want_raw (their changed counterparts are
 * carried as bytes), in OLD's order, up to REF_MAX.  Maker and applier
 * make it alike from OLD's layout. */
static void
make_ref(const unsigned char *old, const struct ent *oe, size_t on, struct buf *ref)
{
	size_t k;

	for (k = 0; k < on; k++) {
		const struct ent *o = &oe[k];
		size_t at = ref->len, len = o->end - o->data;

		if (o->method == 8 && zinflate(old + o->data, len, REF_MAX - at, ref, NULL) == -1) {
			ref->len = at;
			ref->data[at] = '\0';
		}
		if (o->want_raw && len <= REF_MAX - ref->len)
			buf_add(ref, old + o->data, len);
	}
}

/* Which entries of OLD serve as reference by their bytes. */
static void
put_raw(struct buf *out, const struct ent *oe, size_t on)
{
	size_t k, n = 0, prev = 0;

	for (k = 0; k < on; k++)
		n += oe[k].want_raw;
	put_uv(out, n);
	for (k = 0; k < on; k++)
		if (oe[k].want_raw) {
			put_uv(out, k - prev);
			prev = k + 1;
		}
}

/* A stream's length, its zstd frame's and the frame. */
static void
put_frame(struct buf *out, const struct buf *data, const void *ref, size_t rlen)
{
	struct buf f = {0};

	zc(data->data, data->len, ref, rlen, &f);
	put_uv(out, f.len);
	buf_add(out, f.data, f.len);
	buf_release(&f);
}

/* The whole patch for old -> new into *out. */
static void
make_patch(const unsigned char *old, size_t oldlen, const unsigned char *new, size_t newlen, struct buf *out)
{
	struct maker m;
	struct ent *ne;
	struct buf ref = {0};
	size_t nn, ocd, ncd, roff;
	char h[HEX + 1];

	memset(&m, 0, sizeof m);
	m.old = old;
	m.oldlen = oldlen;
	m.new = new;
	m.newlen = newlen;
	m.on = zip_layout(old, oldlen, &m.oe, &ocd);
	nn = zip_layout(new, newlen, &ne, &ncd);
	walk_entries(&m, ne, nn);
	buf_add(out, magic, sizeof magic);
	sha256_hex(old, oldlen, h);
	buf_add(out, h, HEX);
	sha256_hex(new, newlen, h);
	buf_add(out, h, HEX);
	put_uv(out, oldlen);
	put_uv(out, newlen);
	/* The literals are mostly headers and the central directory: compare
	 * them with OLD's directory, or with all of OLD (its end) when either
	 * is no zip of ours. */
	roff = m.on && nn ? ocd : (oldlen > REF_MAX ? oldlen - REF_MAX : 0);
	put_uv(out, m.lit.len);
	put_uv(out, roff);
	put_uv(out, oldlen - roff);
	put_frame(out, &m.lit, old + roff, oldlen - roff);
	/* The changed entries, in one stream, so that a lesson's new text in
	 * its page, print.html and search.js is carried once. */
	put_uv(out, m.data.len);
	put_raw(out, m.oe, m.on);
	if (m.data.len)
		make_ref(old, m.oe, m.on, &ref);
	put_frame(out, &m.data, ref.data, ref.len);
	put_uv(out, m.nops);
	buf_add(out, m.ops.data, m.ops.len);
	sha256_hex(out->data, out->len, h);
	buf_add(out, h, HEX);
	buf_release(&m.lit);
	buf_release(&m.data);
	buf_release(&m.ops);
	buf_release(&ref);
	free(m.oe);
	free(ne);
}

static int
read_input(const char *path, char **data, size_t *len)
{
	if (read_file(path, DELTA_MAX_BYTES, data, len) == 0)
		return 0;
	if (errno == EFBIG) {
		struct loc loc = {path, 0, 0};

		diag(E_DELTA_TOO_LARGE, &loc, "2 GiB");
	} else
		diag(S_READ, NULL, path, strerror(errno));
	return -1;
}

int
delta_make_mem(const char *old_zip, const char *new_zip, struct buf *patch, char old_sha256[65],
    char new_sha256[65])
{
	char *old = NULL, *new = NULL;
	size_t oldlen, newlen;
	struct buf check = {0};
	int rc = -1;

	if (read_input(old_zip, &old, &oldlen) == -1 || read_input(new_zip, &new, &newlen) == -1)
		goto done;
	make_patch((unsigned char *)old, oldlen, (unsigned char *)new, newlen, patch);
	/* The maker checks by applying. */
	if (delta_apply_mem(old_zip, old, oldlen, new_zip, patch->data, patch->len, &check) == -1 ||
	    check.len != newlen || memcmp(check.data, new, newlen) != 0) {
		diag(S_DELTA_SELFCHECK, NULL, new_zip);
		goto done;
	}
	memcpy(old_sha256, (char *)patch->data + sizeof magic, HEX);
	old_sha256[HEX] = '\0';
	memcpy(new_sha256, (char *)patch->data + sizeof magic + HEX, HEX);
	new_sha256[HEX] = '\0';
	rc = 0;
done:
	free(old);
	free(new);
	buf_release(&check);
	return rc;
}

int
delta_make(const char *old_zip, const char *new_zip, const char *patch_out)
{
	struct buf patch = {0};
	char oldh[HEX + 1], newh[HEX + 1];
	int rc = -1;

	if (delta_make_mem(old_zip, new_zip, &patch, oldh, newh) == -1)
		goto done;
	if (write_file_atomic(patch_out, patch.data, patch.len) == -1) {
		diag(S_WRITE, NULL, patch_out, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	buf_release(&patch);
	return rc;
}

/* ---- applying ---- */

struct applier {
	const unsigned char *old;
	size_t oldlen;
	struct rd r;
	struct buf lit, data;	/* the two streams */
	size_t litat, dataat;
	uint64_t newlen;
	struct buf *out;
	size_t start;		/* out->len before the first byte */
};

/* One DATA operation.  Returns 0, or -1 when it does not fit. */
static int
apply_data(struct applier *a)
{
	struct rd *r = &a->r;
	uint64_t mode = get_upto(r, 1), len = get_upto(r, a->newlen - (a->out->len - a->start));
	uint64_t tlen = 0, crc = 0, n = 0, k, at = 0;
	const unsigned char *text = a->data.data ? (unsigned char *)a->data.data + a->dataat : NULL;
	size_t *cuts;
	struct zstream st;
	int rc = -1;

	if (mode == 0) {
		if (r->bad || len > a->data.len - a->dataat)
			return -1;
		buf_add(a->out, text, len);
		a->dataat += len;
		return 0;
	}
	tlen = get_upto(r, a->data.len - a->dataat);
	crc = get_upto(r, UINT32_MAX);
	n = get_upto(r, tlen);
	if (r->bad || n > r->len - r->at)
		return -1;
	cuts = xreallocarray(NULL, n ? n : 1, sizeof *cuts);
	for (k = 0; k < n; k++) {
		uint64_t d = get_upto(r, tlen - at);

		if (d == 0)
			r->bad = 1;
		cuts[k] = at += d;
	}
	if (!r->bad) {
		redeflate(text, tlen, cuts, n, &st);
		if (st.z.len == len && st.crc == crc) {
			buf_add(a->out, st.z.data, st.z.len);
			a->dataat += tlen;
			rc = 0;
		}
		buf_release(&st.z);
	}
	free(cuts);
	return rc;
}

/* The reference of the data stream (make_ref), when it has `len` bytes.
 * Returns 0, or -1 when the list of entries does not fit OLD. */
static int
get_ref(struct applier *a, uint64_t len, struct buf *ref)
{
	struct rd *r = &a->r;
	struct ent *oe;
	size_t cd, on = zip_layout(a->old, a->oldlen, &oe, &cd), k, prev = 0;
	uint64_t n = get_upto(r, on);
	int rc = 0;

	for (k = 0; k < n && !r->bad; k++) {
		uint64_t i = get_upto(r, on - prev);

		if (i >= on - prev)
			r->bad = 1;
		else {
			oe[prev + i].want_raw = 1;
			prev += i + 1;
		}
	}
	if (r->bad)
		rc = -1;
	else if (len)
		make_ref(a->old, oe, on, ref);
	free(oe);
	return rc;
}

/* A stream of `len` bytes: its frame's length and the frame, decompressed
 * against ref into *out.  Returns 0, or -1 when it does not fit. */
static int
get_stream(struct rd *r, uint64_t len, const void *ref, size_t rlen, struct buf *out)
{
	uint64_t flen = get_uv(r);
	const unsigned char *frame = get_bytes(r, flen);

	return frame == NULL ? -1 : zd(frame, flen, ref, rlen, len, out);
}

/* The operations, after the literal stream.  Returns 0, or -1 at the
 * first that does not fit. */
static int
apply_ops(struct applier *a)
{
	struct rd *r = &a->r;
	uint64_t nops = get_upto(r, r->len), k;

	for (k = 0; k < nops && !r->bad; k++) {
		const unsigned char *kind = get_bytes(r, 1);
		uint64_t room = a->newlen - (a->out->len - a->start), off, len;

		if (kind == NULL)
			return -1;
		switch (*kind) {
		case OP_COPY:
			off = get_upto(r, a->oldlen);
			len = get_upto(r, a->oldlen - off);
			if (r->bad || len > room)
				return -1;
			buf_add(a->out, a->old + off, len);
			break;
		case OP_LIT:
			len = get_upto(r, a->lit.len - a->litat);
			if (r->bad || len > room)
				return -1;
			buf_add(a->out, a->lit.data + a->litat, len);
			a->litat += len;
			break;
		case OP_DATA:
			if (apply_data(a) == -1)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return r->bad || r->at != r->len || a->out->len - a->start != a->newlen ? -1 : 0;
}

static void
short_hash(const char *hex, char out[SHORT + 1])
{
	memcpy(out, hex, SHORT);
	out[SHORT] = '\0';
}

/* Checks the patch's magic, checksum and OLD.  Returns 0, or -1 after
 * diagnosing. */
static int
check_patch(const char *old_path, const void *old, size_t oldlen, const char *patch_path, const unsigned char *p,
    size_t plen)
{
	struct loc loc = {patch_path, 0, 0};
	char h[HEX + 1], want[SHORT + 1], got[SHORT + 1];

	if (plen < HEAD + HEX || memcmp(p, magic, sizeof magic) != 0) {
		if (plen >= sizeof magic && memcmp(p, magic, sizeof magic) == 0)
			diag(E_DELTA_DAMAGED, &loc);
		else
			diag(E_DELTA_NOT_PATCH, &loc);
		return -1;
	}
	sha256_hex(p, plen - HEX, h);
	if (memcmp(h, p + plen - HEX, HEX) != 0) {
		diag(E_DELTA_DAMAGED, &loc);
		return -1;
	}
	sha256_hex(old, oldlen, h);
	if (memcmp(h, p + sizeof magic, HEX) != 0) {
		struct loc oloc = {old_path, 0, 0};

		short_hash((const char *)p + sizeof magic, want);
		short_hash(h, got);
		diag(E_DELTA_WRONG_OLD, &oloc, want, got);
		return -1;
	}
	return 0;
}

int
delta_apply_mem(const char *old_path, const void *old, size_t oldlen, const char *patch_path, const void *patch,
    size_t plen, struct buf *out)
{
	struct applier a;
	struct loc loc = {patch_path, 0, 0};
	struct buf ref = {0};
	uint64_t litlen, roff, rlen, datalen;
	char h[HEX + 1], want[SHORT + 1], got[SHORT + 1];
	int rc = -1;

	if (check_patch(old_path, old, oldlen, patch_path, patch, plen) == -1)
		return -1;
	memset(&a, 0, sizeof a);
	a.old = old;
	a.oldlen = oldlen;
	a.out = out;
	a.start = out->len;
	a.r.p = patch;
	a.r.len = plen - HEX;
	a.r.at = HEAD;
	if (get_uv(&a.r) != oldlen)
		a.r.bad = 1;
	a.newlen = get_upto(&a.r, DELTA_MAX_BYTES);
	litlen = get_upto(&a.r, a.newlen);
	roff = get_upto(&a.r, oldlen);
	rlen = get_upto(&a.r, oldlen - roff);
	if (a.r.bad || get_stream(&a.r, litlen, a.old + roff, rlen, &a.lit) == -1 ||
	    (datalen = get_upto(&a.r, DELTA_MAX_BYTES), get_ref(&a, datalen, &ref) == -1) ||
	    get_stream(&a.r, datalen, ref.data, ref.len, &a.data) == -1 || apply_ops(&a) == -1 ||
	    a.litat != a.lit.len || a.dataat != a.data.len) {
		diag(E_DELTA_BAD, &loc, (unsigned long long)a.r.at);
		goto done;
	}
	sha256_hex(out->data + a.start, a.newlen, h);
	if (memcmp(h, (const char *)patch + sizeof magic + HEX, HEX) != 0) {
		short_hash(h, got);
		short_hash((const char *)patch + sizeof magic + HEX, want);
		diag(E_DELTA_RESULT, &loc, got, want);
		goto done;
	}
	rc = 0;
done:
	buf_release(&a.lit);
	buf_release(&a.data);
	buf_release(&ref);
	return rc;
}

int
delta_apply(const char *old_zip, const char *patch, const char *new_out)
{
	char *old = NULL, *p = NULL, h[HEX + 1];
	size_t oldlen, plen, size;
	struct buf out = {0};
	struct atomic_file af;
	int rc = -1;

	if (read_input(old_zip, &old, &oldlen) == -1 || read_input(patch, &p, &plen) == -1)
		goto done;
	if (delta_apply_mem(old_zip, old, oldlen, patch, p, plen, &out) == -1)
		goto done;
	if (atomic_open(&af, new_out) == -1) {
		diag(S_WRITE, NULL, new_out, strerror(errno));
		goto done;
	}
	/* Read back what reached the temporary file before renaming it. */
	if (atomic_write(&af, out.data, out.len) == -1 || fflush(af.fp) == EOF ||
	    sha256_file(af.tmp, &size, h) == -1) {
		diag(S_WRITE, NULL, new_out, strerror(errno));
		atomic_abort(&af);
		goto done;
	}
	if (size != out.len || memcmp(h, p + sizeof magic + HEX, HEX) != 0) {
		char want[SHORT + 1], got[SHORT + 1];
		struct loc loc = {patch, 0, 0};

		short_hash(h, got);
		short_hash(p + sizeof magic + HEX, want);
		diag(E_DELTA_RESULT, &loc, got, want);
		atomic_abort(&af);
		goto done;
	}
	if (atomic_commit(&af) == -1) {
		diag(S_WRITE, NULL, new_out, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	free(old);
	free(p);
	buf_release(&out);
	return rc;
}
