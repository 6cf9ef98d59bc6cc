/* The only libvips user (image.h says what it promises).
 *
 * libvips rules written down here:
 * - vips_init once, from the main thread, before other threads; then
 *   operations may run on any thread.  pthread_once guards it.
 * - a *load_buffer image reads the caller's bytes lazily: they must
 *   outlive every image made from them (we unref before returning).
 * - every VipsImage we get is ours to g_object_unref; *save_buffer hands
 *   back g_malloc'd bytes (g_free).
 * - libvips reports problems into a global error buffer and warns through
 *   g_log("VIPS"): we freeze the first (our reasons are our own, and the
 *   same from every thread) and send the second nowhere. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <vips/vips.h>

#include "image.h"

/* Files larger than this are not read at all. */
#define IMAGE_MAX_FILE (64 * 1024 * 1024)

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = -1;

static void
log_nowhere(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

static void
init_vips(void)
{
	static const char *const allowed[] = {
		"VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadNsgif", "VipsForeignLoadWebp",
	};
	size_t i;

	if (VIPS_INIT("coursepack") != 0)
		return;
	g_log_set_handler("VIPS", (GLogLevelFlags)(G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION),
	    log_nowhere, NULL);
	vips_error_freeze();
	/* One worker per pipeline: the machine is small and builds already
	 * run villages on their own threads.  No operation cache: memory
	 * stays bounded by the images in flight. */
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	/* Only the loaders we mean to run, whatever a file's bytes say. */
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	for (i = 0; i < NELEM(allowed); i++)
		vips_operation_block_set(allowed[i], FALSE);
	init_rc = 0;
}

int
image_init(void)
{
	pthread_once(&init_once, init_vips);
	return init_rc;
}

void
image_shutdown(void)
{
	if (init_rc == 0)
		vips_shutdown();
}

static int
starts_with(const void *data, size_t len, size_t off, const char *magic, size_t n)
{
	return len >= off + n && memcmp((const char *)data + off, magic, n) == 0;
}

/* An SVG: XML whose first element is <svg> (after an XML declaration,
 * comments, a doctype and blanks).  A loose test is enough: an SVG is
 * never decoded here, only passed through. */
static int
looks_like_svg(const char *p, size_t len)
{
	size_t n = len < 4096 ? len : 4096;
	const char *end = p + n;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p >= end || *p != '<')
			return 0;
		if ((size_t)(end - p) >= 4 && memcmp(p, "<svg", 4) == 0)
			return 1;
		if ((size_t)(end - p) >= 2 && (p[1] == '?' || p[1] == '!')) {
			const char *close = memchr(p, '>', (size_t)(end - p));

			if (close == NULL)
				return 0;
			p = close + 1;
			continue;
		}
		return 0;
	}
	return 0;
}

enum image_format
image_sniff(const void *data, size_t len)
{
	if (starts_with(data, len, 0, "\xff\xd8\xff", 3))
		return IMAGE_JPEG;
	if (starts_with(data, len, 0, "\x89PNG\r\n\x1a\n", 8))
		return IMAGE_PNG;
	if (starts_with(data, len, 0, "GIF87a", 6) || starts_with(data, len, 0, "GIF89a", 6))
		return IMAGE_GIF;
	if (starts_with(data, len, 0, "RIFF", 4) && starts_with(data, len, 8, "WEBP", 4))
		return IMAGE_WEBP;
	if (looks_like_svg(data, len))
		return IMAGE_SVG;
	return IMAGE_NONE;
}

static const char *
format_mime(enum image_format f)
{
	switch (f) {
	case IMAGE_JPEG:
		return "image/jpeg";
	case IMAGE_PNG:
		return "image/png";
	case IMAGE_GIF:
		return "image/gif";
	case IMAGE_WEBP:
		return "image/webp";
	case IMAGE_SVG:
		return "image/svg+xml";
	case IMAGE_NONE:
		break;
	}
	return "application/octet-stream";
}

static const char *const why_not_image =
    "not a JPEG, PNG, GIF or WebP image (a HEIC photo from a phone: save it as JPEG)";
static const char *const why_damaged = "the image is damaged or cut short";
static const char *const why_too_big = "the image has more than 100 megapixels";
static const char *const why_no_vips = "the image library (libvips) could not start";
static const char *const why_process = "the image could not be converted";

/* Opens the header of a raster image: nothing is decoded until pixels are
 * asked for.  `data` must outlive *out. */
static int
open_header(const void *data, size_t len, enum image_format f, VipsImage **out, const char **why)
{
	void *p = (void *)(uintptr_t)data;
	int rc;

	*out = NULL;
	if (image_init() == -1) {
		*why = why_no_vips;
		return -1;
	}
	switch (f) {
	case IMAGE_JPEG:
		rc = vips_jpegload_buffer(p, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
		    VIPS_FAIL_ON_TRUNCATED, NULL);
		break;
	case IMAGE_PNG:
		rc = vips_pngload_buffer(p, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
		    VIPS_FAIL_ON_TRUNCATED, NULL);
		break;
	case IMAGE_GIF:
		rc = vips_gifload_buffer(p, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
		    VIPS_FAIL_ON_TRUNCATED, NULL);
		break;
	case IMAGE_WEBP:
		rc = vips_webpload_buffer(p, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
		    VIPS_FAIL_ON_TRUNCATED, NULL);
		break;
	default:
		*why = why_not_image;
		return -1;
	}
	if (rc != 0) {
		*out = NULL;
		*why = why_damaged;
		return -1;
	}
	if ((long long)vips_image_get_width(*out) * vips_image_get_height(*out) > IMAGE_MAX_PIXELS) {
		g_object_unref(*out);
		*out = NULL;
		*why = why_too_big;
		return -1;
	}
	return 0;
}

/* Whether libvips found metadata that we strip: EXIF, XMP, IPTC, Photoshop
 * blocks, ICC profiles, PNG text chunks, GIF and JPEG comments. */
static int
has_metadata(VipsImage *im)
{
	static const char *const prefixes[] = {
		VIPS_META_EXIF_NAME, VIPS_META_XMP_NAME, VIPS_META_IPTC_NAME, VIPS_META_PHOTOSHOP_NAME,
		VIPS_META_ICC_NAME, "png-comment-", "gif-comment", "jpeg-comment", "exif-",
	};
	gchar **fields = vips_image_get_fields(im);
	int found = 0;

	for (size_t i = 0; fields[i] && !found; i++)
		for (size_t j = 0; j < NELEM(prefixes); j++)
			if (strncmp(fields[i], prefixes[j], strlen(prefixes[j])) == 0) {
				found = 1;
				break;
			}
	g_strfreev(fields);
	return found;
}

static void
info_fill(struct image_info *out, enum image_format f, VipsImage *im)
{
	memset(out, 0, sizeof *out);
	out->format = f;
	out->mime = format_mime(f);
	out->orientation = 1;
	if (im == NULL)
		return;
	out->width = vips_image_get_width(im);
	out->height = vips_image_get_height(im);
	out->orientation = vips_image_get_orientation(im);
	if (out->orientation < 1 || out->orientation > 8)
		out->orientation = 1;
	out->has_metadata = has_metadata(im);
	out->has_alpha = vips_image_hasalpha(im) != 0;
}

int
image_probe(const void *data, size_t len, struct image_info *out, const char **why)
{
	enum image_format f = image_sniff(data, len);
	VipsImage *im;

	if (f == IMAGE_SVG) {
		info_fill(out, f, NULL);
		return 0;
	}
	if (open_header(data, len, f, &im, why) == -1)
		return -1;
	info_fill(out, f, im);
	g_object_unref(im);
	return 0;
}

/* Replaces *im by *t, the result of an operation on *im that returned
 * rc, or returns -1 and leaves *im for the caller to unref.  (t by
 * pointer: it is read after the operation ran.) */
static int
step(VipsImage **im, int rc, VipsImage **t)
{
	if (rc != 0)
		return -1;
	g_object_unref(*im);
	*im = *t;
	*t = NULL;
	return 0;
}

/* 8-bit sRGB (or 8-bit grey), alpha kept: an ICC profile is applied and
 * then dropped, other colour spaces (CMYK, 16 bit) converted. */
static int
to_srgb(VipsImage **im)
{
	VipsInterpretation in = vips_image_guess_interpretation(*im);
	VipsImage *t = NULL;

	if (vips_image_get_typeof(*im, VIPS_META_ICC_NAME)) {
		if (step(im, vips_icc_transform(*im, &t, "srgb", "embedded", TRUE, "intent",
		    VIPS_INTENT_RELATIVE, "depth", 8, NULL), &t) == -1)
			return -1;
		vips_image_remove(*im, VIPS_META_ICC_NAME);
		return 0;
	}
	if (in == VIPS_INTERPRETATION_B_W && vips_image_get_format(*im) == VIPS_FORMAT_UCHAR)
		return 0;
	if (in == VIPS_INTERPRETATION_sRGB && vips_image_get_format(*im) == VIPS_FORMAT_UCHAR)
		return 0;
	if (in == VIPS_INTERPRETATION_B_W || in == VIPS_INTERPRETATION_GREY16)
		return step(im, vips_colourspace(*im, &t, VIPS_INTERPRETATION_B_W, NULL), &t);
	return step(im, vips_colourspace(*im, &t, VIPS_INTERPRETATION_sRGB, NULL), &t);
}

/* Whether a WebP holds a lossless (VP8L) bitstream: a drawing or a
 * screenshot, which a lossy re-encoding would blur. */
static int
webp_lossless(const unsigned char *p, size_t len)
{
	size_t i = 12;

	while (i + 8 <= len) {
		size_t n = (size_t)p[i + 4] | (size_t)p[i + 5] << 8 | (size_t)p[i + 6] << 16 | (size_t)p[i + 7] << 24;

		if (memcmp(p + i, "VP8L", 4) == 0)
			return 1;
		if (n > len - i - 8)
			break;
		i += 8 + n + (n & 1);
	}
	return 0;
}

/* Encodes *im with no metadata at all, keeping the format it came in
 * where the name of its file says so: GIF stays GIF, WebP stays WebP
 * (lossless when it was), so that 'x.gif' never holds a PNG.  A JPEG
 * stays JPEG unless it has alpha (impossible for JPEG input); PNG stays
 * PNG.  `src` is the input's bytes, for the WebP kind. */
static int
encode(VipsImage *im, enum image_format from, const void *src, size_t srclen, int quality, struct buf *out,
    const char **mime)
{
	void *bytes = NULL;
	size_t n = 0;
	int rc;

	if (from == IMAGE_GIF) {
		/* cgif quantises with a fixed dither: deterministic. */
		rc = vips_gifsave_buffer(im, &bytes, &n, "strip", TRUE, "effort", 7, "dither", 0.0, NULL);
		*mime = "image/gif";
	} else if (from == IMAGE_WEBP) {
		rc = vips_webpsave_buffer(im, &bytes, &n, "strip", TRUE, "Q", quality, "lossless",
		    webp_lossless(src, srclen), "effort", 4, "min_size", FALSE, "mixed", FALSE, NULL);
		*mime = "image/webp";
	} else if (vips_image_hasalpha(im) || from == IMAGE_PNG) {
		rc = vips_pngsave_buffer(im, &bytes, &n, "strip", TRUE, "compression", 9, "interlace", FALSE,
		    NULL);
		*mime = "image/png";
	} else {
		rc = vips_jpegsave_buffer(im, &bytes, &n, "strip", TRUE, "Q", quality, "optimize_coding", TRUE,
		    "interlace", FALSE, "subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON, NULL);
		*mime = "image/jpeg";
	}
	if (rc != 0)
		return -1;
	if (from == IMAGE_WEBP) {
		/* libvips 8.14's webpsave writes an EXIF chunk of its own
		 * (resolution, orientation) even with strip: drop it. */
		int dropped;

		rc = image_strip_webp(bytes, n, out, &dropped);
		g_free(bytes);
		return rc;
	}
	buf_add(out, bytes, n);
	g_free(bytes);
	return 0;
}

/* The pixels of `im` as a fresh image with no metadata fields at all, so
 * that no saver can write any of them back. */
static int
drop_fields(VipsImage **im)
{
	gchar **fields = vips_image_get_fields(*im);

	for (size_t i = 0; fields[i]; i++)
		if (strncmp(fields[i], "exif-", 5) == 0 || strncmp(fields[i], "xmp-", 4) == 0 ||
		    strncmp(fields[i], "iptc-", 5) == 0 || strncmp(fields[i], "photoshop-", 10) == 0 ||
		    strncmp(fields[i], "icc-", 4) == 0 || strncmp(fields[i], "png-comment-", 12) == 0 ||
		    strncmp(fields[i], "gif-comment", 11) == 0 || strncmp(fields[i], "jpeg-comment", 12) == 0 ||
		    streq(fields[i], VIPS_META_ORIENTATION) || streq(fields[i], VIPS_META_IMAGEDESCRIPTION))
			vips_image_remove(*im, fields[i]);
	g_strfreev(fields);
	return 0;
}

/* The last steps of every image we write: sRGB, no metadata, a plain
 * header, encoded.  *im stays the caller's to unref.  Returns 0, or -1
 * with *why. */
static int
finish(VipsImage **im, enum image_format f, const void *src, size_t srclen, int quality, struct buf *out,
    const char **mime, const char **why)
{
	VipsImage *t = NULL;

	*why = why_process;
	if (to_srgb(im) == -1 || drop_fields(im) == -1)
		return -1;
	/* Copy so that the saver sees a plain image (a new header). */
	if (step(im, vips_copy(*im, &t, NULL), &t) == -1)
		return -1;
	if (encode(*im, f, src, srclen, quality, out, mime) == -1) {
		*why = why_damaged;
		return -1;
	}
	return 0;
}

int
image_for_phone(const void *data, size_t len, int max_side, struct buf *out, const char **mime,
    const char **why)
{
	enum image_format f = image_sniff(data, len);
	VipsImage *im = NULL;
	int rc = -1;

	if (f == IMAGE_SVG) {
		buf_add(out, data, len);
		*mime = format_mime(f);
		return 0;
	}
	/* The header first: refuse what is not ours or too large before the
	 * thumbnailer decodes anything. */
	if (open_header(data, len, f, &im, why) == -1)
		return -1;
	g_object_unref(im);
	im = NULL;
	if (max_side < 1)
		max_side = 1;
	/* Shrink-on-load (JPEG DCT scaling, WebP scaling), upright by EXIF. */
	if (vips_thumbnail_buffer((void *)(uintptr_t)data, len, &im, max_side, "height", max_side, "size",
	    VIPS_SIZE_DOWN, "option_string", "fail_on=truncated", NULL) != 0) {
		im = NULL;
		*why = why_damaged;
		goto out;
	}
	rc = finish(&im, f, data, len, IMAGE_PHONE_QUALITY, out, mime, why);
out:
	if (im)
		g_object_unref(im);
	return rc;
}

/* JPEG segments a clean JPEG keeps: JFIF's APP0 and Adobe's APP14 (it
 * says whether the three channels are YCbCr or RGB), and everything
 * that is not an APPn or a comment. */
static int
jpeg_keep(unsigned m, const unsigned char *payload, size_t n)
{
	if (m == 0xe0)
		return n >= 5 && memcmp(payload, "JFIF", 5) == 0;
	if (m == 0xee)
		return n >= 5 && memcmp(payload, "Adobe", 5) == 0;
	return !(m >= 0xe1 && m <= 0xef) && m != 0xfe;
}

int
image_strip_jpeg(const void *data, size_t len, struct buf *out, int *dropped)
{
	const unsigned char *p = data;
	size_t i = 2, start = out->len;

	*dropped = 0;
	if (len < 4 || p[0] != 0xff || p[1] != 0xd8)
		return -1;
	buf_add(out, p, 2);
	for (;;) {
		unsigned m;
		size_t n;

		/* A marker, after any number of 0xFF fill bytes. */
		if (i >= len || p[i] != 0xff)
			goto bad;
		while (i + 1 < len && p[i + 1] == 0xff)
			i++;
		if (i + 1 >= len)
			goto bad;
		m = p[i + 1];
		if (m == 0xd9) {
			/* End of image: whatever follows (a second image of a
			 * phone's "MPF" set, a vendor trailer) is not kept. */
			buf_add(out, p + i, 2);
			*dropped |= i + 2 < len;
			return 0;
		}
		if (m == 0x00 || m == 0xd8)
			goto bad;
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			buf_add(out, p + i, 2);
			i += 2;
			continue;
		}
		if (i + 4 > len)
			goto bad;
		n = (size_t)p[i + 2] << 8 | p[i + 3];
		if (n < 2 || n > len - i - 2)
			goto bad;
		if (jpeg_keep(m, p + i + 4, n - 2))
			buf_add(out, p + i, 2 + n);
		else
			*dropped = 1;
		i += 2 + n;
		if (m == 0xda) {
			/* Entropy-coded data runs to the next marker that is
			 * neither a stuffed 0xFF00 nor a restart marker. */
			size_t j = i;

			while (j + 1 < len && !(p[j] == 0xff && p[j + 1] != 0x00 && p[j + 1] != 0xff &&
			    !(p[j + 1] >= 0xd0 && p[j + 1] <= 0xd7)))
				j++;
			if (j + 1 >= len)
				goto bad;
			buf_add(out, p + i, j - i);
			i = j;
		}
	}
bad:
	out->len = start;
	*dropped = 0;
	return -1;
}

/* Skips GIF sub-blocks from p[i]: returns the index after the
 * terminator, or 0 when the data ends first. */
static size_t
gif_blocks(const unsigned char *p, size_t len, size_t i)
{
	while (i < len && p[i] != 0)
		i += 1 + (size_t)p[i];
	return i < len ? i + 1 : 0;
}

int
image_strip_gif(const void *data, size_t len, struct buf *out, int *dropped)
{
	const unsigned char *p = data;
	size_t i = 13, start = out->len;

	*dropped = 0;
	if (len < 13 || (memcmp(p, "GIF87a", 6) != 0 && memcmp(p, "GIF89a", 6) != 0))
		goto bad;
	if (p[10] & 0x80)
		i += (size_t)3 << ((p[10] & 7) + 1);
	if (i > len)
		goto bad;
	buf_add(out, p, i);
	for (;;) {
		size_t next;

		if (i >= len)
			goto bad;
		if (p[i] == 0x3b) {
			buf_add(out, p + i, 1);
			*dropped |= i + 1 < len;
			return 0;
		}
		if (p[i] == 0x2c) {
			/* Image: descriptor, local colour table, LZW code size,
			 * data sub-blocks. */
			size_t at = i;

			if (i + 10 > len)
				goto bad;
			next = i + 10;
			if (p[i + 9] & 0x80)
				next += (size_t)3 << ((p[i + 9] & 7) + 1);
			if (next + 1 > len || (next = gif_blocks(p, len, next + 1)) == 0)
				goto bad;
			buf_add(out, p + at, next - at);
			i = next;
			continue;
		}
		if (p[i] != 0x21 || i + 2 > len)
			goto bad;
		if ((next = gif_blocks(p, len, i + 2)) == 0)
			goto bad;
		/* Extensions kept: graphic control (delays, transparency),
		 * plain text, and the looping of an animation.  Comments
		 * and every other application block (XMP, ICC) go. */
		if (p[i + 1] == 0xf9 || p[i + 1] == 0x01 ||
		    (p[i + 1] == 0xff && i + 14 <= len && p[i + 2] == 11 &&
		    (memcmp(p + i + 3, "NETSCAPE2.0", 11) == 0 || memcmp(p + i + 3, "ANIMEXTS1.0", 11) == 0)))
			buf_add(out, p + i, next - i);
		else
			*dropped = 1;
		i = next;
	}
bad:
	out->len = start;
	*dropped = 0;
	return -1;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int
image_strip_webp(const void *data, size_t len, struct buf *out, int *dropped)
{
	static const char *const keep[] = {"VP8X", "VP8 ", "VP8L", "ALPH", "ANIM", "ANMF", "ICCP"};
	const unsigned char *p = data;
	size_t i = 12, start = out->len, vp8x = 0;
	uint32_t riff;

	*dropped = 0;
	if (len < 12 || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WEBP", 4) != 0)
		return -1;
	riff = le32(p + 4);
	if (riff < 4 || riff > len - 8)
		return -1;
	/* Bytes after the RIFF chunk are not kept. */
	*dropped = len > (size_t)riff + 8;
	len = (size_t)riff + 8;
	buf_add(out, p, 12);
	while (i < len) {
		size_t n, whole;
		int kept = 0;

		if (i + 8 > len)
			goto bad;
		n = le32(p + i + 4);
		if (n > len - i - 8 || (n & 1 && n + 1 > len - i - 8))
			goto bad;
		whole = 8 + n + (n & 1);
		for (size_t k = 0; k < NELEM(keep); k++)
			if (memcmp(p + i, keep[k], 4) == 0)
				kept = 1;
		if (kept) {
			if (memcmp(p + i, "VP8X", 4) == 0) {
				if (n < 10 || vp8x)
					goto bad;
				vp8x = out->len;
			}
			buf_add(out, p + i, whole);
		} else
			*dropped = 1;
		i += whole;
	}
	if (vp8x) {
		/* The flags say which chunks follow: no EXIF, no XMP. */
		unsigned char *f = (unsigned char *)out->data + vp8x + 8;

		if (*f & 0x0c)
			*dropped = 1;
		*f &= (unsigned char)~0x0c;
	}
	{
		size_t total = out->len - start - 8;
		unsigned char *q = (unsigned char *)out->data + start + 4;

		q[0] = (unsigned char)total, q[1] = (unsigned char)(total >> 8);
		q[2] = (unsigned char)(total >> 16), q[3] = (unsigned char)(total >> 24);
	}
	return 0;
bad:
	out->len = start;
	*dropped = 0;
	return -1;
}

/* Whether a JPEG's or WebP's pixels can stay as they are: upright
 * already, and 8-bit sRGB or grey with no ICC profile to apply. */
static int
pixels_plain(VipsImage *im, const struct image_info *info)
{
	VipsInterpretation in = vips_image_guess_interpretation(im);

	return info->orientation == 1 && !vips_image_get_typeof(im, VIPS_META_ICC_NAME) &&
	    vips_image_get_format(im) == VIPS_FORMAT_UCHAR &&
	    (in == VIPS_INTERPRETATION_sRGB || in == VIPS_INTERPRETATION_B_W);
}

/* The bytes a segment walker made, if they read back as an image with
 * no metadata at all: then they replace the input, else we re-encode. */
static int
lossless_ok(struct buf *out, size_t start)
{
	struct image_info after;
	VipsImage *im = NULL;
	const char *why;

	if (open_header(out->data + start, out->len - start, image_sniff(out->data + start, out->len - start),
	    &im, &why) == -1)
		return 0;
	info_fill(&after, image_sniff(out->data + start, out->len - start), im);
	g_object_unref(im);
	return !after.has_metadata && after.orientation == 1;
}

int
image_clean(const void *data, size_t len, struct buf *out, const char **mime, const char **why)
{
	enum image_format f = image_sniff(data, len);
	struct image_info info;
	VipsImage *im = NULL, *t = NULL;
	size_t start = out->len;
	int rc = -1, dropped = 0;

	if (f == IMAGE_SVG)
		return 1;
	if (open_header(data, len, f, &im, why) == -1)
		return -1;
	info_fill(&info, f, im);
	/* GIF: libvips sees neither comments nor XMP in a GIF, and the
	 * blocks are easy to drop without decoding, animation kept. */
	if (f == IMAGE_GIF) {
		if (image_strip_gif(data, len, out, &dropped) == 0) {
			g_object_unref(im);
			if (!dropped) {
				out->len = start;	/* nothing appended: kept as it is */
				return 1;
			}
			*mime = "image/gif";
			return 0;
		}
		/* Blocks we cannot follow: decoded and written afresh. */
	} else if (!info.has_metadata && info.orientation == 1) {
		g_object_unref(im);
		return 1;
	}
	/* A JPEG or WebP whose pixels need no change loses its metadata
	 * segments or chunks and keeps its compressed data as it was: no
	 * second lossy pass. */
	if ((f == IMAGE_JPEG || f == IMAGE_WEBP) && pixels_plain(im, &info) &&
	    (f == IMAGE_JPEG ? image_strip_jpeg(data, len, out, &dropped) : image_strip_webp(data, len, out, &dropped)) ==
	    0) {
		if (lossless_ok(out, start)) {
			g_object_unref(im);
			*mime = format_mime(f);
			return 0;
		}
		out->len = start;
	}
	/* autorot needs random access for rotations: load again so. */
	g_object_unref(im);
	im = NULL;
	{
		void *p = (void *)(uintptr_t)data;
		int lrc;

		switch (f) {
		case IMAGE_JPEG:
			lrc = vips_jpegload_buffer(p, len, &im, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
			break;
		case IMAGE_PNG:
			lrc = vips_pngload_buffer(p, len, &im, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
			break;
		case IMAGE_GIF:
			lrc = vips_gifload_buffer(p, len, &im, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
			break;
		default:
			lrc = vips_webpload_buffer(p, len, &im, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
			break;
		}
		if (lrc != 0) {
			im = NULL;
			*why = why_damaged;
			return -1;
		}
	}
	*why = why_process;
	if (step(&im, vips_autorot(im, &t, NULL), &t) == -1)
		goto out;
	rc = finish(&im, f, data, len, IMAGE_CLEAN_QUALITY, out, mime, why);
out:
	if (im)
		g_object_unref(im);
	return rc;
}

static int
image_name(const char *rel)
{
	static const char *const exts[] = {".jpg", ".jpeg", ".png", ".gif", ".webp"};
	size_t n = strlen(rel);

	for (size_t i = 0; i < NELEM(exts); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && strcasecmp_ascii(rel + n - e, exts[i]) == 0)
			return 1;
	}
	return 0;
}

int
image_check_file(const char *path, struct image_info *info, long long *bytes, const char **why)
{
	struct stat st;
	char *data = NULL;
	size_t len;
	int rc = -1;

	memset(info, 0, sizeof *info);
	*bytes = 0;
	if (stat(path, &st) == -1) {
		*why = strerror(errno);
		return -1;
	}
	*bytes = (long long)st.st_size;
	if (st.st_size > IMAGE_MAX_FILE) {
		*why = "the file is larger than 64 MB";
		return -1;
	}
	if (read_file(path, IMAGE_MAX_FILE, &data, &len) == -1) {
		*why = strerror(errno);
		return -1;
	}
	*bytes = (long long)len;
	if (image_probe(data, len, info, why) == -1)
		goto out;
	if (info->format == IMAGE_SVG)
		rc = 0;
	else if (*bytes > IMAGE_WARN_BYTES || info->width > IMAGE_WARN_SIDE || info->height > IMAGE_WARN_SIDE)
		rc = 1;
	else
		rc = 0;
out:
	free(data);
	return rc;
}

/* "4.5 MB", "830 KB", "512 bytes": sizes as trainers read them. */
static void
size_words(long long n, char out[32])
{
	if (n >= 1024 * 1024)
		snprintf(out, 32, "%.1f MB", (double)n / (1024.0 * 1024.0));
	else if (n >= 1024)
		snprintf(out, 32, "%lld KB", (n + 512) / 1024);
	else
		snprintf(out, 32, "%lld bytes", n);
}

int
image_check(const char *dir, const char *rel, const struct loc *loc)
{
	struct image_info info;
	long long bytes;
	const char *why = NULL;
	char size[32], limit[32], *path;
	int r;

	if (!image_name(rel))
		return 0;
	path = path_join(dir, rel);
	r = image_check_file(path, &info, &bytes, &why);
	free(path);
	if (r == 0)
		return 0;
	if (r == -1) {
		diag(E_IMAGE_UNREADABLE, loc, rel, why);
		return 1;
	}
	size_words(bytes, size);
	size_words(IMAGE_WARN_BYTES, limit);
	diag(W_IMAGE_LARGE, loc, rel, info.width, info.height, size, IMAGE_WARN_SIDE, limit, IMAGE_ADVISED_SIDE);
	return 1;
}
