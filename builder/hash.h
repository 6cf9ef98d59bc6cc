/* SHA-256, through libsodium: the only file that includes it. */
#ifndef COURSEPACK_HASH_H
#define COURSEPACK_HASH_H

#include <stddef.h>

/* Initializes libsodium; call once before any thread hashes.  Returns 0,
 * or -1 when the library cannot start. */
int hash_init(void);
/* Writes the lowercase hex SHA-256 of p[0..n) and a NUL to out. */
void sha256_hex(const void *p, size_t n, char out[65]);

/* Standard base64 of p[0..n), NUL-terminated; caller frees. */
char *base64_encode(const void *p, size_t n);

/* Incremental hashing, for data read in pieces. */
struct sha256 {
	_Alignas(16) unsigned char state[128];	/* crypto_hash_sha256_state, opaque */
};
void sha256_begin(struct sha256 *);
void sha256_add(struct sha256 *, const void *p, size_t n);
void sha256_end(struct sha256 *, char out[65]);

#endif
