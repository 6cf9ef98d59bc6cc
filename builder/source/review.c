#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"
#include "markdown.h"
#include "review.h"
#include "util.h"
#include "xml.h"

#define TRUSTED_PREFIX "coursepack review "

int
review_date_valid(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	if (s[10] != '\0')
		return 0;
	y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

void
review_files_free(struct review_file *files, size_t n)
{
	size_t i;

	for (i = 0; files && i < n; i++)
		free(files[i].path);
	free(files);
}

static void
review_release(struct review *r)
{
	free(r->lesson);
	free(r->by);
	free(r->date);
	free(r->note);
	review_files_free(r->files, r->nfiles);
	free(r->pubkey);
	free(r->sig);
	free(r->global);
	free((char *)r->loc.path);
}

void
review_log_free(struct review_log *log)
{
	size_t i;

	if (log == NULL)
		return;
	for (i = 0; i < log->n; i++)
		review_release(&log->v[i]);
	free(log->v);
	free(log->status);
	free(log->path);
	free(log);
}

const struct review_status *
review_status_of(const struct lesson *l)
{
	const struct course *c = l->course;

	if (c == NULL || c->reviews == NULL)
		return NULL;
	return &c->reviews->status[l - c->lessons];
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct review_file *)a)->path, ((const struct review_file *)b)->path);
}

/* Adds rel to the media list unless it is the lesson itself, another
 * lesson, or already there. */
static void
media_add(struct review_file **v, size_t *n, const char *rel, const char *src)
{
	size_t i, len = strlen(rel);

	/* What reviews.xml cannot hold (not UTF-8) is no file of the
	 * course: check says so. */
	if (rel[0] == '\0' || streq(rel, src) || !path_is_safe_relative(rel) || !utf8_valid(rel, len, &i) ||
	    (len > 3 && streq(rel + len - 3, ".md")))
		return;
	for (i = 1; i < *n; i++)
		if (streq((*v)[i].path, rel))
			return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].path = xstrdup(rel);
	(*v)[*n].sha256[0] = '\0';
	(*n)++;
}

/* The hash of the file, or 64 zeros when it cannot be read: a missing
 * medium never matches a review. */
static void
hash_one(const struct course *c, struct review_file *f)
{
	char *p = path_join(c->dir, f->path);
	size_t size;

	if (sha256_file(p, &size, f->sha256) == -1)
		memset(f->sha256, '0', 64), f->sha256[64] = '\0';
	free(p);
}

int
review_lesson_files(const struct lesson *l, struct review_file **files, size_t *n)
{
	const struct course *c = l->course;
	char *mdpath = path_join(c->dir, l->src), *text = NULL;
	struct review_file *v = xcalloc(1, sizeof *v);
	struct md_info info;
	size_t len, i, k = 1;

	*files = NULL;
	*n = 0;
	v[0].path = xstrdup(l->src);
	if (read_file(mdpath, MD_MAX_BYTES, &text, &len) == -1 || memchr(text, '\0', len) ||
	    md_scan(text, len, &info) == -1) {
		free(mdpath);
		free(text);
		review_files_free(v, 1);
		return -1;
	}
	sha256_hex(text, len, v[0].sha256);
	/* The media the bundle ships for the lesson: its local links and
	 * images (render.c maps the same URLs into assets/), and the assets
	 * course.xml lists. */
	for (i = 0; i < info.nrefs; i++) {
		const char *url = info.refs[i].url;
		char *rel;

		if (url[0] == '#' || url[0] == '\0' || url_has_scheme(url) || strchr(url, '\\') ||
		    (rel = url_local_path(url)) == NULL)
			continue;
		media_add(&v, &k, rel, l->src);
		free(rel);
	}
	for (i = 0; i < l->nassets; i++)
		if (l->assets[i].id)
			media_add(&v, &k, l->assets[i].id, l->src);
	md_info_release(&info);
	if (k > 2)
		qsort(v + 1, k - 1, sizeof *v, file_cmp);
	for (i = 1; i < k; i++)
		hash_one(c, &v[i]);
	free(text);
	free(mdpath);
	*files = v;
	*n = k;
	return 0;
}

void
review_content_hash(const struct review_file *files, size_t n, char out[65])
{
	struct sha256 h;
	size_t i;

	sha256_begin(&h);
	for (i = 0; i < n; i++) {
		sha256_add(&h, files[i].sha256, 64);
		sha256_add(&h, "  ", 2);
		sha256_add(&h, files[i].path, strlen(files[i].path));
		sha256_add(&h, "\n", 1);
	}
	sha256_end(&h, out);
}

char *
review_canonical(const char *course, const struct review *r)
{
	struct buf b = {0};
	const char *p;
	size_t i;

	buf_printf(&b, "coursepack review 1\nlesson %s/%s\nby %s\ndate %s\nnote ", course, r->lesson, r->by,
	    r->date);
	for (p = r->note ? r->note : ""; *p; p++)
		if (*p == '\\')
			buf_puts(&b, "\\\\");
		else if (*p == '\n')
			buf_puts(&b, "\\n");
		else
			buf_add(&b, p, 1);
	buf_puts(&b, "\n");
	for (i = 0; i < r->nfiles; i++)
		buf_printf(&b, "file %s %s\n", r->files[i].sha256, r->files[i].path);
	return buf_detach(&b);
}

/* Checks a signed record against the key it names.  0, or -1 with *why. */
static int
review_verify(const char *course, struct review *r, const char **why)
{
	struct minisign_key k;
	unsigned char prehash[MINISIGN_PREHASH_BYTES], signer[8] = {0};
	char *keytext = xasprintf("untrusted comment: review key\n%s\n", r->pubkey), id[17];
	char *text = NULL, *sig = NULL, *trusted = NULL, *want = NULL;
	int rc = -1;

	if (minisign_parse_public(keytext, &k, why) == -1)
		goto out;
	minisign_key_id(k.id, id);
	if (!streq(id, r->key_id)) {
		*why = N_("the key id does not match the public key");
		goto out;
	}
	text = review_canonical(course, r);
	minisign_prehash(text, strlen(text), prehash);
	want = xasprintf(TRUSTED_PREFIX "%s/%s %s", course, r->lesson, r->date);
	sig = xasprintf("untrusted comment: review\n%s\ntrusted comment: %s\n%s\n", r->sig, want, r->global);
	if (minisign_verify(&k, prehash, sig, &trusted, signer, why) == -1) {
		/* Said of a record, not of a file. */
		if (memcmp(signer, k.id, sizeof signer) == 0)
			*why = N_("its text does not match its signature");
		goto out;
	}
	memcpy(r->pk, k.pk, sizeof r->pk);
	rc = 0;
out:
	minisign_key_release(&k);
	free(keytext);
	free(text);
	free(sig);
	free(trusted);
	free(want);
	return rc;
}

/* One <review> element into r; returns the number of errors diagnosed. */
static int
load_review(const struct xml_doc *d, const struct xml_node *n, const char *path, const char *course,
    struct review *r)
{
	const struct xml_node *f, *s;
	size_t i = 0;
	int errors = 0;

	r->loc.path = xstrdup(path);
	xml_locate(d, n, NULL, &r->loc.line, &r->loc.col);
	r->lesson = xml_attr(n, "lesson");
	r->by = xml_attr(n, "by");
	r->date = xml_attr(n, "date");
	if ((f = xml_first(n, "note")) != NULL)
		r->note = xml_text(f);
	for (f = xml_first(n, "file"); f; f = xml_next(f, "file"))
		r->nfiles++;
	r->files = xcalloc(r->nfiles ? r->nfiles : 1, sizeof *r->files);
	for (f = xml_first(n, "file"); f; f = xml_next(f, "file"), i++) {
		char *h = xml_attr(f, "sha256");

		r->files[i].path = xml_attr(f, "path");
		snprintf(r->files[i].sha256, sizeof r->files[i].sha256, "%s", h ? h : "");
		free(h);
	}
	if (!review_date_valid(r->date)) {
		struct loc loc = {path, 0, 0};

		xml_locate(d, n, "date", &loc.line, &loc.col);
		diag(E_REVIEW_DATE, &loc, r->date);
		errors++;
	}
	if ((s = xml_first(n, "signature")) != NULL) {
		char *id = xml_attr(s, "key");
		const char *why;

		r->is_signed = 1;
		snprintf(r->key_id, sizeof r->key_id, "%s", id ? id : "");
		free(id);
		r->pubkey = xml_attr(s, "pubkey");
		r->sig = xml_attr(s, "sig");
		r->global = xml_attr(s, "global");
		if (review_verify(course, r, &why) == -1) {
			r->forged = 1;
			diag(E_REVIEW_FORGED, &r->loc, r->lesson, r->by, _(why));
			errors++;
		}
	}
	return errors;
}

static int
load_log(struct review_log *log, const struct course *c)
{
	struct xml_doc *d;
	const struct xml_node *root, *n;
	char *id;
	size_t i = 0;
	int errors = 0;

	if (xml_load(log->path, XK_REVIEWS, &d, NULL) == -1)
		return 1;
	root = xml_root(d);
	id = xml_attr(root, "course");
	if (!streq(id, c->id)) {
		struct loc loc = {log->path, 0, 0};

		xml_locate(d, root, "course", &loc.line, &loc.col);
		diag(E_REVIEW_COURSE, &loc, id, c->id);
		errors++;
	}
	free(id);
	for (n = xml_first(root, "review"); n; n = xml_next(n, "review"))
		log->n++;
	log->v = xcalloc(log->n ? log->n : 1, sizeof *log->v);
	for (n = xml_first(root, "review"); n; n = xml_next(n, "review"), i++)
		errors += load_review(d, n, log->path, c->id, &log->v[i]);
	xml_doc_free(d);
	return errors;
}

static int
same_files(const struct review *r, const struct review_file *files, size_t n)
{
	size_t i;

	if (r->nfiles != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!streq(r->files[i].path, files[i].path) || !streq(r->files[i].sha256, files[i].sha256))
			return 0;
	return 1;
}

static int
trusted(const struct review *r, const struct review_trust *trust, const char **why)
{
	size_t i;

	if (r->forged) {
		*why = N_("its signature does not verify");
		return 0;
	}
	if (trust == NULL)
		return 1;
	if (!r->is_signed) {
		*why = N_("it is not signed");
		return 0;
	}
	for (i = 0; i < trust->n; i++) {
		char id[17];

		minisign_key_id(trust->keys[i].id, id);
		if (streq(id, r->key_id) && memcmp(trust->keys[i].pk, r->pk, sizeof r->pk) == 0)
			return 1;
	}
	*why = N_("it is signed by a key not given to --trust");
	return 0;
}

static void
assess_lesson(const struct review_log *log, const struct lesson *l, const struct review_trust *trust,
    struct review_status *st)
{
	struct review_file *files;
	size_t n, i;

	st->state = REVIEW_NEVER;
	st->content[0] = '\0';
	if (review_lesson_files(l, &files, &n) == 0)
		review_content_hash(files, n, st->content);
	else
		files = NULL, n = 0;
	st->review = NULL;
	for (i = log->n; i-- > 0;)
		if (streq(log->v[i].lesson, l->id)) {
			st->review = &log->v[i];
			break;
		}
	if (st->review && !trusted(st->review, trust, &st->why))
		st->state = REVIEW_UNTRUSTED;
	else if (st->review && files && same_files(st->review, files, n))
		st->state = REVIEW_OK;
	else if (st->review)
		st->state = REVIEW_CHANGED;
	review_files_free(files, n);
}

int
review_assess(struct course *c, const struct review_trust *trust)
{
	struct review_log *log = c->reviews;
	struct stat st;
	size_t i;
	int errors = 0;

	/* Read once: assessing again (check --trust) only weighs the
	 * records anew, and says nothing twice. */
	if (log == NULL) {
		char *path = path_join(c->dir, REVIEWS_FILE);

		log = c->reviews = xcalloc(1, sizeof *log);
		if (stat(path, &st) == 0) {
			log->path = path;
			errors = load_log(log, c);
		} else
			free(path);
		log->status = xcalloc(c->nlessons ? c->nlessons : 1, sizeof *log->status);
	}
	for (i = 0; i < c->nlessons; i++)
		assess_lesson(log, &c->lessons[i], trust, &log->status[i]);
	return errors;
}

char *
review_element(const struct course *c, const struct lesson *l, const char *by, const char *date,
    const char *note, const struct review_file *files, size_t nfiles, const struct minisign_key *key)
{
	struct review r = {
		.lesson = l->id, .by = (char *)by, .date = (char *)date, .note = (char *)note,
		.files = (struct review_file *)files, .nfiles = nfiles,
	};
	struct buf b = {0};
	size_t i;

	buf_puts(&b, "  <review lesson=\"");
	buf_escape(&b, l->id);
	buf_puts(&b, "\" by=\"");
	buf_escape(&b, by);
	buf_printf(&b, "\" date=\"%s\">\n", date);
	if (note && note[0]) {
		buf_puts(&b, "    <note>");
		buf_escape(&b, note);
		buf_puts(&b, "</note>\n");
	}
	for (i = 0; i < nfiles; i++) {
		buf_puts(&b, "    <file path=\"");
		buf_escape(&b, files[i].path);
		buf_printf(&b, "\" sha256=\"%s\"/>\n", files[i].sha256);
	}
	if (key) {
		unsigned char prehash[MINISIGN_PREHASH_BYTES];
		char *text, *trusted_text, *sig, *pub, id[17];
		char *lines[4] = {0};
		size_t k;
		const char *p;

		if (!note || !note[0])
			r.note = NULL;
		text = review_canonical(c->id, &r);
		minisign_prehash(text, strlen(text), prehash);
		trusted_text = xasprintf(TRUSTED_PREFIX "%s/%s %s", c->id, l->id, date);
		sig = minisign_sign(key, prehash, trusted_text);
		pub = minisign_public_text(key);
		/* The base64 lines: the public key's second, the signature's
		 * second and fourth. */
		for (k = 0, p = sig; k < 4 && *p; k++) {
			size_t len = strcspn(p, "\n");

			lines[k] = xstrndup(p, len);
			p += len + (p[len] == '\n');
		}
		minisign_key_id(key->id, id);
		p = strchr(pub, '\n');
		buf_printf(&b, "    <signature key=\"%s\" pubkey=\"%.*s\" sig=\"%s\" global=\"%s\"/>\n", id,
		    p ? (int)strcspn(p + 1, "\n") : 0, p ? p + 1 : "", lines[1] ? lines[1] : "",
		    lines[3] ? lines[3] : "");
		for (k = 0; k < 4; k++)
			free(lines[k]);
		free(text);
		free(trusted_text);
		free(sig);
		free(pub);
	}
	buf_puts(&b, "  </review>\n");
	return buf_detach(&b);
}

int
review_say(const struct lesson *l, int as_error)
{
	const struct review_status *st = review_status_of(l);
	const struct review *r;
	char *md;

	if (st == NULL || st->state == REVIEW_OK)
		return 0;
	r = st->review;
	md = path_join(l->course->dir, l->src);
	if (st->state == REVIEW_CHANGED && as_error)
		diag(E_REVIEW_CHANGED, &l->loc, l->id, r->by, r->date, md);
	else if (st->state == REVIEW_CHANGED)
		diag(W_REVIEW_CHANGED, &l->loc, l->id, r->by, r->date, md);
	else if (st->state == REVIEW_NEVER && as_error)
		diag(E_REVIEW_NEVER, &l->loc, l->id, md);
	else if (st->state == REVIEW_NEVER)
		diag(W_REVIEW_NEVER, &l->loc, l->id, md);
	else if (as_error)
		diag(E_REVIEW_UNTRUSTED, &l->loc, l->id, r->by, r->date, _(st->why));
	else
		diag(W_REVIEW_UNTRUSTED, &l->loc, l->id, r->by, r->date, _(st->why));
	free(md);
	return 1;
}
