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

/* GET /library, GET /lesson/..., GET /lesson-stamp/... */
serve_handler page_library;
serve_handler page_lesson;
serve_handler page_lesson_stamp;

/* GET and POST /attendance/... */
serve_handler page_attendance;
serve_handler page_attendance_post;

/* GET and POST /build, GET /download/... */
serve_handler page_build;
serve_handler page_build_post;
serve_handler page_download;

#endif
