/* Editions: what a village receives, one row per edition in one table
 * (editions.c) that the package walks.  Each edition serves one member
 * group (or every member: the class pages) and holds exactly the lessons
 * that count for that group — plan_view(), whose totals are the coverage
 * `plan` reports:
 *
 *   zip      TOWNSHIP-VILLAGE.zip, the bundle itself, holding the rows
 *            that go into it:
 *   pages    the bundle's index.html, style.css and lesson pages, used in
 *            class sessions (every lesson);
 *   print    print.html, the large-print booklet for homebound members
 *            (送学上门): `home` lessons, and a study record sheet to sign;
 *   search   search.js, the pages' offline search index;
 *   scorm    imsmanifest.xml, for learning-management systems;
 *   phone    TOWNSHIP-VILLAGE-phone.html beside the bundle, one
 *            self-contained file for migrant members: `online` lessons;
 *   epub     TOWNSHIP-VILLAGE.epub beside the bundle: `online` lessons;
 *   pdf      TOWNSHIP-VILLAGE-print.pdf, with build --pdf: print.html as
 *            Chromium prints it (pdf.c).
 *
 * Every row that is a file of its own (all but IN_BUNDLE) is handled by
 * the build (cmd_build.c) and the catalogue (catalog.c) from its row
 * alone: its name from `file`, its column from `label`, its line in
 * SHA256SUMS from `sums`, its kind in shard records from `name`.
 *
 * To add an edition: write its `make` in a file of its own (against this
 * header, doc.h and archive.h only) and add its row; one beside the
 * bundle also needs its suffix and kind in schemas/shard.xsd, and verify
 * (cmd_verify.c) told how to check it.  README.md, "Adding an edition". */
#ifndef COURSEPACK_EDITIONS_H
#define COURSEPACK_EDITIONS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "archive.h"
#include "doc.h"
#include "plan.h"
#include "project.h"
#include "render.h"
#include "search.h"

/* What an edition is made from. */
struct edition_input {
	const struct project *pr;
	const struct plan *all;		/* the village's package */
	const struct plan *plan;	/* the lessons of this edition: all, or its group's view */
	struct shared_text *const *bodies;	/* bodies[i]: plan->lessons[i] rendered in the edition's links */
	const struct asset_set *lesson_media;	/* [i]: the media bodies[i] uses */
	const struct asset_set *media;		/* all of them */
	search_terms_get *terms;	/* plan->lessons[i]'s search terms */
	void *terms_ctx;
	struct asset_lender *lender;	/* lends course files to archives */
	const char *id;			/* TOWNSHIP-VILLAGE */
	time_t modified;		/* the build's entry time */
	size_t phone_budget;		/* bytes */
};

/* Where an edition goes. */
enum edition_place {
	IN_BUNDLE,	/* its files go into the bundle (out->ar is the bundle) */
	BUNDLE,		/* the bundle itself: the package's archive, no make */
	BESIDE_FILE,	/* one file beside the bundle, made in out->doc */
	BESIDE_ZIP,	/* a zip beside the bundle, made in out->ar */
	BESIDE_PDF,	/* a PDF beside the bundle, derived: no make; build --pdf
			 * prints the bundle's print.html (pdf.c) */
};

struct edition_output {
	struct archive *ar;
	struct doc *doc;
};

#define EDITION_EVERYONE (-1)	/* serves every group: all lessons */

struct edition {
	const char *name;		/* a file's: also its kind in shard records */
	const char *file;		/* IN_BUNDLE: its file, or NULL for several; else the
					 * suffix after TOWNSHIP-VILLAGE */
	int group;			/* enum group, or EDITION_EVERYONE */
	enum link_style links;		/* how its lesson bodies link (render.h) */
	enum edition_place place;
	/* Makes the edition (NULL: the bundle and the PDF, which the
	 * package and the build make).  Returns 0, or -1 after diagnosing. */
	int (*make)(const struct edition_input *, struct edition_output *);
	/* Turns a body cmark rendered into this edition's form, or NULL. */
	char *(*finish)(const char *html);
	/* A file of its own (not IN_BUNDLE): */
	const char *label;		/* its column on the catalogue page (zh-CN); the
					 * columns and the build's lines go in table order */
	int sums;			/* its place among a village's lines in SHA256SUMS */
};

#define EDITIONS_MAX 16			/* rows; editions.c checks */
#define EDITION_BUNDLE 0		/* the bundle's row */

extern const struct edition editions[];
extern const size_t neditions;

/* Whether the row is a file of its own beside the others: the bundle, the
 * editions beside it, the PDF. */
static inline int
edition_is_file(const struct edition *e)
{
	return e->place != IN_BUNDLE;
}

/* "TOWNSHIP-VILLAGE<suffix>", the name of a village's file of that row
 * (caller frees). */
char *edition_file_name(const struct edition *, const char *township, const char *village);
/* Removes every file of a village in dir, signatures too: what stands
 * in the folder is what a build made. */
void editions_remove_files(const char *dir, const char *township, const char *village);

/* How each kind of lesson body is made (render.h), from the editions
 * that use it: links go to lessons of the groups they serve, and bodies
 * are deflated when one of them is zipped. */
void editions_body_kinds(struct body_kind kinds[LINKS__COUNT]);

/* The editions' makers, one file each. */
int pages_make(const struct edition_input *, struct edition_output *);	/* pages.c */
int print_make(const struct edition_input *, struct edition_output *);	/* print.c */
int search_make(const struct edition_input *, struct edition_output *);	/* search.c */
int scorm_make(const struct edition_input *, struct edition_output *);	/* scorm.c */
int phone_make(const struct edition_input *, struct edition_output *);	/* phone.c */
int epub_make(const struct edition_input *, struct edition_output *);	/* epub.c */

#endif
