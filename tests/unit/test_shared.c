#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deflate.h"
#include "scratch.h"
#include "cache.h"
#include "unit.h"

static void
collect(void *ctx, const void *p, size_t n)
{
	buf_add(ctx, p, n);
}

/* Entries of dir other than . and .. */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Bytes of disk that this process's open, unlinked scratch file in dir
 * takes, or -1. */
static long long
scratch_disk(const char *dir)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long long bytes = -1;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char link[300], target[4096];
		ssize_t n;
		struct stat st;

		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		if ((n = readlink(link, target, sizeof target - 1)) <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, dir, strlen(dir)) == 0 && strstr(target, "(deleted)") && stat(link, &st) == 0)
			bytes = (long long)st.st_blocks * 512;
	}
	closedir(d);
	return bytes;
}

/* Whether the file system under dir gives back the disk under a punched
 * hole (ext4, xfs, btrfs, tmpfs do; others, and kernels before 3.5 for
 * tmpfs, do not): 1 yes, 0 no, with the reason in why. */
static int
can_punch_holes(const char *dir, char *why, size_t n)
{
#ifdef FALLOC_FL_PUNCH_HOLE
	char path[300], block[65536];
	int fd, rc = 0;

	snprintf(path, sizeof path, "%s/probe", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		snprintf(why, n, "cannot make a probe file in %s: %s", dir, strerror(errno));
		return 0;
	}
	unlink(path);
	memset(block, 'x', sizeof block);
	if (write(fd, block, sizeof block) != (ssize_t)sizeof block || fsync(fd) != 0)
		snprintf(why, n, "cannot write a probe file in %s", dir);
	else if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, sizeof block) != 0)
		snprintf(why, n, "the file system under %s cannot punch holes: %s", dir, strerror(errno));
	else
		rc = 1;
	close(fd);
	return rc;
#else
	(void)dir;
	snprintf(why, n, "this system has no FALLOC_FL_PUNCH_HOLE");
	return 0;
#endif
}

void
test_shared(void)
{
	char dir[] = "/tmp/cp-unit-XXXXXX";
	const char *body = "<p>学习贯彻党的二十大精神</p>\n<table><tr><td>1</td></tr></table>\n";
	struct shared_text mem, out;
	struct span spans[3];
	struct buf a = {0}, b = {0};
	struct zstream za = {0}, zb = {0};
	struct scratch *sc;
	char got[8];
	uint64_t at, at2;

	if (mkdtemp(dir) == NULL || (sc = scratch_open(dir)) == NULL) {
		EXPECT(0, "scratch: a file can be made");
		return;
	}
	EXPECT(entries(dir) == 0, "scratch: the file leaves nothing in the folder");
	EXPECT(scratch_put(sc, "abc", 3, &at) == 0 && scratch_put(sc, "defgh", 5, &at2) == 0 && at == 0 && at2 == 3,
	    "scratch: puts go end to end");
	EXPECT(scratch_get(sc, at2, got, 5) == 0 && memcmp(got, "defgh", 5) == 0, "scratch: a put reads back");
	EXPECT(scratch_get(sc, 6, got, 8) == -1, "scratch: reading past the end fails (and says so)");
	{
		size_t big = 4u << 20;
		char *blob = calloc(1, big), why[400];
		uint64_t at3;
		long long before, after;

		memset(blob, 'x', big);
		EXPECT(scratch_put(sc, blob, big, &at3) == 0, "scratch: 4 MiB put");
		before = scratch_disk(dir);
		scratch_drop(sc, at3, big);
		after = scratch_disk(dir);
		/* Giving the disk back is the file system's to do: where it
		 * cannot, scratch_drop promises nothing (scratch.h). */
		if (!can_punch_holes(dir, why, sizeof why))
			UNIT_SKIP("scratch_drop: the disk under dropped bytes is given back", why);
		else {
			EXPECT(before >= (long long)big && after >= 0 && after < (long long)big / 4,
			    "scratch_drop: the disk under dropped bytes is given back");
			if (!(before >= (long long)big && after >= 0 && after < (long long)big / 4))
				printf("#   %lld bytes on disk before, %lld after\n", before, after);
		}
		EXPECT(scratch_get(sc, at2, got, 5) == 0 && memcmp(got, "defgh", 5) == 0,
		    "scratch_drop: the bytes before are still there");
		free(blob);
	}

	/* The same text in memory and spilled: the file made around it, and
	 * its deflated form, must be the same bytes. */
	memset(&mem, 0, sizeof mem);
	memset(&out, 0, sizeof out);
	pthread_mutex_init(&mem.lock, NULL);
	pthread_mutex_init(&out.lock, NULL);
	mem.data = strdup(body);
	mem.len = out.len = strlen(body);
	out.data = strdup(body);
	EXPECT(shared_text_spill(&out, sc, 1) == 0, "shared_text_spill: a text goes to the scratch file");
	EXPECT(out.data == NULL && out.spill == sc, "scratch: the spilled text left memory");
	spans[0].off = 5;
	spans[1].off = 5;
	spans[2].off = 9;
	spans[0].text = spans[1].text = spans[2].text = &mem;
	EXPECT(spans_each("head|mid|tail", 13, spans, 3, collect, &a) == 0, "spans_each: in memory");
	{
		/* A text spilled without deflating (as phone bodies are) is
		 * deflated from the scratch file when asked. */
		struct shared_text plain = {0};
		struct zstream zp = {0}, zm = {0};

		pthread_mutex_init(&plain.lock, NULL);
		plain.data = strdup(body);
		plain.len = strlen(body);
		EXPECT(shared_text_spill(&plain, sc, 0) == 0 && plain.data == NULL && !plain.deflated &&
		    shared_text_deflate(&plain, &zp) == 0 && shared_text_deflate(&mem, &zm) == 0 &&
		    zp.z.len == zm.z.len && memcmp(zp.z.data, zm.z.data, zp.z.len) == 0,
		    "shared_text_deflate: a text spilled plain is deflated from the scratch file");
		zpiece_release(&plain.z);
		pthread_mutex_destroy(&plain.lock);
		buf_release(&zp.z);
		buf_release(&zm.z);
	}
	spans[0].text = spans[1].text = spans[2].text = &out;
	EXPECT(spans_each("head|mid|tail", 13, spans, 3, collect, &b) == 0, "spans_each: spilled");
	EXPECT(a.len == 13 + 3 * mem.len && b.len == a.len && memcmp(a.data, b.data, a.len) == 0 &&
	    memcmp(a.data, "head|", 5) == 0 && memcmp(a.data + 5, body, mem.len) == 0,
	    "spans_each: chrome and texts in order, spilled or not");
	EXPECT(shared_text_deflate(&mem, &za) == 0 && shared_text_deflate(&out, &zb) == 0 &&
	    shared_text_deflate(&out, &zb) == 0 && shared_text_deflate(&mem, &za) == 0, "shared_text_deflate: both ways");
	EXPECT(za.z.len == zb.z.len && memcmp(za.z.data, zb.z.data, za.z.len) == 0 && za.crc == zb.crc &&
	    za.len == zb.len && za.len == 2 * mem.len, "shared_text_deflate: a spilled piece reads back the same");

	/* A scratch file that lost its bytes: the run fails, not the build. */
	scratch_close(sc);
	sc = scratch_open(dir);
	out.spill = sc;
	buf_release(&b);
	EXPECT(spans_each("head|mid|tail", 13, spans, 1, collect, &b) == -1, "spans_each: an unreadable text is an error");

	scratch_close(sc);
	free(mem.data);
	zpiece_release(&mem.z);
	buf_release(&a);
	buf_release(&b);
	buf_release(&za.z);
	buf_release(&zb.z);
	pthread_mutex_destroy(&mem.lock);
	pthread_mutex_destroy(&out.lock);
	rmdir(dir);
}
