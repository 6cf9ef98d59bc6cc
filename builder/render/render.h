/* Render: a village's plan into the pages of its bundle (HTML5, zh-CN
 * chrome, no script, nothing from the network).  Pages link to each
 * other and to assets by relative paths:
 *
 *     index.html                     the package's home
 *     style.css
 *     lessons/COURSE/LESSON.html     one page per lesson
 *     assets/COURSE/PATH             media, as in the course folder
 */
#ifndef COURSEPACK_RENDER_H
#define COURSEPACK_RENDER_H

#include <stddef.h>

#include "plan.h"
#include "project.h"
#include "util.h"

/* A media file a page uses: COURSE's file at PATH (relative to its
 * folder). */
struct asset_ref {
	const struct course *course;
	char *path;
	size_t bytes;	/* phone edition: bytes it adds inline */
};

struct asset_set {
	struct asset_ref *v;
	size_t n;
};

/* Adds (course, path) unless present (path is copied); returns its entry. */
struct asset_ref *asset_set_add(struct asset_set *, const struct course *, const char *path);
void asset_set_release(struct asset_set *);

/* The bundle path of a lesson's page, "lessons/COURSE/LESSON.html"
 * (caller frees). */
char *render_page_name(const struct lesson *);
/* A lesson's anchor in one-page editions, "COURSE--LESSON" (caller frees). */
char *render_anchor(const struct lesson *);

/* Where a lesson's links and images point, by edition. */
enum link_style {
	LINKS_PAGE,	/* lessons/C/L.html: assets at ../../assets/C/, lessons L.html */
	LINKS_EPUB,	/* the same layout, lessons L.xhtml */
	LINKS_PRINT,	/* print.html: assets at assets/C/, lessons #C--L */
	LINKS_PHONE,	/* one file: images inline as data: URIs, lessons #C--L, other media dropped */
	LINKS__COUNT
};

/* How lesson bodies with one kind of links are made, as the editions
 * using them need (editions_body_kinds): links go to lessons with one of
 * `modes`; `finish` (if any) turns cmark's HTML into the edition's form;
 * `zipped` bodies are deflated for archives, the others never. */
struct body_kind {
	unsigned modes;
	int zipped;
	char *(*finish)(const char *html);
};

/* Lesson i's Markdown as an HTML fragment for one edition (captions
 * under images for print and phone); media used go into `assets`, and
 * lessons linked to into `deps` (if given).  Links go to lessons of the
 * plan that have one of `modes` (those in the edition), and are dropped
 * to their text otherwise.  Caller frees. */
struct link_deps;
struct md_doc;
char *render_body(const struct plan *, size_t i, struct md_doc *md, enum link_style, unsigned modes,
    struct asset_set *assets, struct link_deps *deps);

/* The lessons a rendering links to, and whether each was in the plan it
 * was rendered for: the rendering holds for every plan that agrees. */
struct link_deps {
	const struct lesson **v;
	unsigned char *in;
	size_t n;
};
void link_deps_add(struct link_deps *, const struct lesson *, int in_plan);
int link_deps_hold(const struct link_deps *, const struct plan *);
void link_deps_release(struct link_deps *);
/* The page body with its tables wrapped for sideways scrolling. */
char *render_wrap_tables(const char *html);
/* Appends `s` HTML-escaped, and hours as "1.5". */
void render_hours(struct buf *, int tenths);
/* The documents a lesson is based on, discreetly, for the end of its
 * page: "依据：《…》中发〔2023〕1号，2023年1月2日"; nothing when it states
 * none. */
void render_sources(struct buf *, const struct lesson *);
/* "审核：NAME  日期：DATE" at the end of a lesson reviewed as it stands;
 * nothing for a lesson not reviewed, or changed since. */
void render_review(struct buf *, const struct lesson *);

/* Lesson i of the plan as a page around its rendered body (BODY_PAGE of
 * shared.h), into `out`; media the manifest lists for it are added to
 * `assets`. */
struct doc;
struct shared_text;
void render_lesson(const struct project *, const struct plan *, size_t i, struct shared_text *body,
    struct asset_set *assets, struct doc *out);
/* The package's home page.  Caller frees. */
char *render_index(const struct project *, const struct plan *);
/* The style sheet (built in). */
const char *render_stylesheet(size_t *len);

/* A note naming the lessons of `all` that `edition` (a view of it,
 * plan_view) leaves out, as not counted there, and where they are studied
 * instead (`where`, "要到村里…"). */
void render_outside(struct buf *, const struct plan *all, const struct plan *edition, const char *where);

/* The phone edition's form of image `rel` of course c as a data: URI
 * (caller frees), or NULL: a photo shrunk, upright and stripped, its size
 * in *w, *h; a drawing (SVG) as it is, with *w = *h = 0.  *bytes is the
 * URI's length. */
char *render_phone_picture(const struct course *c, const char *rel, int *w, int *h, size_t *bytes);
/* The id under which the phone edition defines that photo once. */
void render_picture_id(const struct course *c, const char *rel, char out[24]);

/* Chinese names for the page chrome; modes as members are told them
 * (集中学习, 田间课堂, 送学上门, 线上学习). */
const char *render_group_zh(enum group);
const char *render_mode_zh(enum mode);
const char *render_category_zh(const struct project *, const char *category);

#endif
