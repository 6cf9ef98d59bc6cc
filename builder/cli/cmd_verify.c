/* coursepack verify [--pubkey KEY] FILE|DIR...: check every file a build
 * writes, each by its kind, and say in one line per file what it is and
 * whether it is good:
 *
 *   bundle (.zip)        its manifest first and valid, every file listed
 *                        present with its size and SHA-256, nothing
 *                        unlisted, every link resolving; the village,
 *                        township and season it is for
 *   EPUB                 a zip whose first entry is 'mimetype'
 *   phone edition, PDF   (their bytes: nothing more to check inside)
 *   SHA256SUMS           every file listed is beside it, with that hash
 *   FILE.minisig         the signature of FILE: checked with FILE
 *   index.html           the township catalogue: described, not checked
 *
 * With --pubkey, each file's signature beside it too (the catalogue and
 * shard records are not signed).  Without it, a phone edition, EPUB or
 * PDF is checked against the SHA256SUMS beside it.  A folder stands for
 * every file in it.  Exit 0 when all are good, 1 when any is not. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle_reader.h"
#include "commands.h"
#include "crypto.h"
#include "i18n.h"
#include "util.h"
#include "xml.h"

static const char usage_text[] = "usage: coursepack verify [--pubkey PUBKEY] FILE|DIR ...\n";

#define FOLDER_MAX_FILES 100000

enum kind { K_BUNDLE, K_PHONE, K_EPUB, K_PDF, K_SUMS, K_CATALOG, K_SHARD, K_OTHER, K__COUNT };

/* What an edition's line says it is. */
static const char *const kind_word[K__COUNT] = {[K_PHONE] = N_("phone edition"), [K_EPUB] = N_("EPUB"),
    [K_PDF] = N_("printed booklet")};
/* The summary's counts: one of a kind, then several. */
static const char *const kind_count[2][K__COUNT] = {
	{N_("%zu bundle"), N_("%zu phone edition"), N_("%zu EPUB"), N_("%zu printed booklet"),
	    N_("%zu SHA256SUMS"), N_("%zu catalogue"), N_("%zu shard record"), N_("%zu other file")},
	{N_("%zu bundles"), N_("%zu phone editions"), N_("%zu EPUBs"), N_("%zu printed booklets"),
	    N_("%zu SHA256SUMS"), N_("%zu catalogues"), N_("%zu shard records"), N_("%zu other files")},
};

/* What a build names its files (cmd_build.c). */
static enum kind
kind_of(const char *path, int in_folder)
{
	const char *name = path_basename(path);

	if (streq(name, "SHA256SUMS"))
		return K_SUMS;
	if (streq(name, "index.html"))
		return K_CATALOG;
	if (has_suffix(name, "-phone.html"))
		return K_PHONE;
	if (has_suffix(name, ".epub"))
		return K_EPUB;
	if (has_suffix(name, "-print.pdf"))
		return K_PDF;
	if (strncmp(name, "shard-", 6) == 0 && has_suffix(name, ".xml"))
		return K_SHARD;
	/* Named on the command line, anything else is taken for a bundle,
	 * as verify always did. */
	return has_suffix(name, ".zip") || !in_folder ? K_BUNDLE : K_OTHER;
}

struct item {
	char *path;
	int in_folder;
};

struct items {
	struct item *v;
	size_t n;
};

static void
items_add(struct items *it, char *path, int in_folder)
{
	it->v = xreallocarray(it->v, it->n + 1, sizeof *it->v);
	it->v[it->n].path = path;
	it->v[it->n++].in_folder = in_folder;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a folder (not its dot files, not its
 * subfolders), by name.  -1 after diagnosing. */
static int
items_add_folder(struct items *it, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;

	if (d == NULL) {
		diag(S_OPEN, NULL, dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL && n < FOLDER_MAX_FILES) {
		char *path;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		path = path_join(dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = path;
		} else
			free(path);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++)
		items_add(it, names[i], 1);
	free(names);
	return 0;
}

static int
items_have(const struct items *it, const char *path)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		if (streq(it->v[i].path, path))
			return 1;
	return 0;
}

/* One field of a trusted comment ("timestamp:N\tfile:NAME\tsigner:..."),
 * as a new string, or NULL. */
static char *
trusted_field(const char *trusted, const char *key)
{
	size_t klen = strlen(key);
	const char *p = trusted;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return xstrndup(p + klen + 1, strcspn(p + klen + 1, "\t"));
		p = strchr(p, '\t');
		if (p)
			p++;
	}
	return NULL;
}

/* "signed by 'NAME' (key ID) on 2022-11-01" from bundle_signature's line
 * ("signed by 'NAME' (key ID); TRUSTED COMMENT"); *signed_as gets the
 * file name the signature was made for, or NULL. */
static char *
signer_words(const char *who, char **signed_as)
{
	const char *semi = strstr(who, "; ");
	char *head = xstrndup(who, semi ? (size_t)(semi - who) : strlen(who)), *out, *ts;
	char day[16] = "";

	*signed_as = NULL;
	if (semi == NULL)
		return head;
	*signed_as = trusted_field(semi + 2, "file");
	if ((ts = trusted_field(semi + 2, "timestamp")) != NULL) {
		char *end;
		long long v;
		struct tm tm;
		time_t t;

		errno = 0;
		v = strtoll(ts, &end, 10);
		t = (time_t)v;
		if (errno == 0 && *end == '\0' && end != ts && v >= 0 && gmtime_r(&t, &tm))
			strftime(day, sizeof day, "%Y-%m-%d", &tm);
		free(ts);
	}
	out = day[0] ? xasprintf(_("%s on %s"), head, day) : xstrdup(head);
	free(head);
	return out;
}

/* The words for a good signature's line `who` (bundle_signature); warns
 * when the file has been renamed since it was signed. */
static char *
signature_words(const char *path, const char *who, int *renamed)
{
	char *signed_as = NULL, *words = signer_words(who, &signed_as);

	if (signed_as && !streq(signed_as, path_basename(path))) {
		struct loc loc = {path, 0, 0};

		diag(W_VERIFY_RENAMED, &loc, path_basename(path), signed_as);
		*renamed = 1;
	}
	free(signed_as);
	return words;
}

/* The signature beside `path`: 0 (and *words) or the number of problems. */
static int
check_signature(const char *path, const struct minisign_key *pub, char **words, int *renamed)
{
	char *who = NULL;
	int problems = bundle_signature(path, pub, &who);

	*words = NULL;
	if (problems == 0 && who)
		*words = signature_words(path, who, renamed);
	free(who);
	return problems;
}

/* Each file listed beside SHA256SUMS, hashed. */
static int
sums_line_check(void *ctx, const char *sums, int line, const char *sha, const char *name)
{
	char *dir = path_dirname(sums), *path = path_join(dir, name), got[65];
	struct loc loc = {sums, line, 0};
	size_t size, *count = ctx;
	int problems = 0;

	if (sha256_file(path, &size, got) == -1) {
		if (errno == ENOENT)
			diag(E_SUMS_MISSING, &loc, name);
		else
			diag(S_READ, NULL, path, strerror(errno));
		problems = 1;
	} else if (!streq(got, sha)) {
		diag(E_SUMS_HASH, &loc, name);
		problems = 1;
	}
	(*count)++;
	free(path);
	free(dir);
	return problems;
}

/* One file looked up in SHA256SUMS. */
struct sums_find {
	const char *name;
	char sha[65];
};

static int
sums_line_find(void *ctx, const char *sums, int line, const char *sha, const char *name)
{
	struct sums_find *f = ctx;

	(void)sums;
	(void)line;
	if (streq(name, f->name) && f->sha[0] == '\0')
		memcpy(f->sha, sha, 65);
	return 0;
}

/* A file checked against the SHA256SUMS beside it, for want of a key:
 * 0 good (*how says so), else the number of problems. */
static int
check_against_sums(const char *path, char **how)
{
	char *dir = path_dirname(path), *sums = path_join(dir, "SHA256SUMS"), got[65];
	struct sums_find f = {path_basename(path), ""};
	struct loc loc = {path, 0, 0};
	size_t size;
	int problems = 1, rc;

	*how = NULL;
	rc = sums_each(sums, 1, sums_line_find, &f);
	if (rc == -1 && access(sums, F_OK) == -1)
		diag(E_VERIFY_UNCHECKED, &loc);
	else if (rc == 0 && f.sha[0] == '\0')
		diag(E_SUMS_UNLISTED, &loc, f.name, sums);
	else if (rc == 0 && sha256_file(path, &size, got) == -1)
		diag(S_READ, NULL, path, strerror(errno));
	else if (rc == 0 && !streq(got, f.sha))
		diag(E_SUMS_HASH, &loc, f.name);
	else if (rc == 0) {
		*how = xstrdup(_("matches SHA256SUMS (no signature checked without --pubkey)"));
		problems = 0;
	}
	free(sums);
	free(dir);
	return problems;
}

/* An EPUB's first bytes, as its container format (OCF) requires: a local
 * header of a stored entry 'mimetype' holding application/epub+zip. */
static int
check_epub_head(const char *path)
{
	static const char want[] = "application/epub+zip";
	unsigned char h[30 + 8 + 256 + 20];
	struct loc loc = {path, 0, 0};
	size_t got, extra;
	FILE *f = fopen(path, "rbe");

	if (f == NULL) {
		diag(S_OPEN, NULL, path, strerror(errno));
		return 1;
	}
	got = fread(h, 1, sizeof h, f);
	fclose(f);
	extra = got >= 30 ? (size_t)(h[28] | h[29] << 8) : 0;
	if (got < 30 + 8 + 20 || memcmp(h, "PK\3\4", 4) != 0 || (h[8] | h[9] << 8) != 0 ||
	    (h[26] | h[27] << 8) != 8 || memcmp(h + 30, "mimetype", 8) != 0 || extra > 256 ||
	    got < 38 + extra + 20 || memcmp(h + 38 + extra, want, 20) != 0) {
		diag(E_VERIFY_EPUB, &loc);
		return 1;
	}
	return 0;
}

/* "吉利村 (jili) 霞阳镇 2022—2023年度冬春训" from a bundle's manifest;
 * warns when the file is not named after the package. */
static char *
bundle_words(const struct bundle *b, const char *path, int *renamed)
{
	struct xml_node *root = xml_root(b->manifest), *v = xml_first(root, "village"),
	    *t = xml_first(root, "township"), *s = xml_first(root, "season");
	char *id = xml_attr(root, "id"), *vname = xml_text(v), *vid = xml_attr(v, "id"), *tname = xml_text(t),
	    *season = s ? xml_text(s) : NULL, *words, *want;

	words = xasprintf("%s (%s) %s%s%s", vname ? vname : "?", vid ? vid : "?", tname ? tname : "?",
	    season ? " " : "", season ? season : "");
	want = xasprintf("%s.zip", id ? id : "");
	if (id && !streq(path_basename(path), want)) {
		struct loc loc = {path, 0, 0};
		char *whose = xasprintf("%s (%s)", vname ? vname : "?", vid ? vid : "?");

		diag(W_VERIFY_VILLAGE, &loc, path_basename(path), whose, id);
		free(whose);
		*renamed = 1;
	}
	free(want);
	free(id);
	free(vname);
	free(vid);
	free(tname);
	free(season);
	return words;
}

/* One file: its line on stdout; returns its number of problems. */
static int
verify_one(const char *path, enum kind k, const struct minisign_key *pub, int *renamed)
{
	char *what = NULL, *how = NULL, *reviews = NULL;
	int problems = 0;

	switch (k) {
	case K_BUNDLE: {
		struct bundle b;
		char *who = NULL;

		/* The signature first, on the file then read (bundle_open). */
		if (bundle_open(&b, path, pub, &who) == -1)
			problems = 1;
		else {
			problems = bundle_verify(&b);
			what = bundle_words(&b, path, renamed);
			reviews = bundle_review_summary(&b);
		}
		if (who)
			how = signature_words(path, who, renamed);
		bundle_release(&b);
		free(who);
		break;
	}
	case K_EPUB:
	case K_PHONE:
	case K_PDF:
		if (k == K_EPUB)
			problems += check_epub_head(path);
		what = xstrdup(_(kind_word[k]));
		problems += pub ? check_signature(path, pub, &how, renamed) : check_against_sums(path, &how);
		break;
	case K_SUMS: {
		size_t listed = 0;
		int rc = sums_each(path, 0, sums_line_check, &listed);

		problems = rc == -1 ? 1 : rc;
		what = xasprintf(_("%zu file%s listed, %s"), listed, listed == 1 ? "" : "s",
		    problems ? _("not all beside it and matching") : _("all beside it and matching"));
		if (pub)
			problems += check_signature(path, pub, &how, renamed);
		break;
	}
	case K_CATALOG:
		what = xstrdup(_("the township catalogue, a page for people: not signed; SHA256SUMS covers the files it lists"));
		break;
	case K_SHARD:
		what = xstrdup(_("a shard record, for 'coursepack catalog': not signed"));
		break;
	case K_OTHER:
	case K__COUNT:
		what = xstrdup(_("skipped: not a file coursepack writes"));
		break;
	}
	if (k == K_CATALOG || k == K_SHARD || k == K_OTHER)
		printf(_("%s: %s\n"), path, what);	/* nothing checked: no verdict */
	else {
		if (what)
			printf(problems ? _("%s: BAD %s") : _("%s: OK %s"), path, what);
		else
			printf(problems ? _("%s: BAD") : _("%s: OK"), path);
		if (how)
			printf(_(", %s"), how);
		putchar('\n');
	}
	if (reviews)
		printf(_("  reviews: %s\n"), reviews);
	free(reviews);
	free(what);
	free(how);
	return problems;
}

/* Reads the options and starts libsodium.  Returns -1 to go on, else the
 * exit status (0 for --help, 2 for a usage error, 3, told). */
static int
verify_start(int argc, char *argv[], const char **pubfile)
{
	static const struct option longopts[] = {
		{"pubkey", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hp:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			*pubfile = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage_error("verify: %s option '%s'", ch == ':' ? _("a value is missing for") : _("unknown"),
			    argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (hash_init() == -1) {
		usage_error("verify: libsodium cannot start");
		return 3;
	}
	return -1;
}

/* What verify found, for its closing line. */
struct tally {
	size_t seen[K__COUNT];	/* files checked, by kind */
	size_t checked, bad, renamed;
};

/* Checks every item (the list may grow: a signature given alone brings
 * the file it signs), counting into *t. */
static void
verify_items(struct items *it, const struct minisign_key *pub, struct tally *t)
{
	size_t i;

	for (i = 0; i < it->n; i++) {
		const char *path = it->v[i].path;
		enum kind kd;
		int renamed = 0;

		/* A signature is checked with its file; alone, it is
		 * checked as the file it signs would be. */
		if (has_suffix(path, ".minisig")) {
			char *signed_file = xstrndup(path, strlen(path) - 8);

			if (!items_have(it, signed_file)) {
				if (it->v[i].in_folder)
					printf(_("%s: skipped: the signature of '%s', which is not here\n"), path,
					    path_basename(signed_file));
				else {
					items_add(it, signed_file, 0);
					signed_file = NULL;
				}
			}
			free(signed_file);
			continue;
		}
		kd = kind_of(path, it->v[i].in_folder);
		t->seen[kd]++;
		t->checked++;
		t->bad += verify_one(path, kd, pub, &renamed) != 0;
		t->renamed += renamed;
	}
}

/* The closing line: the files checked of each kind, and whether all were
 * OK. */
static void
tally_print(const struct tally *t)
{
	const char *sep = "";
	int k;

	for (k = 0; k < K__COUNT; k++)
		if (t->seen[k]) {
			fputs(sep, stdout);
			printf(_(kind_count[t->seen[k] != 1][k]), t->seen[k]);
			sep = _(", ");
		}
	if (t->checked == 0)
		fputs(_("no files"), stdout);
	if (t->bad)
		printf(_(": %zu BAD"), t->bad);
	else
		fputs(_(": all OK"), stdout);
	if (t->renamed)
		printf(_(", %zu renamed (see the warnings)"), t->renamed);
	putchar('\n');
}

int
cmd_verify(int argc, char *argv[])
{
	const char *pubfile = NULL;
	struct minisign_key pub;
	struct items it = {0};
	struct tally t = {0};
	size_t i;
	int k, folder = 0, rc;

	if ((rc = verify_start(argc, argv, &pubfile)) != -1)
		return rc;
	if (pubfile && bundle_load_pubkey(pubfile, &pub) == -1)
		return diag_exit();
	for (k = optind; k < argc; k++) {
		struct stat st;

		if (stat(argv[k], &st) == 0 && S_ISDIR(st.st_mode)) {
			folder = 1;
			if (items_add_folder(&it, argv[k]) == -1)
				t.bad++;
		} else
			items_add(&it, xstrdup(argv[k]), 0);
	}
	verify_items(&it, pubfile ? &pub : NULL, &t);
	if (t.checked > 1 || folder)
		tally_print(&t);
	for (i = 0; i < it.n; i++)
		free(it.v[i].path);
	free(it.v);
	if (pubfile)
		minisign_key_release(&pub);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		diag(S_WRITE, NULL, "standard output", strerror(errno));
		return 3;
	}
	if (diag_count(DL_SYSERR))
		return 3;
	return t.bad ? 1 : 0;
}
