/* Cryptography, the only file that includes libsodium and libcrypto:
 * SHA-256 for manifests (libcrypto, for speed), base64, and minisign
 * signatures (Ed25519, libsodium). */
#ifndef COURSEPACK_CRYPTO_H
#define COURSEPACK_CRYPTO_H

#include <stddef.h>

/* Initializes libsodium; call once before any thread hashes.  Returns 0,
 * or -1 when the library cannot start. */
int hash_init(void);
/* Writes the lowercase hex SHA-256 of p[0..n) and a NUL to out. */
void sha256_hex(const void *p, size_t n, char out[65]);

/* The SHA-256 and size of the file at path, read in slices.  Returns 0,
 * or -1 with errno set. */
int sha256_file(const char *path, size_t *size, char out[65]);

/* Standard base64 of p[0..n), NUL-terminated; caller frees. */
char *base64_encode(const void *p, size_t n);

/* Incremental hashing, for data read in pieces. */
struct sha256 {
	_Alignas(16) unsigned char state[128];	/* SHA256_CTX, opaque */
};
void sha256_begin(struct sha256 *);
void sha256_add(struct sha256 *, const void *p, size_t n);
void sha256_end(struct sha256 *, char out[65]);

/* Overwrites p[0..n) with zeros in a way the compiler keeps. */
void sodium_wipe(void *p, size_t n);

/* minisign keys and signatures (https://jedisct1.github.io/minisign/):
 * Ed25519 through libsodium, files that Debian's minisign reads and
 * writes.  Secret keys must be unencrypted (minisign -G -W). */
struct minisign_key {
	unsigned char id[8];
	unsigned char pk[32];
	unsigned char sk[64];	/* with has_secret */
	int has_secret;
	char *comment;		/* the key file's untrusted comment */
};

/* Fill *k from a key file's text.  Return 0, or -1 with *why. */
#define MINISIGN_FILE_MAX 4096u
/* Reads a key or signature file: 0; 1 after diagnosing a file too large
 * or not regular (an input problem); -1 with errno, not diagnosed (the
 * caller says whether a missing file is a problem or a system error). */
int minisign_read_file(const char *path, char **text, size_t *len);
int minisign_parse_public(const char *text, struct minisign_key *k, const char **why);
/* Parses a secret key file's text in text[0..len), which it wipes on
 * every path, as it does every copy it makes; on failure k holds no
 * secret (release it all the same). */
int minisign_parse_secret(char *text, size_t len, struct minisign_key *k, const char **why);
/* Reads a secret key file into buf (MINISIGN_FILE_MAX bytes and a NUL),
 * never into the heap, so that the caller can wipe the only copy.  The
 * same returns as minisign_read_file; buf is wiped unless 0 is returned. */
int minisign_read_secret(const char *path, char buf[MINISIGN_FILE_MAX + 1], size_t *len);
void minisign_key_release(struct minisign_key *);
/* A new key pair; its files' texts, with `comment` (caller frees). */
void minisign_generate(struct minisign_key *k, const char *comment);
char *minisign_public_text(const struct minisign_key *);
char *minisign_secret_text(const struct minisign_key *);
/* The key id as minisign prints it, 16 hex digits. */
void minisign_key_id(const unsigned char id[8], char out[17]);
/* Minisign's prehashed ("ED") signatures cover the BLAKE2b-512 of the
 * file, which is computed in pieces: signing and checking a bundle need
 * a fixed buffer, whatever the bundle's size. */
#define MINISIGN_PREHASH_BYTES 64
/* The prehash of the file open on fd, read from offset 0 with pread in
 * slices (fd's offset is left alone).  Returns 0, or -1 with errno. */
int minisign_prehash_fd(int fd, unsigned char out[MINISIGN_PREHASH_BYTES]);
/* The prehash of p[0..n), for a text signed whole (a review record). */
void minisign_prehash(const void *p, size_t n, unsigned char out[MINISIGN_PREHASH_BYTES]);
/* A signature file for the file whose prehash is given, with `trusted`
 * as its trusted comment (prehashed, as minisign 0.10 and later sign);
 * caller frees. */
char *minisign_sign(const struct minisign_key *, const unsigned char prehash[MINISIGN_PREHASH_BYTES],
    const char *trusted);
/* Checks a signature file against `pub` and the prehash of the signed
 * file.  Returns 0 and the trusted comment in *trusted (caller frees), or
 * -1 with *why; *signer gets the id of the key that made the signature
 * when it can be read.  Legacy signatures (minisign -l, over the whole
 * file rather than its hash) are refused: they cannot be checked in
 * pieces. */
int minisign_verify(const struct minisign_key *pub, const unsigned char prehash[MINISIGN_PREHASH_BYTES],
    const char *sig, char **trusted, unsigned char signer[8], const char **why);

#endif
