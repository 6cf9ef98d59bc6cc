/* coursepack review [--by NAME] [--note TEXT] [--sign SECRETKEY]
 * [--date YYYY-MM-DD] PATH...: records that lessons were reviewed as they
 * stand.  PATH is a lesson's .md, a course folder (every lesson) or a
 * course.xml.  Each review is appended to COURSE/reviews.xml
 * (schemas/reviews.xsd), which is written atomically: the old records keep
 * their bytes, the file is the course's review history. */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "crypto.h"
#include "i18n.h"
#include "load.h"
#include "output.h"
#include "review.h"
#include "sign.h"
#include "util.h"
#include "xml.h"

static const char usage_text[] =
    "usage: coursepack review [--by NAME] [--note TEXT] [--sign SECRETKEY] [--date YYYY-MM-DD] PATH ...\n";

struct review_opts {
	const char *by, *keyfile, *date_arg;
	char *note;
	char date[11];
	struct minisign_key key;
	int key_loaded;
};

/* One line of text, no control characters: what the schema's "name"
 * allows. */
static int
one_line(const char *s)
{
	size_t bad;

	if (!utf8_valid(s, strlen(s), &bad))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* The note as the XML will give it back: CRLF as LF, no other control
 * character, no space at either end (xml_text trims it, and the signed
 * text must be the stored one). */
static char *
note_clean(const char *s)
{
	char *out, *o, *start;
	size_t n;

	if (!utf8_valid(s, strlen(s), &n))
		return NULL;
	out = o = xmalloc(strlen(s) + 1);
	for (; *s; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f) {
			free(out);
			return NULL;
		}
		*o++ = *s;
	}
	*o = '\0';
	for (start = out; *start == ' ' || *start == '\n' || *start == '\t'; start++)
		;
	n = strlen(start);
	while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\n'))
		n--;
	memmove(out, start, n);
	out[n] = '\0';
	return out;
}

/* The review date: --date, else SOURCE_DATE_EPOCH's day, else today (UTC). */
static int
review_date(struct review_opts *o)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t;
	struct tm tm;

	if (o->date_arg) {
		if (!review_date_valid(o->date_arg)) {
			usage_error("review: --date '%s' is not a real date: write YYYY-MM-DD", o->date_arg);
			return -1;
		}
		snprintf(o->date, sizeof o->date, "%s", o->date_arg);
		return 0;
	}
	if (sde && *sde) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(sde, &end, 10);
		if (errno || *end || v < 0 || v > 4102444800LL) {
			usage_error("review: SOURCE_DATE_EPOCH '%s' is not a number of seconds", sde);
			return -1;
		}
		t = (time_t)v;
	} else
		t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(o->date, sizeof o->date, "%Y-%m-%d", &tm);
	return 0;
}

/* Reads the options; -1 to go on, else the exit status (told). */
static int
review_options(struct review_opts *o, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"by", required_argument, NULL, 'b'},
		{"note", required_argument, NULL, 'n'},
		{"sign", required_argument, NULL, 'K'},
		{"date", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			o->by = optarg;
			break;
		case 'n':
			free(o->note);
			if ((o->note = note_clean(optarg)) == NULL || strlen(o->note) > 2000) {
				usage_error("review: --note must be plain UTF-8 text of at most 2000 bytes");
				return 2;
			}
			break;
		case 'K':
			o->keyfile = optarg;
			break;
		case 'd':
			o->date_arg = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			usage_error("review: option '%s' needs a value", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		default:
			usage_error("review: unknown option '%s'", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage_error("review: give the lessons to record, as a lesson's .md, a course folder or a course.xml");
		fputs(usage_text, stderr);
		return 2;
	}
	return -1;
}

/* Who reviews: --by, else the signing key's comment when it names
 * someone (keygen -c), else a usage error. */
static int
review_who(struct review_opts *o)
{
	if (o->by == NULL && o->key_loaded && o->key.comment && o->key.comment[0] &&
	    strncmp(o->key.comment, "minisign", 8) != 0)
		o->by = o->key.comment;
	if (o->by == NULL || o->by[0] == '\0') {
		usage_error("review: say who reviewed with --by NAME (or sign with a key made by 'keygen -c NAME')");
		return 2;
	}
	if (!one_line(o->by) || strlen(o->by) > 100) {
		usage_error("review: --by must be one line of UTF-8 text, at most 100 bytes");
		return 2;
	}
	return -1;
}

/* The course.xml for PATH, and in *src the lesson's file relative to the
 * course folder when PATH is a lesson (else NULL).  Caller frees both. */
static char *
course_of(const char *path, char **src)
{
	struct stat st;

	*src = NULL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path_join(path, "course.xml");
	if (has_suffix(path, ".md")) {
		char *dir = path_dirname(path), *m;

		/* A lesson may sit in a subfolder of its course. */
		for (int up = 0; up < 4; up++) {
			m = path_join(dir, "course.xml");
			if (stat(m, &st) == 0) {
				char *nd = path_normalize(dir), *np = path_normalize(path);
				size_t n = streq(nd, ".") ? 0 : strlen(nd) + 1;

				*src = xstrdup(np + n);
				free(nd);
				free(np);
				free(dir);
				return m;
			}
			free(m);
			m = path_join(dir, "..");
			free(dir);
			dir = m;
		}
		free(dir);
		return path_join(".", path);	/* not found: load_course says so */
	}
	return xstrdup(path);
}

/* The file with `add` appended before its closing tag, or a new file. */
static char *
append_text(const struct course *c, const char *old, const char *add)
{
	const char *end = NULL, *p;

	if (old)
		for (p = old; (p = strstr(p, "</reviews>")) != NULL; p++)
			end = p;
	if (end == NULL)
		return xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<reviews course=\"%s\" version=\"1\">\n%s"
		    "</reviews>\n", c->id, add);
	/* "<reviews .../>" has no closing tag; xml_load refused anything
	 * else, so end is the root's. */
	return xasprintf("%.*s%s%s", (int)(end - old), old, add, end);
}

/* Records every lesson of the course at PATH (or the one lesson named). */
static int
review_path(struct review_opts *o, const char *path)
{
	char *src, *mpath = course_of(path, &src), *old = NULL, *text = NULL;
	struct course *c = NULL;
	struct buf add = {0};
	size_t i, done = 0, len;
	int rc = 1, lock = -1;

	if ((c = load_course(mpath)) == NULL)
		goto out;
	/* Two reviewers at once: the second reads the file after the first
	 * renamed it into place, so that no record is lost.  (A lock on the
	 * course folder, where nothing else takes one.) */
	if ((lock = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 || flock(lock, LOCK_EX) == -1) {
		diag(S_OPEN, NULL, c->dir, strerror(errno));
		rc = 3;
		goto out;
	}
	/* An unreadable or forged reviews.xml is not appended to. */
	if (review_assess(c, NULL) != 0)
		goto out;
	for (i = 0; i < c->nlessons; i++) {
		const struct lesson *l = &c->lessons[i];
		struct review_file *files;
		size_t n;
		char *el;

		if (src && !streq(l->src, src))
			continue;
		if (review_lesson_files(l, &files, &n) == -1) {
			diag(E_REVIEW_LESSON, &l->loc, l->id);
			goto out;
		}
		el = review_element(c, l, o->by, o->date, o->note, files, n, o->key_loaded ? &o->key : NULL);
		buf_puts(&add, el);
		free(el);
		review_files_free(files, n);
		done++;
	}
	if (c->reviews->n + done > REVIEWS_MAX) {
		struct loc loc = {c->reviews->path, 0, 0};

		diag(E_REVIEW_FULL, &loc, REVIEWS_MAX);
		goto out;
	}
	if (src && done == 0) {
		struct loc loc = {mpath, 0, 0};

		diag(E_REVIEW_NOT_LESSON, &loc, src);
		goto out;
	}
	if (c->reviews->path && read_file(c->reviews->path, XML_MAX_BYTES, &old, &len) == -1) {
		diag(S_READ, NULL, c->reviews->path, strerror(errno));
		rc = 3;
		goto out;
	}
	text = append_text(c, old, add.data ? add.data : "");
	{
		char *rpath = path_join(c->dir, REVIEWS_FILE);

		if (write_atomic(rpath, text, strlen(text)) == -1)
			rc = 3;
		else {
			for (i = 0; i < c->nlessons; i++)
				if (!src || streq(c->lessons[i].src, src)) {
					char id[17];

					printf(_("reviewed %s/%s by %s on %s"), c->id, c->lessons[i].id, o->by, o->date);
					if (o->key_loaded) {
						minisign_key_id(o->key.id, id);
						printf(_(" (signed, key %s)"), id);
					}
					printf("\n");
				}
			rc = 0;
		}
		free(rpath);
	}
out:
	if (lock != -1)
		close(lock);
	buf_release(&add);
	free(old);
	free(text);
	free(src);
	free(mpath);
	course_free(c);
	return rc;
}

int
cmd_review(int argc, char *argv[])
{
	struct review_opts o = {0};
	int rc, worst = 0, k;

	if ((rc = review_options(&o, argc, argv)) != -1)
		goto out;
	if (review_date(&o) == -1) {
		rc = 2;
		goto out;
	}
	if (hash_init() == -1) {
		usage_error("review: libsodium cannot start");
		rc = 3;
		goto out;
	}
	if (o.keyfile) {
		if ((rc = secret_key_load(o.keyfile, &o.key)) != 0)
			goto out;
		o.key_loaded = 1;
	}
	if ((rc = review_who(&o)) != -1)
		goto out;
	for (k = optind; k < argc; k++) {
		rc = review_path(&o, argv[k]);
		if (rc > worst)
			worst = rc;
	}
	rc = diag_exit() > worst ? diag_exit() : worst;
out:
	if (rc == -1)
		rc = 2;
	if (o.key_loaded)
		minisign_key_release(&o.key);
	free(o.note);
	return rc;
}
