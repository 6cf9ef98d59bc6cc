#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "pdf.h"
#include "cache.h"
#include "util.h"
#include "zipfile.h"

#define PRINT_TIMEOUT 180	/* seconds one booklet may take */

char *
pdf_find_browser(void)
{
	static const char *const names[] = {"chromium", "chromium-browser", "google-chrome"};
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	size_t i;

	if (path == NULL)
		path = "/usr/bin:/bin";
	for (i = 0; i < NELEM(names); i++) {
		copy = xstrdup(path);
		for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
			char *p = path_join(*dir ? dir : ".", names[i]);

			if (access(p, X_OK) == 0) {
				free(copy);
				return p;
			}
			free(p);
		}
		free(copy);
	}
	return NULL;
}

static int
write_file(const char *path, const char *data, size_t len)
{
	char *dir = path_dirname(path);
	FILE *fp;
	int ok;

	/* Create the folders on the way; the names come from our package.  A
	 * folder that cannot be made is told by fopen. */
	(void)mkdirs(dir, 0700);
	free(dir);
	if ((fp = fopen(path, "wbe")) == NULL)
		return -1;
	ok = fwrite(data, 1, len, fp) == len;
	return fclose(fp) == 0 && ok ? 0 : -1;
}


/* file:// URL of an absolute path, percent-encoding all but the safe. */
static char *
file_url(const char *path)
{
	struct buf b = {0};
	const unsigned char *s = (const unsigned char *)path;

	buf_puts(&b, "file://");
	for (; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr("/-._~", *s))
			buf_add(&b, s, 1);
		else
			buf_printf(&b, "%%%02X", *s);
	}
	return buf_detach(&b);
}

/* Chromium stamps the PDF with the wall clock; put the build's time
 * there instead, in the same number of bytes. */
static void
fix_dates(char *pdf, size_t len, time_t when)
{
	struct tm tm;
	char stamp[16];
	size_t i;

	gmtime_r(&when, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
	for (i = 0; i + 17 < len; i++) {
		size_t k;

		if (memcmp(pdf + i, "(D:", 3) != 0)
			continue;
		for (k = 3; k < 17 && pdf[i + k] >= '0' && pdf[i + k] <= '9'; k++)
			;
		if (k == 17)
			memcpy(pdf + i + 3, stamp, 14);
	}
}

/* Closes every descriptor from `low` up, in a child between fork and
 * exec: the other workers' temporary and scratch files are no business
 * of the browser's, even a descriptor a library opened without
 * close-on-exec.  Only async-signal-safe calls. */
static void
close_from(int low)
{
	long max;
	int fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)low, ~0u, 0u) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 1 << 20)
		max = 1 << 20;
	for (fd = low; fd < max; fd++)
		close(fd);
}

/* Chromium and the helpers it starts run in a process group of their
 * own, so that ending the group ends them all: killing Chromium alone
 * would leave its helpers running.  The group is ended once the browser
 * has exited (helpers left behind are strays), and while the browser is
 * still unreaped, so its number cannot have gone to another process. */
static int
run(const char *browser, const char *profile, const char *pdf, const char *url)
{
	char *a_profile = xasprintf("--user-data-dir=%s", profile), *a_pdf = xasprintf("--print-to-pdf=%s", pdf);
	char *argv[] = {(char *)browser, "--headless", "--disable-gpu", "--no-first-run",
	    "--disable-background-networking", "--disable-component-update", "--disable-sync",
	    "--disable-default-apps", "--disable-extensions", "--disable-pdf-tagging", "--no-pdf-header-footer",
	    "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND", a_profile, a_pdf,
	    geteuid() == 0 ? "--no-sandbox" : (char *)url, geteuid() == 0 ? (char *)url : NULL, NULL};
	int status = -1, waited, ended = 0;
	pid_t pid, parent = getpid();

	if ((pid = fork()) == -1)
		goto out;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		setpgid(0, 0);
#ifdef PR_SET_PDEATHSIG
		/* A build killed outright takes Chromium with it, instead of
		 * leaving it printing into a folder no one will read. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
			_exit(127);
#else
		(void)parent;
#endif
		if (null != -1) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		close_from(STDERR_FILENO + 1);
		execv(browser, argv);
		_exit(127);
	}
	/* Also here: whichever of the two runs first, the group exists
	 * before we might signal it. */
	setpgid(pid, pid);
	for (waited = 0; waited < PRINT_TIMEOUT * 10; waited++) {
		siginfo_t si;
		int r;

		si.si_pid = 0;
		/* WNOWAIT: exited, but left unreaped until its group is ended. */
		r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
		if (r == 0 && si.si_pid == pid) {
			ended = 1;
			break;
		}
		if (r == -1 && errno != EINTR)
			break;
		nanosleep(&(struct timespec){0, 100000000}, NULL);
	}
	kill(-pid, SIGKILL);
	if (!ended)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!ended)
		status = -1;
out:
	free(a_profile);
	free(a_pdf);
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Prints page `name` of folder `dir` (made by us, deleted by the caller)
 * to `out`, with the PDF's dates set to `when`.  Returns 0; 1 when the
 * browser failed (for the caller to say which document); -1 after
 * diagnosing. */
static int
print_dir(const char *browser, const char *dir, const char *name, const char *out, time_t when)
{
	char *abs, *page, *url, *profile, *pdf, *data = NULL;
	size_t len;
	int rc = 1;

	if ((abs = realpath(dir, NULL)) == NULL) {
		diag(S_WRITE, NULL, dir, strerror(errno));
		return -1;
	}
	page = path_join(abs, name);
	url = file_url(page);
	profile = path_join(abs, "profile");
	pdf = path_join(abs, "print.pdf");
	if (run(browser, profile, pdf, url) == 0 && read_file(pdf, 1024u * 1024 * 1024, &data, &len) == 0) {
		fix_dates(data, len, when);
		rc = 0;
		if (write_file_atomic(out, data, len) == -1) {
			diag(S_WRITE, NULL, out, strerror(errno));
			rc = -1;
		}
	}
	free(data);
	free(pdf);
	free(profile);
	free(url);
	free(page);
	free(abs);
	return rc;
}

int
pdf_print(const char *browser, const struct package *pk, const char *workdir, const char *out, time_t when)
{
	char *tmpl = path_join(workdir, TEMP_PREFIX "print-XXXXXX"), *dir = NULL;
	size_t i;
	int rc = -1;

	if ((dir = mkdtemp(tmpl)) == NULL) {
		diag(S_WRITE, NULL, tmpl, strerror(errno));
		free(tmpl);
		return -1;
	}
	for (i = 0; i < pk->ar.nfiles; i++) {
		const struct archive_file *f = &pk->ar.files[i];
		char *p;
		int wrote;

		if (!package_print_input(f->name) && strncmp(f->name, "assets/", 7) != 0)
			continue;
		p = path_join(dir, f->name);
		if (f->state == AF_COURSE && f->asset->data) {
			wrote = write_file(p, f->asset->data, f->asset->size);
		} else if (f->state == AF_COURSE) {
			char *copy;
			size_t n;

			int fd = open_same(f->asset->path, &f->asset->id);

			/* Course files stay on disk until a bundle is written:
			 * the same file as was read then, or none. */
			if (fd == -1 || read_fd(fd, ZIP_MAX_ENTRY_BYTES, &copy, &n) == -1) {
				if (fd == -1 && errno == 0)
					diag(E_FILE_CHANGED, NULL, f->asset->path);
				else
					diag(S_READ, NULL, f->asset->path, strerror(errno));
				if (fd != -1)
					close(fd);
				free(p);
				goto out;
			}
			close(fd);
			wrote = write_file(p, copy, n);
			free(copy);
		} else {
			size_t n;
			char sha[65];

			/* print.html is streamed: it is all lessons long. */
			wrote = write_spans_atomic(p, f->data, f->chrome, f->spans, f->nspans, &n, sha);
			free(p);
			if (wrote == -1)
				goto out;
			continue;
		}
		if (wrote == -1) {
			diag(S_WRITE, NULL, p, strerror(errno));
			free(p);
			goto out;
		}
		free(p);
	}
	if ((rc = print_dir(browser, dir, "print.html", out, when)) == 1) {
		diag(E_PDF_FAILED, NULL, pk->id, browser);
		rc = -1;
	}
out:
	remove_tree(dir);
	free(dir);
	return rc;
}

int
pdf_print_page(const char *browser, const char *html, size_t len, const char *workdir, const char *name,
    const char *out, time_t when)
{
	char *tmpl = path_join(workdir, TEMP_PREFIX "print-XXXXXX"), *dir, *page;
	int rc = -1;

	if ((dir = mkdtemp(tmpl)) == NULL) {
		diag(S_WRITE, NULL, tmpl, strerror(errno));
		free(tmpl);
		return -1;
	}
	page = path_join(dir, "page.html");
	if (write_file(page, html, len) == -1)
		diag(S_WRITE, NULL, page, strerror(errno));
	else if ((rc = print_dir(browser, dir, "page.html", out, when)) == 1) {
		diag(E_PDF_PAGE_FAILED, NULL, name, browser);
		rc = -1;
	}
	remove_tree(dir);
	free(page);
	free(dir);
	return rc;
}
