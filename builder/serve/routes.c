/* Which handler answers which path (serve.h): the server tries them in
 * order; a prefix route matches its path and everything below it. */
#include <stddef.h>

#include "pages.h"

const struct serve_route serve_routes[] = {
	{"GET", "/", 0, page_township},
	{"GET", "/village/", 1, page_village},
	{"GET", "/sheets/", 1, page_sheets},
	{"GET", "/library", 0, page_library},
	{"GET", "/lesson/", 1, page_lesson},
	{"GET", "/lesson-stamp/", 1, page_lesson_stamp},
	{"GET", "/lesson-media/", 1, page_lesson_media},
	{"GET", "/attendance/", 1, page_attendance},
	{"POST", "/attendance/", 1, page_attendance_post},
	{"GET", "/build", 0, page_build},
	{"POST", "/build", 0, page_build_post},
	{"GET", "/build/status", 0, page_build_status},
	{"GET", "/download/", 1, page_download},
	{NULL, NULL, 0, NULL},
};
