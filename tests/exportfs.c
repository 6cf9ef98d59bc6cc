/* An LD_PRELOAD shim for tests/export.sh: makes the destination look
 * small or like FAT, kills the program mid-copy, and damages a copy
 * between its writing and its reading back, without any test hook in the
 * program itself.
 *
 *   EXPORTFS_AVAIL=BYTES     statvfs() reports this much space available
 *   EXPORTFS_TYPE=T          statfs() reports f_type vfat, exfat, ntfs or fuse
 *   EXPORTFS_KILL_RENAME=N   SIGKILL just before the Nth rename()
 *   EXPORTFS_KILL_WRITE=N    the Nth write() to a file (fd > 2) writes half
 *                            its bytes, then SIGKILL
 *   EXPORTFS_CORRUPT=N       at the Nth posix_fadvise(), the file's first
 *                            byte is flipped on disk, as a failing stick
 *                            would return it
 *
 * Build: cc -shared -fPIC -o exportfs.so tests/exportfs.c -ldl */
#define _GNU_SOURCE
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int renames, writes, fadvises;

static int
env_is(const char *name, int n)
{
	const char *v = getenv(name);

	return v != NULL && atoi(v) == n;
}

static void *
real(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static void
fake_vfs(struct statvfs *sv)
{
	const char *v = getenv("EXPORTFS_AVAIL");

	if (v && sv->f_frsize) {
		sv->f_bavail = strtoull(v, NULL, 10) / sv->f_frsize;
		sv->f_bfree = sv->f_bavail;
	}
}

int
statvfs(const char *path, struct statvfs *sv)
{
	int (*f)(const char *, struct statvfs *) = (int (*)(const char *, struct statvfs *))real("statvfs");
	int rc = f(path, sv);

	if (rc == 0)
		fake_vfs(sv);
	return rc;
}

int
statvfs64(const char *path, struct statvfs64 *sv)
{
	int (*f)(const char *, struct statvfs64 *) = (int (*)(const char *, struct statvfs64 *))real("statvfs64");
	int rc = f(path, sv);

	if (rc == 0)
		fake_vfs((struct statvfs *)sv);	/* one layout on 64-bit */
	return rc;
}

static void
fake_fs(struct statfs *sf)
{
	const char *t = getenv("EXPORTFS_TYPE");

	if (t == NULL)
		return;
	if (strcmp(t, "vfat") == 0)
		sf->f_type = 0x4d44;
	else if (strcmp(t, "exfat") == 0)
		sf->f_type = 0x2011bab0;
	else if (strcmp(t, "ntfs") == 0)
		sf->f_type = 0x5346544e;
	else if (strcmp(t, "fuse") == 0)
		sf->f_type = 0x65735546;
}

int
statfs(const char *path, struct statfs *sf)
{
	int (*f)(const char *, struct statfs *) = (int (*)(const char *, struct statfs *))real("statfs");
	int rc = f(path, sf);

	if (rc == 0)
		fake_fs(sf);
	return rc;
}

int
statfs64(const char *path, struct statfs64 *sf)
{
	int (*f)(const char *, struct statfs64 *) = (int (*)(const char *, struct statfs64 *))real("statfs64");
	int rc = f(path, sf);

	if (rc == 0)
		fake_fs((struct statfs *)sf);
	return rc;
}

int
rename(const char *oldpath, const char *newpath)
{
	int (*f)(const char *, const char *) = (int (*)(const char *, const char *))real("rename");

	if (env_is("EXPORTFS_KILL_RENAME", ++renames))
		raise(SIGKILL);
	return f(oldpath, newpath);
}

ssize_t
write(int fd, const void *p, size_t n)
{
	ssize_t (*f)(int, const void *, size_t) = (ssize_t (*)(int, const void *, size_t))real("write");

	if (fd > 2 && env_is("EXPORTFS_KILL_WRITE", ++writes)) {
		(void)f(fd, p, n / 2);
		raise(SIGKILL);
	}
	return f(fd, p, n);
}

static void
corrupt(int fd)
{
	char link[64];
	unsigned char c;
	int rw;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((rw = open(link, O_RDWR)) == -1)
		return;
	if (pread(rw, &c, 1, 0) == 1) {
		c ^= 0x20;
		(void)pwrite(rw, &c, 1, 0);
		(void)fsync(rw);
	}
	close(rw);
}

int
posix_fadvise(int fd, off_t off, off_t len, int advice)
{
	int (*f)(int, off_t, off_t, int) = (int (*)(int, off_t, off_t, int))real("posix_fadvise");

	if (env_is("EXPORTFS_CORRUPT", ++fadvises))
		corrupt(fd);
	return f(fd, off, len, advice);
}

int
posix_fadvise64(int fd, off_t off, off_t len, int advice)
{
	return posix_fadvise(fd, off, len, advice);
}
