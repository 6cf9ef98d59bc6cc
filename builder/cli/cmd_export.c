/* coursepack export [--village ID]... [--key PUBKEY] [--fs TYPE]
 * [--since OLD_BUILD_DIR] BUILD_DIR DEST: one kit folder per village on a
 * USB stick (an update patch instead of the bundle where the old build
 * has the village's bundle), every file read back and checked, and the
 * delivery list to print and sign (pack/export.h).  Every check is made before the first byte is
 * written; a second run keeps what is already right. */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_reader.h"
#include "commands.h"
#include "crypto.h"
#include "export.h"
#include "i18n.h"
#include "util.h"

static const char usage_text[] =
    "usage: coursepack export [--village ID]... [--key PUBKEY] [--fs auto|fat32|exfat|ntfs|other]\n"
    "                         [--since OLD_BUILD_DIR] BUILD_DIR DEST\n";

struct export_opts {
	char **villages;
	size_t nvillages;
	const char *key, *since;
	enum export_fs fs;
};

static int
fs_parse(const char *s, enum export_fs *fs)
{
	static const struct {
		const char *name;
		enum export_fs fs;
	} t[] = {{"auto", FS_AUTO}, {"fat32", FS_FAT32}, {"exfat", FS_EXFAT}, {"ntfs", FS_NTFS}, {"other", FS_OTHER}};
	size_t i;

	for (i = 0; i < NELEM(t); i++)
		if (streq(s, t[i].name)) {
			*fs = t[i].fs;
			return 0;
		}
	return -1;
}

/* -1 to go on (optind at BUILD_DIR), else the exit status. */
static int
export_options(int argc, char *argv[], struct export_opts *o)
{
	static const struct option longopts[] = {
		{"village", required_argument, NULL, 'v'},
		{"key", required_argument, NULL, 'k'},
		{"fs", required_argument, NULL, 'f'},
		{"since", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			o->villages = xreallocarray(o->villages, o->nvillages + 1, sizeof *o->villages);
			o->villages[o->nvillages++] = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'f':
			if (fs_parse(optarg, &o->fs) == -1) {
				usage_error("export: unknown file system '%s': give auto, fat32, exfat, ntfs or other", optarg);
				return 2;
			}
			break;
		case 's': {
			struct stat st;

			if (stat(optarg, &st) == -1 || !S_ISDIR(st.st_mode)) {
				usage_error("export: --since '%s' is not a folder: give the build folder of the bundles the "
					    "villages have", optarg);
				return 2;
			}
			o->since = optarg;
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage_error("export: %s option '%s'", ch == ':' ? _("a value is missing for") : _("unknown"),
			    argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (hash_init() == -1) {
		usage_error("export: libsodium cannot start");
		return 3;
	}
	return -1;
}

int
cmd_export(int argc, char *argv[])
{
	struct export_opts o = {0};
	struct minisign_key pub;
	struct export e = {0};
	int rc;

	if ((rc = export_options(argc, argv, &o)) != -1) {
		free(o.villages);
		return rc;
	}
	if (o.key && bundle_load_pubkey(o.key, &pub) == -1) {
		free(o.villages);
		return diag_exit();
	}
	e.fs = o.fs;
	e.since = o.since;
	if (export_load(&e, argv[optind], o.villages, o.nvillages, o.key ? &pub : NULL, o.key) == 0 &&
	    export_check(&e, argv[optind + 1]) == 0 && export_write(&e) == 0)
		printf(_("exported %zu village%s to '%s' (%s): %zu file%s copied, %zu kept, every one read back and "
			 "matching; print delivery.html\n"),
		    e.nkits, e.nkits == 1 ? "" : "s", e.dest, export_fs_name(e.fs), e.copied, e.copied == 1 ? "" : "s",
		    e.kept);
	export_release(&e);
	if (o.key)
		minisign_key_release(&pub);
	free(o.villages);
	return diag_exit();
}
