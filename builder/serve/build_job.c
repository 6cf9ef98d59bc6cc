/* The build page's one build at a time (pages.h), run outside the request:
 * `coursepack build --progress-fd 3` in a child process of its own process
 * group, then `coursepack verify` of what it made, each with stdin
 * /dev/null and its output in OUTPUT/.serve-build/build.log (a folder of
 * mode 0700 that nothing downloads or serves but /build/status).  The
 * engine's globals stay with the server's single thread; the daemon's
 * thread only spawns, reads two small files and reaps with WNOHANG.
 *
 * State lives here, touched only from the daemon's thread (handlers run
 * one at a time) and, once the daemon has stopped, by build_job_stop. */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pages.h"
#include "util.h"

#define PRIVATE_DIR ".serve-build"
#define LOG_LIMIT (4u << 20)	/* read back at most this much of the log */
#define LOG_LINES 40		/* the last lines /build/status sends */

extern char **environ;

static struct {
	enum build_state state;
	int verifying;		/* the verify step runs (or ran) */
	pid_t pid;		/* the running child, or 0 */
	int build_exit, verify_exit;	/* -1: not run (yet) */
	char *self;		/* the coursepack program */
	char *village;		/* the village asked for, or NULL: all */
	char *dir;		/* OUTPUT/TOWNSHIP */
	char *prefix;		/* its files' names start so, or NULL: all */
	char *log, *progress;	/* the private folder's files */
	struct timespec began, ended;
} job = {BUILD_NONE, 0, 0, -1, -1, NULL, NULL, NULL, NULL, NULL, NULL, {0, 0}, {0, 0}};

/* The private folder, made 0700 and never a link; its path, or NULL
 * (errno set). */
static char *
private_dir(const char *output)
{
	char *dir = path_join(output, PRIVATE_DIR);
	struct stat st;

	errno = 0;
	if ((mkdir(dir, 0700) == -1 && errno != EEXIST) || lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    ((st.st_mode & 077) && chmod(dir, 0700) == -1)) {
		if (errno == 0 || errno == EEXIST)
			errno = ENOTDIR;
		free(dir);
		return NULL;
	}
	return dir;
}

/* An fd for path, above the standard three (so the child's dup2 to 1, 2
 * and 3 never meets one of them), close-on-exec. */
static int
open_high(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600), high;

	if (fd == -1 || fd > 3)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return high;
}

/* Starts `self argv...` with stdin /dev/null, stdout and stderr to the log
 * (appended) and fd 3 to the progress file (when progress): its pid, or
 * -1 (errno set). */
static pid_t
spawn(char *const argv[], int progress)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	int logfd, pfd = -1, err;
	pid_t pid = -1;

	if ((logfd = open_high(job.log, O_WRONLY | O_CREAT | O_APPEND)) == -1)
		return -1;
	if (progress && (pfd = open_high(job.progress, O_WRONLY | O_CREAT | O_TRUNC)) == -1) {
		err = errno;
		close(logfd);
		errno = err;
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, logfd, 1);
	posix_spawn_file_actions_adddup2(&fa, logfd, 2);
	if (pfd != -1)
		posix_spawn_file_actions_adddup2(&fa, pfd, 3);
	/* Its own process group, so that stopping the server stops it and
	 * whatever it started; the server blocks SIGINT and SIGTERM (sigwait)
	 * and ignores SIGPIPE: the child must not inherit that. */
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawn(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(logfd);
	if (pfd != -1)
		close(pfd);
	if (err) {
		errno = err;
		return -1;
	}
	return pid;
}

/* Whether another `coursepack build` works in dir now (it holds the
 * folder's lock, leftovers.c): then this one is not started. */
static int
folder_busy(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), busy;

	if (fd == -1)
		return 0;
	busy = flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

static void job_poll(void);

static void
job_clear(void)
{
	free(job.self);
	free(job.village);
	free(job.dir);
	free(job.prefix);
	free(job.log);
	free(job.progress);
	job.self = job.village = job.dir = job.prefix = job.log = job.progress = NULL;
}

int
build_job_start(const struct serve_ctx *ctx, const char *source, const char *village, const char *dir,
    const char *prefix)
{
	char *priv, *argv[8];
	pid_t pid;

	job_poll();
	if (job.state == BUILD_RUNNING)
		return BUILD_START_BUSY;
	if (folder_busy(dir))
		return BUILD_START_LOCKED;
	if (ctx->self == NULL) {
		errno = ENOENT;
		return BUILD_START_ERROR;
	}
	if ((priv = private_dir(ctx->output)) == NULL)
		return BUILD_START_ERROR;
	job_clear();
	job.log = path_join(priv, "build.log");
	job.progress = path_join(priv, "progress");
	free(priv);
	unlink(job.log);
	argv[0] = (char *)ctx->self;
	argv[1] = "build";
	argv[2] = "-o";
	argv[3] = (char *)ctx->output;
	argv[4] = "--progress-fd";
	argv[5] = "3";
	argv[6] = (char *)source;
	argv[7] = NULL;
	if ((pid = spawn(argv, 1)) == -1)
		return BUILD_START_ERROR;
	job.pid = pid;
	job.state = BUILD_RUNNING;
	job.verifying = 0;
	job.build_exit = job.verify_exit = -1;
	job.self = xstrdup(ctx->self);
	job.village = village ? xstrdup(village) : NULL;
	job.dir = xstrdup(dir);
	job.prefix = prefix ? xstrdup(prefix) : NULL;
	clock_gettime(CLOCK_MONOTONIC, &job.began);
	return BUILD_START_OK;
}

/* After a build that succeeded: verify the bundles it made (those of
 * the village asked for, or all). */
static void
start_verify(void)
{
	char **names = NULL, **argv;
	size_t i, n = 0, nv = 2;
	pid_t pid = -1;

	if (list_dir(job.dir, &names, &n) == -1)
		n = 0;
	argv = xcalloc(n + 3, sizeof *argv);
	argv[0] = xstrdup(job.self);
	argv[1] = xstrdup("verify");
	for (i = 0; i < n; i++)
		if (names[i][0] != '.' && has_suffix(names[i], ".zip") &&
		    (job.prefix == NULL || strncmp(names[i], job.prefix, strlen(job.prefix)) == 0))
			argv[nv++] = path_join(job.dir, names[i]);
	free_names(names, n);
	job.verifying = 1;
	if (nv > 2)
		pid = spawn(argv, 0);
	for (i = 0; i < nv; i++)
		free(argv[i]);
	free(argv);
	if (pid == -1) {
		/* Nothing to verify (or no process to do it): not a success. */
		job.state = BUILD_FAILED;
		clock_gettime(CLOCK_MONOTONIC, &job.ended);
	} else
		job.pid = pid;
}

/* Reaps the child if it ended (WNOHANG) and moves on: a build that
 * succeeded is verified next. */
static void
job_poll(void)
{
	int st;
	pid_t r;

	if (job.state != BUILD_RUNNING || job.pid <= 0)
		return;
	while ((r = waitpid(job.pid, &st, WNOHANG)) == -1 && errno == EINTR)
		;
	if (r == 0)
		return;
	/* Gone (or not ours any more: -1): its exit status, 128+N for a
	 * signal as a shell says it. */
	st = r == -1 ? 3 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	job.pid = 0;
	if (!job.verifying) {
		job.build_exit = st;
		if (st == 0) {
			start_verify();
			return;
		}
	} else
		job.verify_exit = st;
	job.state = job.build_exit == 0 && job.verify_exit == 0 ? BUILD_OK : BUILD_FAILED;
	clock_gettime(CLOCK_MONOTONIC, &job.ended);
}

void
build_job_stop(void)
{
	int i;

	if (job.state == BUILD_RUNNING && job.pid > 0) {
		/* SIGTERM to its group; after 5 s, SIGKILL: the server stops. */
		kill(-job.pid, SIGTERM);
		for (i = 0; i < 50 && waitpid(job.pid, NULL, WNOHANG) == 0; i++)
			usleep(100 * 1000);
		if (i == 50) {
			kill(-job.pid, SIGKILL);
			while (waitpid(job.pid, NULL, 0) == -1 && errno == EINTR)
				;
		}
		job.pid = 0;
		job.state = BUILD_FAILED;
	}
	job_clear();
	job.state = BUILD_NONE;
}

/* Progress from the progress file: total, villages done, the village
 * begun last. */
static void
read_progress(struct build_view *v)
{
	char *data = NULL, *line, *next;
	size_t len;

	if (job.progress == NULL || read_file(job.progress, 1 << 20, &data, &len) == -1)
		return;
	for (line = data; line && *line; line = next) {
		size_t k, t;
		char id[128];

		next = strchr(line, '\n');
		if (next == NULL)
			break;	/* a line still being written */
		*next++ = '\0';
		if (sscanf(line, "total %zu", &t) == 1)
			v->total = t;
		else if (sscanf(line, "done %zu/%zu", &k, &t) == 2) {
			v->done = k;
			v->total = t;
		} else if (sscanf(line, "start %127s", id) == 1)
			snprintf(v->current, sizeof v->current, "%s", id);
	}
	free(data);
}

int
build_job_view(struct build_view *v)
{
	const struct timespec *end = job.state == BUILD_RUNNING ? NULL : &job.ended;
	struct timespec now;
	size_t len;

	memset(v, 0, sizeof *v);
	job_poll();
	v->state = job.state;
	if (job.state == BUILD_NONE)
		return 0;
	if (end == NULL) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		end = &now;
	}
	v->elapsed = end->tv_sec - job.began.tv_sec - (end->tv_nsec < job.began.tv_nsec);
	v->verifying = job.verifying;
	v->build_exit = job.build_exit;
	v->verify_exit = job.verify_exit;
	v->village = job.village;
	v->dir = job.dir;
	v->prefix = job.prefix;
	read_progress(v);
	if (read_file(job.log, LOG_LIMIT, &v->log, &len) == -1)
		v->log = xstrdup("");
	return 1;
}

void
build_view_release(struct build_view *v)
{
	free(v->log);
	v->log = NULL;
}

static void
json_string(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_puts(b, "\"");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&')
			buf_printf(b, "\\u%04x", c);
		else
			buf_add(b, &s[i], 1);
	}
	buf_puts(b, "\"");
}

/* The log's lines, last `max` of them, as a JSON array; only the
 * diagnostics ("coursepack: " first, that left out) when diags. */
static void
json_lines(struct buf *b, const char *log, int diags, size_t max)
{
	const char *s, *starts[LOG_LINES];
	size_t n = 0, i, first;

	for (s = log; *s; ) {
		size_t l = strcspn(s, "\n");

		if (!diags || strncmp(s, "coursepack: ", 12) == 0)
			starts[n++ % LOG_LINES] = s;
		s += l;
		if (*s == '\n')
			s++;
	}
	if (max > LOG_LINES)
		max = LOG_LINES;
	first = n > max ? n - max : 0;
	buf_puts(b, "[");
	for (i = first; i < n; i++) {
		const char *line = starts[i % LOG_LINES];
		size_t l = strcspn(line, "\n");

		if (diags) {
			line += 12;
			l -= 12;
		}
		if (i > first)
			buf_puts(b, ",");
		json_string(b, line, l);
	}
	buf_puts(b, "]");
}

static const char *const state_names[] = {"none", "running", "ok", "failed"};

void
build_view_json(struct buf *b, const struct build_view *v)
{
	buf_printf(b, "{\"state\":\"%s\",\"step\":\"%s\",\"village\":", state_names[v->state],
	    v->state == BUILD_NONE ? "" : v->verifying ? "verify" : "build");
	if (v->village)
		json_string(b, v->village, strlen(v->village));
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"done\":%zu,\"total\":%zu,\"current\":", v->done, v->total);
	json_string(b, v->current, strlen(v->current));
	buf_printf(b, ",\"elapsed\":%lld,\"exit\":", (long long)v->elapsed);
	if (v->build_exit >= 0)
		buf_printf(b, "%d", v->build_exit);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"verify_exit\":");
	if (v->verify_exit >= 0)
		buf_printf(b, "%d", v->verify_exit);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"diagnostics\":");
	json_lines(b, v->log ? v->log : "", 1, LOG_LINES);
	buf_puts(b, ",\"log\":");
	json_lines(b, v->log ? v->log : "", 0, LOG_LINES);
	buf_puts(b, "}\n");
}
