/* coursepack keygen [-o NAME] [-c COMMENT]: a minisign key pair,
 * NAME.key (secret, mode 0600, not encrypted: keep it off shared
 * machines) and NAME.pub, for build --sign and verify --pubkey. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "i18n.h"
#include "crypto.h"
#include "util.h"

static const char usage_text[] = "usage: coursepack keygen [-o NAME] [-c COMMENT]\n";

/* Creates `path` only if it does not exist: a key is never overwritten. */
static int
write_new(const char *path, const char *text, mode_t mode)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd == -1)
		return -1;
	/* write_all: a short write reports its own errno, not a stale one;
	 * the descriptor is closed whatever happened. */
	if (write_all(fd, text, len) == -1 || fsync(fd) == -1) {
		int saved = errno;

		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1) {
		int saved = errno;

		unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
}

int
cmd_keygen(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"comment", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *name = "coursepack", *comment = NULL;
	struct minisign_key k;
	char *secret_path, *public_path, *secret, *public, *c, id[17];
	int ch, rc = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:ho:c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			name = optarg;
			break;
		case 'c':
			comment = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage_error("keygen: %s option '%s'", ch == ':' ? _("a value is missing for") : _("unknown"),
			    argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc || strpbrk(comment ? comment : "", "\r\n")) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (hash_init() == -1) {
		usage_error("keygen: libsodium cannot start");
		return 3;
	}
	c = comment ? xstrdup(comment) : xasprintf("coursepack key %s", path_basename(name));
	minisign_generate(&k, c);
	secret_path = xasprintf("%s.key", name);
	public_path = xasprintf("%s.pub", name);
	secret = minisign_secret_text(&k);
	public = minisign_public_text(&k);
	if (write_new(secret_path, secret, 0600) == -1) {
		diag(S_WRITE, NULL, secret_path, strerror(errno));
		rc = 3;
	} else if (write_new(public_path, public, 0644) == -1) {
		diag(S_WRITE, NULL, public_path, strerror(errno));
		unlink(secret_path);
		rc = 3;
	} else {
		minisign_key_id(k.id, id);
		printf(_("secret key %s (keep it private; not encrypted)\npublic key %s, key id %s:\n%s"), secret_path,
		    public_path, id, public);
	}
	sodium_wipe(secret, strlen(secret));
	free(secret);
	free(public);
	free(secret_path);
	free(public_path);
	free(c);
	minisign_key_release(&k);
	return rc;
}
