/* SHA-256 through OpenSSL's libcrypto: it uses the CPU's SHA extensions
 * (1.9 GB/s on the reference machine, libsodium's portable code 0.27
 * GB/s), and a build hashes every byte it writes.  The SHA256_* calls are
 * the 1.1.1 API, which 3.0 still ships; no EVP context to allocate. */
#define OPENSSL_API_COMPAT 0x10101000L
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "diag.h"
#include "i18n.h"
#include "util.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((struct sha256 *)0)->state), "struct sha256 too small for SHA256_CTX");

int
hash_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
to_hex(const unsigned char digest[SHA256_DIGEST_LENGTH], char out[65])
{
	sodium_bin2hex(out, 65, digest, SHA256_DIGEST_LENGTH);
}

void
sha256_hex(const void *p, size_t n, char out[65])
{
	struct sha256 h;

	/* Not SHA256(): in OpenSSL 3 it looks the algorithm up on every
	 * call, a third of the time of a ledger record. */
	sha256_begin(&h);
	sha256_add(&h, p, n);
	sha256_end(&h, out);
}

void
sha256_begin(struct sha256 *h)
{
	SHA256_Init((SHA256_CTX *)(void *)h->state);
}

void
sha256_add(struct sha256 *h, const void *p, size_t n)
{
	SHA256_Update((SHA256_CTX *)(void *)h->state, p, n);
}

void
sha256_end(struct sha256 *h, char out[65])
{
	unsigned char digest[SHA256_DIGEST_LENGTH];

	SHA256_Final(digest, (SHA256_CTX *)(void *)h->state);
	to_hex(digest, out);
}

struct file_hash {
	struct sha256 h;
	size_t size;
};

static void
hash_part(void *ctx, const void *p, size_t n)
{
	struct file_hash *fh = ctx;

	sha256_add(&fh->h, p, n);
	fh->size += n;
}

int
sha256_file(const char *path, size_t *size, char out[65])
{
	struct file_hash fh;

	/* In slices: a bundle of media need not fit in memory. */
	fh.size = 0;
	sha256_begin(&fh.h);
	*size = 0;
	if (read_parts(path, SIZE_MAX, 256 * 1024, hash_part, &fh) == -1)
		return -1;
	sha256_end(&fh.h, out);
	*size = fh.size;
	return 0;
}

char *
base64_encode(const void *p, size_t n)
{
	/* libcrypto's encoder: six times libsodium's constant-time one,
	 * which images for the phone edition do not need, same text.  It
	 * takes an int: slices of a multiple of 3 bytes join exactly. */
	enum { SLICE = 3 << 28 };
	const unsigned char *in = p;
	char *out = xmalloc(n / 3 * 4 + 5), *o = out;

	*o = '\0';
	while (n > 0) {
		size_t k = n > SLICE ? SLICE : n;

		o += EVP_EncodeBlock((unsigned char *)o, in, (int)k);
		in += k;
		n -= k;
	}
	return out;
}

/* The lines of a key or signature file: line n (0-based), without its
 * newline, or NULL. */
static char *
line_of(const char *text, int n)
{
	const char *p = text, *e;

	while (n-- > 0) {
		if ((p = strchr(p, '\n')) == NULL)
			return NULL;
		p++;
	}
	e = p + strcspn(p, "\r\n");
	return xstrndup(p, (size_t)(e - p));
}

static int
unbase64(const char *b64, unsigned char *out, size_t want)
{
	size_t got = 0;

	if (sodium_base642bin(out, want, b64, strlen(b64), NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return got == want ? 0 : -1;
}

static char *
comment_of(const char *text)
{
	char *first = line_of(text, 0);
	static const char prefix[] = "untrusted comment: ";
	char *c;

	if (first == NULL || strncmp(first, prefix, sizeof prefix - 1) != 0) {
		free(first);
		return NULL;
	}
	c = xstrdup(first + sizeof prefix - 1);
	free(first);
	/* What our keygen appends after the key's own comment. */
	{
		char *tail = strstr(c, ", minisign ");

		if (tail)
			*tail = '\0';
	}
	return c;
}

void
minisign_key_id(const unsigned char id[8], char out[17])
{
	int i;

	/* minisign prints the id as a little-endian 64-bit number. */
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02X", id[7 - i]);
}

int
minisign_parse_public(const char *text, struct minisign_key *k, const char **why)
{
	unsigned char raw[42];
	char *b64 = line_of(text, 1);

	memset(k, 0, sizeof *k);
	if ((k->comment = comment_of(text)) == NULL || b64 == NULL || unbase64(b64, raw, sizeof raw) == -1 ||
	    memcmp(raw, "Ed", 2) != 0) {
		free(b64);
		*why = N_("not a minisign public key");
		return -1;
	}
	memcpy(k->id, raw + 2, 8);
	memcpy(k->pk, raw + 10, 32);
	free(b64);
	return 0;
}

/* Every copy of secret material is wiped on every path: the caller's
 * text, the base64 line copied out of it, the decoded key file and the
 * scratch key pair; on failure the key in *k too. */
int
minisign_parse_secret(char *text, size_t len, struct minisign_key *k, const char **why)
{
	/* sig alg, kdf alg, checksum alg, salt, opslimit, memlimit, key id,
	 * secret key, checksum */
	unsigned char raw[2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32], chk[32], in[2 + 8 + 64], pk2[32], sk2[64];
	static const unsigned char zero[32];
	char *b64 = line_of(text, 1);
	int rc = -1;

	memset(k, 0, sizeof *k);
	memset(raw, 0, sizeof raw);
	if ((k->comment = comment_of(text)) == NULL || b64 == NULL || unbase64(b64, raw, sizeof raw) == -1 ||
	    memcmp(raw, "Ed", 2) != 0 || memcmp(raw + 4, "B2", 2) != 0) {
		*why = N_("not a minisign secret key");
		goto out;
	}
	if (raw[2] != 0 || raw[3] != 0) {
		*why = N_("the secret key is encrypted with a password: make one with 'minisign -G -W' or 'coursepack keygen'");
		goto out;
	}
	memcpy(k->id, raw + 54, 8);
	memcpy(k->sk, raw + 62, 64);
	memcpy(in, raw, 2);
	memcpy(in + 2, k->id, 8);
	memcpy(in + 10, k->sk, 64);
	crypto_generichash(chk, sizeof chk, in, sizeof in, NULL, 0);
	/* minisign -W leaves the checksum of an unencrypted key zero; the
	 * key's two halves must agree all the same. */
	crypto_sign_seed_keypair(pk2, sk2, raw + 62);
	if ((sodium_memcmp(raw + 126, zero, 32) != 0 && sodium_memcmp(chk, raw + 126, 32) != 0) ||
	    sodium_memcmp(pk2, raw + 62 + 32, 32) != 0) {
		*why = N_("the secret key's checksum does not match: the file is damaged");
		goto out;
	}
	/* Ed25519 secret keys in libsodium's form end with the public key. */
	memcpy(k->pk, k->sk + 32, 32);
	k->has_secret = 1;
	rc = 0;
out:
	if (b64) {
		sodium_memzero(b64, strlen(b64));
		free(b64);
	}
	sodium_memzero(text, len);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(chk, sizeof chk);
	sodium_memzero(in, sizeof in);
	sodium_memzero(pk2, sizeof pk2);
	sodium_memzero(sk2, sizeof sk2);
	if (rc == -1) {
		sodium_memzero(k->sk, sizeof k->sk);
		k->has_secret = 0;
	}
	return rc;
}

void
minisign_key_release(struct minisign_key *k)
{
	free(k->comment);
	sodium_memzero(k, sizeof *k);
}

void
minisign_generate(struct minisign_key *k, const char *comment)
{
	memset(k, 0, sizeof *k);
	crypto_sign_keypair(k->pk, k->sk);
	randombytes_buf(k->id, sizeof k->id);
	k->has_secret = 1;
	k->comment = xstrdup(comment);
}

char *
minisign_public_text(const struct minisign_key *k)
{
	unsigned char raw[42];
	char id[17], *b64, *out;

	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, k->id, 8);
	memcpy(raw + 10, k->pk, 32);
	minisign_key_id(k->id, id);
	b64 = base64_encode(raw, sizeof raw);
	out = xasprintf("untrusted comment: %s, minisign public key %s\n%s\n", k->comment, id, b64);
	free(b64);
	return out;
}

char *
minisign_secret_text(const struct minisign_key *k)
{
	unsigned char raw[2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32] = {0}, in[2 + 8 + 64];
	char *b64, *out;

	memcpy(raw, "Ed", 2);		/* kdf alg left 0: not encrypted */
	memcpy(raw + 4, "B2", 2);	/* salt, opslimit, memlimit unused */
	memcpy(raw + 54, k->id, 8);
	memcpy(raw + 62, k->sk, 64);
	memcpy(in, "Ed", 2);
	memcpy(in + 2, k->id, 8);
	memcpy(in + 10, k->sk, 64);
	crypto_generichash(raw + 126, 32, in, sizeof in, NULL, 0);
	b64 = base64_encode(raw, sizeof raw);
	out = xasprintf("untrusted comment: %s, minisign secret key (not encrypted)\n%s\n", k->comment, b64);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(in, sizeof in);
	free(b64);
	return out;
}

_Static_assert(MINISIGN_PREHASH_BYTES == crypto_generichash_BYTES_MAX, "minisign prehashes with BLAKE2b-512");

#define PREHASH_SLICE (256u * 1024)

int
minisign_prehash_fd(int fd, unsigned char out[MINISIGN_PREHASH_BYTES])
{
	crypto_generichash_state st;
	unsigned char *buf = xmalloc(PREHASH_SLICE);
	off_t at = 0;
	int rc = -1;

	crypto_generichash_init(&st, NULL, 0, MINISIGN_PREHASH_BYTES);
	for (;;) {
		ssize_t got = pread(fd, buf, PREHASH_SLICE, at);

		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			goto out;
		if (got == 0)
			break;
		crypto_generichash_update(&st, buf, (unsigned long long)got);
		at += got;
	}
	crypto_generichash_final(&st, out, MINISIGN_PREHASH_BYTES);
	rc = 0;
out:
	free(buf);
	return rc;
}

void
minisign_prehash(const void *p, size_t n, unsigned char out[MINISIGN_PREHASH_BYTES])
{
	crypto_generichash(out, MINISIGN_PREHASH_BYTES, p, n, NULL, 0);
}

char *
minisign_sign(const struct minisign_key *k, const unsigned char prehash[MINISIGN_PREHASH_BYTES],
    const char *trusted)
{
	unsigned char sig[2 + 8 + 64], global[64];
	size_t tlen = strlen(trusted);
	unsigned char *both = xmalloc(64 + tlen);
	char *b64sig, *b64global, *out;

	/* Prehashed ("ED"): the signature covers BLAKE2b-512 of the file. */
	memcpy(sig, "ED", 2);
	memcpy(sig + 2, k->id, 8);
	crypto_sign_detached(sig + 10, NULL, prehash, MINISIGN_PREHASH_BYTES, k->sk);
	/* The global signature binds the trusted comment to it. */
	memcpy(both, sig + 10, 64);
	memcpy(both + 64, trusted, tlen);
	crypto_sign_detached(global, NULL, both, 64 + tlen, k->sk);
	b64sig = base64_encode(sig, sizeof sig);
	b64global = base64_encode(global, sizeof global);
	out = xasprintf("untrusted comment: signature from %s\n%s\ntrusted comment: %s\n%s\n", k->comment, b64sig,
	    trusted, b64global);
	free(both);
	free(b64sig);
	free(b64global);
	return out;
}

int
minisign_verify(const struct minisign_key *pub, const unsigned char prehash[MINISIGN_PREHASH_BYTES],
    const char *text, char **trusted, unsigned char signer[8], const char **why)
{
	unsigned char sig[2 + 8 + 64], global[64], *both = NULL;
	char *b64 = line_of(text, 1), *tline = line_of(text, 2), *gline = line_of(text, 3);
	static const char prefix[] = "trusted comment: ";
	size_t tlen;
	int rc = -1;

	*trusted = NULL;
	if (b64 == NULL || unbase64(b64, sig, sizeof sig) == -1 || tline == NULL ||
	    strncmp(tline, prefix, sizeof prefix - 1) != 0 || gline == NULL ||
	    unbase64(gline, global, sizeof global) == -1 || (memcmp(sig, "ED", 2) && memcmp(sig, "Ed", 2))) {
		*why = N_("not a minisign signature");
		goto out;
	}
	memcpy(signer, sig + 2, 8);
	if (memcmp(sig + 2, pub->id, 8) != 0) {
		*why = N_("signed by another key");
		goto out;
	}
	/* A legacy signature covers the file itself, which would have to be
	 * read whole into memory: a bundle may be 2 GiB. */
	if (memcmp(sig, "Ed", 2) == 0) {
		*why = N_("it is a legacy signature (minisign -l), which is not supported: sign the file again without -l");
		goto out;
	}
	if (crypto_sign_verify_detached(sig + 10, prehash, MINISIGN_PREHASH_BYTES, pub->pk) != 0) {
		*why = N_("the signature does not match: the file was changed after it was signed");
		goto out;
	}
	tlen = strlen(tline) - (sizeof prefix - 1);
	both = xmalloc(64 + tlen);
	memcpy(both, sig + 10, 64);
	memcpy(both + 64, tline + sizeof prefix - 1, tlen);
	if (crypto_sign_verify_detached(global, both, 64 + tlen, pub->pk) != 0) {
		*why = N_("the trusted comment was changed after signing");
		goto out;
	}
	*trusted = xstrdup(tline + sizeof prefix - 1);
	rc = 0;
out:
	free(both);
	free(b64);
	free(tline);
	free(gline);
	return rc;
}

void
sodium_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

/* Key and signature files are a few hundred bytes: a larger file, a
 * folder or a device is the wrong file given, an input problem (exit 1),
 * not the program failing (exit 3). */
int
minisign_read_file(const char *path, char **text, size_t *len)
{
	struct loc loc = {path, 0, 0};

	if (read_file(path, MINISIGN_FILE_MAX, text, len) == 0)
		return 0;
	if (errno == EFBIG) {
		char *why = xasprintf(_("it is larger than %u bytes"), MINISIGN_FILE_MAX);

		diag(E_SIG_FILE, &loc, why);
		free(why);
		return 1;
	}
	if (errno == EISDIR || errno == EINVAL) {
		diag(E_SIG_FILE, &loc, errno == EISDIR ? _("it is a folder") : _("it is not a regular file"));
		return 1;
	}
	return -1;
}

int
minisign_read_secret(const char *path, char buf[MINISIGN_FILE_MAX + 1], size_t *len)
{
	struct loc loc = {path, 0, 0};
	struct stat st;
	size_t n = 0;
	int fd, rc = -1, saved;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		diag(E_SIG_FILE, &loc, S_ISDIR(st.st_mode) ? "it is a folder" : "it is not a regular file");
		rc = 1;
		goto out;
	}
	/* One byte more than allowed tells a file too large. */
	while (n < MINISIGN_FILE_MAX + 1) {
		ssize_t got = read(fd, buf + n, MINISIGN_FILE_MAX + 1 - n);

		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			goto out;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > MINISIGN_FILE_MAX) {
		char *why = xasprintf("it is larger than %u bytes", MINISIGN_FILE_MAX);

		diag(E_SIG_FILE, &loc, why);
		free(why);
		rc = 1;
		goto out;
	}
	buf[n] = '\0';
	*len = n;
	rc = 0;
out:
	saved = errno;
	if (rc != 0)
		sodium_memzero(buf, MINISIGN_FILE_MAX + 1);
	close(fd);
	errno = saved;
	return rc;
}
