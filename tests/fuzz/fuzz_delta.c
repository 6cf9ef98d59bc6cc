/* libFuzzer target: the update patch parser (builder/pack/delta.c).  An
 * input is a 4-byte little-endian length L, L bytes of an old bundle and
 * a patch for it.  The patch's checksum and its old bundle's hash are set
 * right before it is applied, so that the fuzzer reaches the operations
 * behind them (a real patch with a wrong checksum stops at the check). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "delta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD 8		/* the magic */
#define HEX 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct buf out = {0};
	size_t oldlen, plen;
	unsigned char *patch;
	char h[HEX + 1];

	if (!ready) {
		hash_init();
		ready = 1;
	}
	if (size < 4)
		return 0;
	oldlen = data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 | (size_t)data[3] << 24;
	if (oldlen > size - 4 || size > (8u << 20))
		return 0;
	plen = size - 4 - oldlen;
	patch = malloc(plen ? plen : 1);
	memcpy(patch, data + 4 + oldlen, plen);
	if (plen >= HEAD + 2 * HEX + HEX) {
		sha256_hex(data + 4, oldlen, h);
		memcpy(patch + HEAD, h, HEX);
		sha256_hex(patch, plen - HEX, h);
		memcpy(patch + plen - HEX, h, HEX);
	}
	(void)delta_apply_mem("old", data + 4, oldlen, "patch", patch, plen, &out);
	buf_release(&out);
	free(patch);
	return 0;
}
