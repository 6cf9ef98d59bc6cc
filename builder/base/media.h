/* Media types: one table of the file kinds a course may hold, by name
 * ending — its MIME type, whether it is compressed already (stored in
 * zips, not deflated again) and whether it is an image a page can show
 * (the phone edition inlines those).  Every edition and archive asks
 * here. */
#ifndef COURSEPACK_MEDIA_H
#define COURSEPACK_MEDIA_H

struct media_type {
	const char *ext;	/* ".jpg", lowercase */
	const char *mime;
	int packed;		/* compressed already: stored, not deflated */
	int image;		/* shown by <img> */
};

/* The file's MIME type, "application/octet-stream" when unknown. */
const char *media_mime(const char *name);
/* Whether a file of this name is worth deflating. */
int media_compressible(const char *name);
/* The file's MIME type if it is an image a page can show, else NULL. */
const char *media_image(const char *name);

#endif
