/* The zip wrapper: the only file that includes libzip.
 *
 * Writing: entries go in the order added, with the time, permissions and
 * compression we choose, so that the same inputs give the same bytes.
 * libzip writes to a temporary file beside the target and renames it on
 * close: a bundle appears complete or not at all.
 *
 * Reading: archives are untrusted.  libzip 1.7.3 checks sizes and CRCs
 * only after handing over every byte, so reads stop at our limits and at
 * each entry's declared size. */
#ifndef COURSEPACK_ZIPFILE_H
#define COURSEPACK_ZIPFILE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ZIP_MAX_ENTRIES 10000
#define ZIP_MAX_ENTRY_BYTES (256u * 1024 * 1024)	/* one entry, uncompressed */
#define ZIP_MAX_TOTAL_BYTES (2ull * 1024 * 1024 * 1024)	/* all entries */
#define ZIP_MAX_RATIO 1000				/* uncompressed : compressed */

struct zip_writer;

/* Starts a new archive that will replace `path` on zipw_close.  NULL
 * after diagnosing. */
struct zip_writer *zipw_open(const char *path);
/* Adds an entry, stored (deflated data goes through zipw_add_deflated);
 * `data` must stay valid until zipw_close or zipw_discard returns.
 * Returns 0, or -1 after diagnosing. */
int zipw_add(struct zip_writer *, const char *name, const void *data, size_t len, time_t mtime);
/* Adds an entry deflated already (see deflate.h): `len` bytes before
 * deflating, with their CRC-32; libzip copies it as it is.  `z` must stay
 * valid until close. */
int zipw_add_deflated(struct zip_writer *, const char *name, const void *z, size_t zlen, size_t len,
    uint32_t crc, time_t mtime);
/* The same, with the deflated bytes read while the archive is written:
 * get(ctx, at, p, n) fills p with n of them from offset at (the first is
 * at `at`), returning 0, or -1 after diagnosing, which fails the close. */
typedef int zipw_get_fn(void *ctx, uint64_t at, void *p, size_t n);
int zipw_add_deflated_from(struct zip_writer *, const char *name, zipw_get_fn *get, void *ctx, uint64_t at,
    size_t zlen, size_t len, uint32_t crc, time_t mtime);
/* Adds the file at `path`, stored, read only when the archive is written
 * (so media never sits in memory whole) and checked then against the
 * size and CRC-32 it had when the build hashed it: if it changed, closing
 * the archive fails; so it does if the name leads to another file than
 * *id, the one hashed (a link planted meanwhile).  (A CRC, not the manifest's SHA-256, guards against
 * a file edited during the build at a fraction of the cost.) */
struct file_id;
int zipw_add_file(struct zip_writer *, const char *name, const char *path, const struct file_id *id, size_t size,
    uint32_t crc, time_t mtime);
/* Writes the archive and frees the writer, whatever happens.  Returns 0,
 * or -1 after diagnosing (nothing is left behind). */
int zipw_close(struct zip_writer *);
void zipw_discard(struct zip_writer *);

struct zip_entry {
	char *name;
	uint64_t size;		/* as declared */
	uint64_t csize;
	int method;		/* 0 stored, 8 deflated, other: unsupported */
	int encrypted;
	int is_dir;
	uint32_t crc;		/* as declared */
	int special;	/* 1 a link, device or other non-regular file; 2 an odd mode */
	unsigned mode;	/* the mode refused when special */
};

struct zip_reader;

/* Opens the archive open on fd for reading (fd stays the caller's to
 * close; only pread is used on it, and libzip reads a duplicate of it)
 * and reads its directory, refusing what passes our limits: the layout
 * check and libzip see one file, whatever happens to `path` meanwhile.
 * The end record must be the file's last 22 bytes, with no comment and
 * no second one that a reader could take for it; libzip must read the
 * very directory checked.  Returns 0, or -1 after diagnosing. */
int zipr_open_fd(int fd, const char *path, struct zip_reader **out);
size_t zipr_count(const struct zip_reader *);
const struct zip_entry *zipr_entry(const struct zip_reader *, size_t i);
/* Reads entry i whole (at most its declared size, itself within the
 * limits); the caller frees *data.  Returns 0, or -1 after diagnosing. */
int zipr_read(struct zip_reader *, size_t i, char **data, size_t *len);
/* The same checks, with the data handed to fn in slices of a fixed
 * buffer, for entries too large to hold (a video).  Returns 0, or -1
 * after diagnosing; fn may have seen part of the data either way. */
int zipr_read_parts(struct zip_reader *, size_t i, void (*fn)(void *ctx, const void *p, size_t n), void *ctx);
void zipr_close(struct zip_reader *);

#endif
