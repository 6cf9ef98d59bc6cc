#include <string.h>

#include "media.h"
#include "util.h"

/* Images, sound (.amr: phones' voice notes), video, archives, and
 * documents that are archives or hold deflated streams (PDF, Office and
 * OpenDocument files) are compressed already.  SVG is text. */
static const struct media_type types[] = {
	{".svg", "image/svg+xml", 0, 1},
	{".png", "image/png", 1, 1},
	{".jpg", "image/jpeg", 1, 1},
	{".jpeg", "image/jpeg", 1, 1},
	{".gif", "image/gif", 1, 1},
	{".webp", "image/webp", 1, 1},
	{".avif", "image/avif", 1, 0},
	{".heic", "image/heic", 1, 0},
	{".mp3", "audio/mpeg", 1, 0},
	{".m4a", "audio/mp4", 1, 0},
	{".aac", "audio/aac", 1, 0},
	{".ogg", "audio/ogg", 1, 0},
	{".opus", "audio/opus", 1, 0},
	{".amr", "audio/amr", 1, 0},
	{".flac", "audio/flac", 1, 0},
	{".mp4", "video/mp4", 1, 0},
	{".m4v", "video/mp4", 1, 0},
	{".mov", "video/quicktime", 1, 0},
	{".webm", "video/webm", 1, 0},
	{".3gp", "video/3gpp", 1, 0},
	{".mkv", "video/x-matroska", 1, 0},
	{".zip", "application/zip", 1, 0},
	{".gz", "application/gzip", 1, 0},
	{".xz", "application/x-xz", 1, 0},
	{".bz2", "application/x-bzip2", 1, 0},
	{".zst", "application/zstd", 1, 0},
	{".7z", "application/x-7z-compressed", 1, 0},
	{".rar", "application/vnd.rar", 1, 0},
	{".epub", "application/epub+zip", 1, 0},
	{".pdf", "application/pdf", 1, 0},
	{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 1, 0},
	{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 1, 0},
	{".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", 1, 0},
	{".odt", "application/vnd.oasis.opendocument.text", 1, 0},
	{".ods", "application/vnd.oasis.opendocument.spreadsheet", 1, 0},
	{".odp", "application/vnd.oasis.opendocument.presentation", 1, 0},
	{".css", "text/css", 0, 0},
	{".xhtml", "application/xhtml+xml", 0, 0},
};

/* The entry for a file name (its ending, ASCII case ignored), or NULL for
 * a kind the table does not know (treated as text: deflated). */
static const struct media_type *
media_find(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < NELEM(types); i++) {
		size_t m = strlen(types[i].ext);

		if (n >= m && strcasecmp_ascii(name + n - m, types[i].ext) == 0)
			return &types[i];
	}
	return NULL;
}

const char *
media_mime(const char *name)
{
	const struct media_type *t = media_find(name);

	return t ? t->mime : "application/octet-stream";
}

int
media_compressible(const char *name)
{
	const struct media_type *t = media_find(name);

	return t == NULL || !t->packed;
}

const char *
media_image(const char *name)
{
	const struct media_type *t = media_find(name);

	return t && t->image ? t->mime : NULL;
}
