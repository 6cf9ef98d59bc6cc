#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "unit.h"
#include "util.h"

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i])
			return 0;
	return 1;
}

/* minisign_parse_secret on a copy of `text` (with the byte at `at`, if
 * any, changed to `to`): the caller's buffer is zero afterwards on every
 * path, and a refused key leaves no secret behind. */
static void
parse_wipes(const char *text, long at, char to, int want_rc, const char *what)
{
	size_t len = strlen(text);
	char *buf = xstrdup(text), msg[160];
	struct minisign_key k;
	const char *why = NULL;
	int rc;

	if (at >= 0)
		buf[at] = to;
	rc = minisign_parse_secret(buf, len, &k, &why);
	snprintf(msg, sizeof msg, "minisign_parse_secret: %s: returns %d", what, want_rc);
	EXPECT(rc == want_rc, msg);
	snprintf(msg, sizeof msg, "minisign_parse_secret: %s: the caller's text is wiped", what);
	EXPECT(all_zero(buf, len + 1), msg);
	if (rc == -1) {
		snprintf(msg, sizeof msg, "minisign_parse_secret: %s: no secret key left in the result", what);
		EXPECT(all_zero(k.sk, sizeof k.sk) && !k.has_secret, msg);
	}
	minisign_key_release(&k);
	free(buf);
}

void
test_crypto(void)
{
	struct minisign_key k, pub;
	char *sec, *pubtext, *sig, *trusted = NULL, path[] = "/tmp/cp-unit-sig-XXXXXX";
	unsigned char h1[MINISIGN_PREHASH_BYTES], h2[MINISIGN_PREHASH_BYTES], signer[8];
	const char *why = NULL;
	long b64;
	size_t i;
	int fd;

	hash_init();
	minisign_generate(&k, "unit");
	sec = minisign_secret_text(&k);
	pubtext = minisign_public_text(&k);
	b64 = strchr(sec, '\n') - sec + 1;
	parse_wipes(sec, -1, 0, 0, "a good key");
	parse_wipes(sec, b64 + 3, '*', -1, "a line that is not base64");
	parse_wipes(sec, 0, 'X', -1, "no untrusted comment");
	/* The kdf algorithm's first byte: base64 "RWQAAEIy..." is "Ed\0\0B2". */
	parse_wipes(sec, b64 + 3, 'B', -1, "an encrypted key");
	/* A byte of the secret key itself: the checksum no longer matches. */
	parse_wipes(sec, b64 + 100, sec[b64 + 100] == 'A' ? 'B' : 'A', -1, "a damaged key");
	parse_wipes(sec, b64 + 4, '\0', -1, "a truncated key");

	/* Prehash in slices, sign and verify; a changed byte is noticed. */
	EXPECT(minisign_parse_public(pubtext, &pub, &why) == 0, "minisign_parse_public: our own public key");
	fd = mkstemp(path);
	for (i = 0; i < 3 * 256 * 1024 + 17; i += 4096) {
		char block[4096];

		memset(block, (int)(i / 4096), sizeof block);
		if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
			break;
	}
	EXPECT(minisign_prehash_fd(fd, h1) == 0, "minisign_prehash_fd: reads a file of several slices");
	EXPECT(lseek(fd, 0, SEEK_CUR) == lseek(fd, 0, SEEK_END), "minisign_prehash_fd: leaves the offset alone");
	sig = minisign_sign(&k, h1, "timestamp:0\tfile:x");
	EXPECT(minisign_verify(&pub, h1, sig, &trusted, signer, &why) == 0, "minisign_verify: the signature of the prehash");
	EXPECT_STR(trusted, "timestamp:0\tfile:x", "minisign_verify: gives the trusted comment");
	free(trusted);
	trusted = NULL;
	if (pwrite(fd, "!", 1, 300000) != 1)
		EXPECT(0, "pwrite");
	EXPECT(minisign_prehash_fd(fd, h2) == 0 && memcmp(h1, h2, sizeof h1) != 0,
	    "minisign_prehash_fd: one byte changed, another hash");
	EXPECT(minisign_verify(&pub, h2, sig, &trusted, signer, &why) == -1 && trusted == NULL,
	    "minisign_verify: refuses the changed file");
	close(fd);
	unlink(path);
	free(sig);
	free(sec);
	free(pubtext);
	minisign_key_release(&pub);
	minisign_key_release(&k);
}
