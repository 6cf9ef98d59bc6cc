#include <sys/file.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "leftovers.h"
#include "util.h"

static void
remove_leftovers(int dirfd)
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
	while ((de = readdir(dp)) != NULL) {
		struct stat st;

		/* A file or a folder of ours; never a link. */
		if (strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0 &&
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
			buf_add(&found, de->d_name, strlen(de->d_name) + 1);
	}
	closedir(dp);
	for (name = found.data; name && name < found.data + found.len; name += strlen(name) + 1)
		remove_tree_at(dirfd, name);
	buf_release(&found);
}

int
leftovers_claim(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		/* Free: no one else works here, so what is left is left over. */
		remove_leftovers(fd);
	}
	/* Shared for the rest of the work (from exclusive, or alongside
	 * another build).  When another build holds the folder exclusively,
	 * it is reading the folder for its leftovers: wait for that, and
	 * never work here unlocked, where that build could take our files
	 * for leftovers. */
	while (flock(fd, LOCK_SH) == -1) {
		if (errno != EINTR) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
	}
	return fd;
}

void
leftovers_release(int lock)
{
	if (lock >= 0)
		close(lock);
}
