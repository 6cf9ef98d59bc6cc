/* libFuzzer target: reading a bundle as verify, info and unpack do —
 * the zip directory within limits, the manifest, every entry's name,
 * kind, size and hash, every page's links. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bundle_reader.h"
#include "crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct bundle b;
	FILE *fp;

	if (path[0] == '\0') {
		hash_init();
		snprintf(path, sizeof path, "/tmp/coursepack-fuzz-%ld.zip", (long)getpid());
	}
	if ((fp = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	if (bundle_open(&b, path, NULL, NULL) == 0)
		bundle_verify(&b);
	bundle_release(&b);
	return 0;
}
