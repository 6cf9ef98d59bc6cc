/* libFuzzer target: the minisign parsers, each given every input — a
 * public key file (verify --pubkey), a secret key file (build --sign;
 * parsed from a copy, which the parser wipes) and a signature file,
 * checked against a fixed key and prehash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct minisign_key fixed;
	static int ready;
	static const unsigned char prehash[MINISIGN_PREHASH_BYTES];
	struct minisign_key k;
	unsigned char signer[8];
	char *text, *trusted = NULL;
	const char *why;

	if (!ready) {
		hash_init();
		minisign_generate(&fixed, "fuzz");
		ready = 1;
	}
	/* Key and signature files are read as text, NUL-terminated. */
	if (size > MINISIGN_FILE_MAX)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (minisign_parse_public(text, &k, &why) == 0)
		(void)minisign_verify(&k, prehash, text, &trusted, signer, &why);
	minisign_key_release(&k);
	free(trusted);
	trusted = NULL;
	if (minisign_verify(&fixed, prehash, text, &trusted, signer, &why) == 0)
		free(trusted);
	(void)minisign_parse_secret(text, size, &k, &why);
	minisign_key_release(&k);
	free(text);
	return 0;
}
