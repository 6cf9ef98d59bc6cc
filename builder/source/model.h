/* The model: the library, recipe, villages and township as plain C
 * structs, built by load.c from validated XML and read by every later
 * stage.  Each struct owns its strings; the *_free functions accept NULL.
 * Hours are integer tenths of a class hour (15 = 1.5 h). */
#ifndef COURSEPACK_MODEL_H
#define COURSEPACK_MODEL_H

#include <stddef.h>

#include "diag.h"

enum mode {
	MODE_CLASSROOM = 1 << 0,
	MODE_FIELD = 1 << 1,
	MODE_HOME = 1 << 2,
	MODE_ONLINE = 1 << 3,
};

enum group {
	GROUP_RESIDENT,		/* reaches classroom and field lessons */
	GROUP_HOMEBOUND,	/* reaches home lessons */
	GROUP_MOBILE,		/* reaches online lessons */
	GROUP__COUNT
};

/* Mode names in canonical order, and parsing; mode_parse returns 0 for an
 * unknown name. */
const char *mode_name(enum mode);
enum mode mode_parse(const char *name);
const char *group_name(enum group);
/* The modes through which members of `group` are reached. */
unsigned group_modes(enum group);

/* An id or path someone wrote, and where. */
struct ref {
	char *id;
	struct loc loc;
};

struct category {
	char *id, *name, *description, *color;
	int order;
	int review_by_required;	/* review-by="required": its lessons must say when they go out of date */
	struct loc loc;
};

struct categories {
	char *path;
	struct category *v;
	size_t n;
};

/* A document a lesson is based on (<source>); number and date may be
 * NULL. */
struct source {
	char *title, *number, *date;
	struct loc loc;
};
struct review_log;

struct lesson {
	char *id;
	char *src;		/* relative to the course folder */
	char *title;		/* manifest title, else the Markdown's '# ...'; may be NULL until checked */
	int hours;
	unsigned modes;		/* enum mode bits */
	struct ref *assets;	/* listed <asset src> */
	size_t nassets;
	struct source *sources;	/* <source>, as listed */
	size_t nsources;
	char *review_by;	/* YYYY-MM-DD as written, or NULL */
	struct loc review_by_loc;
	struct loc loc, src_loc;
	struct course *course;	/* back pointer, not owned */
};

struct course {
	char *path;		/* the course.xml file, as given */
	char *dir;		/* its folder */
	char *id, *category, *lang, *title, *summary;
	char **authors;
	size_t nauthors;
	struct ref *tags;
	size_t ntags;
	struct lesson *lessons;
	size_t nlessons;
	struct review_log *reviews;	/* reviews.xml and each lesson's state (review.h); NULL until checked */
	struct loc loc;
};

struct library {
	char *dir;
	struct categories *categories;
	struct course **courses;	/* sorted by id */
	size_t ncourses;
};

struct recipe_category {
	char *ref;
	int min_hours;
	struct loc loc;
};

struct by_need {
	char *category;
	int max_courses;
	struct loc loc;
};

struct recipe {
	char *path, *id, *title, *season;
	char *season_start, *season_end;	/* <season start end>, as written, or NULL */
	struct loc season_loc, season_start_loc, season_end_loc;
	int min_hours;
	struct loc min_hours_loc;
	struct recipe_category *categories;	/* in package order */
	size_t ncategories;
	struct ref first_lesson;
	struct ref *core;
	size_t ncore;
	struct by_need *by_need;
	size_t nby_need;
	struct ref activity_course;	/* id NULL when none */
	int require_review;	/* require-review="true": every lesson reviewed as it stands */
	struct loc loc;
};

struct session {
	char *date, *place, *topic;
};

struct village {
	char *path, *id, *township, *kind, *name, *dialect;
	char *roster;		/* roster="…" as written (relative to path), or NULL */
	struct loc roster_loc;	/* of that attribute */
	int members[GROUP__COUNT];
	struct ref *needs;
	size_t nneeds;
	struct ref *includes, *excludes;	/* <include course>, <exclude course> */
	size_t nincludes, nexcludes;
	struct ref activity;	/* full lesson id; id NULL when none */
	char *activity_date;
	struct session *sessions;
	size_t nsessions;
	struct loc loc;
};

struct township {
	char *path, *dir, *id, *name, *county;
	struct ref recipe_src, library_src;
	struct ref *village_srcs;
	size_t nvillages;
	struct loc loc;
};

void categories_free(struct categories *);
void course_free(struct course *);
void library_free(struct library *);
void recipe_free(struct recipe *);
void village_free(struct village *);
void township_free(struct township *);

const struct category *categories_find(const struct categories *, const char *id);
const struct course *library_find_course(const struct library *, const char *id);
/* Finds "course/lesson". */
const struct lesson *library_find_lesson(const struct library *, const char *full_id);
int course_has_tag(const struct course *, const char *tag);
/* Whether the village's profile excludes the course. */
int village_excludes(const struct village *, const char *course);

#endif
