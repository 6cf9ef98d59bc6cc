#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "diag.h"
#include "load.h"
#include "project.h"
#include "util.h"
#include "xml.h"

/* The file a township names, as a normalized path, or NULL after saying
 * at the reference why it cannot be used. */
static char *
township_file(const struct township *t, const struct ref *ref, enum xml_kind want)
{
	char *p = path_join(t->dir, ref->id), *path = path_normalize(p);
	enum xml_kind kind;
	struct stat st;

	free(p);
	if (stat(path, &st) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			diag(E_FILE_MISSING, &ref->loc, ref->id);
		else
			diag(E_FILE_KIND, &ref->loc, ref->id);
	} else if (!S_ISREG(st.st_mode)) {
		diag(E_FILE_KIND, &ref->loc, ref->id);
	} else if ((kind = xml_sniff(path)) != XK_NONE && kind != want) {
		diag(E_XML_WRONG_KIND, &ref->loc, ref->id, xml_kind_name(kind), xml_kind_name(want));
	} else
		return path;
	free(path);
	return NULL;
}

static struct library *
own_library(void *ctx, const char *dir, const struct ref *where)
{
	struct check_stats *st = ctx;
	struct library *lib;
	int failed;

	if ((lib = load_library(dir, where, &failed)) != NULL)
		check_library(lib, st);
	return lib;
}

/* Whether the township's village reference names the file `only`
 * (normalized), without a word about it either way. */
static int
names_village(const struct township *t, const struct ref *ref, const char *only)
{
	char *p = path_join(t->dir, ref->id), *path = path_normalize(p);
	int same = streq(path, only);

	free(p);
	free(path);
	return same;
}

static int
load(struct project *p, const char *path, const char *only, library_getter get, void *ctx,
    struct check_stats *st)
{
	int e0 = diag_count(DL_ERROR) + diag_count(DL_SYSERR);
	struct township *t;
	char *libdir, *tmp, **reals;
	size_t i, j;

	memset(p, 0, sizeof *p);
	if ((t = p->township = load_township(path)) == NULL) {
		p->errors = 1;
		return -1;
	}
	st->files++;
	tmp = path_join(t->dir, t->library_src.id);
	libdir = path_normalize(tmp);
	free(tmp);
	if (get == NULL) {
		get = own_library;
		ctx = st;
		p->own_library = 1;
	}
	p->library = get(ctx, libdir, &t->library_src);
	free(libdir);

	if ((p->recipe_path = township_file(t, &t->recipe_src, XK_RECIPE)) != NULL &&
	    (p->recipe = load_recipe(p->recipe_path)) != NULL) {
		st->files++;
		if (p->library)
			check_recipe(p->recipe, p->library);
	}

	p->nvillages = t->nvillages;
	p->villages = xcalloc(t->nvillages, sizeof *p->villages);
	p->village_paths = xcalloc(t->nvillages, sizeof *p->village_paths);
	reals = xcalloc(t->nvillages, sizeof *reals);
	for (i = 0; i < t->nvillages; i++) {
		char *vpath;

		if (only && !names_village(t, &t->village_srcs[i], only))
			continue;
		vpath = township_file(t, &t->village_srcs[i], XK_VILLAGE);
		if (vpath == NULL)
			continue;
		/* The same file under two spellings is one village listed twice. */
		if ((reals[i] = realpath(vpath, NULL)) == NULL)
			reals[i] = xstrdup(vpath);
		for (j = 0; j < i; j++)
			if (reals[j] && streq(reals[j], reals[i]))
				break;
		p->village_paths[i] = vpath;
		if (j < i)
			diag(E_DUP_VILLAGE_FILE, &t->village_srcs[i].loc, t->village_srcs[i].id);
		else if ((p->villages[i] = load_village(vpath)) != NULL) {
			st->files++;
			check_village(p->villages[i], t, p->recipe, p->library);
		}
	}
	check_villages_unique(p->villages, p->nvillages);
	for (i = 0; i < t->nvillages; i++)
		free(reals[i]);
	free(reals);
	p->errors = diag_count(DL_ERROR) + diag_count(DL_SYSERR) > e0 || p->library == NULL ||
	    p->recipe == NULL;
	return 0;
}

int
project_load(struct project *p, const char *path, library_getter get, void *ctx, struct check_stats *st)
{
	return load(p, path, NULL, get, ctx, st);
}

int
project_load_village(struct project *p, const char *path, const char *only, struct check_stats *st)
{
	return load(p, path, only, NULL, NULL, st);
}

void
project_release(struct project *p)
{
	size_t i;

	for (i = 0; i < p->nvillages; i++) {
		village_free(p->villages[i]);
		free(p->village_paths[i]);
	}
	free(p->villages);
	free(p->village_paths);
	free(p->recipe_path);
	recipe_free(p->recipe);
	if (p->own_library)
		library_free(p->library);
	township_free(p->township);
	memset(p, 0, sizeof *p);
}

char *
project_nearby_township(const char *path)
{
	char *dir = path_dirname(path), *up = path_join(dir, "..");
	const char *tries[2] = {dir, up};
	char *hit = NULL;
	size_t i;

	for (i = 0; i < 2 && hit == NULL; i++) {
		char *p = path_join(tries[i], "township.xml"), *tp = path_normalize(p);
		struct stat st;

		free(p);
		if (stat(tp, &st) == 0 && S_ISREG(st.st_mode) && xml_sniff(tp) == XK_TOWNSHIP)
			hit = tp;
		else
			free(tp);
	}
	free(dir);
	free(up);
	return hit;
}

char *
project_resolve(const char *path, char **village_only)
{
	struct loc loc = {path, 0, 0};
	struct stat st;
	char *tp;

	*village_only = NULL;
	if (stat(path, &st) == -1) {
		diag(S_OPEN, NULL, path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		diag(E_FILE_KIND, &loc, path);
		return NULL;
	}
	switch (xml_sniff(path)) {
	case XK_TOWNSHIP:
		return path_normalize(path);
	case XK_VILLAGE:
		if ((tp = project_nearby_township(path)) == NULL) {
			diag(E_NO_TOWNSHIP, &loc);
			return NULL;
		}
		*village_only = path_normalize(path);
		return tp;
	default:
		diag(E_NOT_TOWNSHIP, &loc, path);
		return NULL;
	}
}

/* path relative to base when it lies under it, else its last name: the
 * digest must not depend on where the sources were checked out. */
static const char *
relative(const char *base, const char *path)
{
	size_t n = strlen(base);

	if (strncmp(path, base, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path_basename(path);
}

/* Adds a file's name (relative to root), size and SHA-256 to h. */
static int
digest_file(struct sha256 *h, const char *root, const char *base, const char *path)
{
	char sum[65];
	size_t len;

	if (sha256_file(path, &len, sum) == -1) {
		diag(S_READ, NULL, path, strerror(errno));
		return -1;
	}
	{
		char *line = xasprintf("%s\t%s\t%zu\t%s\n", root, relative(base, path), len, sum);

		sha256_add(h, line, strlen(line));
		free(line);
	}
	return 0;
}

/* Every regular file under dir, in name order, dot files skipped. */
static int
digest_tree(struct sha256 *h, const char *root, const char *base, const char *dir, int depth)
{
	char **names;
	size_t n, i;
	int rc = 0;

	if (depth > 16 || list_dir(dir, &names, &n) == -1)
		return 0;
	for (i = 0; i < n && rc == 0; i++) {
		char *p = path_join(dir, names[i]);
		struct stat st;

		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc = digest_tree(h, root, base, p, depth + 1);
		else if (S_ISREG(st.st_mode))
			rc = digest_file(h, root, base, p);
		free(p);
	}
	free_names(names, n);
	return rc;
}

int
project_digest(const struct project *pr, char out[65])
{
	struct sha256 h;
	size_t i, c;
	int rc;

	const char *tdir = pr->township->dir;

	sha256_begin(&h);
	rc = digest_file(&h, "township", tdir, pr->township->path);
	if (rc == 0 && pr->recipe_path)
		rc = digest_file(&h, "township", tdir, pr->recipe_path);
	for (i = 0; rc == 0 && i < pr->nvillages; i++)
		if (pr->village_paths[i])
			rc = digest_file(&h, "township", tdir, pr->village_paths[i]);
	{
		char *cats = path_join(pr->library->dir, "categories.xml");

		if (rc == 0)
			rc = digest_file(&h, "library", pr->library->dir, cats);
		free(cats);
	}
	for (c = 0; rc == 0 && c < pr->library->ncourses; c++) {
		const struct course *co = pr->library->courses[c];

		rc = digest_tree(&h, co->id, co->dir, co->dir, 0);
	}
	sha256_end(&h, out);
	return rc;
}
