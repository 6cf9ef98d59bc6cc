#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "scratch.h"
#include "util.h"

struct scratch {
	int fd;
	char *name;		/* for messages: the file is gone from the folder */
	pthread_mutex_t lock;
	uint64_t end;
	int told;		/* a failure was diagnosed: the rest fail quietly */
};

/* One message per scratch file: when the disk is full, every village
 * would otherwise say the same. */
static void
tell(struct scratch *s, int code, const char *why)
{
	int first;

	pthread_mutex_lock(&s->lock);
	first = !s->told;
	s->told = 1;
	pthread_mutex_unlock(&s->lock);
	if (first)
		(diag)(code, NULL, s->name, why);
}

/* Offsets are uint64_t, handed to pread and pwrite as off_t: the
 * Makefile's -D_FILE_OFFSET_BITS=64 keeps them whole past 2 GiB on
 * 32-bit targets too. */
_Static_assert(sizeof(off_t) >= 8, "the scratch file needs a 64-bit off_t: build with -D_FILE_OFFSET_BITS=64");

struct scratch *
scratch_open(const char *dir)
{
	struct scratch *s = xcalloc(1, sizeof *s);

	s->name = path_join(dir, TEMP_PREFIX "scratch-XXXXXX");
	if ((s->fd = mkostemp(s->name, O_CLOEXEC)) == -1) {
		diag(S_WRITE, NULL, s->name, strerror(errno));
		free(s->name);
		free(s);
		return NULL;
	}
	unlink(s->name);
	{
		char *shown = xasprintf("%s (the build's scratch file, removed)", s->name);

		free(s->name);
		s->name = shown;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void
scratch_close(struct scratch *s)
{
	if (s == NULL)
		return;
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s->name);
	free(s);
}

void
scratch_drop(struct scratch *s, uint64_t at, size_t n)
{
#ifdef FALLOC_FL_PUNCH_HOLE
	/* Not every file system can (FAT on a USB stick cannot): then the
	 * space is given back when the file is closed, as before. */
	if (n > 0)
		(void)fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)at, (off_t)n);
#else
	(void)s;
	(void)at;
	(void)n;
#endif
}

int
scratch_put(struct scratch *s, const void *p, size_t n, uint64_t *at)
{
	const char *c = p;
	uint64_t off;

	pthread_mutex_lock(&s->lock);
	off = s->end;
	s->end += n;
	pthread_mutex_unlock(&s->lock);
	*at = off;
	while (n > 0) {
		ssize_t w = pwrite(s->fd, c, n, (off_t)off);

		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			tell(s, S_WRITE, w == 0 ? "no space" : strerror(errno));
			return -1;
		}
		c += w;
		off += (uint64_t)w;
		n -= (size_t)w;
	}
	return 0;
}

int
scratch_get(struct scratch *s, uint64_t at, void *p, size_t n)
{
	char *c = p;

	while (n > 0) {
		ssize_t r = pread(s->fd, c, n, (off_t)at);

		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			tell(s, S_READ, r == 0 ? "file ended early" : strerror(errno));
			return -1;
		}
		c += r;
		at += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}
