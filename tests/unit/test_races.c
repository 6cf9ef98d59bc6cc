/* Races and resources (issue 13, item 2): size parsing without overflow,
 * writes that report their own error. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

static void
size(const char *in, size_t max, int ok, size_t want)
{
	size_t got = 12345;
	int rc = parse_size(in, max, &got);
	char what[96];

	snprintf(what, sizeof what, "parse_size('%s', %zu)", in, max);
	EXPECT(ok ? rc == 0 && got == want : rc == -1 && got == 12345, what);
	if (ok && (rc != 0 || got != want))
		printf("#   got rc %d, %zu\n", rc, got);
}

void
test_races(void)
{
	const size_t giga = (size_t)1000 * 1000 * 1000;
	char *big = xcalloc(1, 1 << 20);
	int fds[2], fd;

	size("8M", giga, 1, 8000000);
	size("500K", giga, 1, 500000);
	size("500kB", giga, 1, 500000);
	size("2000000", giga, 1, 2000000);
	size("1G", giga, 1, giga);
	size("1g", giga, 1, giga);
	size("1000M", giga, 1, giga);
	size("1000001K", giga, 0, 0);
	size("2G", giga, 0, 0);
	/* Wrapped to 384 bytes before: 18446744073709552 * 1000 mod 2^64. */
	size("18446744073709552K", giga, 0, 0);
	size("18446744073709552K", SIZE_MAX, 0, 0);
	size("18446744073709552000", SIZE_MAX, 0, 0);
	size("18446744073709551615", SIZE_MAX, 1, SIZE_MAX);
	size("18446744073709551616", SIZE_MAX, 0, 0);
	size("18446744074G", SIZE_MAX, 0, 0);
	size("0", giga, 0, 0);
	size("0K", giga, 0, 0);
	size("", giga, 0, 0);
	size("K", giga, 0, 0);
	size("-1", SIZE_MAX, 0, 0);
	size(" 8M", giga, 0, 0);
	size("+8M", giga, 0, 0);
	size("8T", giga, 0, 0);
	size("8MBx", giga, 0, 0);

	/* A full disk: the write's own error, not whatever errno held. */
	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	errno = EBADMSG;
	EXPECT(fd != -1 && write_all(fd, big, 4096) == -1 && errno == ENOSPC, "write_all to /dev/full: ENOSPC");
	if (fd != -1)
		close(fd);
	/* A short write, then an error: a pipe that fills up.  write() said
	 * nothing through errno about the short write; write_all goes on and
	 * reports the error of the write that failed. */
	if (pipe(fds) == 0) {
		fcntl(fds[1], F_SETFL, O_NONBLOCK);
		errno = EBADMSG;
		EXPECT(write_all(fds[1], big, 1 << 20) == -1 && errno == EAGAIN,
		    "write_all to a full pipe: the error of the write that failed (EAGAIN)");
		close(fds[0]);
		/* No reader: EPIPE (SIGPIPE ignored meanwhile). */
		{
			void (*old)(int) = signal(SIGPIPE, SIG_IGN);

			errno = EBADMSG;
			EXPECT(write_all(fds[1], big, 16) == -1 && errno == EPIPE, "write_all to a closed pipe: EPIPE");
			signal(SIGPIPE, old);
		}
		close(fds[1]);
	}
	/* All of it, in pieces if need be. */
	if (pipe(fds) == 0) {
		char back[8] = {0};

		EXPECT(write_all(fds[1], "abcdefg", 7) == 0 && read(fds[0], back, 7) == 7 && strcmp(back, "abcdefg") == 0,
		    "write_all writes everything");
		close(fds[0]);
		close(fds[1]);
	}
	free(big);
}
