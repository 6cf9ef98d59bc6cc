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
serve_handler page_download;		/* GET /download/NAME */

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
