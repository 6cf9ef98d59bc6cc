#define _DEFAULT_SOURCE	/* flock */
#include <sys/file.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leftovers.h"
#include "util.h"

/* Whether s is what mkstemp put for XXXXXX: six ASCII letters or digits,
 * then the end. */
static int
mkstemp_tail(const char *s)
{
	size_t i;

	for (i = 0; i < 6; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return s[6] == '\0';
}

/* Whether name ends in `suffix` then six mkstemp characters. */
static int
temp_of(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n >= m + 6 && strncmp(name + n - m - 6, suffix, m) == 0 && mkstemp_tail(name + n - 6);
}

/* Whether name is one of the files a build writes, or begins like one. */
static int
ours(const char *name, const char *township)
{
	size_t t = strlen(township);

	return (strncmp(name, township, t) == 0 && name[t] == '-') || strncmp(name, "SHA256SUMS", 10) == 0 ||
	    strncmp(name, "index.html", 10) == 0 || strncmp(name, "shard-", 6) == 0;
}

/* A zip that libzip began and never finished: it starts with a local
 * header, and its last 22 bytes are not an end record (ours have no
 * comment).  A zip that is complete, or a file that is no zip at all (a
 * checksum kept beside a bundle), is not one. */
static int
zip_unfinished(int dirfd, const char *name)
{
	unsigned char head[4], end[22];
	struct stat st;
	int fd, unfinished = 0;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)sizeof head &&
	    pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head && memcmp(head, "PK\3\4", 4) == 0)
		unfinished = st.st_size < (off_t)sizeof end ||
		    pread(fd, end, sizeof end, st.st_size - (off_t)sizeof end) != (ssize_t)sizeof end ||
		    memcmp(end, "PK\5\6", 4) != 0;
	close(fd);
	return unfinished;
}

/* Whether `name` in the folder is a leftover (see leftovers.h). */
static int
leftover(int dirfd, const char *name, const char *township)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	if (name[0] == '.')
		return (strncmp(name, ".scratch-", 9) == 0 && mkstemp_tail(name + 9) && S_ISREG(st.st_mode) &&
		    (st.st_mode & 07777) == 0600) ||
		    (strncmp(name, ".print-", 7) == 0 && mkstemp_tail(name + 7) && S_ISDIR(st.st_mode));
	return ours(name, township) && S_ISREG(st.st_mode) &&
	    ((temp_of(name, ".tmp-") && (st.st_mode & 07777) == 0600) ||
	    ((temp_of(name, ".zip.") || temp_of(name, ".epub.")) && zip_unfinished(dirfd, name)));
}

static void
remove_leftovers(int dirfd, const char *dir, const char *township)
{
	struct buf found = {0};	/* names, each NUL-terminated: removed after the listing */
	struct dirent *de;
	const char *name;
	DIR *dp;
	int fd = dup(dirfd);

	if (fd == -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 && leftover(dirfd, de->d_name, township))
			buf_add(&found, de->d_name, strlen(de->d_name) + 1);
	closedir(dp);
	for (name = found.data; name && name < found.data + found.len; name += strlen(name) + 1) {
		if (strncmp(name, ".print-", 7) == 0) {
			char *path = path_join(dir, name);

			remove_tree(path);
			free(path);
		} else {
			unlinkat(dirfd, name, 0);
		}
	}
	buf_release(&found);
}

int
leftovers_claim(const char *dir, const char *township)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	/* Free: no other build runs here, so what is left is left over. */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		remove_leftovers(fd, dir, township);
	/* Then shared, for the rest of the build. */
	if (flock(fd, LOCK_SH) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

void
leftovers_release(int lock)
{
	if (lock >= 0)
		close(lock);
}
