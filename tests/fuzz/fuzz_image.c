/* libFuzzer target: the segment walkers that take metadata out of
 * JPEG, GIF and WebP files without decoding them (image.h).  Whatever
 * the bytes, they read within them, and on success write no more than
 * they read. */
#include <stdint.h>
#include <stdlib.h>

#include "image.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int (*const strip[])(const void *, size_t, struct buf *, int *) = {
		image_strip_jpeg, image_strip_gif, image_strip_webp,
	};

	for (size_t i = 0; i < NELEM(strip); i++) {
		struct buf out = {0};
		int dropped, r = strip[i](data, size, &out, &dropped);

		if ((r == 0 && out.len > size) || (r == -1 && out.len != 0))
			abort();
		buf_release(&out);
	}
	return 0;
}
