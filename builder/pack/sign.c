/* Signatures beside the files a build writes (minisign's format), and the
 * secret key that makes them. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "diag.h"
#include "i18n.h"
#include "output.h"
#include "sign.h"
#include "util.h"

/* FILE.minisig beside `path`, over the bytes just written.  The trusted
 * comment names the file and the signer, with the build's time. */
int
sign_file(const struct minisign_key *k, const char *path, time_t when)
{
	unsigned char prehash[MINISIGN_PREHASH_BYTES];
	char *trusted, *sig, *sigpath;
	int fd, rc;

	if (k == NULL) {
		/* An unsigned build leaves no signature of an earlier one. */
		sigpath = xasprintf("%s.minisig", path);
		unlink(sigpath);
		free(sigpath);
		return 0;
	}
	/* Hashed in slices: a bundle with a video is never whole in memory. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1 || minisign_prehash_fd(fd, prehash) == -1) {
		diag(S_READ, NULL, path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	{
		char id[17];

		/* minisign's own keys carry no name: say which key. */
		minisign_key_id(k->id, id);
		if (strncmp(k->comment, "minisign ", 9) == 0)
			trusted = xasprintf("timestamp:%lld\tfile:%s\tsigner:key %s", (long long)when,
			    path_basename(path), id);
		else
			trusted = xasprintf("timestamp:%lld\tfile:%s\tsigner:%s (key %s)", (long long)when,
			    path_basename(path), k->comment, id);
	}
	sig = minisign_sign(k, prehash, trusted);
	sigpath = xasprintf("%s.minisig", path);
	rc = write_atomic(sigpath, sig, strlen(sig));
	free(sigpath);
	free(sig);
	free(trusted);
	return rc;
}

int
secret_key_load(const char *path, struct minisign_key *key)
{
	char text[MINISIGN_FILE_MAX + 1];
	size_t len;
	const char *why;
	int rc = 0;

	/* On the stack, and wiped by the parser: no copy of the key left in
	 * freed memory. */
	if ((rc = minisign_read_secret(path, text, &len)) != 0) {
		if (rc == -1)
			diag(S_OPEN, NULL, path, strerror(errno));
		return rc == -1 ? 3 : 1;
	}
	if (minisign_parse_secret(text, len, key, &why) == -1) {
		struct loc loc = {path, 0, 0};

		diag(E_SIG_KEY, &loc, _(why));
		minisign_key_release(key);
		rc = 1;
	}
	sodium_wipe(text, sizeof text);
	return rc;
}
