/* An LD_PRELOAD shim for tests/unpack.sh: makes the file system look like
 * FAT or exFAT to `unpack --replace`, and cuts the power at chosen
 * moments, without any test hook in the program itself.
 *
 *   renameat2(..., RENAME_EXCHANGE)  fails with EINVAL, as on vfat
 *   FAKEFS_FAIL=N                    the Nth rename() fails with EIO
 *   FAKEFS_KILL_BEFORE=N             SIGKILL just before the Nth rename()
 *   FAKEFS_KILL_AFTER=N              SIGKILL just after the Nth rename()
 *   FAKEFS_LOG=FILE                  one line per call appended to FILE
 *
 * Build: cc -shared -fPIC -o fakefs.so tests/fakefs.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static int renames;

static void
note(const char *what, const char *a, const char *b)
{
	const char *log = getenv("FAKEFS_LOG");
	FILE *fp;

	if (log == NULL || (fp = fopen(log, "a")) == NULL)
		return;
	fprintf(fp, "%s %s %s\n", what, a, b);
	fclose(fp);
}

static int
env_is(const char *name, int n)
{
	const char *v = getenv(name);

	return v != NULL && atoi(v) == n;
}

int
renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
	(void)olddirfd;
	(void)newdirfd;
	(void)flags;
	note("renameat2-refused", oldpath, newpath);
	errno = EINVAL;
	return -1;
}

int
rename(const char *oldpath, const char *newpath)
{
	static int (*real)(const char *, const char *);
	int n = ++renames, rc;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "rename");
	if (env_is("FAKEFS_KILL_BEFORE", n)) {
		note("killed-before", oldpath, newpath);
		raise(SIGKILL);
	}
	if (env_is("FAKEFS_FAIL", n)) {
		note("failed", oldpath, newpath);
		errno = EIO;
		return -1;
	}
	rc = real(oldpath, newpath);
	note("rename", oldpath, newpath);
	if (env_is("FAKEFS_KILL_AFTER", n)) {
		note("killed-after", oldpath, newpath);
		raise(SIGKILL);
	}
	return rc;
}
