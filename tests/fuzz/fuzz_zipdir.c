/* libFuzzer target: the zip reader's first steps on an untrusted file —
 * the end record (one, last, no comment), the central directory and
 * every local header (check_layout), libzip on the same descriptor and
 * the comparison of what both read (zipr_open_fd) — without the
 * manifest, so that inputs need not be bundles. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zipfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zip_reader *r;
	int fd = memfd_create("fuzz-zipdir", MFD_CLOEXEC);

	if (fd == -1)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && zipr_open_fd(fd, "fuzz.zip", &r) == 0) {
		size_t i;

		for (i = 0; i < zipr_count(r); i++)
			(void)zipr_entry(r, i);
		zipr_close(r);
	}
	close(fd);
	return 0;
}
