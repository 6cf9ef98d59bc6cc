/* The workspace's pages (pages_*.c): one handler per route (serve.h). */
#ifndef COURSEPACK_PAGES_H
#define COURSEPACK_PAGES_H

#include "serve.h"

/* pages_library.c: the course library, a lesson previewed as the bundle
 * renders it with its check diagnostics, the stamp the preview polls,
 * and the media of a course. */
void page_library(const struct serve_request *, struct serve_response *);		/* GET /library */
void page_lesson(const struct serve_request *, struct serve_response *);		/* GET /lesson/C/L */
void page_lesson_stamp(const struct serve_request *, struct serve_response *);		/* GET /lesson-stamp/C/L */
void page_lesson_media(const struct serve_request *, struct serve_response *);		/* GET /lesson-media/C/PATH */

/* pages_attendance.c: a village's attendance grid, chat text and filled
 * sheets into the ledger. */
void page_attendance(const struct serve_request *, struct serve_response *);		/* GET /attendance/[V] */
void page_attendance_post(const struct serve_request *, struct serve_response *);	/* POST /attendance/V */

/* pages_build.c: build and verify bundles, and download them. */
void page_build(const struct serve_request *, struct serve_response *);		/* GET /build */
void page_build_post(const struct serve_request *, struct serve_response *);		/* POST /build */
void page_download(const struct serve_request *, struct serve_response *);		/* GET /download/NAME */

/* The commands the build page runs in-process, exactly as the command
 * line does: set by the command that starts the server (cmd_build and
 * cmd_verify of builder/cli), which this stage cannot name.  NULL: the
 * build page says building is not available. */
struct pages_commands {
	int (*build)(int argc, char *argv[]);
	int (*verify)(int argc, char *argv[]);
};
extern struct pages_commands pages_commands;

/* Runs fn(arg) with what it prints on stdout captured (the commands'
 * summaries): returns it as a new string. */
char *pages_stdout(void (*fn)(void *), void *arg);

#endif
