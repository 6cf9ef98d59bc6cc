/* coursepack build [-o DIR] [-j N] [--shard I/N] ... TOWNSHIP|VILLAGE:
 * one bundle per village, DIR/TOWNSHIP/TOWNSHIP-VILLAGE.zip, with its
 * editions, SHA256SUMS and the township catalogue index.html beside them
 * (and, for a shard, its record for `coursepack catalog`).
 *
 * Villages build in parallel, each into its own archive, taking lessons
 * and media from one store (shared.c) that does each piece of work once;
 * the bytes of a bundle cannot depend on -j or on what was shared.
 * libzip writes each bundle to a temporary file and renames it, so a
 * bundle appears complete or not at all. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "catalog.h"
#include "output.h"
#include "review.h"
#include "sign.h"
#include "commands.h"
#include "i18n.h"
#include "crypto.h"
#include "image.h"
#include "leftovers.h"
#include "package.h"
#include "pdf.h"
#include "plan.h"
#include "project.h"
#include "scratch.h"
#include "cache.h"
#include "util.h"
#include "zipfile.h"

#define MAX_JOBS 64

static const char usage_text[] =
    "usage: coursepack build [-o DIR] [-j N] [--allow-short] [--pdf] [--phone-budget SIZE] [--photo-side PX]\n"
    "                        [--progress-fd N] [--shard I/N]\n"
    "                        [--sign SECRETKEY] [--require-review] TOWNSHIP|VILLAGE\n";

/* A file of a village in the township's folder: the bundle, an edition
 * beside it, the PDF. */
struct output {
	char *path;		/* DIR/TOWNSHIP/NAME */
	char *file;		/* NAME */
	size_t size;
	char sha256[65];
	int made;		/* written (or found) and digested; not an edition that
				 * could not be made, nor the PDF without --pdf */
};

struct job {
	const struct project *pr;
	const struct plan *plan;
	struct output out[EDITIONS_MAX];	/* [k]: editions[k]'s file, for a file row
					 * (edition_is_file); out[EDITION_BUNDLE] the bundle */
	const char *browser;	/* for --pdf */
	const struct minisign_key *key;	/* for --sign */
	const char *dir;
	struct shared *sh;	/* work done once for all villages */
	size_t order;		/* the village's place in the township */
	size_t phone_budget;
	time_t mtime;
	int ok;
};

struct queue {
	pthread_mutex_t lock;
	struct job *jobs;
	size_t n, next, done;
	int progress;
	int progress_fd;	/* --progress-fd: a line per village begun and ended, or -1 */
};

static void
remove_file_and_signature(const char *path)
{
	char *sig = xasprintf("%s.minisig", path);

	unlink(path);
	unlink(sig);
	free(sig);
}

static int
build_one(struct job *j)
{
	struct package pk;
	struct scratch *spill;
	size_t k;
	int rc = -1;

	/* The village's deflated files wait here, beyond the first 4 MiB
	 * of each archive held in memory, until the archive is written. */
	if ((spill = scratch_open(j->dir)) == NULL)
		return -1;
	if (package_build(j->pr, j->plan, j->sh, j->phone_budget, j->mtime, j->browser ? PACKAGE_KEEP_PLAIN : 0,
	    spill, &pk) == -1) {
		scratch_close(spill);
		return -1;
	}
	/* Each file of the village, as its row's place says.  An edition
	 * that could not be made (diagnosed) is left out, and no older one
	 * stays in its place; the others are written. */
	for (k = 0; k < neditions; k++) {
		const struct edition *e = &editions[k];
		struct beside *b = package_beside(&pk, e);
		struct output *o = &j->out[k];

		if (b && b->failed) {
			remove_file_and_signature(o->path);
			continue;
		}
		switch (e->place) {
		case IN_BUNDLE:
			continue;
		case BUNDLE:
			if (archive_write_zip(&pk.ar, pk.id, o->path, j->mtime) == -1)
				goto out;
			break;
		case BESIDE_ZIP:
			if (archive_write_zip(&b->ar, pk.id, o->path, j->mtime) == -1)
				goto out;
			break;
		case BESIDE_FILE:
			/* Streamed, and hashed on the way. */
			if (write_doc_atomic(o->path, &b->doc, &o->size, o->sha256) == -1)
				goto out;
			o->made = 1;
			continue;
		case BESIDE_PDF:
			/* Only with --pdf; an older PDF stays as it was. */
			if (j->browser == NULL)
				continue;
			if (pdf_print(j->browser, &pk, j->dir, o->path, j->mtime) == -1)
				goto out;
			break;
		}
		if (file_digest(o->path, &o->size, o->sha256) == -1)
			goto out;
		o->made = 1;
	}
	for (k = 0; k < neditions; k++)
		if (j->out[k].made && sign_file(j->key, j->out[k].path, j->mtime) == -1)
			goto out;
	rc = 0;
out:
	package_release(&pk);
	scratch_close(spill);
	return rc;
}

static void remove_outputs(const char *dir, const char *township, const char *village);

static void *
worker(void *arg)
{
	struct queue *q = arg;

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&q->lock);
		if (q->next == q->n) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		j = &q->jobs[q->next++];
		if (q->progress_fd >= 0)
			dprintf(q->progress_fd, "start %s\n", j->plan->village->id);
		pthread_mutex_unlock(&q->lock);

		j->ok = build_one(j) == 0;
		if (!j->ok) {
			/* No stale files for a failed village. */
			remove_outputs(j->dir, j->pr->township->id, j->plan->village->id);
		}

		pthread_mutex_lock(&q->lock);
		q->done++;
		if (q->progress_fd >= 0)
			dprintf(q->progress_fd, "done %zu/%zu %s\n", q->done, q->n, j->plan->village->id);
		if (q->progress) {
			fputs("\rcoursepack: ", stderr);
			fprintf(stderr, _("built %zu of %zu bundles"), q->done, q->n);
		}
		pthread_mutex_unlock(&q->lock);
	}
}

/* The output folder, made as mkdir -p would; diagnosed when it cannot be. */
static int
make_outdir(const char *dir)
{
	if (mkdirs(dir, 0777) == 0)
		return 0;
	diag(S_WRITE, NULL, dir, strerror(errno));
	return -1;
}

/* A village not built leaves no files of an earlier build behind: what
 * stands in the folder is what this build made. */
static void
remove_outputs(const char *dir, const char *township, const char *village)
{
	editions_remove_files(dir, township, village);
}

/* What the catalogue says about the villages built. */
static void
catalog_fill(struct catalog *cat, const struct project *pr, const struct job *jobs, size_t n)
{
	const struct recipe *r = pr->recipe;
	size_t i, c, k;
	int g;

	memset(cat, 0, sizeof *cat);
	cat->township = xstrdup(pr->township->id);
	cat->county = pr->township->county ? xstrdup(pr->township->county) : NULL;
	cat->name = xstrdup(pr->township->name);
	cat->title = xstrdup(r->title);
	cat->season = r->season ? xstrdup(r->season) : NULL;
	cat->min_hours = r->min_hours;
	cat->ncats = r->ncategories;
	cat->cats = xcalloc(r->ncategories ? r->ncategories : 1, sizeof *cat->cats);
	for (c = 0; c < r->ncategories; c++) {
		const struct category *known = categories_find(pr->library->categories, r->categories[c].ref);

		cat->cats[c].name = xstrdup(render_category_zh(pr, r->categories[c].ref));
		cat->cats[c].colour = xstrdup(known ? known->color : "#888888");
	}
	cat->rows = xcalloc(n ? n : 1, sizeof *cat->rows);
	for (i = 0; i < n; i++) {
		const struct job *j = &jobs[i];
		const struct plan *p = j->plan;
		struct catalog_row *row;

		if (!j->ok)
			continue;
		row = &cat->rows[cat->nrows++];
		row->order = j->order;
		row->village = xstrdup(p->village->name);
		for (k = 0; k < neditions; k++) {
			const struct output *o = &j->out[k];

			/* An edition only when made (or found beside a
			 * village not rebuilt), the PDF only when printed. */
			if (!edition_is_file(&editions[k]) || !o->made)
				continue;
			row->files[k].name = xstrdup(o->file);
			row->files[k].size = o->size;
			memcpy(row->files[k].sha256, o->sha256, sizeof row->files[k].sha256);
		}
		row->hours = xcalloc(r->ncategories ? r->ncategories : 1, sizeof *row->hours);
		for (c = 0; c < r->ncategories; c++)
			row->hours[c] = p->hours[c];
		row->total = p->total;
		for (g = 0; g < GROUP__COUNT; g++) {
			int short_ = 0;

			for (c = 0; c < p->nshortfalls; c++)
				short_ |= p->shortfalls[c].group == (enum group)g;
			row->members[g] = p->village->members[g];
			row->reach[g] = p->reach_total[g];
			row->complete[g] = !short_;
		}
	}
}

/* SHA256SUMS in the format sha256sum -c reads, and the catalogue; for a
 * shard, also its record. */
static size_t shard_of(const char *id, size_t n);

static int
write_index(const struct project *pr, const char *dir, struct job *jobs, size_t n, const struct minisign_key *key,
    time_t when, size_t shard, size_t nshards, size_t planned)
{
	struct catalog cat;
	char *path;
	size_t i, k;
	int rc;

	catalog_fill(&cat, pr, jobs, n);
	/* The catalogue names the villages of this build (or shard) that
	 * have no bundle in the folder: refused, failed or never built. */
	for (i = 0; i < pr->nvillages; i++) {
		for (k = 0; k < cat.nrows && cat.rows[k].order != i; k++)
			;
		if (k < cat.nrows || (nshards && shard_of(pr->villages[i]->id, nshards) != shard))
			continue;
		cat.missing = xreallocarray(cat.missing, cat.nmissing + 1, sizeof *cat.missing);
		cat.missing[cat.nmissing++] = xstrdup(pr->villages[i]->name);
	}
	cat.planned = planned;
	cat.villages = pr->nvillages;
	rc = nshards > 0 ? project_digest(pr, cat.source) : 0;
	if (rc == 0)
		rc = catalog_write(&cat, dir, key, when);
	if (rc == 0 && nshards > 0) {
		char *name = xasprintf("shard-%zu-of-%zu.xml", shard, nshards);

		path = path_join(dir, name);
		rc = catalog_save(&cat, shard, nshards, path);
		free(path);
		free(name);
	}
	catalog_release(&cat);
	return rc;
}

/* DIR/TOWNSHIP-VILLAGE<suffix>: the village's file of row e. */
static void
output_name(struct output *o, const char *dir, const char *township, const char *village, const struct edition *e)
{
	o->file = edition_file_name(e, township, village);
	o->path = path_join(dir, o->file);
}

/* Names each file row's output of the job. */
static void
job_name(struct job *j, const char *dir, const char *township, const char *village)
{
	size_t k;

	for (k = 0; k < neditions; k++)
		if (edition_is_file(&editions[k]))
			output_name(&j->out[k], dir, township, village, &editions[k]);
}

static void
output_release(struct output *o)
{
	free(o->file);
	free(o->path);
}

/* A village this run did not build, as its files stand in the folder:
 * 1 when its bundle is there (digested, with its editions when they are
 * there), 0 when not, -1 when one cannot be read. */
static int
job_from_folder(struct job *j, const struct project *pr, const struct plan *p, size_t order, const char *dir)
{
	struct stat st;
	size_t k;

	memset(j, 0, sizeof *j);
	j->pr = pr;
	j->plan = p;
	j->order = order;
	job_name(j, dir, pr->township->id, p->village->id);
	for (k = 0; k < neditions; k++) {
		struct output *o = &j->out[k];

		if (!edition_is_file(&editions[k]))
			continue;
		if (stat(o->path, &st) == -1 || !S_ISREG(st.st_mode)) {
			/* Only the bundle is a must: an edition over its
			 * budget was not written, a PDF not asked for. */
			if (k == EDITION_BUNDLE)
				return 0;
			continue;
		}
		if (file_digest(o->path, &o->size, o->sha256) == -1)
			return -1;
		o->made = 1;
	}
	j->ok = 1;
	return 1;
}

/* A build of one village refreshes SHA256SUMS and the catalogue for the
 * whole folder, so that `sha256sum -c` and the page stay true: the
 * village just built, and every other village of the township whose
 * bundle is in the folder, digested as it stands, its row from its plan
 * (the same sources give the same plan).  A village without its files is
 * named on the page as not built.  When a file cannot be read
 * (diagnosed), SHA256SUMS, its signature and the catalogue are removed
 * rather than left stale; returns 0 or -1. */
static int
write_index_partial(const struct project *pr, struct plan **plans, const struct job *built, size_t nbuilt,
    const char *dir, const struct minisign_key *key, time_t when)
{
	struct job *all = xcalloc(pr->nvillages ? pr->nvillages : 1, sizeof *all);
	unsigned char *mine = xcalloc(pr->nvillages ? pr->nvillages : 1, 1);
	size_t i, k;
	int rc = 0;

	for (i = 0; i < pr->nvillages && rc == 0; i++) {
		for (k = 0; k < nbuilt && built[k].order != i; k++)
			;
		if (k < nbuilt) {
			all[i] = built[k];
			continue;
		}
		if (plans[i] == NULL)
			plans[i] = plan_village(pr->library, pr->recipe, pr->villages[i]);
		mine[i] = 1;
		if (job_from_folder(&all[i], pr, plans[i], i, dir) == -1)
			rc = -1;
	}
	if (rc == 0)
		rc = write_index(pr, dir, all, pr->nvillages, key, when, 0, 0, pr->nvillages);
	if (rc == -1) {
		static const char *const index_files[] = {"SHA256SUMS", "SHA256SUMS.minisig", "index.html"};

		for (k = 0; k < NELEM(index_files); k++) {
			char *path = path_join(dir, index_files[k]);

			unlink(path);
			free(path);
		}
	}
	for (i = 0; i < pr->nvillages; i++)
		for (k = 0; mine[i] && k < EDITIONS_MAX; k++)
			output_release(&all[i].out[k]);
	free(mine);
	free(all);
	return rc;
}

/* "I/N": shard I (from 0) of N. */
static int
parse_shard(const char *s, size_t *i, size_t *n)
{
	char *end;
	unsigned long a, b;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (errno || *end || b < 1 || b > SHARDS_MAX || a >= b)
		return -1;
	*i = a;
	*n = b;
	return 0;
}

/* The shard a village belongs to: FNV-1a of its id, so that it depends on
 * nothing but the id and N — not on the order of the township's list, the
 * machine or the run. */
static size_t
shard_of(const char *id, size_t n)
{
	return fnv1a(FNV1A_INIT, id, strlen(id)) % n;
}

/* What the command line asks for. */
struct build_opts {
	const char *outdir;
	long jobs;
	int allow_short, want_pdf, share, photo_side;
	size_t phone_budget;
	size_t shard, nshards;	/* nshards 0: the whole township */
	const char *keyfile;	/* --sign */
	int progress_fd;	/* --progress-fd, or -1 */
	int require_review;	/* --require-review */
};

/* One run of the command: what it loaded and made, all released by
 * build_release. */
struct build {
	struct build_opts o;
	char *township, *only;	/* only: the one village asked for, or NULL */
	char *browser;		/* for --pdf */
	struct minisign_key key;
	int key_loaded, loaded;
	time_t mtime;
	struct project pr;
	struct plan **plans;	/* [i]: village i's, when it is wanted */
	struct queue q;
	char *dir;		/* DIR/TOWNSHIP */
	struct shared *sh;
	int lock;		/* leftovers_claim's */
	size_t wanted;		/* villages asked for (the shard's, or one) */
	int built, refreshed;
};

/* --progress-fd N: a descriptor open for writing (the workspace's build
 * page reads it; a bad one is a usage error, not a silent nothing). */
static int
progress_fd(const char *arg, int *fd)
{
	char *end;
	long v;
	int fl;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > 1024 || (fl = fcntl((int)v, F_GETFL)) == -1 ||
	    (fl & O_ACCMODE) == O_RDONLY) {
		usage_error("build: --progress-fd wants an open descriptor to write to, such as 3, not '%s'", arg);
		return -1;
	}
	*fd = (int)v;
	return 0;
}

/* Reads the options into *o.  Returns -1 to go on, else the exit status
 * (0 for --help, 2 for a usage error, told). */
static int
build_options(struct build_opts *o, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"jobs", required_argument, NULL, 'j'},
		{"allow-short", no_argument, NULL, 'S'},
		{"phone-budget", required_argument, NULL, 'B'},
		{"photo-side", required_argument, NULL, 'W'},
		{"pdf", no_argument, NULL, 'P'},
		{"sign", required_argument, NULL, 'K'},
		{"require-review", no_argument, NULL, 'R'},
		/* Not in --help: the benchmark's baseline, every village
		 * rendering and deflating everything itself. */
		{"no-share", no_argument, NULL, 'N'},
		{"shard", required_argument, NULL, 's'},
		{"progress-fd", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:ho:j:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->outdir = optarg;
			break;
		case 'j':
			errno = 0;
			o->jobs = strtol(optarg, &end, 10);
			if (errno || *end || o->jobs < 1 || o->jobs > MAX_JOBS) {
				usage_error("build: -j wants a number from 1 to %d, not '%s'", MAX_JOBS, optarg);
				return 2;
			}
			break;
		case 'S':
			o->allow_short = 1;
			break;
		case 'P':
			o->want_pdf = 1;
			break;
		case 'N':
			o->share = 0;
			break;
		case 's':
			if (parse_shard(optarg, &o->shard, &o->nshards) == -1) {
				usage_error("build: --shard wants I/N with 0 <= I < N <= %d, as in 0/4, not '%s'",
				    SHARDS_MAX, optarg);
				return 2;
			}
			break;
		case 'K':
			o->keyfile = optarg;
			break;
		case 'F':
			if (progress_fd(optarg, &o->progress_fd) == -1)
				return 2;
			break;
		case 'R':
			o->require_review = 1;
			break;
		case 'B':
			if (parse_size(optarg, (size_t)1000 * 1000 * 1000, &o->phone_budget) == -1) {
				usage_error("build: --phone-budget wants a size like 8M, 500K or 2000000, not '%s'", optarg);
				return 2;
			}
			break;
		case 'W': {
			char *rest;
			long v;

			errno = 0;
			v = strtol(optarg, &rest, 10);
			if (errno || rest == optarg || *rest != '\0' || v < 64 || v > 10000) {
				usage_error("build: --photo-side wants pixels from 64 to 10000, like 1600, not '%s'", optarg);
				return 2;
			}
			o->photo_side = (int)v;
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			usage_error("build: option '%s' needs a value", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		default:
			usage_error("build: unknown option '%s'", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (o->jobs < 1)
		o->jobs = 1;
	if (o->jobs > MAX_JOBS)
		o->jobs = MAX_JOBS;
	return -1;
}

/* What must hold before anything is loaded: the time, libsodium, the
 * browser for --pdf, the key for --sign, and which township (or village)
 * `arg` names.  Returns -1 to go on, else the exit status (told). */
static int
build_start(struct build *b, const char *arg)
{
	int rc;

	/* SOURCE_DATE_EPOCH checked before anything is loaded; the season
	 * is known once the recipe is. */
	if (entry_time("build", NULL, &b->mtime) == -1)
		return 2;
	if (hash_init() == -1) {
		usage_error("build: libsodium cannot start");
		return 3;
	}
	if (b->o.want_pdf && (b->browser = pdf_find_browser()) == NULL) {
		diag(E_PDF_NO_BROWSER, NULL);
		return 1;
	}
	if (b->o.keyfile) {
		if ((rc = secret_key_load(b->o.keyfile, &b->key)) != 0)
			return rc;
		b->key_loaded = 1;
	}
	if ((b->township = project_resolve(arg, &b->only)) == NULL)
		return diag_exit();
	if (b->only && b->o.nshards) {
		usage_error("build: --shard splits a township; '%s' is one village", arg);
		return 2;
	}
	return -1;
}

/* Loads and checks the township, and opens the store the villages share.
 * Returns -1 to go on, else the exit status (told). */
static int
build_load(struct build *b)
{
	struct body_kind kinds[LINKS__COUNT];

#ifdef __GLIBC__
	/* Large buffers (a village's search index, its print edition) come
	 * and go once per village.  glibc raises its mmap threshold to the
	 * size of each one freed, after which they are carved from the
	 * threads' heaps and the memory stays with the process; a fixed
	 * threshold gives them back.  (8 villages of 4,000 lessons: peak RSS
	 * 101 to 92 MiB.) */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
	if (project_load(&b->pr, b->township, NULL, NULL, &(struct check_stats){0}) == -1 || b->pr.errors) {
		usage_error("build: fix the problems above first; nothing was built");
		return diag_exit() ? diag_exit() : 1;
	}
	b->loaded = 1;
	entry_time("build", b->pr.recipe->season, &b->mtime);
	editions_body_kinds(kinds);
	/* libvips starts on this thread, before the workers do. */
	image_init();
	b->sh = shared_new(b->pr.library, b->o.share, kinds);
	shared_photo_side(b->sh, b->o.photo_side);
	return -1;
}

/* Plans each village asked for and queues a job for it; a village short
 * of its hours is refused (its old files removed) unless --allow-short. */
static void
build_plan(struct build *b)
{
	struct project *pr = &b->pr;
	struct queue *q = &b->q;
	size_t i;

	b->plans = xcalloc(pr->nvillages, sizeof *b->plans);
	q->jobs = xcalloc(pr->nvillages, sizeof *q->jobs);
	b->dir = path_join(b->o.outdir, pr->township->id);
	for (i = 0; i < pr->nvillages; i++) {
		struct plan *p;
		struct job *j;

		if (b->only && !streq(pr->village_paths[i], b->only))
			continue;
		if (b->o.nshards && shard_of(pr->villages[i]->id, b->o.nshards) != b->o.shard)
			continue;
		b->wanted++;
		p = b->plans[i] = plan_village(pr->library, pr->recipe, pr->villages[i]);
		if (p->nshortfalls && !b->o.allow_short) {
			diag(E_BUILD_SHORT, &pr->villages[i]->loc, p->village->id);
			remove_outputs(b->dir, pr->township->id, p->village->id);
			continue;
		}
		if (p->nshortfalls)
			diag(W_BUILT_SHORT, &pr->villages[i]->loc, p->village->id);
		j = &q->jobs[q->n];
		j->pr = pr;
		j->plan = p;
		job_name(j, b->dir, pr->township->id, p->village->id);
		j->phone_budget = b->o.phone_budget;
		j->sh = b->sh;
		j->order = i;
		j->browser = b->browser;
		j->key = b->key_loaded ? &b->key : NULL;
		j->dir = b->dir;
		j->mtime = b->mtime;
		q->n++;
		shared_expect(b->sh, p);
	}
	if (b->only && q->n == 0 && diag_count(DL_ERROR) == 0) {
		struct loc loc = {b->only, 0, 0};

		diag(E_VILLAGE_UNLISTED, &loc, b->only);
	}
}

static int
lesson_order(const void *a, const void *b)
{
	const struct lesson *x = *(const struct lesson *const *)a, *y = *(const struct lesson *const *)b;
	int c = strcmp(x->course->id, y->course->id);

	return c ? c : (x < y ? -1 : x > y);
}

/* --require-review, or the recipe's require-review: every lesson of the
 * villages to build must be reviewed as it stands, else nothing is built.
 * Each lesson is named once, with the reviewer of its previous version.
 * Returns the number of lessons refused. */
static size_t
build_reviews(struct build *b)
{
	const struct lesson **v;
	size_t i, k, n = 0, bad = 0;

	if (!b->o.require_review && !b->pr.recipe->require_review)
		return 0;
	for (i = 0; i < b->pr.nvillages; i++)
		n += b->plans[i] ? b->plans[i]->nlessons : 0;
	v = xcalloc(n ? n : 1, sizeof *v);
	for (i = 0, n = 0; i < b->pr.nvillages; i++)
		for (k = 0; b->plans[i] && k < b->plans[i]->nlessons; k++)
			v[n++] = b->plans[i]->lessons[k];
	if (n > 1)
		qsort(v, n, sizeof *v, lesson_order);
	for (i = 0; i < n; i++)
		if ((i == 0 || v[i] != v[i - 1]) && review_say(v[i], 1))
			bad++;
	free(v);
	if (bad)
		usage_error("build: %zu lesson%s not reviewed as %s stand%s%s; nothing was built", bad,
		    bad == 1 ? " is" : "s are", bad == 1 ? "it" : "they", bad == 1 ? "s" : "",
		    b->o.require_review ? "" : " (the recipe has require-review)");
	return bad;
}

/* Makes the township's folder and takes it (what a killed build left
 * there goes first, leftovers.h).  A village refused or unbuilt still
 * refreshes the folder's index, when there is a folder: its old files are
 * gone.  Returns 1 when the villages are to be built, else 0. */
static int
build_claim_folder(struct build *b)
{
	struct stat dst;
	int go;

	go = b->q.n > 0 || b->only == NULL ||
	    (b->wanted > 0 && stat(b->dir, &dst) == 0 && S_ISDIR(dst.st_mode));
	go = go && make_outdir(b->dir) == 0;
	if (go)
		b->lock = leftovers_claim(b->dir);
	return go && shared_spill(b->sh, b->dir) == 0;
}

/* Runs the queue on up to `jobs` threads (on this one if none starts). */
static void
build_run(struct queue *q, long jobs)
{
	pthread_t threads[MAX_JOBS];
	size_t i, nthreads;

	q->progress = isatty(STDERR_FILENO);
	if (q->progress_fd >= 0)
		dprintf(q->progress_fd, "total %zu\n", q->n);
	nthreads = (size_t)jobs < q->n ? (size_t)jobs : q->n;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, worker, q) != 0) {
			nthreads = i;
			break;
		}
	if (nthreads == 0)
		worker(q);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
}

/* Tells what the workers did: every village stopped, a line for each
 * file made; then writes SHA256SUMS and the catalogue. */
static void
build_finish(struct build *b)
{
	const struct minisign_key *key = b->key_loaded ? &b->key : NULL;
	struct queue *q = &b->q;
	size_t i, k;

	/* Give back the scratch file's disk before the index is written. */
	shared_spill_end(b->sh);
	if (q->progress)
		fputc('\n', stderr);
	/* An error shared by several villages (a course file that became
	 * unreadable) is told once: name every village it stopped. */
	for (i = 0; i < q->n; i++)
		if (!q->jobs[i].ok)
			diag(E_VILLAGE_FAILED, &b->pr.villages[q->jobs[i].order]->loc, q->jobs[i].plan->village->id);
	for (i = 0; i < q->n; i++)
		for (k = 0; q->jobs[i].ok && k < neditions; k++) {
			const struct output *o = &q->jobs[i].out[k];

			b->built += k == EDITION_BUNDLE;
			if (o->made)
				printf("%s  %9zu  %s\n", o->sha256, o->size, o->path);
		}
	if (b->only == NULL)
		write_index(&b->pr, b->dir, q->jobs, q->n, key, b->mtime, b->o.shard, b->o.nshards, b->wanted);
	else if (write_index_partial(&b->pr, b->plans, q->jobs, q->n, b->dir, key, b->mtime) == 0)
		b->refreshed = 1;
}

/* The closing line(s) on stdout. */
static void
build_summary(const struct build *b)
{
	size_t total = b->only ? 1 : b->wanted;

	if (b->o.nshards)
		printf(_("shard %zu of %zu: "), b->o.shard, b->o.nshards);
	printf(_("built %d of %zu bundle%s in %s\n"), b->built, total, total == 1 ? "" : "s",
	    b->dir ? b->dir : b->o.outdir);
	if (b->refreshed)
		printf(_("SHA256SUMS and index.html updated for every bundle in %s\n"), b->dir);
}

static void
build_release(struct build *b)
{
	size_t i, k;

	for (i = 0; i < b->q.n; i++)
		for (k = 0; k < EDITIONS_MAX; k++)
			output_release(&b->q.jobs[i].out[k]);
	free(b->q.jobs);
	shared_free(b->sh);
	leftovers_release(b->lock);
	for (i = 0; b->plans && i < b->pr.nvillages; i++)
		plan_free(b->plans[i]);
	free(b->plans);
	free(b->dir);
	if (b->loaded || b->pr.township)
		project_release(&b->pr);
	free(b->township);
	free(b->only);
	free(b->browser);
	if (b->key_loaded)
		minisign_key_release(&b->key);
}

int
cmd_build(int argc, char *argv[])
{
	struct build b = {
		.o = {.outdir = "dist", .jobs = sysconf(_SC_NPROCESSORS_ONLN), .share = 1,
		    .phone_budget = PHONE_BUDGET_DEFAULT, .progress_fd = -1},
		.q = {.lock = PTHREAD_MUTEX_INITIALIZER, .progress_fd = -1},
		.lock = -1,
	};
	int rc;

	if ((rc = build_options(&b.o, argc, argv)) != -1)
		return rc;
	if ((rc = build_start(&b, argv[optind])) != -1 || (rc = build_load(&b)) != -1)
		goto out;
	b.q.progress_fd = b.o.progress_fd;
	build_plan(&b);
	if (build_reviews(&b)) {
		rc = 1;
		goto out;
	}
	if (build_claim_folder(&b)) {
		build_run(&b.q, b.o.jobs);
		build_finish(&b);
	}
	build_summary(&b);
	rc = diag_exit() ? diag_exit() : (size_t)b.built == (b.only ? 1 : b.wanted) ? 0 : 1;
out:
	build_release(&b);
	return rc;
}
