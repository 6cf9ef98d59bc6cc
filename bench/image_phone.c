/* bench/images.sh's coursepack variant: one photo through image_for_phone,
 * exactly as the phone edition calls it.  Usage: image_phone IN OUT */
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

	if (argc != 3) {
		fprintf(stderr, "usage: image_phone IN OUT\n");
		return 2;
	}
	if (read_file(argv[1], 256u << 20, &data, &len) == -1) {
		fprintf(stderr, "image_phone: %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	if (image_init() == -1 || image_for_phone(data, len, IMAGE_PHONE_SIDE, &out, &mime, &why) == -1) {
		fprintf(stderr, "image_phone: %s: %s\n", argv[1], why);
		return 1;
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
