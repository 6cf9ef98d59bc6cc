/* bench/images.sh's coursepack variant: one photo through image_for_phone,
 * exactly as the phone edition calls it, N times in one process (default
 * 1: the peak memory of many shows whether it stays bounded).
 * Usage: image_phone IN OUT [N] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct buf out = {0};
	const char *mime, *why;
	char *data;
	size_t len;
	int n = argc == 4 ? atoi(argv[3]) : 1;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: image_phone IN OUT [N]\n");
		return 2;
	}
	if (read_file(argv[1], 256u << 20, &data, &len) == -1) {
		fprintf(stderr, "image_phone: %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	if (image_init() == -1) {
		fprintf(stderr, "image_phone: libvips did not start\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		out.len = 0;
		if (image_for_phone(data, len, IMAGE_PHONE_SIDE, &out, &mime, &why) == -1) {
			fprintf(stderr, "image_phone: %s: %s\n", argv[1], why);
			return 1;
		}
	}
	if (write_file_atomic(argv[2], out.data, out.len) == -1) {
		fprintf(stderr, "image_phone: %s: %s\n", argv[2], strerror(errno));
		return 3;
	}
	buf_release(&out);
	free(data);
	image_shutdown();
	return 0;
}
