/* coursepack check [-v] [--werror] [PATH ...]: validate sources and report
 * every problem found.
 *
 * PATH is a course folder, a library (a folder with categories.xml), any
 * XML file of ours, or a folder searched recursively; none means
 * "courses" and "examples" under the current folder.  Each file is checked
 * once, in the richest context found: a library's courses against its
 * categories, a township's recipe and villages against its library.  The
 * checks themselves are check.c's; this file finds the files and the
 * context. */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_reader.h"
#include "check.h"
#include "crypto.h"
#include "commands.h"
#include "currency.h"
#include "i18n.h"
#include "load.h"
#include "project.h"
#include "review.h"
#include "roster.h"
#include "util.h"
#include "xml.h"

#define MAX_DEPTH 16	/* folders deeper than this are not searched */

struct found {
	char *path;	/* normalized, as the user will read it */
	char *real;	/* identity (the path itself when it cannot be resolved) */
	enum xml_kind kind;
	int done;
};

struct libcache {
	char *real;
	struct library *lib;
};

/* What check says about reviews (review.h). */
struct review_tally {
	int require;			/* --require-review: unreviewed is an error */
	struct minisign_key *keys;	/* --trust */
	size_t nkeys;
	int courses;			/* courses with a reviews.xml */
	int reviewed, changed, never, untrusted, signed_;
};

struct checker {
	int verbose;
	const char *as_of;	/* --as-of DATE, or NULL */
	char **seasons;		/* "library address|start|end" already checked for currency */
	size_t nseasons;
	struct review_tally rv;
	struct found *files;
	size_t nfiles;
	struct libcache *libs;
	size_t nlibs;
	char **bad_townships;	/* townships that did not load, as found */
	size_t nbad;
	struct check_stats st;
};

static int
found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path, ((const struct found *)b)->path);
}

static struct found *
find_file(struct checker *ck, const char *path)
{
	char *real = realpath(path, NULL), *norm = path_normalize(path);
	struct found *f = NULL;
	size_t i;

	for (i = 0; i < ck->nfiles && f == NULL; i++)
		if ((real && streq(ck->files[i].real, real)) || streq(ck->files[i].path, norm))
			f = &ck->files[i];
	free(real);
	free(norm);
	return f;
}

static void
add_file(struct checker *ck, const char *path)
{
	char *real;

	if (find_file(ck, path))
		return;
	real = realpath(path, NULL);
	ck->files = xreallocarray(ck->files, ck->nfiles + 1, sizeof *ck->files);
	ck->files[ck->nfiles].path = path_normalize(path);
	ck->files[ck->nfiles].real = real ? real : xstrdup(ck->files[ck->nfiles].path);
	ck->files[ck->nfiles].kind = xml_sniff(path);
	ck->files[ck->nfiles].done = 0;
	ck->nfiles++;
}

static void
mark_done(struct checker *ck, const char *path)
{
	struct found *f = find_file(ck, path);

	if (f)
		f->done = 1;
}

/* Collects every *.xml file under `dir`, in name order; returns how many. */
static size_t
walk(struct checker *ck, const char *dir, int depth)
{
	char **names;
	size_t n, i, count = 0;

	if (depth > MAX_DEPTH) {
		struct loc loc = {dir, 0, 0};

		diag(W_TOO_DEEP, &loc, MAX_DEPTH);
		return 0;
	}
	if (list_dir(dir, &names, &n) == -1) {
		diag(S_OPEN, NULL, dir, strerror(errno));
		return 0;
	}
	for (i = 0; i < n; i++) {
		char *p = path_join(dir, names[i]);
		struct stat st;

		/* Links to folders are not followed: no loops, no wandering.
		 * Anything named *.xml is ours to read, and to refuse when it
		 * is not a regular file. */
		if (has_suffix(names[i], ".xml")) {
			add_file(ck, p);
			count++;
		} else if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			count += walk(ck, p, depth + 1);
		free(p);
	}
	free_names(names, n);
	return count;
}

/* --verbose: a course's tags, what village needs match. */
static void
put_tags(const struct course *c)
{
	size_t i;

	if (c->ntags == 0)
		return;
	fputs(_("  tags:"), stdout);
	for (i = 0; i < c->ntags; i++)
		printf(" %s", c->tags[i].id);
}

/* --verbose: each lesson's review-by date and sources, a line each. */
static void
put_currency(const struct course *c)
{
	size_t i;

	for (i = 0; i < c->nlessons; i++) {
		const struct lesson *l = &c->lessons[i];

		if (l->review_by == NULL && l->nsources == 0)
			continue;
		printf("    %-20s", l->id);
		if (l->review_by)
			printf(_(" review by %s"), l->review_by);
		else
			fputs(_(" no review-by date"), stdout);
		printf(_(", %zu source%s\n"), l->nsources, l->nsources == 1 ? "" : "s");
	}
}

/* Each lesson's review state, for a course with a reviews.xml (or any
 * course under --require-review): unreviewed lessons warned about (errors
 * under --require-review) at their entry in course.xml; with -v a line per
 * lesson. */
static void
report_reviews(struct checker *ck, struct course *c)
{
	struct review_tally *t = &ck->rv;
	size_t i;

	if (t->nkeys) {
		struct review_trust trust = {t->keys, t->nkeys};

		review_assess(c, &trust);
	}
	if (c->reviews == NULL || (c->reviews->path == NULL && !t->require))
		return;
	t->courses += c->reviews->path != NULL;
	if (ck->verbose)
		printf(_("reviews of %s:\n"), c->id);
	for (i = 0; i < c->nlessons; i++) {
		const struct lesson *l = &c->lessons[i];
		const struct review_status *st = &c->reviews->status[i];
		const struct review *r = st->review;

		t->reviewed += st->state == REVIEW_OK;
		t->signed_ += st->state == REVIEW_OK && r->is_signed;
		t->changed += st->state == REVIEW_CHANGED;
		t->never += st->state == REVIEW_NEVER;
		t->untrusted += st->state == REVIEW_UNTRUSTED;
		review_say(l, t->require);
		if (ck->verbose) {
			printf("  %-20s ", l->id);
			if (r == NULL)
				printf(_("never reviewed"));
			else {
				printf(st->state == REVIEW_OK ? _("reviewed by %s on %s") :
				    st->state == REVIEW_CHANGED ? _("changed since its review by %s on %s") :
				    _("review by %s on %s does not count"), r->by, r->date);
				if (r->is_signed)
					printf(_(", signed with key %s"), r->key_id);
				else
					printf(_(", unsigned"));
			}
			printf("\n");
		}
	}
}

/* --verbose: what the library holds, a line per course. */
static void
list_library(const struct library *lib)
{
	size_t i, j;

	printf(_("library %s: %zu course%s\n"), lib->dir, lib->ncourses, lib->ncourses == 1 ? "" : "s");
	for (i = 0; i < lib->ncourses; i++) {
		const struct course *c = lib->courses[i];
		int hours = 0;
		char h[16];

		for (j = 0; j < c->nlessons; j++)
			hours += c->lessons[j].hours;
		hours_format(hours, h);
		printf(_("  %-16s %-13s %2zu lesson%s %5s h  %s"), c->id, c->category, c->nlessons,
		    c->nlessons == 1 ? " " : "s", h, c->title);
		put_tags(c);
		printf("\n");
		put_currency(c);
	}
}

/* The library in `dir`, loaded and checked once per run; `where` is the
 * reference that named it, if any.  Every DIR/NAME/course.xml counts as
 * checked: the library load saw them all, whether or not they loaded. */
static struct library *
get_library(struct checker *ck, const char *dir, const struct ref *where)
{
	char *real = realpath(dir, NULL), **names;
	struct library *lib;
	size_t i, n;
	int failed;

	for (i = 0; real && i < ck->nlibs; i++)
		if (streq(ck->libs[i].real, real)) {
			free(real);
			return ck->libs[i].lib;
		}
	lib = load_library(dir, where, &failed);
	if (lib) {
		char *cat = path_join(dir, "categories.xml");

		mark_done(ck, cat);
		free(cat);
		if (list_dir(dir, &names, &n) == 0) {
			for (i = 0; i < n; i++) {
				char *sub = path_join(dir, names[i]), *m = path_join(sub, "course.xml");

				mark_done(ck, m);
				free(sub);
				free(m);
			}
			free_names(names, n);
		}
		check_library(lib, &ck->st);
		for (i = 0; ck->as_of && i < lib->ncourses; i++)
			currency_check_as_of(lib->courses[i], ck->as_of);
		if (ck->verbose)
			list_library(lib);
		for (i = 0; i < lib->ncourses; i++) {
			char *rv = path_join(lib->courses[i]->dir, REVIEWS_FILE);

			mark_done(ck, rv);
			free(rv);
			report_reviews(ck, lib->courses[i]);
		}
	}
	ck->libs = xreallocarray(ck->libs, ck->nlibs + 1, sizeof *ck->libs);
	ck->libs[ck->nlibs].real = real ? real : xstrdup(dir);
	ck->libs[ck->nlibs].lib = lib;
	ck->nlibs++;
	return lib;
}

static struct library *
library_for_project(void *ctx, const char *dir, const struct ref *where)
{
	return get_library(ctx, dir, where);
}

/* The village's roster, if it has one: read, every bad row reported,
 * counts compared with the profile's.  Members' names are never printed,
 * only where they are. */
static void
check_roster(struct checker *ck, const struct village *v, const char *township_dir)
{
	struct roster *ro;
	char *path;

	if (roster_locate(v, township_dir, &path) == -1 || path == NULL)
		return;
	ck->st.files++;
	if (roster_read(path, v->id, &ro) == 0) {
		if (ck->verbose)
			printf(_("    roster %s: %zu member%s (%s)\n"), path, ro->nmembers,
			    ro->nmembers == 1 ? "" : "s", table_format_name(ro->format));
		roster_check_counts(ro, v);
	}
	roster_free(ro);
	free(path);
}

/* The library's review-by dates against the recipe's season, once per
 * library and season (townships sharing both are told once); not under
 * --as-of, whose day replaces the season. */
static void
check_season(struct checker *ck, const struct project *p)
{
	char start[11], end[11], *key;
	size_t i;

	if (ck->as_of || p->library == NULL || p->recipe == NULL || season_dates(p->recipe, start, end) == -1)
		return;
	key = xasprintf("%p|%s|%s", (void *)p->library, start, end);
	for (i = 0; i < ck->nseasons; i++)
		if (streq(ck->seasons[i], key)) {
			free(key);
			return;
		}
	ck->seasons = xreallocarray(ck->seasons, ck->nseasons + 1, sizeof *ck->seasons);
	ck->seasons[ck->nseasons++] = key;
	currency_check_season(p->library, p->recipe, ck->rv.require || p->recipe->require_review);
}

static void
check_township_file(struct checker *ck, const char *path)
{
	struct project p;
	size_t i;

	mark_done(ck, path);
	if (project_load(&p, path, library_for_project, ck, &ck->st) == -1) {
		ck->bad_townships = xreallocarray(ck->bad_townships, ck->nbad + 1, sizeof *ck->bad_townships);
		ck->bad_townships[ck->nbad++] = xstrdup(path);
		return;
	}
	if (p.recipe_path)
		mark_done(ck, p.recipe_path);
	check_season(ck, &p);
	if (ck->verbose)
		printf(_("township %s (%s): %zu village%s\n"), p.township->id, p.township->name,
		    p.nvillages, p.nvillages == 1 ? "" : "s");
	for (i = 0; i < p.nvillages; i++) {
		if (p.village_paths[i]) {
			add_file(ck, p.village_paths[i]);
			mark_done(ck, p.village_paths[i]);
		}
		if (ck->verbose && p.villages[i])
			printf("  %-14s %s\n", p.villages[i]->id, p.villages[i]->name);
		if (p.villages[i])
			check_roster(ck, p.villages[i], p.township->dir);
	}
	project_release(&p);
}

static void
check_alone(struct checker *ck, struct found *f)
{
	f->done = 1;
	switch (f->kind) {
	case XK_COURSE: {
		struct course *c = load_course(f->path);
		char *up, *cat;
		struct categories *cats = NULL;
		struct stat st;

		if (c == NULL)
			break;
		/* A library finds courses by this name only. */
		if (!streq(path_basename(f->path), "course.xml")) {
			struct loc loc = {f->path, 0, 0};

			diag(E_COURSE_NAME, &loc);
			course_free(c);
			break;
		}
		/* The library is the folder above the course's, however the
		 * course was named: "course.xml", ".", "lib/pig". */
		cat = path_join(c->dir, "../categories.xml");
		up = path_normalize(cat);
		free(cat);
		cat = up;
		up = NULL;
		if (stat(cat, &st) == -1)
			diag(W_NO_CATEGORIES, &c->loc, c->category);
		else
			cats = load_categories(cat);
		check_course(c, cats, &ck->st);
		if (ck->as_of)
			currency_check_as_of(c, ck->as_of);
		if (ck->verbose) {
			printf(_("course %s: %zu lesson%s\n"), c->id, c->nlessons, c->nlessons == 1 ? "" : "s");
			put_currency(c);
		}
		{
			char *rv = path_join(c->dir, REVIEWS_FILE);

			mark_done(ck, rv);
			free(rv);
		}
		report_reviews(ck, c);
		categories_free(cats);
		course_free(c);
		free(up);
		free(cat);
		break;
	}
	case XK_RECIPE:
	case XK_VILLAGE: {
		/* Reaching here, no township lists the file: say which one
		 * could, then check the file on its own. */
		char *tp = project_nearby_township(f->path);
		struct village *v = NULL;
		struct recipe *r = NULL;

		size_t i;

		/* A township that did not load lists nothing: its own errors
		 * say why, and the file is still checked on its own. */
		for (i = 0; tp && i < ck->nbad; i++)
			if (streq(ck->bad_townships[i], tp)) {
				free(tp);
				tp = NULL;
			}
		if (f->kind == XK_VILLAGE && (v = load_village(f->path)) != NULL) {
			ck->st.files++;
			if (tp)
				diag(W_NOT_LISTED, &v->loc, xml_kind_name(f->kind), tp);
			check_village(v, NULL, NULL, NULL);
		} else if (f->kind == XK_RECIPE && (r = load_recipe(f->path)) != NULL) {
			ck->st.files++;
			currency_check_recipe(r);
			if (tp)
				diag(W_NOT_LISTED, &r->loc, xml_kind_name(f->kind), tp);
		}
		village_free(v);
		recipe_free(r);
		free(tp);
		break;
	}
	default: {
		/* Unknown root, or unreadable: let the loader say why. */
		struct xml_doc *d;

		if (xml_load(f->path, XK_NONE, &d, NULL) == 0)
			ck->st.files++;
		xml_doc_free(d);
		break;
	}
	}
}

static const char usage_text[] =
    "usage: coursepack check [-v] [--werror] [--require-review] [--as-of YYYY-MM-DD] [--trust PUBKEY]... [PATH ...]\n";

/* Reads the options into ck.  Returns -1 to go on, else the exit status
 * (0 for --help, 2 for a usage error, told). */
static int
check_options(struct checker *ck, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"werror", no_argument, NULL, 'W'},
		{"require-review", no_argument, NULL, 'R'},
		{"as-of", required_argument, NULL, 'A'},
		{"trust", required_argument, NULL, 'T'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'W':
			diag_werror(1);
			break;
		case 'v':
			ck->verbose = 1;
			break;
		case 'R':
			ck->rv.require = 1;
			break;
		case 'T':
			ck->rv.keys = xreallocarray(ck->rv.keys, ck->rv.nkeys + 1, sizeof *ck->rv.keys);
			if (bundle_load_pubkey(optarg, &ck->rv.keys[ck->rv.nkeys]) == -1)
				return diag_exit() ? diag_exit() : 1;
			ck->rv.nkeys++;
			break;
		case 'A':
			if (!date_valid(optarg)) {
				usage_error("check: --as-of '%s' is not a day written as YYYY-MM-DD", optarg);
				fputs(usage_text, stderr);
				return 2;
			}
			ck->as_of = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			usage_error("check: option '%s' needs a value", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		default:
			usage_error("check: unknown option '%s'", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	return -1;
}

/* Finds the files to check under each path (folders walked), or under
 * ./courses and ./examples when none is given.  Returns -1 to go on, or
 * 2 when there is nothing to check (told). */
static int
check_find(struct checker *ck, char **paths, int npaths)
{
	static char *defaults[] = {"courses", "examples"};
	int k;

	if (npaths == 0) {
		/* The defaults that exist; none is a usage error, not a
		 * failure to open them. */
		struct stat st;

		paths = defaults;
		for (k = 0; k < 2; k++)
			if (stat(defaults[k], &st) == 0)
				paths[npaths++] = defaults[k];
		if (npaths == 0) {
			usage_error("check: no 'courses' or 'examples' folder here: give the paths to check, "
			    "as in 'coursepack check .'");
			fputs(usage_text, stderr);
			return 2;
		}
	}
	for (k = 0; k < npaths; k++) {
		struct stat st;

		if (stat(paths[k], &st) == -1) {
			diag(S_OPEN, NULL, paths[k], strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (walk(ck, paths[k], 0) == 0) {
				struct loc loc = {paths[k], 0, 0};

				diag(W_NOTHING, &loc);
			}
		} else
			add_file(ck, paths[k]);
	}
	return -1;
}

/* Checks the files found, richest context first: libraries, then
 * townships (including the ones beside loose recipes and villages), then
 * the rest.  Files reached through them are marked done and not checked
 * again. */
static void
check_found(struct checker *ck)
{
	size_t i;

	if (ck->nfiles > 1)
		qsort(ck->files, ck->nfiles, sizeof *ck->files, found_cmp);
	for (i = 0; i < ck->nfiles; i++)
		if (ck->files[i].kind == XK_CATEGORIES && !ck->files[i].done) {
			char *dir = path_dirname(ck->files[i].path);

			get_library(ck, dir, NULL);
			free(dir);
		}
	for (i = 0; i < ck->nfiles; i++)
		if ((ck->files[i].kind == XK_RECIPE || ck->files[i].kind == XK_VILLAGE) && !ck->files[i].done) {
			char *tp = project_nearby_township(ck->files[i].path);

			if (tp)
				add_file(ck, tp);
			free(tp);
		}
	if (ck->nfiles > 1)
		qsort(ck->files, ck->nfiles, sizeof *ck->files, found_cmp);
	for (i = 0; i < ck->nfiles; i++)
		if (ck->files[i].kind == XK_TOWNSHIP && !ck->files[i].done) {
			char *p = xstrdup(ck->files[i].path);

			check_township_file(ck, p);	/* may grow ck->files */
			free(p);
		}
	for (i = 0; i < ck->nfiles; i++)
		if (!ck->files[i].done)
			check_alone(ck, &ck->files[i]);
}

/* The review summary, when any course has a reviews.xml (or under
 * --require-review). */
static void
print_reviews(const struct review_tally *t)
{
	int n = t->reviewed + t->changed + t->never + t->untrusted;

	if (t->courses == 0 && !t->require)
		return;
	if (t->reviewed == n)
		printf(_("reviews: %d lesson%s reviewed, all as they stand"), n, n == 1 ? "" : "s");
	else
		printf(_("reviews: %d of %d lesson%s reviewed as they stand; %d changed since, %d never reviewed, %d not counted"),
		    t->reviewed, n, n == 1 ? "" : "s", t->changed, t->never, t->untrusted);
	printf(_("; %d signed\n"), t->signed_);
}

static void
checker_release(struct checker *ck)
{
	size_t i;

	for (i = 0; i < ck->nfiles; i++) {
		free(ck->files[i].path);
		free(ck->files[i].real);
	}
	free(ck->files);
	for (i = 0; i < ck->nlibs; i++) {
		library_free(ck->libs[i].lib);
		free(ck->libs[i].real);
	}
	free(ck->libs);
	for (i = 0; i < ck->nbad; i++)
		free(ck->bad_townships[i]);
	free(ck->bad_townships);
	for (i = 0; i < ck->nseasons; i++)
		free(ck->seasons[i]);
	free(ck->seasons);
	for (i = 0; i < ck->rv.nkeys; i++)
		minisign_key_release(&ck->rv.keys[i]);
	free(ck->rv.keys);
}

int
cmd_check(int argc, char *argv[])
{
	struct checker ck = {0};
	int rc;

	if ((rc = check_options(&ck, argc, argv)) != -1 || (rc = check_find(&ck, argv + optind, argc - optind)) != -1) {
		checker_release(&ck);
		return rc;
	}
	if (ck.rv.nkeys && hash_init() == -1) {
		usage_error("check: libsodium cannot start");
		checker_release(&ck);
		return 3;
	}
	check_found(&ck);
	print_reviews(&ck.rv);
	printf(_("checked %d course%s, %d lesson%s, %d other file%s: %d error%s, %d warning%s\n"),
	    ck.st.courses, ck.st.courses == 1 ? "" : "s",
	    ck.st.lessons, ck.st.lessons == 1 ? "" : "s",
	    ck.st.files, ck.st.files == 1 ? "" : "s",
	    diag_count(DL_ERROR) + diag_count(DL_SYSERR),
	    diag_count(DL_ERROR) + diag_count(DL_SYSERR) == 1 ? "" : "s",
	    diag_count(DL_WARNING), diag_count(DL_WARNING) == 1 ? "" : "s");
	checker_release(&ck);
	return diag_exit();
}
