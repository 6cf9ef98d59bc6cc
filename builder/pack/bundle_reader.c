#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle_reader.h"
#include "fold.h"
#include "crypto.h"
#include "diag.h"
#include "i18n.h"
#include "util.h"

static int bundle_signature_fd(int fd, const char *path, const struct minisign_key *pub, char **who);

int
bundle_open(struct bundle *b, const char *path, const struct minisign_key *pub, char **who)
{
	struct loc loc = {path, 0, 0};
	const struct xml_node *files, *n;
	char *data, *name;
	size_t len, i = 0;
	int rc;

	memset(b, 0, sizeof *b);
	b->path = xstrdup(path);
	if (who)
		*who = NULL;
	/* O_NONBLOCK: a FIFO given as the bundle must not wait for a writer
	 * (zipr_open_fd refuses what is not a regular file). */
	if ((b->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		diag(S_OPEN, NULL, path, strerror(errno));
		return -1;
	}
	if (pub && bundle_signature_fd(b->fd, path, pub, who) != 0)
		return -1;
	if (zipr_open_fd(b->fd, path, &b->zip) == -1)
		return -1;
	if (zipr_count(b->zip) == 0 || !streq(zipr_entry(b->zip, 0)->name, "manifest.xml")) {
		diag(E_VERIFY_NO_MANIFEST, &loc);
		return -1;
	}
	if (zipr_entry(b->zip, 0)->size > MANIFEST_MAX_BYTES) {
		struct loc mloc = {path, 0, 0};

		diag(E_XML_TOO_LARGE, &mloc, MANIFEST_MAX_BYTES / 1024);
		return -1;
	}
	if (zipr_read(b->zip, 0, &data, &len) == -1)
		return -1;
	sha256_hex(data, len, b->manifest_sha256);
	name = xasprintf("%s:manifest.xml", path);
	rc = xml_load_memory(name, data, len, XK_PACKAGE, &b->manifest);
	free(name);
	free(data);
	if (rc == -1)
		return -1;
	files = xml_first(xml_root(b->manifest), "files");
	for (n = xml_first(files, "file"); n; n = xml_next(n, "file"))
		b->nfiles++;
	b->files = xcalloc(b->nfiles, sizeof *b->files);
	for (n = xml_first(files, "file"); n; n = xml_next(n, "file"), i++) {
		char *size = xml_attr(n, "size"), *sha = xml_attr(n, "sha256");

		b->files[i].path = xml_attr(n, "path");
		b->files[i].size = strtoull(size, NULL, 10);	/* schema: digits */
		snprintf(b->files[i].sha256, sizeof b->files[i].sha256, "%s", sha);
		free(size);
		free(sha);
	}
	return 0;
}

void
bundle_release(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->nfiles; i++)
		free(b->files[i].path);
	free(b->files);
	xml_doc_free(b->manifest);
	zipr_close(b->zip);
	if (b->path && b->fd != -1)
		close(b->fd);
	free(b->path);
	memset(b, 0, sizeof *b);
	b->fd = -1;
}

const struct bundle_file *
bundle_listed(const struct bundle *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->nfiles; i++)
		if (streq(b->files[i].path, path))
			return &b->files[i];
	return NULL;
}

#define MAX_PAGE_BYTES (64u * 1024 * 1024)	/* larger pages are not link-checked */

struct names {
	char **v;
	size_t n;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bundle's entry names, sorted for lookups: a page may hold many
 * links, a bundle many entries. */
static void
names_init(struct names *s, const struct bundle *b)
{
	size_t i;

	s->n = zipr_count(b->zip);
	s->v = xcalloc(s->n, sizeof *s->v);
	for (i = 0; i < s->n; i++)
		s->v[i] = zipr_entry(b->zip, i)->name;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, name_cmp);
}

static int
in_bundle(const struct names *s, const char *name)
{
	return s->n && bsearch(&name, s->v, s->n, sizeof *s->v, name_cmp) != NULL;
}

struct page_ctx {
	const struct bundle *b;
	const struct names *names;
	const char *page;
	int problems;
};

/* A page's link, resolved against the page's folder, must name a file of
 * the bundle.  Links with a scheme, and fragments, are not followed. */
static void
check_link(void *arg, const char *url)
{
	struct page_ctx *ctx = arg;
	struct loc loc = {ctx->b->path, 0, 0};
	char *rel, *dir, *joined, *target;

	if (url[0] == '#' || url[0] == '\0')
		return;
	/* Pages of ours link to the web only by http(s) and mailto; a
	 * javascript: or file: link is not something we wrote. */
	if (url_has_scheme(url)) {
		if (strncmp(url, "http:", 5) && strncmp(url, "https:", 6) && strncmp(url, "mailto:", 7) &&
		    strncmp(url, "data:image/", 11)) {
			diag(E_VERIFY_LINK, &loc, ctx->page, url);
			ctx->problems++;
		}
		return;
	}
	if ((rel = url_local_path(url)) == NULL || rel[0] == '/') {
		diag(E_VERIFY_LINK, &loc, ctx->page, url);
		ctx->problems++;
		free(rel);
		return;
	}
	dir = path_dirname(ctx->page);
	joined = path_join(dir, rel);
	target = path_normalize(joined);
	if (strncmp(target, "../", 3) == 0 || streq(target, "..") || !in_bundle(ctx->names, target)) {
		diag(E_VERIFY_LINK, &loc, ctx->page, url);
		ctx->problems++;
	}
	free(rel);
	free(dir);
	free(joined);
	free(target);
}

static int
name_is_utf8(const char *name)
{
	size_t bad;

	return utf8_valid(name, strlen(name), &bad);
}

struct folded {
	char *key;	/* fold_key of the name, a folder's without its '/' */
	size_t entry;
	int is_dir;
};

static int
folded_cmp(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c == 0)
		c = (x->is_dir > y->is_dir) - (x->is_dir < y->is_dir);
	if (c == 0)
		c = (x->entry > y->entry) - (x->entry < y->entry);
	return c;
}

/* Names that are one file where the bundle may be unpacked: equal once
 * folded, or a file that is also the folder of another entry ('a' and
 * 'a/b', 'A' and 'a/b').  Either would make an unzip overwrite a file or
 * fail half-way.  Returns the number of problems, diagnosed. */
static int
check_names(const struct bundle *b)
{
	struct loc loc = {b->path, 0, 0};
	struct folded *v;
	size_t n = 0, i, j;
	int problems = 0;

	v = xcalloc(zipr_count(b->zip) + 1, sizeof *v);
	for (i = 0; i < zipr_count(b->zip); i++) {
		const struct zip_entry *e = zipr_entry(b->zip, i);
		char *bare;

		if (!name_is_utf8(e->name) || e->name[0] == '\0')
			continue;	/* refused as unsafe names */
		bare = xstrndup(e->name, strlen(e->name) - (size_t)(e->is_dir != 0));
		v[n].key = fold_key(bare);
		v[n].entry = i;
		v[n].is_dir = e->is_dir;
		n++;
		free(bare);
	}
	if (n > 1)
		qsort(v, n, sizeof *v, folded_cmp);
	for (i = 0; i + 1 < n; i++) {
		const char *x = zipr_entry(b->zip, v[i].entry)->name, *y = zipr_entry(b->zip, v[i + 1].entry)->name;

		if (!streq(v[i].key, v[i + 1].key) || (v[i].is_dir && v[i + 1].is_dir))
			continue;
		if (v[i].is_dir || v[i + 1].is_dir)
			diag(E_VERIFY_FILE_FOLDER, &loc, v[i].is_dir ? y : x, v[i].is_dir ? x : y);
		else if (strcasecmp_ascii(x, y) == 0)
			diag(E_VERIFY_CASE, &loc, x, y);
		else
			diag(E_VERIFY_SAME_NAME, &loc, x, y);
		problems++;
	}
	/* A file's name followed by '/' must begin no other name: the
	 * first such name sorts at or after the file's name and '/'. */
	for (i = 0; i < n; i++) {
		char *prefix;
		size_t lo = i + 1, hi = n, len;

		if (v[i].is_dir)
			continue;
		prefix = xasprintf("%s/", v[i].key);
		len = strlen(prefix);
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(v[mid].key, prefix) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && strncmp(v[lo].key, prefix, len) == 0) {
			diag(E_VERIFY_FILE_FOLDER, &loc, zipr_entry(b->zip, v[i].entry)->name,
			    zipr_entry(b->zip, v[lo].entry)->name);
			problems++;
		}
		free(prefix);
	}
	for (j = 0; j < n; j++)
		free(v[j].key);
	free(v);
	return problems;
}

static void
hash_slice(void *ctx, const void *p, size_t n)
{
	sha256_add(ctx, p, n);
}

int
bundle_verify(struct bundle *bp)
{
	struct loc loc = {bp->path, 0, 0};
	struct names names;
	struct bundle b = *bp;
	size_t i, j;
	int problems = 0;

	names_init(&names, &b);
	problems += check_names(&b);
	/* manifest.xml itself, read by bundle_open, is an entry like the
	 * others for an unzip: a link there would be followed too. */
	for (i = 0; i < zipr_count(b.zip); i++) {
		const struct zip_entry *e = zipr_entry(b.zip, i);
		const struct bundle_file *f;
		char *data, sha[65];
		size_t len;

		/* The file type comes from the mode bits whatever host made
		 * the archive (zipfile.c: mode_kind). */
		if (e->special == 1) {
			diag(E_VERIFY_SPECIAL, &loc, e->name);
			problems++;
			continue;
		}
		if (e->special) {
			char mode[16];

			snprintf(mode, sizeof mode, "0%o", e->mode);
			diag(E_VERIFY_MODE, &loc, e->name, mode);
			problems++;
			continue;
		}
		if (i == 0)
			continue;	/* its name and content: bundle_open */
		if (!name_is_utf8(e->name)) {
			diag(E_VERIFY_NAME, &loc, e->name);
			problems++;
			continue;
		}
		/* Folder entries, as zip -r writes them, hold nothing. */
		if (e->is_dir && e->size == 0) {
			char *bare = xstrndup(e->name, strlen(e->name) - 1);
			int safe = path_is_safe_relative(bare) && !strchr(bare, ':');

			free(bare);
			if (safe)
				continue;
		}
		if (!path_is_safe_relative(e->name) || strchr(e->name, ':') || e->is_dir) {
			diag(E_VERIFY_NAME, &loc, e->name);
			problems++;
			continue;
		}
		if ((f = bundle_listed(&b, e->name)) == NULL) {
			diag(E_VERIFY_UNLISTED, &loc, e->name);
			problems++;
			continue;
		}
		if (e->size != f->size) {
			diag(E_VERIFY_SIZE, &loc, e->name, (unsigned long long)e->size, f->size);
			problems++;
			continue;
		}
		/* Only pages are read whole, for their links; other files, a
		 * video among them, are hashed in slices. */
		if (!has_suffix(e->name, ".html")) {
			struct sha256 h;

			sha256_begin(&h);
			if (zipr_read_parts(b.zip, i, hash_slice, &h) == -1) {
				problems++;
				continue;
			}
			sha256_end(&h, sha);
			if (!streq(sha, f->sha256)) {
				diag(E_VERIFY_HASH, &loc, e->name);
				problems++;
			}
			continue;
		}
		if (zipr_read(b.zip, i, &data, &len) == -1) {
			problems++;
			continue;
		}
		sha256_hex(data, len, sha);
		if (!streq(sha, f->sha256)) {
			diag(E_VERIFY_HASH, &loc, e->name);
			problems++;
		} else if (has_suffix(e->name, ".html") && len <= MAX_PAGE_BYTES) {
			struct page_ctx ctx = {&b, &names, e->name, 0};

			xml_html_links(data, len, check_link, &ctx);
			problems += ctx.problems;
		} else if (has_suffix(e->name, ".html")) {
			diag(E_VERIFY_PAGE_SIZE, &loc, e->name, MAX_PAGE_BYTES / (1024 * 1024));
			problems++;
		}
		free(data);
	}
	for (j = 0; j < b.nfiles; j++)
		if (!in_bundle(&names, b.files[j].path)) {
			diag(E_VERIFY_MISSING, &loc, b.files[j].path);
			problems++;
		}
	free(names.v);
	return problems;
}


static int
bundle_signature_fd(int fd, const char *path, const struct minisign_key *pub, char **who)
{
	char *sigpath = xasprintf("%s.minisig", path), *sig = NULL, *trusted = NULL;
	unsigned char signer[8], prehash[MINISIGN_PREHASH_BYTES];
	struct loc loc = {path, 0, 0};
	const char *why;
	size_t len;
	int problems = 1, rc;

	*who = NULL;
	if ((rc = minisign_read_file(sigpath, &sig, &len)) != 0) {
		if (rc == 1)
			;
		else if (errno == ENOENT)
			diag(E_SIG_MISSING, &loc, sigpath);
		else
			diag(S_OPEN, NULL, sigpath, strerror(errno));
		goto out;
	}
	if (minisign_prehash_fd(fd, prehash) == -1) {
		diag(S_READ, NULL, path, strerror(errno));
		goto out;
	}
	memset(signer, 0, sizeof signer);
	if (minisign_verify(pub, prehash, sig, &trusted, signer, &why) == -1) {
		if (streq(why, "signed by another key")) {
			char a[17], b[17];

			minisign_key_id(signer, a);
			minisign_key_id(pub->id, b);
			diag(E_SIG_OTHER_KEY, &loc, sigpath, a, b);
		} else
			diag(E_SIG_BAD, &loc, sigpath, _(why));
		goto out;
	}
	{
		char id[17];

		minisign_key_id(pub->id, id);
		/* Translations keep "; " before the trusted comment: verify
		 * cuts the line there. */
		*who = xasprintf(_("signed by '%s' (key %s); %s"), pub->comment, id, trusted);
	}
	problems = 0;
out:
	free(sigpath);
	free(sig);
	free(trusted);
	return problems;
}

int
bundle_signature(const char *path, const struct minisign_key *pub, char **who)
{
	int fd, problems;

	*who = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		diag(S_OPEN, NULL, path, strerror(errno));
		return 1;
	}
	problems = bundle_signature_fd(fd, path, pub, who);
	close(fd);
	return problems;
}

int
bundle_load_pubkey(const char *pubfile, struct minisign_key *pub)
{
	struct loc loc = {pubfile, 0, 0};
	const char *why;
	char *text;
	size_t len;
	int rc;

	memset(pub, 0, sizeof *pub);
	if ((rc = minisign_read_file(pubfile, &text, &len)) != 0) {
		if (rc == -1)
			diag(S_OPEN, NULL, pubfile, strerror(errno));
		return -1;
	}
	if (minisign_parse_public(text, pub, &why) == -1) {
		diag(E_SIG_KEY, &loc, _(why));
		free(text);
		minisign_key_release(pub);
		return -1;
	}
	free(text);
	return 0;
}

#define SUMS_MAX_BYTES (16 * 1024 * 1024)	/* SHA256SUMS: about 100 bytes a file */

static int
is_hex64(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Reads SHA256SUMS and calls fn for every well-formed line (the line
 * number, the hash, the file name); a malformed line is diagnosed.
 * Returns the number of problems, or -1 when it cannot be read
 * (diagnosed unless quiet and it does not exist). */
int
sums_each(const char *sums, int quiet, int (*fn)(void *ctx, const char *sums, int line, const char *sha,
    const char *name), void *ctx)
{
	char *text, *p, *eol;
	size_t len;
	int line = 0, problems = 0;

	if (read_file(sums, SUMS_MAX_BYTES, &text, &len) == -1) {
		if (!(quiet && errno == ENOENT))
			diag(S_READ, NULL, sums, strerror(errno));
		return -1;
	}
	for (p = text; *p; p = eol) {
		const char *name;

		eol = p + strcspn(p, "\n");
		if (*eol)
			*eol++ = '\0';
		line++;
		/* sha256sum writes "HASH  NAME", or "HASH *NAME" in binary mode. */
		name = strlen(p) >= 67 ? p + 66 : "";
		if (name[0] == '\0' || !is_hex64(p) || p[64] != ' ' || (p[65] != ' ' && p[65] != '*') ||
		    strchr(name, '/') || strchr(name, '\\') || strchr(name, '\r') || streq(name, ".") ||
		    streq(name, "..")) {
			struct loc loc = {sums, line, 0};

			diag(E_SUMS_LINE, &loc);
			problems++;
			continue;
		}
		p[64] = '\0';
		problems += fn(ctx, sums, line, p, name);
	}
	free(text);
	return problems;
}

static int
str_in(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (streq(v[i], s))
			return 1;
	return 0;
}

char *
bundle_review_summary(const struct bundle *b)
{
	const struct xml_node *l;
	struct buf out = {0};
	char latest[11] = "", **keys = NULL;
	size_t nkeys = 0, i;
	int n = 0, any = 0, reviewed = 0, changed = 0, never = 0, signed_ = 0;

	for (l = xml_first(xml_first(xml_root(b->manifest), "lessons"), "lesson"); l; l = xml_next(l, "lesson")) {
		char *st = xml_attr(l, "review"), *date = xml_attr(l, "reviewed"), *key = xml_attr(l, "review-key");

		n++;
		any |= st != NULL;
		if (st && streq(st, "reviewed")) {
			reviewed++;
			if (date && strcmp(date, latest) > 0)
				snprintf(latest, sizeof latest, "%s", date);
			if (key) {
				signed_++;
				if (!str_in(keys, nkeys, key)) {
					keys = xreallocarray(keys, nkeys + 1, sizeof *keys);
					keys[nkeys++] = xstrdup(key);
				}
			}
		} else if (st && streq(st, "changed"))
			changed++;
		else
			never++;
		free(st);
		free(date);
		free(key);
	}
	if (!any)
		return NULL;
	if (reviewed == n)
		buf_printf(&out, _("%d lesson%s, all reviewed"), n, n == 1 ? "" : "s");
	else
		buf_printf(&out, _("%d lesson%s, %d reviewed as shipped (%d changed since review, %d never reviewed)"),
		    n, n == 1 ? "" : "s", reviewed, changed, never);
	if (latest[0])
		buf_printf(&out, _(", latest %s"), latest);
	if (signed_) {
		buf_printf(&out, _("; %d signed by key"), signed_);
		for (i = 0; i < nkeys; i++)
			buf_printf(&out, "%s %s", i ? "," : "", keys[i]);
	} else
		buf_puts(&out, _("; none signed"));
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	return buf_detach(&out);
}

int
manifest_hours(const struct xml_node *n, const char *attr)
{
	char *s = xml_attr(n, attr);
	int t = 0;

	if (s == NULL || hours_parse(s, &t) == -1)
		t = 0;
	free(s);
	return t;
}

const char *
manifest_group_word(const char *ref)
{
	static const char *const groups[] = {N_("resident"), N_("homebound"), N_("mobile")};
	size_t i;

	for (i = 0; i < NELEM(groups); i++)
		if (ref && streq(ref, groups[i]))
			return _(groups[i]);
	return ref ? ref : "?";
}
