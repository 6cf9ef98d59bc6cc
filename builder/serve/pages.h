/* The handlers of coursepack serve, one group per file: the township and
 * village pages (pages_township.c), the course library (pages_library.c),
 * the class-hour register (pages_attendance.c), building and downloading
 * bundles (pages_build.c).  serve_routes[] (routes.c) maps paths to them. */
#ifndef COURSEPACK_PAGES_H
#define COURSEPACK_PAGES_H

#include "serve.h"

/* GET /: the township; GET /village/ID: one village (pages_township.c). */
serve_handler page_township;
serve_handler page_village;
/* GET /sheets/ID/signin.html, home.html, attendance.csv: its sheets to print. */
serve_handler page_sheets;

/* pages_library.c: the course library, a lesson previewed as the bundle
 * renders it with its check diagnostics, the stamp the preview polls,
 * and the media of a course. */
serve_handler page_library;		/* GET /library */
serve_handler page_lesson;		/* GET /lesson/C/L */
serve_handler page_lesson_stamp;	/* GET /lesson-stamp/C/L */
serve_handler page_lesson_media;	/* GET /lesson-media/C/PATH */

/* pages_attendance.c: a village's attendance grid, chat text and filled
 * sheets into the ledger. */
serve_handler page_attendance;		/* GET /attendance/[V] */
serve_handler page_attendance_post;	/* POST /attendance/V */

/* pages_build.c: build and verify bundles, and download them. */
serve_handler page_build;		/* GET /build */
serve_handler page_build_post;		/* POST /build */
serve_handler page_build_status;	/* GET /build/status */
serve_handler page_download;		/* GET /download/NAME */

/* build_job.c: the one build the build page runs at a time, in a child
 * process (`coursepack build --progress-fd 3`, then `coursepack verify`),
 * so that the server answers everyone while it runs.  Called only from
 * the daemon's thread, and build_job_stop once the daemon has stopped. */
enum build_state { BUILD_NONE, BUILD_RUNNING, BUILD_OK, BUILD_FAILED };
enum { BUILD_START_OK, BUILD_START_BUSY, BUILD_START_LOCKED, BUILD_START_ERROR };

/* Starts building source (township.xml or a village's file) into
 * ctx->output, whose files land in dir (OUTPUT/TOWNSHIP) named prefix...
 * (NULL: all).  Returns BUILD_START_OK; _BUSY when one of ours runs;
 * _LOCKED when another coursepack build holds dir; _ERROR (errno set). */
int build_job_start(const struct serve_ctx *, const char *source, const char *village, const char *dir,
    const char *prefix);
/* At shutdown: SIGTERM to the child's process group, then waits for it. */
void build_job_stop(void);

/* What the build page and /build/status show of the last build. */
struct build_view {
	enum build_state state;
	int verifying;			/* the verify step has begun */
	size_t done, total;		/* villages */
	char current[128];		/* the village begun last */
	long long elapsed;		/* seconds */
	int build_exit, verify_exit;	/* -1: not (yet) */
	const char *village, *dir, *prefix;	/* as given to build_job_start, or NULL */
	char *log;			/* build.log: both commands' output */
};
/* Fills v, having reaped the child if it ended (WNOHANG) and moved on
 * (a build that succeeded is verified next); 0 when no build was
 * started. */
int build_job_view(struct build_view *v);
void build_view_release(struct build_view *v);
/* v as the JSON object /build/status answers. */
void build_view_json(struct buf *, const struct build_view *v);

/* Runs fn(arg) with what it prints on stdout captured (the commands'
 * summaries): returns it as a new string. */
char *pages_stdout(void (*fn)(void *), void *arg);

#endif
