/* coursepack check [--werror] [PATH...]: validate sources and report every
 * problem found.
 *
 * PATH is a course folder, a library (a folder with categories.xml), any
 * XML file of ours, or a folder searched recursively; none means
 * "courses" and "examples" under the current folder.  Each file is checked
 * once, in the richest context found: a library's courses against its
 * categories, a township's recipe and villages against its library. */
#define _XOPEN_SOURCE 700
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "commands.h"
#include "load.h"
#include "util.h"
#include "xml.h"

#define MAX_DEPTH 16	/* folders deeper than this are not searched */

struct found {
	char *path;	/* as the user will read it */
	char *real;	/* identity */
	enum xml_kind kind;
	int done;
};

struct libcache {
	char *real;
	struct library *lib;
};

struct checker {
	int verbose;
	struct found *files;
	size_t nfiles;
	struct libcache *libs;
	size_t nlibs;
	struct check_stats st;
};

static int
found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path, ((const struct found *)b)->path);
}

static struct found *
find_real(struct checker *ck, const char *real)
{
	size_t i;

	for (i = 0; real && i < ck->nfiles; i++)
		if (streq(ck->files[i].real, real))
			return &ck->files[i];
	return NULL;
}

static void
add_file(struct checker *ck, const char *path)
{
	char *real = realpath(path, NULL);

	if (real && find_real(ck, real)) {
		free(real);
		return;
	}
	ck->files = xreallocarray(ck->files, ck->nfiles + 1, sizeof *ck->files);
	ck->files[ck->nfiles].path = path_normalize(path);
	ck->files[ck->nfiles].real = real ? real : xstrdup(path);
	ck->files[ck->nfiles].kind = xml_sniff(path);
	ck->files[ck->nfiles].done = 0;
	ck->nfiles++;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && streq(s + n - m, suffix);
}

/* Collects every *.xml file under `dir`, in name order. */
static void
walk(struct checker *ck, const char *dir, int depth)
{
	DIR *dp;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;

	if (depth > MAX_DEPTH)
		return;
	if ((dp = opendir(dir)) == NULL) {
		diag(S_OPEN, NULL, dir, strerror(errno));
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (n > 1)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		char *p = path_join(dir, names[i]);
		struct stat st;

		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			walk(ck, p, depth + 1);
		else if (has_suffix(names[i], ".xml") && stat(p, &st) == 0 && S_ISREG(st.st_mode))
			add_file(ck, p);
		free(p);
		free(names[i]);
	}
	free(names);
}

static void
mark_done(struct checker *ck, const char *path)
{
	char *real = realpath(path, NULL);
	struct found *f = find_real(ck, real);

	if (f)
		f->done = 1;
	free(real);
}

/* --verbose: what the library holds, a line per course. */
static void
list_library(const struct library *lib)
{
	size_t i, j;

	printf("library %s: %zu course%s\n", lib->dir, lib->ncourses, lib->ncourses == 1 ? "" : "s");
	for (i = 0; i < lib->ncourses; i++) {
		const struct course *c = lib->courses[i];
		int hours = 0;
		char h[16];

		for (j = 0; j < c->nlessons; j++)
			hours += c->lessons[j].hours;
		hours_format(hours, h);
		printf("  %-16s %-13s %2zu lesson%s %5s h  %s\n", c->id, c->category, c->nlessons,
		    c->nlessons == 1 ? " " : "s", h, c->title);
	}
}

/* Marks every DIR/NAME/course.xml as checked: the library load saw them
 * all, whether or not they loaded. */
static void
mark_courses_done(struct checker *ck, const char *dir)
{
	char *rdir = realpath(dir, NULL);
	size_t i, n;

	if (rdir == NULL)
		return;
	n = strlen(rdir);
	for (i = 0; i < ck->nfiles; i++) {
		const char *r = ck->files[i].real, *rest;

		if (strncmp(r, rdir, n) != 0 || r[n] != '/')
			continue;
		rest = r + n + 1;
		if (strchr(rest, '/') && streq(strchr(rest, '/'), "/course.xml"))
			ck->files[i].done = 1;
	}
	free(rdir);
}

/* The library in `dir`, loaded and checked once per run; `where` is the
 * reference that named it, if any. */
static struct library *
get_library(struct checker *ck, const char *dir, const struct ref *where)
{
	char *real = realpath(dir, NULL);
	struct library *lib;
	size_t i;
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
		mark_courses_done(ck, dir);
		check_library(lib, &ck->st);
		if (ck->verbose)
			list_library(lib);
	}
	ck->libs = xreallocarray(ck->libs, ck->nlibs + 1, sizeof *ck->libs);
	ck->libs[ck->nlibs].real = real ? real : xstrdup(dir);
	ck->libs[ck->nlibs].lib = lib;
	ck->nlibs++;
	return lib;
}

static void
check_township_file(struct checker *ck, const char *path)
{
	struct township *t = load_township(path);
	struct recipe *r = NULL;
	struct library *lib;
	struct village **vs;
	char *p;
	size_t i, j;

	mark_done(ck, path);
	if (t == NULL)
		return;
	ck->st.files++;
	if (ck->verbose)
		printf("township %s (%s): %zu village%s\n", t->id, t->name, t->nvillages,
		    t->nvillages == 1 ? "" : "s");
	p = path_join(t->dir, t->library_src.id);
	char *libdir = path_normalize(p);
	free(p);
	lib = get_library(ck, libdir, &t->library_src);
	free(libdir);

	p = path_join(t->dir, t->recipe_src.id);
	char *rpath = path_normalize(p);
	free(p);
	struct stat st;
	if (stat(rpath, &st) == -1)
		diag(E_FILE_MISSING, &t->recipe_src.loc, t->recipe_src.id);
	else if ((r = load_recipe(rpath)) != NULL) {
		ck->st.files++;
		if (lib)
			check_recipe(r, lib);
	}
	mark_done(ck, rpath);
	free(rpath);

	vs = xcalloc(t->nvillages, sizeof *vs);
	for (i = 0; i < t->nvillages; i++) {
		const struct ref *src = &t->village_srcs[i];
		char *vpath;

		p = path_join(t->dir, src->id);
		vpath = path_normalize(p);
		free(p);
		for (j = 0; j < i; j++)
			if (streq(t->village_srcs[j].id, src->id))
				break;
		if (j < i)
			diag(E_DUP_VILLAGE_FILE, &src->loc, src->id);
		else if (stat(vpath, &st) == -1)
			diag(E_FILE_MISSING, &src->loc, src->id);
		else if ((vs[i] = load_village(vpath)) != NULL) {
			ck->st.files++;
			for (j = 0; j < i; j++)
				if (vs[j] && streq(vs[j]->id, vs[i]->id)) {
					char *where = xasprintf("%s:%d", vs[j]->path, vs[j]->loc.line);

					diag(E_DUP_VILLAGE, &vs[i]->loc, vs[i]->id, where);
					free(where);
					break;
				}
			check_village(vs[i], t, r, lib);
		}
		mark_done(ck, vpath);
		free(vpath);
	}
	for (i = 0; i < t->nvillages; i++)
		village_free(vs[i]);
	free(vs);
	recipe_free(r);
	township_free(t);
}

/* A recipe or village found alone is checked through the township that
 * lists it, when one sits in its folder or the folder above. */
static int
find_township_for(struct checker *ck, const struct found *f)
{
	char *dir = path_dirname(f->path), *up = path_join(dir, "..");
	const char *tries[2] = {dir, up};
	int hit = 0;
	size_t i;

	for (i = 0; i < 2 && !hit; i++) {
		char *p = path_join(tries[i], "township.xml"), *tp = path_normalize(p);
		struct stat st;

		free(p);
		if (stat(tp, &st) == 0 && xml_sniff(tp) == XK_TOWNSHIP) {
			add_file(ck, tp);
			hit = 1;
		}
		free(tp);
	}
	free(dir);
	free(up);
	return hit;
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
		up = path_dirname(c->dir);
		cat = path_join(up, "categories.xml");
		if (stat(cat, &st) == -1)
			diag(W_NO_CATEGORIES, &c->loc, c->category);
		else
			cats = load_categories(cat);
		check_course(c, cats, &ck->st);
		categories_free(cats);
		course_free(c);
		free(up);
		free(cat);
		break;
	}
	case XK_RECIPE: {
		struct recipe *r = load_recipe(f->path);

		ck->st.files += r != NULL;
		recipe_free(r);
		break;
	}
	case XK_VILLAGE: {
		struct village *v = load_village(f->path);

		if (v != NULL) {
			ck->st.files++;
			check_village(v, NULL, NULL, NULL);
		}
		village_free(v);
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

static void
usage(void)
{
	fputs("usage: coursepack check [-v] [--werror] [PATH ...]\n", stderr);
}

int
cmd_check(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"werror", no_argument, NULL, 'W'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static char *defaults[] = {"courses", "examples"};
	struct checker ck = {0};
	char **paths;
	int npaths, ch, rc;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'W':
			diag_werror(1);
			break;
		case 'v':
			ck.verbose = 1;
			break;
		case 'h':
			printf("usage: coursepack check [-v] [--werror] [PATH ...]\n");
			return 0;
		default:
			usage_error("check: unknown option '%s'", argv[optind - 1]);
			usage();
			return 2;
		}
	}
	paths = argv + optind;
	npaths = argc - optind;
	if (npaths == 0) {
		paths = defaults;
		npaths = 2;
	}
	for (int k = 0; k < npaths; k++) {
		struct stat st;

		if (stat(paths[k], &st) == -1) {
			diag(S_OPEN, NULL, paths[k], strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode))
			walk(&ck, paths[k], 0);
		else
			add_file(&ck, paths[k]);
	}
	if (ck.nfiles > 1)
		qsort(ck.files, ck.nfiles, sizeof *ck.files, found_cmp);

	/* Richest context first: libraries, then townships, then the rest.
	 * Files reached through them are marked done and not checked again. */
	for (i = 0; i < ck.nfiles; i++)
		if (ck.files[i].kind == XK_CATEGORIES && !ck.files[i].done) {
			char *dir = path_dirname(ck.files[i].path);

			get_library(&ck, dir, NULL);
			free(dir);
		}
	for (i = 0; i < ck.nfiles; i++)
		if ((ck.files[i].kind == XK_RECIPE || ck.files[i].kind == XK_VILLAGE) &&
		    !ck.files[i].done)
			find_township_for(&ck, &ck.files[i]);
	if (ck.nfiles > 1)
		qsort(ck.files, ck.nfiles, sizeof *ck.files, found_cmp);
	for (i = 0; i < ck.nfiles; i++)
		if (ck.files[i].kind == XK_TOWNSHIP && !ck.files[i].done) {
			char *p = xstrdup(ck.files[i].path);

			check_township_file(&ck, p);
			free(p);
		}
	for (i = 0; i < ck.nfiles; i++)
		if (!ck.files[i].done)
			check_alone(&ck, &ck.files[i]);

	printf("checked %d course%s, %d lesson%s, %d other file%s: %d error%s, %d warning%s\n",
	    ck.st.courses, ck.st.courses == 1 ? "" : "s",
	    ck.st.lessons, ck.st.lessons == 1 ? "" : "s",
	    ck.st.files, ck.st.files == 1 ? "" : "s",
	    diag_count(DL_ERROR) + diag_count(DL_SYSERR),
	    diag_count(DL_ERROR) + diag_count(DL_SYSERR) == 1 ? "" : "s",
	    diag_count(DL_WARNING), diag_count(DL_WARNING) == 1 ? "" : "s");

	for (i = 0; i < ck.nfiles; i++) {
		free(ck.files[i].path);
		free(ck.files[i].real);
	}
	free(ck.files);
	for (i = 0; i < ck.nlibs; i++) {
		library_free(ck.libs[i].lib);
		free(ck.libs[i].real);
	}
	free(ck.libs);
	rc = diag_exit();
	return rc;
}
