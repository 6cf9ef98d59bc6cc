#include <sodium.h>

#include <stdlib.h>

#include "hash.h"
#include "util.h"

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct sha256 *)0)->state),
    "struct sha256 too small for libsodium's state");

int
hash_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
to_hex(const unsigned char digest[crypto_hash_sha256_BYTES], char out[65])
{
	sodium_bin2hex(out, 65, digest, crypto_hash_sha256_BYTES);
}

void
sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, p, n);
	to_hex(digest, out);
}

void
sha256_begin(struct sha256 *h)
{
	crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)h->state);
}

void
sha256_add(struct sha256 *h, const void *p, size_t n)
{
	crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)h->state, p, n);
}

void
sha256_end(struct sha256 *h, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)h->state, digest);
	to_hex(digest, out);
}

char *
base64_encode(const void *p, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *out = xmalloc(len);

	sodium_bin2base64(out, len, p, n, sodium_base64_VARIANT_ORIGINAL);
	return out;
}
