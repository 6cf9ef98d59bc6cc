#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "deflate.h"
#include "diag.h"
#include "i18n.h"
#include "util.h"
#include "zipfile.h"

struct zip_writer {
	zip_t *za;
	char *path;
	char *staging;	/* where libzip writes: DIR/.coursepack-NAME-XXXXXX */
};

struct zip_reader {
	zip_t *za;
	char *path;
	struct zip_entry *entries;
	size_t n;
};

/* libzip writes the archive to a temporary file beside the one it
 * replaces, named after it.  It replaces our staging file instead,
 * whose name is ours (temp_template), and the staging file replaces the
 * target: so even libzip's temporary file, left by a killed build, has a
 * name that says whose it is. */
struct zip_writer *
zipw_open(const char *path)
{
	struct zip_writer *w;
	char *staging = temp_template(path);
	int err, fd;
	zip_t *za;

	if ((fd = mkostemp(staging, O_CLOEXEC)) == -1) {
		diag(S_WRITE, NULL, path, strerror(errno));
		free(staging);
		return NULL;
	}
	/* libzip gives the archive the mode of the file it replaces. */
	if (fchmod(fd, 0644) == -1) {
		int saved = errno;

		close(fd);
		unlink(staging);
		diag(S_WRITE, NULL, path, strerror(saved));
		free(staging);
		return NULL;
	}
	close(fd);
	if ((za = zip_open(staging, ZIP_CREATE | ZIP_TRUNCATE, &err)) == NULL) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, err);
		diag(S_WRITE, NULL, path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		unlink(staging);
		free(staging);
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->za = za;
	w->path = xstrdup(path);
	w->staging = staging;
	return w;
}

/* Adds src as entry `name` (taking it, whatever happens), stored or with
 * the method the source reports, and what every entry shares: the time
 * and Unix permissions.  NULL src: its creation failed.  Returns 0, or -1
 * after diagnosing. */
static int
add_entry(struct zip_writer *w, const char *name, zip_source_t *src, int store, time_t mtime)
{
	zip_int64_t idx;

	if (src == NULL)
		goto fail;
	/* zip_file_add takes the source only when it succeeds. */
	if ((idx = zip_file_add(w->za, name, src, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(src);
		goto fail;
	}
	/* Stored entries are set explicitly: ZIP_CM_DEFAULT would deflate
	 * them.  Otherwise the method stays ZIP_CM_DEFAULT, and libzip takes
	 * the source's.  DOS times go through localtime(); main() runs in
	 * UTC. */
	if ((store && zip_set_file_compression(w->za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) < 0) ||
	    zip_file_set_mtime(w->za, (zip_uint64_t)idx, mtime, 0) < 0 ||
	    zip_file_set_external_attributes(w->za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
	    (zip_uint32_t)0100644 << 16) < 0)
		goto fail;
	return 0;
fail:
	diag(S_WRITE, NULL, w->path, zip_strerror(w->za));
	return -1;
}

int
zipw_add(struct zip_writer *w, const char *name, const void *data, size_t len, time_t mtime)
{
	/* The buffer is the caller's: freep 0, and it must outlive close. */
	return add_entry(w, name, zip_source_buffer(w->za, data, len, 0), 1, mtime);
}

/* Data deflated already, handed to libzip as such: a source that says
 * "deflated, this CRC, these sizes" is copied raw, never re-deflated. */
struct raw_source {
	const unsigned char *z;		/* in memory, or */
	zipw_get_fn *get;		/* read from ctx, from `at` */
	void *ctx;
	uint64_t at;
	zip_uint64_t zlen, len, off;
	zip_uint32_t crc;
	zip_error_t error;
};

static zip_int64_t
raw_read(void *arg, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct raw_source *r = arg;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		r->off = 0;
		return 0;
	case ZIP_SOURCE_READ:
		if (len > r->zlen - r->off)
			len = r->zlen - r->off;
		if (r->get == NULL) {
			memcpy(data, r->z + r->off, (size_t)len);
		} else if (len > 0 && r->get(r->ctx, r->at + r->off, data, (size_t)len) == -1) {
			zip_error_set(&r->error, ZIP_ER_READ, EIO);
			return -1;
		}
		r->off += len;
		return (zip_int64_t)len;
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;

		if (len < sizeof *st) {
			zip_error_set(&r->error, ZIP_ER_INVAL, 0);
			return -1;
		}
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC;
		st->size = r->len;
		st->comp_size = r->zlen;
		st->comp_method = ZIP_CM_DEFLATE;
		st->crc = r->crc;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&r->error, data, len);
	case ZIP_SOURCE_FREE:
		zip_error_fini(&r->error);
		free(r);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
		    ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&r->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

static int
add_raw(struct zip_writer *w, const char *name, struct raw_source *r, size_t zlen, size_t len, uint32_t crc,
    time_t mtime)
{
	zip_source_t *src;

	r->zlen = zlen;
	r->len = len;
	r->crc = crc;
	zip_error_init(&r->error);
	if ((src = zip_source_function(w->za, raw_read, r)) == NULL) {
		zip_error_fini(&r->error);
		free(r);
	}
	return add_entry(w, name, src, 0, mtime);
}

int
zipw_add_deflated(struct zip_writer *w, const char *name, const void *z, size_t zlen, size_t len,
    uint32_t crc, time_t mtime)
{
	struct raw_source *r = xcalloc(1, sizeof *r);

	r->z = z;
	return add_raw(w, name, r, zlen, len, crc, mtime);
}

int
zipw_add_deflated_from(struct zip_writer *w, const char *name, zipw_get_fn *get, void *ctx, uint64_t at,
    size_t zlen, size_t len, uint32_t crc, time_t mtime)
{
	struct raw_source *r = xcalloc(1, sizeof *r);

	r->get = get;
	r->ctx = ctx;
	r->at = at;
	return add_raw(w, name, r, zlen, len, crc, mtime);
}

/* A course file read while the archive is written, checked against the
 * size and CRC-32 it had when the manifest's SHA-256 was taken: a file
 * changed during the build fails the bundle instead of contradicting its
 * manifest. */
struct file_source {
	char *path;
	struct file_id id;
	zip_uint64_t size, done;
	uint32_t crc, want;
	int fd;
	zip_error_t error;
};

static zip_int64_t
file_read(void *arg, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct file_source *f = arg;
	ssize_t n;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		/* The file hashed, or none: never a link planted since. */
		if ((f->fd = open_same(f->path, &f->id)) == -1) {
			if (errno == 0)
				goto changed;
			zip_error_set(&f->error, ZIP_ER_OPEN, errno);
			return -1;
		}
		f->done = 0;
		f->crc = 0;
		return 0;
	case ZIP_SOURCE_READ:
		do
			n = read(f->fd, data, len);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			zip_error_set(&f->error, ZIP_ER_READ, errno);
			return -1;
		}
		f->done += (zip_uint64_t)n;
		if (f->done > f->size)
			goto changed;
		f->crc = crc32_more(f->crc, data, (size_t)n);
		if (n == 0 && (f->done != f->size || f->crc != f->want))
			goto changed;
		return (zip_int64_t)n;
	case ZIP_SOURCE_CLOSE:
		if (f->fd != -1)
			close(f->fd);
		f->fd = -1;
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;

		if (len < sizeof *st) {
			zip_error_set(&f->error, ZIP_ER_INVAL, 0);
			return -1;
		}
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE;
		st->size = f->size;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&f->error, data, len);
	case ZIP_SOURCE_FREE:
		if (f->fd != -1)
			close(f->fd);
		zip_error_fini(&f->error);
		free(f->path);
		free(f);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
		    ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&f->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
changed:
	diag(E_FILE_CHANGED, NULL, f->path);
	zip_error_set(&f->error, ZIP_ER_INCONS, 0);
	return -1;
}

int
zipw_add_file(struct zip_writer *w, const char *name, const char *path, const struct file_id *id, size_t size,
    uint32_t crc, time_t mtime)
{
	struct file_source *f = xcalloc(1, sizeof *f);
	zip_source_t *src;

	f->path = xstrdup(path);
	f->id = *id;
	f->size = size;
	f->fd = -1;
	f->want = crc;
	zip_error_init(&f->error);
	if ((src = zip_source_function(w->za, file_read, f)) == NULL) {
		zip_error_fini(&f->error);
		free(f->path);
		free(f);
	}
	return add_entry(w, name, src, 1, mtime);
}

int
zipw_close(struct zip_writer *w)
{
	int rc = 0;

	/* zip_close frees the archive only when it succeeds. */
	if (zip_close(w->za) < 0) {
		diag(S_WRITE, NULL, w->path, zip_strerror(w->za));
		zip_discard(w->za);
		rc = -1;
	} else if (sync_file(w->staging) == -1 || rename(w->staging, w->path) == -1 ||
	    sync_parent(w->path) == -1) {
		/* On disk before the rename, and the rename after it: a power
		 * cut must not leave an empty bundle under the final name. */
		diag(S_WRITE, NULL, w->path, strerror(errno));
		rc = -1;
	}
	if (rc == -1)
		unlink(w->staging);
	free(w->staging);
	free(w->path);
	free(w);
	return rc;
}

void
zipw_discard(struct zip_writer *w)
{
	if (w == NULL)
		return;
	zip_discard(w->za);
	unlink(w->staging);
	free(w->staging);
	free(w->path);
	free(w);
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long
le32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

struct span {
	unsigned long start, end;	/* local header to end of data */
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* What check_layout learns of each entry that libzip does not say, and
 * what it read of the record, to compare with what libzip read. */
struct entry_info {
	unsigned mode;	/* the refused mode, for the message */
	int kind;	/* 0 fine, 1 special file type, 2 odd mode */
	char *name;
	unsigned long csize, usize, crc;
	unsigned method;
};

static void
infos_free(struct entry_info *info, unsigned long n)
{
	unsigned long i;

	if (info == NULL)
		return;
	for (i = 0; i < n; i++)
		free(info[i].name);
	free(info);
}

#define EOCD_LEN 22
/* libzip looks for the end record in the last 64 KiB and a record and
 * locator (1.7.3: CDBUFSIZE, 65577 bytes); look at no less. */
#define TAIL_LEN (65536u + 64u)

/* The end-of-central-directory record: the last 22 bytes of the file,
 * with no comment after it (our writer adds none), and the only
 * signature in the tail that a reader could take for it.  libzip tries
 * every signature in the tail and keeps the first whose directory it can
 * read (or a later, more consistent one); this check used to take the
 * last.  A second record hidden in the real one's comment, or in the data
 * of the last entry, would make the two read different directories, so
 * that the overlap check validated one and libzip extracted the other.
 * `tail` holds the last tlen bytes of a file of `size` bytes.  Returns the
 * record, NULL when the file has none (libzip will say it is not a zip),
 * or NULL with *refused after diagnosing. */
static const unsigned char *
find_eocd(const char *path, const unsigned char *tail, size_t tlen, unsigned long size, int *refused)
{
	static const char comment[] = N_("its end-of-central-directory record has a comment (bundles have none)");
	struct loc loc = {path, 0, 0};
	const unsigned char *eocd = tail + tlen - EOCD_LEN, *p;

	*refused = 1;
	if (le32(eocd) != 0x06054b50UL) {
		for (p = eocd; p > tail && le32(p) != 0x06054b50UL; p--)
			;
		if (le32(p) != 0x06054b50UL) {
			*refused = 0;	/* not a zip */
			return NULL;
		}
		if (size - tlen + (unsigned long)(p - tail) + EOCD_LEN + le16(p + 20) == size)
			diag(E_ZIP_LAYOUT, &loc, _(comment));
		else
			diag(E_ZIP_LAYOUT, &loc, _("bytes follow its end-of-central-directory record"));
		return NULL;
	}
	if (le16(eocd + 20) != 0) {
		diag(E_ZIP_LAYOUT, &loc, _(comment));
		return NULL;
	}
	for (p = tail; p < eocd; p++) {
		unsigned long at = size - tlen + (unsigned long)(p - tail), off, len;

		if (le32(p) != 0x06054b50UL)
			continue;
		off = le32(p + 16);
		len = le32(p + 12);
		/* A record whose comment runs to the end of the file is the
		 * real one, with another hidden in its comment. */
		if (at + EOCD_LEN + le16(p + 20) == size) {
			diag(E_ZIP_LAYOUT, &loc, _(comment));
			return NULL;
		}
		/* One that a reader could take: its directory lies before it. */
		if (off <= at && len <= at - off) {
			diag(E_ZIP_LAYOUT, &loc,
			    _("it holds a second end-of-central-directory record, which a reader could take for the real one"));
			return NULL;
		}
	}
	*refused = 0;
	return eocd;
}

/* The file type and permissions an unzip may give the entry, whatever
 * host the archive says made it: Debian's unzip reads the Unix mode in
 * the high half of the external attributes for VMS, Atari, BeOS and
 * others too.  So, from the bits alone: 0 (no mode recorded), or a
 * regular file or a folder (agreeing with the name's trailing '/'), or
 * no type, with permission bits within 0777.  Anything else is refused:
 * kind 1 for a link, device, FIFO or socket, 2 for set-id or sticky
 * bits or a type at odds with the name. */
static int
mode_kind(unsigned mode, int is_dir)
{
	unsigned type = mode & 0170000;

	/* No type, permissions only: Python's zipfile writes 0600 so, and
	 * unzip makes a plain file (or folder) of it. */
	if (type == 0)
		return (mode & 07000) ? 2 : 0;
	if (type != 0100000 && type != 0040000)
		return 1;
	if ((mode & 07000) || (type == 0040000) != is_dir)
		return 2;
	return 0;
}

static void
note_mode(struct entry_info *info, unsigned mode, int kind)
{
	if (kind > info->kind || (kind && info->kind == 0)) {
		info->kind = kind;
		info->mode = mode;
	}
}

/* One header's extra fields (central or local).  ZIP64 fields are
 * refused by name; an Info-ZIP Unicode path must name the entry as its
 * name does (unzip would use it instead); an ASi Unix field carries a
 * mode of its own, held to the same rule.  Returns 0, or -1 after
 * diagnosing. */
static int
check_extra(const char *path, const char *name, const unsigned char *x, unsigned long len,
    struct entry_info *info, int is_dir)
{
	struct loc loc = {path, 0, 0};
	unsigned long at = 0;

	while (len - at >= 4) {
		unsigned id = le16(x + at), n = le16(x + at + 2);
		const unsigned char *d = x + at + 4;

		if (n > len - at - 4) {
			diag(E_ZIP_HEADER, &loc, name, _("an extra field runs past its header"));
			return -1;
		}
		if (id == 0x0001) {
			diag(E_ZIP64_ENTRY, &loc, name);
			return -1;
		}
		if (id == 0x7075 && (n < 5 || n - 5 != strlen(name) || memcmp(d + 5, name, n - 5) != 0)) {
			diag(E_ZIP_HEADER, &loc, name, _("its Unicode path extra field names another file"));
			return -1;
		}
		if (id == 0x756e && n >= 6)
			note_mode(info, le16(d + 4), mode_kind(le16(d + 4), is_dir));
		at += 4 + n;
	}
	return 0;
}

/* What check_layout holds while it walks the central directory. */
struct layout {
	int fd;
	const char *path;
	struct loc loc;
	unsigned char *cd;	/* the central directory: cd_len bytes from cd_off */
	unsigned long cd_off, cd_len;
	unsigned long n;	/* entries, as the end record counts them */
	unsigned char *lh;	/* room for a local header, its name and extra field */
	char *disagree, *disagree_name;	/* the first entry whose headers disagree */
};

/* One central directory record, as read. */
struct cd_record {
	const unsigned char *name;	/* in the directory, name_len bytes */
	unsigned long csize, usize, crc, off, name_len, extra_len, comment_len;
	unsigned flags, method, attr;
	int is_dir;
};

/* Finds the end record of the file and reads the central directory it
 * points to into l->cd.  Returns 1, 0 when the file is no zip (libzip's
 * turn to say why), or -1 after diagnosing. */
static int
layout_read_directory(struct layout *l)
{
	unsigned char *tail = NULL;
	const unsigned char *eocd;
	unsigned long size;
	struct stat st;
	size_t tlen;
	int rc = -1, refused;

	if (fstat(l->fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size < EOCD_LEN)
		return 0;	/* libzip's turn to say why */
	if ((unsigned long long)st.st_size > ZIP_MAX_TOTAL_BYTES + 65536ull) {
		diag(E_ZIP_LIMIT, &l->loc, _("bytes in all"), ZIP_MAX_TOTAL_BYTES);
		return -1;
	}
	size = (unsigned long)st.st_size;
	tlen = size < TAIL_LEN ? size : TAIL_LEN;
	tail = xmalloc(tlen);
	if (pread(l->fd, tail, tlen, (off_t)(size - tlen)) != (ssize_t)tlen) {
		diag(S_READ, NULL, l->path, strerror(errno));
		goto out;
	}
	if ((eocd = find_eocd(l->path, tail, tlen, size, &refused)) == NULL) {
		rc = refused ? -1 : 0;	/* not a zip: libzip will say so */
		goto out;
	}
	l->cd_len = le32(eocd + 12);
	l->cd_off = le32(eocd + 16);
	if ((eocd - tail >= 20 && le32(eocd - 20) == 0x07064b50UL) || le16(eocd + 10) == 0xffff ||
	    le16(eocd + 8) == 0xffff || l->cd_off == 0xffffffffUL || l->cd_len == 0xffffffffUL) {
		diag(E_ZIP64, &l->loc);
		goto out;
	}
	l->n = le16(eocd + 10);
	if (l->cd_off > size || l->cd_len > size - l->cd_off || l->cd_len > 64ul * 1024 * 1024) {
		diag(E_ZIP_LAYOUT, &l->loc, _("its central directory lies outside the file"));
		goto out;
	}
	l->cd = xmalloc(l->cd_len ? l->cd_len : 1);
	if (pread(l->fd, l->cd, l->cd_len, (off_t)l->cd_off) != (ssize_t)l->cd_len) {
		diag(E_ZIP_LAYOUT, &l->loc, _("its central directory cannot be read"));
		goto out;
	}
	rc = 1;
out:
	free(tail);
	return rc;
}

/* Reads the central record at offset `at` of the directory into *r and
 * what check_layout keeps of it into *e (its name, sizes, mode), and
 * checks its extra field.  Returns 0, or -1 after diagnosing. */
static int
layout_central(struct layout *l, unsigned long at, struct cd_record *r, struct entry_info *e)
{
	const unsigned char *p = l->cd + at;

	if (at + 46 > l->cd_len || le32(p) != 0x02014b50UL) {
		diag(E_ZIP_LAYOUT, &l->loc, _("its central directory is damaged"));
		return -1;
	}
	r->flags = le16(p + 8);
	r->method = le16(p + 10);
	r->crc = le32(p + 16);
	r->csize = le32(p + 20);
	r->usize = le32(p + 24);
	r->name_len = le16(p + 28);
	r->extra_len = le16(p + 30);
	r->comment_len = le16(p + 32);
	r->attr = (unsigned)le32(p + 38);
	r->off = le32(p + 42);
	r->name = p + 46;
	if (at + 46 + r->name_len + r->extra_len + r->comment_len > l->cd_len) {
		diag(E_ZIP_LAYOUT, &l->loc, _("its central directory is damaged"));
		return -1;
	}
	e->name = xstrndup((const char *)r->name, r->name_len);
	e->csize = r->csize;
	e->usize = r->usize;
	e->crc = r->crc;
	e->method = r->method;
	r->is_dir = r->name_len > 0 && e->name[r->name_len - 1] == '/';
	if (r->csize == 0xffffffffUL || r->usize == 0xffffffffUL || r->off == 0xffffffffUL) {
		diag(E_ZIP64_ENTRY, &l->loc, e->name);
		return -1;
	}
	note_mode(e, r->attr >> 16, mode_kind(r->attr >> 16, r->is_dir));
	/* A Windows reparse point: how 7-Zip stores a link. */
	if (r->attr & 0x400)
		note_mode(e, r->attr >> 16, 1);
	return check_extra(l->path, e->name, r->name + r->name_len, r->extra_len, e, r->is_dir);
}

/* Reads the local header of record r and checks it against r: where it
 * lies, what it says, its extra field.  Sets *s to the bytes the entry
 * takes.  A disagreement is kept in l (told after the overlap check).
 * Returns 0, or -1 after diagnosing. */
static int
layout_local(struct layout *l, const struct cd_record *r, struct entry_info *e, struct span *s)
{
	unsigned char *lh = l->lh;
	unsigned long lname, lextra, lflags;
	const char *what = NULL;

	if (r->off > l->cd_off || l->cd_off - r->off < 30 || pread(l->fd, lh, 30, (off_t)r->off) != 30 ||
	    le32(lh) != 0x04034b50UL) {
		diag(E_ZIP_LAYOUT, &l->loc, _("an entry's local header is missing"));
		return -1;
	}
	lflags = le16(lh + 6);
	lname = le16(lh + 26);
	lextra = le16(lh + 28);
	if (l->cd_off - r->off - 30 < lname + lextra ||
	    pread(l->fd, lh + 30, lname + lextra, (off_t)(r->off + 30)) != (ssize_t)(lname + lextra)) {
		diag(E_ZIP_LAYOUT, &l->loc, _("an entry's local header is missing"));
		return -1;
	}
	if ((r->flags & 0x2049) != (lflags & 0x2049))
		what = N_("its flags (encryption or data descriptor)");
	else if (r->method != le16(lh + 8))
		what = N_("its compression method");
	else if (lname != r->name_len || memcmp(lh + 30, r->name, r->name_len) != 0)
		what = N_("its name");
	else if (!(r->flags & 8) && (le32(lh + 14) != r->crc || le32(lh + 18) != r->csize || le32(lh + 22) != r->usize))
		what = le32(lh + 14) != r->crc ? N_("its CRC-32") : N_("its sizes");
	if (le32(lh + 18) == 0xffffffffUL || le32(lh + 22) == 0xffffffffUL) {
		diag(E_ZIP64_ENTRY, &l->loc, e->name);
		return -1;
	}
	if (check_extra(l->path, e->name, lh + 30 + lname, lextra, e, r->is_dir) == -1)
		return -1;
	/* Said after the overlap check: an overlapping record disagrees
	 * with the local header it borrows, and the overlap is the better
	 * reason. */
	if (what && l->disagree == NULL) {
		l->disagree = xasprintf(_("its local header and the central directory disagree on %s"), _(what));
		l->disagree_name = xstrdup(e->name);
	}
	s->start = r->off;
	s->end = r->off + 30 + lname + lextra + r->csize;
	/* A data descriptor may follow the data; 16 bytes cannot hold
	 * another entry. */
	if (r->csize > l->cd_off || s->end > l->cd_off) {
		diag(E_ZIP_LAYOUT, &l->loc, _("an entry's data runs into the central directory"));
		return -1;
	}
	return 0;
}

/* libzip does not notice entries whose data overlap — the trick of
 * zip bombs that reuse one compressed stream many times — and exposes no
 * offsets.  So read the central directory ourselves: every entry's local
 * header, name, extra field and data must lie in the file, before the
 * central directory, and apart from every other entry's; the local
 * header must agree with the central one on what an unzip acts on
 * (flags, method, name, and sizes and CRC unless a data descriptor
 * follows); and each entry's mode is judged (mode_kind).  ZIP64 is
 * refused by name: bundles are far below its limits, and a ZIP64 field
 * would otherwise be misread as sizes.  *infop gets one entry_info per
 * central directory record, in order (as libzip numbers them); the
 * caller frees it. */
static int
check_layout(int fd, const char *path, struct entry_info **infop, unsigned long *ninfo)
{
	struct layout l = {.fd = fd, .path = path, .loc = {path, 0, 0}};
	struct entry_info *info = NULL;
	struct span *spans = NULL;
	unsigned long at = 0, i;
	int rc;

	*infop = NULL;
	*ninfo = 0;
	if ((rc = layout_read_directory(&l)) != 1)
		goto out;
	rc = -1;
	spans = xcalloc(l.n ? l.n : 1, sizeof *spans);
	info = xcalloc(l.n ? l.n : 1, sizeof *info);
	l.lh = xmalloc(30 + 65535 + 65535);
	for (i = 0; i < l.n; i++) {
		struct cd_record r;

		if (layout_central(&l, at, &r, &info[i]) == -1 || layout_local(&l, &r, &info[i], &spans[i]) == -1)
			goto out;
		at += 46 + r.name_len + r.extra_len + r.comment_len;
	}
	if (l.n > 1)
		qsort(spans, l.n, sizeof *spans, span_cmp);
	for (i = 1; i < l.n; i++)
		if (spans[i].start < spans[i - 1].end) {
			diag(E_ZIP_LAYOUT, &l.loc, _("two entries share the same data (overlapping entries, a zip bomb's trick)"));
			goto out;
		}
	if (l.disagree) {
		diag(E_ZIP_HEADER, &l.loc, l.disagree_name, l.disagree);
		goto out;
	}
	*infop = info;
	*ninfo = l.n;
	info = NULL;
	rc = 0;
out:
	free(l.disagree);
	free(l.disagree_name);
	free(l.lh);
	infos_free(info, l.n);
	free(spans);
	free(l.cd);
	return rc;
}

/* Why libzip refused an archive or an entry, in our words (translated)
 * for what a damaged or hostile bundle makes it say; its own text, which
 * no catalogue translates, for the rest.  Owned by `ze` or static. */
static const char *
zip_reason(zip_error_t *ze)
{
	switch (zip_error_code_zip(ze)) {
	case ZIP_ER_NOZIP:
		return _("it is not a zip file, or it was cut short");
	case ZIP_ER_EXISTS:	/* ZIP_CHECKCONS: two entries of one name */
		return _("two entries have the same name");
	case ZIP_ER_INCONS:
		return _("its headers contradict each other: the file is damaged or was tampered with");
	case ZIP_ER_CRC:
		return _("its data does not match its CRC-32: it is damaged");
	case ZIP_ER_EOF:
		return _("the file ends too early: it was cut short");
	case ZIP_ER_ZLIB:
	case ZIP_ER_COMPRESSED_DATA:
		return _("its compressed data is damaged");
	case ZIP_ER_COMPNOTSUPP:
		return _("it is compressed with an unsupported method");
	case ZIP_ER_ENCRNOTSUPP:
	case ZIP_ER_NOPASSWD:
	case ZIP_ER_WRONGPASSWD:
		return _("it is encrypted");
	case ZIP_ER_MULTIDISK:
		return _("it is split into several files: zip the files again as one archive");
	default:
		return zip_error_strerror(ze);
	}
}

/* libzip exposes no offsets: that it read the directory check_layout
 * checked is seen in the records, every one the same in both (name,
 * method, sizes, CRC-32), and as many.  Returns 0, or -1 after
 * diagnosing. */
static int
same_directory(const char *path, zip_t *za, zip_int64_t n, const struct entry_info *info, unsigned long ninfo)
{
	struct loc loc = {path, 0, 0};
	zip_uint64_t i;

	if (n < 0 || (zip_uint64_t)n != ninfo) {
		diag(E_ZIP_LAYOUT, &loc, _("libzip reads another central directory than the one checked"));
		return -1;
	}
	for (i = 0; i < ninfo; i++) {
		zip_stat_t st;
		const char *name;

		if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) < 0 ||
		    (name = zip_get_name(za, i, ZIP_FL_ENC_RAW)) == NULL) {
			diag(E_ZIP_BAD, &loc, zip_strerror(za));
			return -1;
		}
		if (!streq(name, info[i].name) || st.size != info[i].usize || st.comp_size != info[i].csize ||
		    st.crc != info[i].crc || st.comp_method != (zip_int32_t)info[i].method) {
			diag(E_ZIP_LAYOUT, &loc, _("libzip reads another central directory than the one checked"));
			return -1;
		}
	}
	return 0;
}

int
zipr_open_fd(int fd, const char *path, struct zip_reader **out)
{
	struct zip_reader *r;
	struct loc loc = {path, 0, 0};
	zip_int64_t n;
	uint64_t total = 0;
	zip_t *za;
	int err, zfd;
	size_t i;

	struct entry_info *info;
	unsigned long ninfo;

	*out = NULL;
	if (check_layout(fd, path, &info, &ninfo) == -1)
		return -1;
	/* libzip gets a descriptor of the same open file, which it closes
	 * (zip_fdopen takes it only on success).  ZIP_CHECKCONS: libzip then
	 * also refuses duplicate names and a central directory that disagrees
	 * with the local headers. */
	if ((zfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		diag(S_OPEN, NULL, path, strerror(errno));
		infos_free(info, ninfo);
		return -1;
	}
	if ((za = zip_fdopen(zfd, ZIP_CHECKCONS, &err)) == NULL) {
		zip_error_t ze;

		close(zfd);
		zip_error_init_with_code(&ze, err);
		if (err == ZIP_ER_OPEN || err == ZIP_ER_READ || err == ZIP_ER_NOENT)
			diag(S_OPEN, NULL, path, zip_error_strerror(&ze));
		else
			diag(E_ZIP_BAD, &loc, zip_reason(&ze));
		zip_error_fini(&ze);
		infos_free(info, ninfo);
		return -1;
	}
	n = zip_get_num_entries(za, 0);
	if (n < 0 || n > ZIP_MAX_ENTRIES) {
		diag(E_ZIP_LIMIT, &loc, _("entries"), (unsigned long long)ZIP_MAX_ENTRIES);
		zip_discard(za);
		infos_free(info, ninfo);
		return -1;
	}
	if (same_directory(path, za, n, info, ninfo) == -1) {
		zip_discard(za);
		infos_free(info, ninfo);
		return -1;
	}
	r = xcalloc(1, sizeof *r);
	r->za = za;
	r->path = xstrdup(path);
	r->n = (size_t)n;
	r->entries = xcalloc(r->n, sizeof *r->entries);
	for (i = 0; i < r->n; i++) {
		struct zip_entry *e = &r->entries[i];
		zip_stat_t st;
		const char *name;

		if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) < 0 ||
		    (name = zip_get_name(za, i, ZIP_FL_ENC_RAW)) == NULL) {
			diag(E_ZIP_BAD, &loc, zip_reason(zip_get_error(za)));
			goto fail;
		}
		e->name = xstrdup(name);
		e->size = st.size;
		e->csize = st.comp_size;
		e->method = st.comp_method;
		e->encrypted = st.encryption_method != ZIP_EM_NONE;
		e->is_dir = e->name[0] && e->name[strlen(e->name) - 1] == '/';
		e->crc = st.crc;
		/* libzip numbers entries in central directory order, as
		 * check_layout does (same_directory: the same records). */
		e->special = info[i].kind;
		e->mode = info[i].mode;
		total += e->size;
		if (e->size > ZIP_MAX_ENTRY_BYTES) {
			diag(E_ZIP_ENTRY_LIMIT, &loc, e->name, _("bytes"), (unsigned long long)ZIP_MAX_ENTRY_BYTES);
			goto fail;
		}
		if (e->size > 1024 && e->size / (e->csize ? e->csize : 1) > ZIP_MAX_RATIO) {
			diag(E_ZIP_ENTRY_LIMIT, &loc, e->name, _("compression ratio"), (unsigned long long)ZIP_MAX_RATIO);
			goto fail;
		}
		if (total > ZIP_MAX_TOTAL_BYTES) {
			diag(E_ZIP_LIMIT, &loc, _("bytes in all"), ZIP_MAX_TOTAL_BYTES);
			goto fail;
		}
	}
	infos_free(info, ninfo);
	*out = r;
	return 0;
fail:
	infos_free(info, ninfo);
	zipr_close(r);
	return -1;
}

size_t
zipr_count(const struct zip_reader *r)
{
	return r->n;
}

const struct zip_entry *
zipr_entry(const struct zip_reader *r, size_t i)
{
	return &r->entries[i];
}

int
zipr_read(struct zip_reader *r, size_t i, char **data, size_t *len)
{
	const struct zip_entry *e = &r->entries[i];
	struct loc loc = {r->path, 0, 0};
	zip_file_t *zf;
	zip_int64_t got;
	char *buf, extra;

	*data = NULL;
	*len = 0;
	if (e->encrypted || (e->method != ZIP_CM_STORE && e->method != ZIP_CM_DEFLATE)) {
		diag(E_ZIP_METHOD, &loc, e->name);
		return -1;
	}
	if ((zf = zip_fopen_index(r->za, i, 0)) == NULL) {
		diag(E_ZIP_ENTRY_BAD, &loc, e->name, zip_reason(zip_get_error(r->za)));
		return -1;
	}
	buf = xmalloc((size_t)e->size + 1);
	/* Read the declared size and one byte more: an entry that holds more
	 * than it declares is refused without reading the rest. */
	got = zip_fread(zf, buf, e->size);
	if (got < 0 || (uint64_t)got != e->size) {
		zip_error_t *ze = zip_file_get_error(zf);

		diag(E_ZIP_ENTRY_BAD, &loc, e->name, got < 0 ? zip_reason(ze) :
		    _("its data is shorter than its declared size"));
		zip_fclose(zf);
		free(buf);
		return -1;
	}
	/* libzip checks the CRC when it reaches the end of the data, which
	 * this read does; check it ourselves too, so that a damaged entry
	 * is named as such whatever libzip reports. */
	if (crc32_more(0, buf, (size_t)e->size) != e->crc ||
	    ((got = zip_fread(zf, &extra, 1)) < 0 && zip_error_code_zip(zip_file_get_error(zf)) == ZIP_ER_CRC)) {
		diag(E_ZIP_CRC, &loc, e->name);
		zip_fclose(zf);
		free(buf);
		return -1;
	}
	if (got != 0) {
		zip_error_t *ze = zip_file_get_error(zf);

		diag(E_ZIP_ENTRY_BAD, &loc, e->name, got < 0 ? zip_reason(ze) :
		    _("its data is longer than its declared size"));
		zip_fclose(zf);
		free(buf);
		return -1;
	}
	if (zip_fclose(zf) != 0) {
		diag(E_ZIP_CRC, &loc, e->name);
		free(buf);
		return -1;
	}
	buf[e->size] = '\0';
	*data = buf;
	*len = (size_t)e->size;
	return 0;
}

int
zipr_read_parts(struct zip_reader *r, size_t i, void (*fn)(void *ctx, const void *p, size_t n), void *ctx)
{
	enum { STEP = 256 * 1024 };
	const struct zip_entry *e = &r->entries[i];
	struct loc loc = {r->path, 0, 0};
	zip_file_t *zf;
	zip_int64_t got = 0;
	uint64_t left = e->size;
	uint32_t crc = 0;
	char *buf, extra;
	int rc = -1;

	if (e->encrypted || (e->method != ZIP_CM_STORE && e->method != ZIP_CM_DEFLATE)) {
		diag(E_ZIP_METHOD, &loc, e->name);
		return -1;
	}
	if ((zf = zip_fopen_index(r->za, i, 0)) == NULL) {
		diag(E_ZIP_ENTRY_BAD, &loc, e->name, zip_strerror(r->za));
		return -1;
	}
	buf = xmalloc(STEP);
	/* The declared size, then one byte more, as zipr_read. */
	while (left > 0) {
		zip_uint64_t want = left < STEP ? left : STEP;

		got = zip_fread(zf, buf, want);
		if (got <= 0) {
			diag(E_ZIP_ENTRY_BAD, &loc, e->name, got < 0 ? zip_error_strerror(zip_file_get_error(zf)) :
			    "its data is shorter than its declared size");
			goto out;
		}
		crc = crc32_more(crc, buf, (size_t)got);
		fn(ctx, buf, (size_t)got);
		left -= (uint64_t)got;
	}
	if (crc != e->crc ||
	    ((got = zip_fread(zf, &extra, 1)) < 0 && zip_error_code_zip(zip_file_get_error(zf)) == ZIP_ER_CRC)) {
		diag(E_ZIP_CRC, &loc, e->name);
		goto out;
	}
	if (got != 0) {
		diag(E_ZIP_ENTRY_BAD, &loc, e->name, got < 0 ? zip_error_strerror(zip_file_get_error(zf)) :
		    "its data is longer than its declared size");
		goto out;
	}
	rc = 0;
out:
	if (zip_fclose(zf) != 0 && rc == 0) {
		diag(E_ZIP_CRC, &loc, e->name);
		rc = -1;
	}
	free(buf);
	return rc;
}

void
zipr_close(struct zip_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->entries[i].name);
	free(r->entries);
	zip_discard(r->za);
	free(r->path);
	free(r);
}
