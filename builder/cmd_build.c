/* coursepack build [-o DIR] [-j N] [--allow-short] TOWNSHIP|VILLAGE:
 * one bundle per village, DIR/TOWNSHIP/TOWNSHIP-VILLAGE.zip, with
 * SHA256SUMS and the township catalogue index.html beside them.
 *
 * Villages build in parallel, each into its own archive, so the bytes of
 * a bundle cannot depend on -j; libzip writes each to a temporary file
 * and renames it, so a bundle appears complete or not at all. */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "commands.h"
#include "crypto.h"
#include "package.h"
#include "pdf.h"
#include "plan.h"
#include "project.h"
#include "shared.h"
#include "util.h"
#include "zipfile.h"

#define DEFAULT_EPOCH 1672531200	/* 2023-01-01 00:00:00 UTC */
#define ZIP_EPOCH_MIN 315532800		/* 1980-01-01, the first DOS date */
#define ZIP_EPOCH_MAX 4354819199LL	/* 2107-12-31 23:59:59, the last */
#define MAX_JOBS 64

static const char usage_text[] =
    "usage: coursepack build [-o DIR] [-j N] [--allow-short] [--pdf] [--phone-budget SIZE] [--sign SECRETKEY]\n"
    "                        TOWNSHIP|VILLAGE\n";

/* A file written beside the bundles. */
struct output {
	char *path;		/* DIR/TOWNSHIP/NAME */
	char *file;		/* NAME */
	size_t size;
	char sha256[65];
};

struct job {
	const struct project *pr;
	const struct plan *plan;
	struct output bundle;	/* TOWNSHIP-VILLAGE.zip */
	struct output phone;	/* TOWNSHIP-VILLAGE-phone.html */
	struct output epub;	/* TOWNSHIP-VILLAGE.epub */
	struct output pdf;	/* TOWNSHIP-VILLAGE-print.pdf, with --pdf */
	const char *browser;	/* for --pdf */
	const struct minisign_key *key;	/* for --sign */
	const char *dir;
	struct shared *sh;	/* work done once for all villages */
	size_t phone_budget;
	time_t mtime;
	int ok;
};

struct queue {
	pthread_mutex_t lock;
	struct job *jobs;
	size_t n, next, done;
	int progress;
};

/* Entry times: SOURCE_DATE_EPOCH when set (reproducible-builds.org), else
 * a fixed date; never the clock. */
static int
entry_time(time_t *t)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	*t = DEFAULT_EPOCH;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < 0 || v > ZIP_EPOCH_MAX) {
		usage_error("build: SOURCE_DATE_EPOCH '%s' is not a number of seconds up to 2107 (zip's last year)", s);
		return -1;
	}
	*t = v < ZIP_EPOCH_MIN ? ZIP_EPOCH_MIN : (time_t)v;
	return 0;
}

/* "8M", "500K", "2000000": decimal units, as phones report sizes. */
static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		v *= 1000, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1000 * 1000, end++;
	if (end[0] == 'B' || end[0] == 'b')
		end++;
	if (*end != '\0' || v == 0 || v > 1000ull * 1000 * 1000)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
file_digest(const char *path, size_t *size, char out[65])
{
	char *data;
	size_t len;

	if (read_file(path, (size_t)ZIP_MAX_TOTAL_BYTES, &data, &len) == -1) {
		diag(S_READ, NULL, path, strerror(errno));
		return -1;
	}
	sha256_hex(data, len, out);
	*size = len;
	free(data);
	return 0;
}

static int write_atomic(const char *path, const char *data, size_t len);

/* FILE.minisig beside `path`, over the bytes just written.  The trusted
 * comment names the file and the signer, with the build's time. */
static int
sign_file(const struct minisign_key *k, const char *path, time_t when)
{
	char *data, *trusted, *sig, *sigpath;
	size_t len;
	int rc;

	if (k == NULL)
		return 0;
	if (read_file(path, (size_t)ZIP_MAX_TOTAL_BYTES, &data, &len) == -1) {
		diag(S_READ, NULL, path, strerror(errno));
		return -1;
	}
	{
		char id[17];

		/* minisign's own keys carry no name: say which key. */
		minisign_key_id(k->id, id);
		if (strncmp(k->comment, "minisign ", 9) == 0)
			trusted = xasprintf("timestamp:%lld\tfile:%s\tsigner:key %s", (long long)when,
			    path_basename(path), id);
		else
			trusted = xasprintf("timestamp:%lld\tfile:%s\tsigner:%s (key %s)", (long long)when,
			    path_basename(path), k->comment, id);
	}
	sig = minisign_sign(k, data, len, trusted);
	sigpath = xasprintf("%s.minisig", path);
	rc = write_atomic(sigpath, sig, strlen(sig));
	free(sigpath);
	free(sig);
	free(trusted);
	free(data);
	return rc;
}

static int
build_one(struct job *j)
{
	struct package pk;
	int rc = -1;

	if (package_build(j->pr, j->plan, j->sh, j->phone_budget, j->mtime, &pk) == -1)
		return -1;
	if (package_write_zip(pk.epub, j->epub.path, j->mtime) == -1 ||
	    file_digest(j->epub.path, &j->epub.size, j->epub.sha256) == -1)
		goto out;
	if (write_atomic(j->phone.path, pk.phone, pk.phone_len) == -1)
		goto out;
	j->phone.size = pk.phone_len;
	sha256_hex(pk.phone, pk.phone_len, j->phone.sha256);
	if (package_write_zip(&pk, j->bundle.path, j->mtime) == -1)
		goto out;
	if (file_digest(j->bundle.path, &j->bundle.size, j->bundle.sha256) == -1)
		goto out;
	if (j->browser && (pdf_print(j->browser, &pk, j->dir, j->pdf.path, j->mtime) == -1 ||
	    file_digest(j->pdf.path, &j->pdf.size, j->pdf.sha256) == -1))
		goto out;
	if (sign_file(j->key, j->bundle.path, j->mtime) == -1 || sign_file(j->key, j->phone.path, j->mtime) == -1 ||
	    sign_file(j->key, j->epub.path, j->mtime) == -1 ||
	    (j->browser && sign_file(j->key, j->pdf.path, j->mtime) == -1))
		goto out;
	rc = 0;
out:
	package_release(&pk);
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
		pthread_mutex_unlock(&q->lock);

		j->ok = build_one(j) == 0;
		if (!j->ok) {
			/* No stale files for a failed village. */
			remove_outputs(j->dir, j->pr->township->id, j->plan->village->id);
		}

		pthread_mutex_lock(&q->lock);
		q->done++;
		if (q->progress)
			fprintf(stderr, "\rcoursepack: built %zu of %zu bundles", q->done, q->n);
		pthread_mutex_unlock(&q->lock);
	}
}

static int
mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0777) == -1 && errno != EEXIST)
		rc = -1;
	if (rc == -1)
		diag(S_WRITE, NULL, p, strerror(errno));
	free(p);
	return rc;
}

static int
write_atomic(const char *path, const char *data, size_t len)
{
	if (write_file_atomic(path, data, len) == 0)
		return 0;
	diag(S_WRITE, NULL, path, strerror(errno));
	return -1;
}

/* A village not built leaves no files of an earlier build behind: what
 * stands in the folder is what this build made. */
static void
remove_outputs(const char *dir, const char *township, const char *village)
{
	static const char *const suffixes[] = {".zip", "-phone.html", ".epub", "-print.pdf", ".zip.minisig",
	    "-phone.html.minisig", ".epub.minisig", "-print.pdf.minisig"};
	size_t i;

	for (i = 0; i < NELEM(suffixes); i++) {
		char *name = xasprintf("%s-%s%s", township, village, suffixes[i]), *path = path_join(dir, name);

		unlink(path);
		free(path);
		free(name);
	}
}

static int
job_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct built *)a)->file, ((const struct built *)b)->file);
}

/* SHA256SUMS in the format sha256sum -c reads, and the catalogue. */
static int
write_index(const struct project *pr, const char *dir, struct job *jobs, size_t n, const struct minisign_key *key,
    time_t when)
{
	struct built *v = xcalloc(n, sizeof *v);
	struct buf sums = {0};
	char *path, *html;
	size_t i, k = 0;
	int rc;

	for (i = 0; i < n; i++)
		if (jobs[i].ok) {
			v[k].plan = jobs[i].plan;
			v[k].file = jobs[i].bundle.file;
			v[k].size = jobs[i].bundle.size;
			memcpy(v[k].sha256, jobs[i].bundle.sha256, sizeof v[k].sha256);
			v[k].epub_file = jobs[i].epub.file;
			v[k].epub_size = jobs[i].epub.size;
			memcpy(v[k].epub_sha256, jobs[i].epub.sha256, sizeof v[k].epub_sha256);
			v[k].pdf_file = jobs[i].browser ? jobs[i].pdf.file : NULL;
			memcpy(v[k].pdf_sha256, jobs[i].pdf.sha256, sizeof v[k].pdf_sha256);
			v[k].phone_file = jobs[i].phone.file;
			v[k].phone_size = jobs[i].phone.size;
			memcpy(v[k].phone_sha256, jobs[i].phone.sha256, sizeof v[k].phone_sha256);
			k++;
		}
	html = catalog_render(pr, v, k);
	if (k > 1)
		qsort(v, k, sizeof *v, job_name_cmp);
	/* Every file beside the bundles but the catalogue, by name. */
	for (i = 0; i < k; i++) {
		buf_printf(&sums, "%s  %s\n", v[i].phone_sha256, v[i].phone_file);
		buf_printf(&sums, "%s  %s\n", v[i].sha256, v[i].file);
		buf_printf(&sums, "%s  %s\n", v[i].epub_sha256, v[i].epub_file);
		if (v[i].pdf_file)
			buf_printf(&sums, "%s  %s\n", v[i].pdf_sha256, v[i].pdf_file);
	}
	path = path_join(dir, "SHA256SUMS");
	rc = write_atomic(path, sums.data ? sums.data : "", sums.len);
	if (rc == 0)
		rc = sign_file(key, path, when);
	free(path);
	path = path_join(dir, "index.html");
	if (rc == 0)
		rc = write_atomic(path, html, strlen(html));
	free(path);
	free(html);
	buf_release(&sums);
	free(v);
	return rc;
}

int
cmd_build(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"jobs", required_argument, NULL, 'j'},
		{"allow-short", no_argument, NULL, 'S'},
		{"phone-budget", required_argument, NULL, 'B'},
		{"pdf", no_argument, NULL, 'P'},
		{"sign", required_argument, NULL, 'K'},
		/* Not in --help: the benchmark's baseline, every village
		 * rendering and deflating everything itself. */
		{"no-share", no_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *outdir = "dist";
	struct check_stats st = {0};
	struct project pr;
	struct plan **plans = NULL;
	struct queue q = {.lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_t threads[MAX_JOBS];
	char *township = NULL, *only = NULL, *dir = NULL, *end;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int ch, allow_short = 0, rc = 0, loaded = 0, built = 0;
	size_t phone_budget = PHONE_BUDGET_DEFAULT;
	int want_pdf = 0, key_loaded = 0, share = 1;
	struct shared *sh = NULL;
	char *browser = NULL;
	const char *keyfile = NULL;
	struct minisign_key key;
	time_t mtime;
	size_t i, nthreads;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:ho:j:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			outdir = optarg;
			break;
		case 'j':
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || *end || jobs < 1 || jobs > MAX_JOBS) {
				usage_error("build: -j wants a number from 1 to %d, not '%s'", MAX_JOBS, optarg);
				return 2;
			}
			break;
		case 'S':
			allow_short = 1;
			break;
		case 'P':
			want_pdf = 1;
			break;
		case 'N':
			share = 0;
			break;
		case 'K':
			keyfile = optarg;
			break;
		case 'B':
			if (parse_size(optarg, &phone_budget) == -1) {
				usage_error("build: --phone-budget wants a size like 8M, 500K or 2000000, not '%s'", optarg);
				return 2;
			}
			break;
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
	if (jobs < 1)
		jobs = 1;
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	if (entry_time(&mtime) == -1)
		return 2;
	if (hash_init() == -1) {
		usage_error("build: libsodium cannot start");
		return 3;
	}
	if (want_pdf && (browser = pdf_find_browser()) == NULL) {
		diag(E_PDF_NO_BROWSER, NULL);
		return 1;
	}
	if (keyfile) {
		char *text;
		size_t len;
		const char *why;

		if (read_file(keyfile, 4096, &text, &len) == -1) {
			diag(S_OPEN, NULL, keyfile, strerror(errno));
			free(browser);
			return 3;
		}
		if (minisign_parse_secret(text, &key, &why) == -1) {
			struct loc loc = {keyfile, 0, 0};

			diag(E_SIG_KEY, &loc, why);
			minisign_key_release(&key);
			sodium_wipe(text, len);
			free(text);
			free(browser);
			return 1;
		}
		sodium_wipe(text, len);
		free(text);
		key_loaded = 1;
	}
	if ((township = project_resolve(argv[optind], &only)) == NULL)
		return diag_exit();
	if (project_load(&pr, township, NULL, NULL, &st) == -1 || pr.errors) {
		usage_error("build: fix the problems above first; nothing was built");
		rc = diag_exit() ? diag_exit() : 1;
		goto out;
	}
	loaded = 1;
	sh = shared_new(pr.library, share);

	plans = xcalloc(pr.nvillages, sizeof *plans);
	q.jobs = xcalloc(pr.nvillages, sizeof *q.jobs);
	dir = path_join(outdir, pr.township->id);
	for (i = 0; i < pr.nvillages; i++) {
		struct plan *p;

		if (only && !streq(pr.village_paths[i], only))
			continue;
		p = plans[i] = plan_village(pr.library, pr.recipe, pr.villages[i]);
		if (p->nshortfalls && !allow_short) {
			diag(E_BUILD_SHORT, &pr.villages[i]->loc, p->village->id);
			remove_outputs(dir, pr.township->id, p->village->id);
			continue;
		}
		if (p->nshortfalls)
			diag(W_BUILT_SHORT, &pr.villages[i]->loc, p->village->id);
		q.jobs[q.n].pr = &pr;
		q.jobs[q.n].plan = p;
		q.jobs[q.n].bundle.file = xasprintf("%s-%s.zip", pr.township->id, p->village->id);
		q.jobs[q.n].bundle.path = path_join(dir, q.jobs[q.n].bundle.file);
		q.jobs[q.n].phone.file = xasprintf("%s-%s-phone.html", pr.township->id, p->village->id);
		q.jobs[q.n].phone.path = path_join(dir, q.jobs[q.n].phone.file);
		q.jobs[q.n].epub.file = xasprintf("%s-%s.epub", pr.township->id, p->village->id);
		q.jobs[q.n].epub.path = path_join(dir, q.jobs[q.n].epub.file);
		q.jobs[q.n].phone_budget = phone_budget;
		q.jobs[q.n].sh = sh;
		q.jobs[q.n].browser = browser;
		q.jobs[q.n].key = key_loaded ? &key : NULL;
		q.jobs[q.n].dir = dir;
		q.jobs[q.n].pdf.file = xasprintf("%s-%s-print.pdf", pr.township->id, p->village->id);
		q.jobs[q.n].pdf.path = path_join(dir, q.jobs[q.n].pdf.file);
		q.jobs[q.n].mtime = mtime;
		q.n++;
	}
	if (only && q.n == 0 && diag_count(DL_ERROR) == 0) {
		struct loc loc = {only, 0, 0};

		diag(E_VILLAGE_UNLISTED, &loc, only);
	}
	if ((q.n > 0 || only == NULL) && mkdirs(dir) == 0) {
		q.progress = isatty(STDERR_FILENO);
		nthreads = (size_t)jobs < q.n ? (size_t)jobs : q.n;
		for (i = 0; i < nthreads; i++)
			if (pthread_create(&threads[i], NULL, worker, &q) != 0) {
				nthreads = i;
				break;
			}
		if (nthreads == 0)
			worker(&q);
		for (i = 0; i < nthreads; i++)
			pthread_join(threads[i], NULL);
		if (q.progress)
			fputc('\n', stderr);
		for (i = 0; i < q.n; i++)
			if (q.jobs[i].ok) {
				built++;
				printf("%s  %9zu  %s\n", q.jobs[i].bundle.sha256, q.jobs[i].bundle.size,
				    q.jobs[i].bundle.path);
				printf("%s  %9zu  %s\n", q.jobs[i].phone.sha256, q.jobs[i].phone.size,
				    q.jobs[i].phone.path);
				printf("%s  %9zu  %s\n", q.jobs[i].epub.sha256, q.jobs[i].epub.size,
				    q.jobs[i].epub.path);
				if (browser)
					printf("%s  %9zu  %s\n", q.jobs[i].pdf.sha256, q.jobs[i].pdf.size,
					    q.jobs[i].pdf.path);
			}
		if (only == NULL)
			write_index(&pr, dir, q.jobs, q.n, key_loaded ? &key : NULL, mtime);
	}
	{
		size_t total = only ? 1 : pr.nvillages;

		printf("built %d of %zu bundle%s in %s\n", built, total, total == 1 ? "" : "s", dir ? dir : outdir);
		if (only && built)
			printf("SHA256SUMS and index.html were not updated: build the township to refresh them\n");
	}
	rc = diag_exit() ? diag_exit() : built == (int)(only ? 1 : pr.nvillages) ? 0 : 1;
out:
	for (i = 0; i < q.n; i++) {
		free(q.jobs[i].bundle.path);
		free(q.jobs[i].bundle.file);
		free(q.jobs[i].phone.path);
		free(q.jobs[i].phone.file);
		free(q.jobs[i].epub.path);
		free(q.jobs[i].epub.file);
		free(q.jobs[i].pdf.path);
		free(q.jobs[i].pdf.file);
	}
	free(q.jobs);
	shared_free(sh);
	for (i = 0; plans && i < pr.nvillages; i++)
		plan_free(plans[i]);
	free(plans);
	free(dir);
	if (loaded || pr.township)
		project_release(&pr);
	free(township);
	free(only);
	free(browser);
	if (key_loaded)
		minisign_key_release(&key);
	return rc;
}
