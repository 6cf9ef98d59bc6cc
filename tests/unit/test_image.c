/* The image layer: orientation, shrinking, metadata stripped, the same
 * bytes every time, and refusals with a reason.  Fixtures in tests/images
 * (made with ImageMagick and exiftool, see tests/images/README): a 64x48
 * JPEG in four coloured quadrants (red, lime / blue, yellow) with one
 * file per EXIF orientation, each carrying GPS tags, a camera serial,
 * XMP, IPTC and a comment; PNGs with alpha with and without metadata;
 * meta.gif (the quadrants with a comment and XMP, written by exiftool),
 * meta.webp (lossy, orientation 6, orient6.jpg's EXIF and XMP) and
 * lossless.webp (alpha-plain.png, lossless, with XMP).
 *
 * This test reads pixels back with libvips itself: the rule that only
 * image.c includes it is about the program, not about its tests. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vips/vips.h>

#include "image.h"
#include "unit.h"
#include "util.h"

#define IMG "tests/images/"

enum colour { RED, LIME, BLUE, YELLOW, OTHER };

static char *
slurp(const char *path, size_t *len)
{
	char *p = NULL;

	if (read_file(path, 1 << 20, &p, len) == -1) {
		printf("# cannot read %s\n", path);
		*len = 0;
		return xstrdup("");
	}
	return p;
}

static enum colour
colour_at(VipsImage *im, int x, int y)
{
	double *v = NULL;
	int n = 0;
	enum colour c = OTHER;

	if (vips_getpoint(im, &v, &n, x, y, NULL) != 0 || n < 3) {
		g_free(v);
		return OTHER;
	}
	if (v[0] > 200 && v[1] < 60 && v[2] < 60)
		c = RED;
	else if (v[0] < 60 && v[1] > 200 && v[2] < 60)
		c = LIME;
	else if (v[0] < 60 && v[1] < 60 && v[2] > 200)
		c = BLUE;
	else if (v[0] > 200 && v[1] > 200 && v[2] < 60)
		c = YELLOW;
	g_free(v);
	return c;
}

/* Width, height and the colours seen at the top-left and top-right
 * (4 px in from the edges) of an encoded image. */
static int
look(const struct buf *b, int *w, int *h, enum colour *tl, enum colour *tr)
{
	VipsImage *im = vips_image_new_from_buffer(b->data, b->len, "", NULL);

	if (im == NULL)
		return -1;
	*w = vips_image_get_width(im);
	*h = vips_image_get_height(im);
	*tl = colour_at(im, 4, 4);
	*tr = colour_at(im, *w - 5, 4);
	g_object_unref(im);
	return 0;
}

static int
contains(const struct buf *b, const char *s)
{
	return memmem(b->data, b->len, s, strlen(s)) != NULL;
}

/* Only the segments a plain JPEG needs: no APP1..APP15 (EXIF, XMP, ICC,
 * IPTC/Photoshop) and no COM, up to the first scan. */
static int
jpeg_segments_clean(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;
	size_t i = 2;

	if (b->len < 4 || p[0] != 0xff || p[1] != 0xd8)
		return 0;
	while (i + 4 <= b->len) {
		unsigned m = p[i + 1];

		if (p[i] != 0xff)
			return 0;
		if (m == 0xda)
			return 1;
		if ((m >= 0xe1 && m <= 0xef) || m == 0xfe)
			return 0;
		i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
	}
	return 0;
}

/* Only critical and colour-neutral PNG chunks: no text, eXIf, iCCP, tIME. */
static int
png_chunks_clean(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;
	size_t i = 8;

	while (i + 12 <= b->len) {
		size_t n = (size_t)p[i] << 24 | (size_t)p[i + 1] << 16 | (size_t)p[i + 2] << 8 | p[i + 3];
		const char *t = (const char *)p + i + 4;

		if (memcmp(t, "tEXt", 4) == 0 || memcmp(t, "zTXt", 4) == 0 || memcmp(t, "iTXt", 4) == 0 ||
		    memcmp(t, "eXIf", 4) == 0 || memcmp(t, "iCCP", 4) == 0 || memcmp(t, "tIME", 4) == 0)
			return 0;
		if (memcmp(t, "IEND", 4) == 0)
			return 1;
		i += 12 + n;
	}
	return 0;
}

/* What exiftool finds in the bytes, when it is installed: no line of the
 * groups that carry places, people and devices. */
static int
exiftool_clean(const struct buf *b, int *ran)
{
	char path[] = "/tmp/coursepack-image-XXXXXX", cmd[128], line[512];
	int fd, clean = 1;
	FILE *fp;

	*ran = 0;
	if (system("command -v exiftool >/dev/null 2>&1") != 0)
		return 1;
	if ((fd = mkstemp(path)) == -1)
		return 0;
	if (write(fd, b->data, b->len) != (ssize_t)b->len) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	snprintf(cmd, sizeof cmd, "exiftool -a -G1 -s '%s' 2>&1", path);
	if ((fp = popen(cmd, "r")) == NULL) {
		unlink(path);
		return 0;
	}
	while (fgets(line, sizeof line, fp)) {
		if (strstr(line, "[GPS]") || strstr(line, "[IFD0]") || strstr(line, "[ExifIFD]") ||
		    strstr(line, "[XMP") || strstr(line, "[IPTC]") || strstr(line, "Serial") ||
		    strstr(line, "Comment") || strstr(line, "[ICC"))
			clean = 0;
	}
	*ran = pclose(fp) == 0;
	unlink(path);
	return clean;
}

static void
expect_stripped(const struct buf *b, const char *what)
{
	static const char *const secrets[] = {
		"Exif", "http://ns.adobe.com/xap", "SN0123456789XYZ", "Huawei", "WangXiaoming",
		"Xiayang", "village photo", "GPS", "Photoshop",
	};
	char msg[160];
	int ran, ok = 1;

	for (size_t i = 0; i < NELEM(secrets); i++)
		if (contains(b, secrets[i])) {
			printf("#   '%s' found in the output\n", secrets[i]);
			ok = 0;
		}
	snprintf(msg, sizeof msg, "%s: no metadata strings in the bytes", what);
	EXPECT(ok, msg);
	snprintf(msg, sizeof msg, "%s: only plain segments or chunks", what);
	EXPECT(b->len > 8 && (b->data[0] == '\x89' ? png_chunks_clean(b) : jpeg_segments_clean(b)), msg);
	snprintf(msg, sizeof msg, "%s: exiftool finds no metadata", what);
	ok = exiftool_clean(b, &ran);
	EXPECT(ok, msg);
	if (!ran)
		printf("#   exiftool did not run\n");
}

/* For formats other than JPEG and PNG: no metadata strings in the bytes
 * and nothing exiftool calls metadata. */
static void
expect_stripped_bytes(const struct buf *b, const char *what)
{
	static const char *const secrets[] = {
		"Exif", "EXIF", "XMP ", "http://ns.adobe.com/xap", "SN0123456789XYZ", "Huawei", "WangXiaoming",
		"village photo",
	};
	char msg[160];
	int ran, ok = 1;

	for (size_t i = 0; i < NELEM(secrets); i++)
		if (contains(b, secrets[i])) {
			printf("#   '%s' found in the output\n", secrets[i]);
			ok = 0;
		}
	snprintf(msg, sizeof msg, "%s: no metadata strings in the bytes", what);
	EXPECT(ok, msg);
	snprintf(msg, sizeof msg, "%s: exiftool finds no metadata", what);
	EXPECT(exiftool_clean(b, &ran), msg);
}

/* Displayed top-left and top-right quadrant for each EXIF orientation of
 * a stored image whose quadrants are red, lime / blue, yellow. */
static const struct {
	enum colour tl, tr;
	int swap;
} upright[9] = {
	[1] = {RED, LIME, 0},   [2] = {LIME, RED, 0},  [3] = {YELLOW, BLUE, 0}, [4] = {BLUE, YELLOW, 0},
	[5] = {RED, BLUE, 1},   [6] = {BLUE, RED, 1},  [7] = {YELLOW, LIME, 1}, [8] = {LIME, YELLOW, 1},
};

static void
test_orientations(void)
{
	for (int o = 1; o <= 8; o++) {
		char path[64], msg[160];
		struct image_info info;
		struct buf phone = {0}, small = {0}, clean = {0};
		const char *mime = NULL, *why = NULL;
		enum colour tl, tr;
		size_t len;
		char *data;
		int w, h, want_w = upright[o].swap ? 48 : 64, want_h = upright[o].swap ? 64 : 48;

		snprintf(path, sizeof path, IMG "orient%d.jpg", o);
		data = slurp(path, &len);
		snprintf(msg, sizeof msg, "orientation %d: probe reads the header", o);
		EXPECT(image_probe(data, len, &info, &why) == 0 && info.format == IMAGE_JPEG && info.width == 64 &&
		    info.height == 48 && info.orientation == o && info.has_metadata && !info.has_alpha, msg);

		snprintf(msg, sizeof msg, "orientation %d: phone image upright, not enlarged", o);
		EXPECT(image_for_phone(data, len, IMAGE_PHONE_SIDE, &phone, &mime, &why) == 0 &&
		    streq(mime, "image/jpeg") && look(&phone, &w, &h, &tl, &tr) == 0 && w == want_w &&
		    h == want_h && tl == upright[o].tl && tr == upright[o].tr, msg);
		snprintf(msg, sizeof msg, "orientation %d: phone image", o);
		expect_stripped(&phone, msg);

		snprintf(msg, sizeof msg, "orientation %d: fitted within 32 px", o);
		EXPECT(image_for_phone(data, len, 32, &small, &mime, &why) == 0 &&
		    look(&small, &w, &h, &tl, &tr) == 0 && w == want_w / 2 && h == want_h / 2 &&
		    tl == upright[o].tl && tr == upright[o].tr, msg);

		snprintf(msg, sizeof msg, "orientation %d: cleaned image upright, full size", o);
		EXPECT(image_clean(data, len, &clean, &mime, &why) == 0 && streq(mime, "image/jpeg") &&
		    look(&clean, &w, &h, &tl, &tr) == 0 && w == want_w && h == want_h &&
		    tl == upright[o].tl && tr == upright[o].tr, msg);
		snprintf(msg, sizeof msg, "orientation %d: cleaned image", o);
		expect_stripped(&clean, msg);
		if (o == 6) {
			struct image_info after;

			EXPECT(image_probe(phone.data, phone.len, &after, &why) == 0 && after.orientation == 1 &&
			    !after.has_metadata, "output probes as upright with no metadata");
			EXPECT(image_clean(clean.data, clean.len, &small, &mime, &why) == 1,
			    "a cleaned image needs no second cleaning");
		}
		buf_release(&phone);
		buf_release(&small);
		buf_release(&clean);
		free(data);
	}
}

static void
test_png(void)
{
	struct buf out = {0};
	const char *mime = NULL, *why = NULL;
	struct image_info info;
	size_t len;
	char *meta = slurp(IMG "alpha-meta.png", &len), *plain;
	size_t plen;

	EXPECT(image_probe(meta, len, &info, &why) == 0 && info.format == IMAGE_PNG && info.has_alpha &&
	    info.has_metadata && info.width == 40 && info.height == 30, "png probed: alpha, metadata");
	EXPECT(image_for_phone(meta, len, IMAGE_PHONE_SIDE, &out, &mime, &why) == 0 && streq(mime, "image/png"),
	    "png with alpha stays png for the phone");
	expect_stripped(&out, "png for the phone");
	buf_release(&out);
	EXPECT(image_clean(meta, len, &out, &mime, &why) == 0 && streq(mime, "image/png"), "png cleaned");
	expect_stripped(&out, "png cleaned");
	buf_release(&out);

	plain = slurp(IMG "alpha-plain.png", &plen);
	EXPECT(image_probe(plain, plen, &info, &why) == 0 && !info.has_metadata, "plain png: no metadata");
	EXPECT(image_clean(plain, plen, &out, &mime, &why) == 1 && out.len == 0,
	    "a png without metadata is kept as it is");
	buf_release(&out);
	free(plain);
	free(meta);
}

/* p3.jpg: the quadrants converted to Display P3 with that profile
 * embedded, as wide-gamut phones write them: lime is stored as about
 * (117, 251, 76).  Dropping the profile without converting would show
 * that; converted to sRGB it is lime again. */
static void
test_colour(void)
{
	struct buf out = {0};
	const char *mime = NULL, *why = NULL;
	enum colour tl, tr;
	size_t len;
	char *data = slurp(IMG "p3.jpg", &len);
	int w, h;

	EXPECT(image_for_phone(data, len, IMAGE_PHONE_SIDE, &out, &mime, &why) == 0 &&
	    look(&out, &w, &h, &tl, &tr) == 0 && tl == RED && tr == LIME, "a P3 photo keeps its colours for the phone");
	expect_stripped(&out, "P3 photo for the phone");
	buf_release(&out);
	EXPECT(image_clean(data, len, &out, &mime, &why) == 0 && look(&out, &w, &h, &tl, &tr) == 0 &&
	    tl == RED && tr == LIME, "a P3 photo keeps its colours when cleaned");
	expect_stripped(&out, "P3 photo cleaned");
	buf_release(&out);
	free(data);
}

static void
test_svg(void)
{
	static const char svg[] = "<?xml version=\"1.0\"?>\n<!-- a drawing -->\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n";
	struct buf out = {0};
	const char *mime = NULL, *why = NULL;
	struct image_info info;

	EXPECT(image_sniff(svg, sizeof svg - 1) == IMAGE_SVG, "svg recognised");
	EXPECT(image_probe(svg, sizeof svg - 1, &info, &why) == 0 && info.format == IMAGE_SVG, "svg probed");
	EXPECT(image_for_phone(svg, sizeof svg - 1, 32, &out, &mime, &why) == 0 && out.len == sizeof svg - 1 &&
	    memcmp(out.data, svg, out.len) == 0 && streq(mime, "image/svg+xml"), "svg passed through, not rasterised");
	buf_release(&out);
	EXPECT(image_clean(svg, sizeof svg - 1, &out, &mime, &why) == 1 && out.len == 0, "svg kept as it is");
}

static void
test_refusals(void)
{
	static const char text[] = "this is not a picture\n";
	struct buf out = {0};
	const char *mime = NULL, *why = NULL;
	struct image_info info;
	size_t len;
	char *data = slurp(IMG "orient1.jpg", &len);

	EXPECT(image_for_phone(text, sizeof text - 1, 100, &out, &mime, &why) == -1 && why &&
	    strstr(why, "not a JPEG") && out.len == 0, "text refused with a reason");
	why = NULL;
	EXPECT(image_probe("", 0, &info, &why) == -1 && why, "empty input refused");
	why = NULL;
	{
		/* libjpeg's "premature end of data" and the like must not reach
		 * stderr: the caller turns *why into a diagnostic. */
		char path[] = "/tmp/coursepack-stderr-XXXXXX";
		int fd = mkstemp(path), saved = dup(2), quiet;
		off_t printed;

		fflush(stderr);
		dup2(fd, 2);
		quiet = image_for_phone(data, len - 100, 100, &out, &mime, &why) == -1 && why && out.len == 0;
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		printed = lseek(fd, 0, SEEK_END);
		close(fd);
		unlink(path);
		EXPECT(quiet, "a photo cut short in its pixels is refused, nothing written");
		EXPECT(printed == 0, "libvips printed nothing on stderr for a photo cut short");
	}
	{
		/* Stray bytes before the scan: libjpeg warns ("extraneous bytes
		 * before marker"), the photo is still usable, and libvips would
		 * print "read gave 1 warnings" unless its log is silenced. */
		char path[] = "/tmp/coursepack-stderr-XXXXXX";
		char *odd = xmalloc(len + 4);
		const unsigned char *p = (const unsigned char *)data;
		size_t sos = 0;
		int fd = mkstemp(path), saved = dup(2), usable;
		off_t printed;

		for (size_t i = 2; i + 1 < len; i++)
			if (p[i] == 0xff && p[i + 1] == 0xda) {
				sos = i;
				break;
			}
		memcpy(odd, data, sos);
		memset(odd + sos, 0, 4);
		memcpy(odd + sos + 4, data + sos, len - sos);
		fflush(stderr);
		dup2(fd, 2);
		usable = sos > 0 && image_for_phone(odd, len + 4, 100, &out, &mime, &why) == 0 && out.len > 0;
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		printed = lseek(fd, 0, SEEK_END);
		close(fd);
		unlink(path);
		EXPECT(usable, "a photo with stray bytes is still used");
		EXPECT(printed == 0, "libvips printed nothing on stderr for its warnings");
		buf_release(&out);
		free(odd);
	}
	why = NULL;
	EXPECT(image_for_phone(data, len / 2, 100, &out, &mime, &why) == -1 && why && out.len == 0,
	    "a photo cut short in its header is refused");
	why = NULL;
	EXPECT(image_clean(data, len / 2, &out, &mime, &why) == -1 && why && out.len == 0,
	    "a photo cut short is not cleaned");
	why = NULL;
	EXPECT(image_clean(data, len - 100, &out, &mime, &why) == -1 && why && out.len == 0,
	    "a photo cut short in its pixels is not cleaned");
	/* A header claiming 60000 x 60000 px: refused before any decoding. */
	{
		char *big = xmalloc(len);
		unsigned char *p = (unsigned char *)big;

		memcpy(big, data, len);
		for (size_t i = 2; i + 9 < len; i++)
			if (p[i] == 0xff && p[i + 1] == 0xc0) {
				p[i + 5] = 0xea, p[i + 6] = 0x60, p[i + 7] = 0xea, p[i + 8] = 0x60;
				break;
			}
		why = NULL;
		EXPECT(image_for_phone(big, len, 100, &out, &mime, &why) == -1 && why && strstr(why, "megapixels"),
		    "a decompression bomb is refused by its header");
		free(big);
	}
	buf_release(&out);
	free(data);
}

/* The compressed pixels of a JPEG: from its first SOS marker on. */
static const char *
jpeg_scan(const char *data, size_t len, size_t *n)
{
	const char *sos = memmem(data, len, "\xff\xda", 2);

	*n = sos ? len - (size_t)(sos - data) : 0;
	return sos;
}

/* An upright sRGB photo with EXIF, XMP, IPTC and a comment: its metadata
 * segments go, its compressed pixels stay byte for byte (no second lossy
 * pass); a sideways one is still re-encoded. */
static void
test_lossless_jpeg(void)
{
	struct buf out = {0}, again = {0};
	const char *mime = NULL, *why = NULL, *a, *b;
	size_t len, na, nb;
	char *data = slurp(IMG "orient1.jpg", &len), *side;
	enum colour tl, tr;
	int w, h;

	EXPECT(image_clean(data, len, &out, &mime, &why) == 0 && streq(mime, "image/jpeg") && out.len < len,
	    "upright photo with metadata: cleaned, smaller");
	a = jpeg_scan(data, len, &na);
	b = jpeg_scan(out.data, out.len, &nb);
	EXPECT(a && b && na == nb && memcmp(a, b, na) == 0, "upright photo: compressed pixels kept byte for byte");
	EXPECT(look(&out, &w, &h, &tl, &tr) == 0 && w == 64 && h == 48 && tl == RED && tr == LIME,
	    "upright photo: same picture");
	expect_stripped(&out, "losslessly cleaned photo");
	EXPECT(image_clean(out.data, out.len, &again, &mime, &why) == 1 && again.len == 0,
	    "a losslessly cleaned photo needs nothing more");
	EXPECT(image_clean(data, len, &again, &mime, &why) == 0 && again.len == out.len &&
	    memcmp(again.data, out.data, out.len) == 0, "lossless cleaning gives the same bytes every time");
	buf_release(&out);
	buf_release(&again);

	side = slurp(IMG "orient6.jpg", &len);
	EXPECT(image_clean(side, len, &out, &mime, &why) == 0, "sideways photo cleaned");
	b = jpeg_scan(out.data, out.len, &nb);
	a = jpeg_scan(side, len, &na);
	EXPECT(b && !(na == nb && memcmp(a, b, na) == 0), "sideways photo: re-encoded, as it must be turned");
	buf_release(&out);
	free(side);
	free(data);
}

/* GIF and WebP come out in their own format, so that a file named .gif
 * or .webp holds what its name says. */
static void
test_gif_webp(void)
{
	struct buf out = {0}, again = {0};
	const char *mime = NULL, *why = NULL;
	struct image_info info;
	enum colour tl, tr;
	size_t len;
	char *gif = slurp(IMG "meta.gif", &len), *webp, *lossless;
	int w, h, dropped = 0;

	EXPECT(image_clean(gif, len, &out, &mime, &why) == 0 && streq(mime, "image/gif") &&
	    image_sniff(out.data, out.len) == IMAGE_GIF, "GIF with a comment and XMP: cleaned, still a GIF");
	EXPECT(out.len < len && !contains(&out, "village photo") && !contains(&out, "WangXiaoming") &&
	    !contains(&out, "XMP"), "GIF: comment and XMP gone");
	EXPECT(look(&out, &w, &h, &tl, &tr) == 0 && w == 64 && h == 48 && tl == RED && tr == LIME, "GIF: same picture");
	EXPECT(image_strip_gif(out.data, out.len, &again, &dropped) == 0 && !dropped && again.len == out.len,
	    "a cleaned GIF has nothing more to drop");
	buf_release(&again);
	EXPECT(image_clean(out.data, out.len, &again, &mime, &why) == 1 && again.len == 0,
	    "a cleaned GIF is kept as it is, nothing appended");
	buf_release(&out);
	buf_release(&again);
	free(gif);

	webp = slurp(IMG "meta.webp", &len);
	EXPECT(image_probe(webp, len, &info, &why) == 0 && info.orientation == 6 && info.has_metadata,
	    "WebP: sideways, GPS in its EXIF");
	EXPECT(image_clean(webp, len, &out, &mime, &why) == 0 && streq(mime, "image/webp") &&
	    image_sniff(out.data, out.len) == IMAGE_WEBP, "sideways WebP with GPS: cleaned, still a WebP");
	EXPECT(look(&out, &w, &h, &tl, &tr) == 0 && w == 48 && h == 64 && tl == BLUE && tr == RED, "WebP: upright");
	expect_stripped_bytes(&out, "WebP cleaned");
	EXPECT(image_clean(webp, len, &again, &mime, &why) == 0 && again.len == out.len &&
	    memcmp(again.data, out.data, out.len) == 0, "WebP: the same bytes every time");
	buf_release(&again);
	EXPECT(image_clean(out.data, out.len, &again, &mime, &why) == 1 && again.len == 0,
	    "a cleaned WebP needs nothing more");
	buf_release(&out);
	buf_release(&again);
	EXPECT(image_for_phone(webp, len, 32, &out, &mime, &why) == 0 && streq(mime, "image/webp"),
	    "WebP shrunk (build --photo-side, phone edition): still a WebP");
	buf_release(&out);
	free(webp);

	lossless = slurp(IMG "lossless.webp", &len);
	EXPECT(image_clean(lossless, len, &out, &mime, &why) == 0 && streq(mime, "image/webp") &&
	    memmem(out.data, out.len, "VP8L", 4) && !contains(&out, "WangXiaoming"),
	    "lossless WebP with alpha and XMP: cleaned, still lossless");
	{
		const char *a = memmem(lossless, len, "VP8L", 4), *b = memmem(out.data, out.len, "VP8L", 4);
		size_t n = a ? 8 + ((size_t)(unsigned char)a[4] | (size_t)(unsigned char)a[5] << 8) : 0;

		EXPECT(a && b && memcmp(a, b, n) == 0, "upright WebP: its compressed pixels kept byte for byte");
	}
	expect_stripped_bytes(&out, "upright WebP cleaned");
	buf_release(&out);
	free(lossless);
}

static int
strip(int kind, const char *data, size_t len, struct buf *out, int *dropped)
{
	if (kind == 0)
		return image_strip_jpeg(data, len, out, dropped);
	if (kind == 1)
		return image_strip_gif(data, len, out, dropped);
	return image_strip_webp(data, len, out, dropped);
}

/* The walkers read hostile bytes: every prefix of a photo, and the
 * photo with each byte changed, never read out of bounds (the sanitizer
 * build checks) and never give -1 with bytes appended. */
static void
test_walkers_hostile(void)
{
	static const char *const files[] = {IMG "orient1.jpg", IMG "p3.jpg", IMG "meta.gif", IMG "meta.webp"};
	int ok = 1;

	for (size_t f = 0; f < NELEM(files); f++) {
		size_t len;
		char *data = slurp(files[f], &len), *copy = xmalloc(len ? len : 1);
		int kind = f < 2 ? 0 : (int)f - 1;

		for (size_t n = 0; n <= len; n++) {
			struct buf out = {0};
			int dropped, r = strip(kind, data, n, &out, &dropped);

			ok &= (r == -1 && out.len == 0) || (r == 0 && out.len <= n);
			if (n < len - 1)
				ok &= r == -1;	/* cut short: no end marker */
			buf_release(&out);
		}
		for (size_t i = 0; i < len; i++) {
			static const unsigned char vals[] = {0x00, 0xff, 0xd9, 0xda, 0x21, 0x3b, 0x80};

			memcpy(copy, data, len);
			for (size_t v = 0; v < sizeof vals; v++) {
				struct buf out = {0};
				int dropped, r;

				copy[i] = (char)vals[v];
				r = strip(kind, copy, len, &out, &dropped);
				ok &= (r == -1 && out.len == 0) || (r == 0 && out.len <= len);
				buf_release(&out);
			}
		}
		free(copy);
		free(data);
	}
	EXPECT(ok, "segment walkers: prefixes and changed bytes read safely");
}

struct run {
	const char *data;
	size_t len;
	struct buf out[4];
};

static void *
run_phone(void *arg)
{
	struct run *r = arg;
	const char *mime, *why;

	for (int i = 0; i < 4; i++)
		if (image_for_phone(r->data, r->len, 40, &r->out[i], &mime, &why) == -1)
			return NULL;
	return r;
}

static void
test_determinism(void)
{
	struct run a = {0}, b = {0};
	pthread_t ta, tb;
	size_t len;
	char *data = slurp(IMG "orient6.jpg", &len);
	int same = 1;

	a.data = b.data = data;
	a.len = b.len = len;
	EXPECT(pthread_create(&ta, NULL, run_phone, &a) == 0 && pthread_create(&tb, NULL, run_phone, &b) == 0,
	    "two threads started");
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	for (int i = 0; i < 4; i++)
		same &= a.out[i].len > 0 && a.out[i].len == a.out[0].len && b.out[i].len == a.out[0].len &&
		    memcmp(a.out[i].data, a.out[0].data, a.out[0].len) == 0 &&
		    memcmp(b.out[i].data, a.out[0].data, a.out[0].len) == 0;
	EXPECT(same, "the same photo gives the same bytes, repeated and from two threads at once");
	for (int i = 0; i < 4; i++) {
		buf_release(&a.out[i]);
		buf_release(&b.out[i]);
	}
	free(data);
}

static void
test_check_decision(void)
{
	struct image_info info;
	long long bytes;
	const char *why = NULL;

	EXPECT(image_check_file(IMG "orient1.jpg", &info, &bytes, &why) == 0 && bytes == 3699,
	    "a small photo: nothing to say");
	EXPECT(image_check_file("tests/golden/image-large/lib/grow/media/wide.png", &info, &bytes, &why) == 1 &&
	    info.width == 3200, "over 3000 px on the long side: too large");
	EXPECT(image_check_file(IMG "no-such.jpg", &info, &bytes, &why) == -1 && why, "a missing file: a reason");
	/* A small picture in a file over 2 MB (trailing bytes after the
	 * image, as some phone apps leave): too large by its size alone. */
	{
		char path[] = "/tmp/coursepack-image-XXXXXX";
		size_t len;
		char *data = slurp(IMG "orient1.jpg", &len), *pad = xcalloc(1, IMAGE_WARN_BYTES);
		int fd = mkstemp(path), wrote = 0;

		if (fd != -1) {
			wrote = write(fd, data, len) == (ssize_t)len &&
			    write(fd, pad, IMAGE_WARN_BYTES) == (ssize_t)IMAGE_WARN_BYTES;
			close(fd);
		}
		EXPECT(wrote && image_check_file(path, &info, &bytes, &why) == 1 && info.width == 64 &&
		    bytes == (long long)len + IMAGE_WARN_BYTES, "over 2 MB: too large");
		if (fd != -1)
			unlink(path);
		free(pad);
		free(data);
	}
}

void
test_image(void)
{
	EXPECT(image_init() == 0 && image_init() == 0, "libvips starts, once");
	test_orientations();
	test_png();
	test_colour();
	test_svg();
	test_refusals();
	test_lossless_jpeg();
	test_gif_webp();
	test_walkers_hostile();
	test_determinism();
	test_check_decision();
}
