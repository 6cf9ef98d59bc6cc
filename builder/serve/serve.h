/* coursepack serve: a local web workspace for township staff and
 * trainers, on libmicrohttpd (server.c), over the same engine as the
 * command line: every page calls the functions the commands call (plan,
 * check, render, ledger import and report, build, verify); no rule is
 * implemented twice.
 *
 * server.c owns the daemon, the limits, the Host check, the password on
 * non-loopback addresses, CSRF tokens, form and upload parsing, and the
 * routing.  Pages are handlers: pure functions from a request to a
 * response, in pages_*.c, listed in serve_routes[] (routes.c), so that
 * each can be tested without a socket. */
#ifndef COURSEPACK_SERVE_H
#define COURSEPACK_SERVE_H

#include <stddef.h>
#include <time.h>

#include "util.h"

#define SERVE_MAX_BODY (16u << 20)	/* a POST body: an upload of a sheet or chat text */
#define SERVE_MAX_FIELDS 4096		/* form fields and files of one request */

/* What the server serves: fixed when it starts, read-only to handlers. */
struct serve_ctx {
	const char *township;		/* township.xml path, or NULL (a library only) */
	const char *library;		/* the course library folder */
	const char *ledger;		/* the ledger path (ledger.sqlite beside township.xml unless --ledger) */
	const char *output;		/* where builds go: a folder of the server's own */
	const char *csrf;		/* this run's token: every POST form carries it as "csrf" */
	const char *self;		/* the coursepack program, which the build page runs */
};

/* A form field or an uploaded file (then filename is set). */
struct serve_field {
	char *name;
	char *value;			/* NUL-terminated; a file's bytes (may hold NULs: use len) */
	size_t len;
	char *filename;			/* an upload's name as the browser sent it, or NULL */
};

struct serve_request {
	const struct serve_ctx *ctx;
	const char *method;		/* "GET" or "POST" (HEAD answered as GET) */
	const char *path;		/* percent-decoded, starts with '/', no "..", no "//" */
	const struct serve_field *fields;	/* query string, then the POST body's fields and files */
	size_t nfields;
};

struct serve_response {
	int status;			/* 200 unless set */
	const char *content_type;	/* "text/html; charset=utf-8" unless set */
	struct buf body;
	char *location;			/* set: 303 See Other to it (after a POST) */
	char *download;			/* set: Content-Disposition attachment; filename=... */
	char *file;			/* set: the server sends this file (a bundle) instead of body */
};

/* A field's value (the first of that name), or NULL. */
const char *serve_field(const struct serve_request *, const char *name);
/* The n-th uploaded file (fields with a filename), or NULL. */
const struct serve_field *serve_file(const struct serve_request *, size_t n);

typedef void serve_handler(const struct serve_request *, struct serve_response *);

struct serve_route {
	const char *method;		/* "GET" or "POST" */
	const char *path;		/* "/village" matches "/village" and, when prefix, "/village/..." */
	int prefix;
	serve_handler *handle;
};

extern const struct serve_route serve_routes[];	/* routes.c; ends with path NULL */

/* The page chrome, the same on every page (page.c): <!DOCTYPE html>, the
 * title, the inline style, the navigation (乡镇, 课程库, 学时登记, 打包);
 * then the handler's content; then page_end.  Text is escaped with
 * buf_escape. */
void page_begin(struct buf *, const struct serve_ctx *, const char *title);
void page_end(struct buf *);
/* A hidden input with the CSRF token, for every POST form. */
void page_csrf(struct buf *, const struct serve_ctx *);
/* The diagnostics the engine printed while the handler ran (file, line,
 * message), as a list on the page, never a blank page. */
void page_diagnostics(struct buf *, const char *captured);

/* Runs fn(arg) with the diagnostics it prints captured (diag.c writes to
 * stderr): returns them as a new string ("" when none; caller frees).
 * Captures do not nest: fn must not call serve_capture. */
char *serve_capture(void (*fn)(void *), void *arg);

/* Serves ctx until SIGINT or SIGTERM (server.c): listen is "ADDR:PORT"
 * (NULL: 127.0.0.1:8080, or the next free port up to 20 above); an
 * address other than 127.0.0.1 or ::1 needs password_file, whose first
 * line is the password every request must give (HTTP Basic, any user).
 * Prints the URL to open on stdout.  Returns the exit status: 0 stopped
 * by a signal, 2 usage, 3 cannot listen. */
int serve_run(const struct serve_ctx *, const char *listen, const char *password_file);

#endif
