/* Images in lessons: the only file that includes libvips is image.c; the
 * rest of the program sees these types.
 *
 * What goes out: every raster image the program writes has no metadata
 * left (EXIF with its GPS position and camera serial, XMP, IPTC, comments,
 * ICC profiles) and is turned upright by its EXIF orientation.  Colour: an
 * image with an ICC profile is converted to sRGB before the profile is
 * dropped, so wide-gamut phone photos (Display P3) keep their colours in
 * every reader, which takes an untagged image for sRGB.  SVG is never
 * rasterised: it is passed through unchanged.
 *
 * Formats read: JPEG, PNG, GIF (first frame) and WebP, recognised by their
 * first bytes, whatever the file is called; every other libvips loader is
 * blocked.  Written in the format read, so that a file's name never lies
 * about its content: JPEG as JPEG, PNG as PNG, GIF as GIF (first frame
 * when decoded), WebP as WebP (lossless when it was).  Where the pixels
 * need no change (upright, sRGB), metadata is removed without decoding:
 * a JPEG loses its APPn and COM segments, a GIF its comment and
 * application blocks, a WebP its EXIF, XMP and unknown chunks, and the
 * compressed pixels stay as they were.
 *
 * Determinism: the same input bytes and arguments give the same output
 * bytes, in every run and from any thread (libvips computes each pixel the
 * same way whatever its threading; we also run it with one worker thread
 * per pipeline and no operation cache).
 *
 * Threads: call image_init once from the main thread before any other
 * thread uses this module (image_check calls it itself when needed);
 * after that every function here may be called from several threads at
 * once.  image_shutdown only at the very end, when no thread uses images.
 *
 * Errors: functions return -1 and set *why to a static English reason
 * that a caller puts into a diagnostic; libvips prints nothing itself. */
#ifndef COURSEPACK_IMAGE_H
#define COURSEPACK_IMAGE_H

#include <stddef.h>

#include "diag.h"
#include "util.h"

/* Phone edition: the long side of an image is at most this many pixels. */
#define IMAGE_PHONE_SIDE 1280
/* JPEG quality written for the phone edition (libjpeg scale, 1-100):
 * 80 is the usual web default; at 1280 px a phone photo comes to
 * 150-300 KB with no artefacts visible on a phone screen. */
#define IMAGE_PHONE_QUALITY 80
/* Quality for image_clean, which keeps the full size for print and
 * bundles: high enough that re-encoding loses nothing visible. */
#define IMAGE_CLEAN_QUALITY 90
/* Images read are refused above this many pixels (a decompression bomb
 * or a scan, not a lesson photo: a 48-megapixel phone photo passes). */
#define IMAGE_MAX_PIXELS (100LL * 1000 * 1000)

/* What `check` warns about: larger than either limit (a full-resolution
 * camera photo, 8 megapixels and up, trips both), and what it suggests. */
#define IMAGE_WARN_BYTES (2 * 1024 * 1024)
#define IMAGE_WARN_SIDE 3000
#define IMAGE_ADVISED_SIDE 1600

/* Starts libvips once per process (later calls do nothing): one worker
 * thread per pipeline, no operation cache, only our loaders, its
 * warnings silenced.  Returns 0, or -1 when libvips cannot start. */
int image_init(void);
/* Frees what libvips holds; for the end of main and of the tests. */
void image_shutdown(void);

enum image_format {
	IMAGE_NONE,	/* not an image we read */
	IMAGE_JPEG,
	IMAGE_PNG,
	IMAGE_GIF,
	IMAGE_WEBP,
	IMAGE_SVG,
};

struct image_info {
	enum image_format format;
	const char *mime;	/* "image/jpeg"..., static */
	int width, height;	/* as stored, before orientation; 0 for SVG */
	int orientation;	/* EXIF orientation 1-8; 1 when none */
	int has_metadata;	/* EXIF, XMP, IPTC, ICC or text chunks present */
	int has_alpha;
};

/* Which kind of image the bytes are, from their first bytes alone. */
enum image_format image_sniff(const void *data, size_t len);

/* Reads only the header: size, orientation, metadata.  Cheap: no pixels
 * are decoded.  Returns 0, or -1 with *why. */
int image_probe(const void *data, size_t len, struct image_info *out, const char **why);

/* The image for the phone edition: decoded with shrink-on-load, turned
 * upright, converted to sRGB, fitted within max_side x max_side pixels
 * (never enlarged), metadata stripped, encoded as JPEG at
 * IMAGE_PHONE_QUALITY or as PNG (see above).  An SVG is copied unchanged.
 * Appends the bytes to *out (the caller's buffer, which the caller
 * releases) and sets *mime to a static string.  Returns 0, or -1 with
 * *why and *out unchanged. */
int image_for_phone(const void *data, size_t len, int max_side, struct buf *out, const char **mime,
    const char **why);

/* The image for bundles, the EPUB and the booklet: the same pixels at the
 * same size, turned upright, metadata stripped, in the same format.
 * Returns 1 when the image needs no change (an SVG, or a raster image
 * with no metadata and orientation 1): then nothing is appended and the
 * caller keeps the original file as it is.  Returns 0 when a cleaned
 * image was appended to *out, with *mime set: a JPEG or WebP that is
 * upright, sRGB and without ICC profile, and any GIF, have their metadata
 * segments dropped and their compressed pixels kept byte for byte;
 * others are re-encoded (JPEG and WebP at IMAGE_CLEAN_QUALITY).  -1 with
 * *why. */
int image_clean(const void *data, size_t len, struct buf *out, const char **mime, const char **why);

/* The segment walkers behind image_clean, for the tests: they read any
 * bytes safely.  Append to *out the JPEG (GIF) without APPn segments
 * other than JFIF and Adobe, COM segments and bytes after the end of
 * the image (without comment and application blocks other than an
 * animation's looping, and bytes after the trailer); set *dropped when
 * anything was left out.  Return 0, or -1 with *out as it was when the
 * structure is broken or cut short. */
int image_strip_jpeg(const void *data, size_t len, struct buf *out, int *dropped);
int image_strip_gif(const void *data, size_t len, struct buf *out, int *dropped);
/* The same for a WebP: only its image chunks (VP8X, VP8, VP8L, ALPH,
 * ANIM, ANMF, ICCP) are kept, the VP8X flags for EXIF and XMP cleared. */
int image_strip_webp(const void *data, size_t len, struct buf *out, int *dropped);

/* For `check`: whether the image `rel` in folder `dir` (already known to
 * be a file inside it) is larger than IMAGE_WARN_BYTES or
 * IMAGE_WARN_SIDE, or cannot be read as an image; a file whose name is
 * not an image's (.jpg .jpeg .png .gif .webp) is not looked at.  Gives
 * the warning at `loc` itself and returns 1, else returns 0. */
int image_check(const char *dir, const char *rel, const struct loc *loc);

/* The decision behind image_check, without printing: 0 nothing to say,
 * 1 too large, -1 not readable (*why set).  Fills *info and *bytes. */
int image_check_file(const char *path, struct image_info *info, long long *bytes, const char **why);

#endif
