/* Plan: which lessons a village's package holds, in which order, and
 * whether every member group can reach its hours.  A pure function of
 * (library, recipe, village): no I/O, tested with structs built in
 * memory.
 *
 * Selection:
 *   1. every lesson of the recipe's core courses;
 *   2. for each by-need category, the courses of that category with a tag
 *      equal to one of the village's needs (core courses excepted): most
 *      matching needs first, then the one matching the need the village
 *      lists first, then by course id; at most max-courses;
 *   3. the village's activity, when it is a lesson of the recipe's
 *      activity course;
 *   4. every lesson of the courses the village includes (<include>).
 * A course the village excludes (<exclude>) is left out of steps 1 to 3,
 * except the course of the recipe's first lesson (check refuses that);
 * by need, the next-ranked course takes an excluded one's place.
 * Order: the recipe's first lesson, then the recipe's categories in
 * their order; within a category core courses in the recipe's order,
 * then by-need courses in rank order, then the courses the village
 * includes in the village's order, then the activity; within a course
 * the manifest's order.  Lessons of categories the recipe does not list
 * are left out.
 *
 * Remedies: for each shortfall, the courses of the library not in the
 * package whose lessons the short group can reach (of the short category,
 * or of any listed category for a total shortfall), most reachable hours
 * first, at most PLAN_MAX_REMEDIES, each with the recipe rule that would
 * take it in.  The recipe's activity course is never offered: a village
 * has one activity. */
#ifndef COURSEPACK_PLAN_H
#define COURSEPACK_PLAN_H

#include "model.h"

enum shortfall_kind {
	SHORT_TOTAL,		/* the group's total is under the recipe's */
	SHORT_CATEGORY,		/* one category is under its minimum */
};

/* Why a lesson is in the package. */
enum plan_source {
	SOURCE_FIRST,		/* the recipe's first lesson, outside the core */
	SOURCE_CORE,		/* a core course */
	SOURCE_NEED,		/* a course chosen by need */
	SOURCE_INCLUDED,	/* a course the village includes */
	SOURCE_ACTIVITY,	/* the village's activity */
};

/* What a village can do to take a course in. */
enum remedy_rule {
	REMEDY_NEED,		/* add the need `tag`: the category is chosen by need */
	REMEDY_INCLUDE,		/* add <include course="..."/> */
	REMEDY_UNEXCLUDE,	/* remove its <exclude course="..."/> */
};

#define PLAN_MAX_REMEDIES 5

struct remedy {
	size_t shortfall;		/* index into shortfalls */
	const struct course *course;
	int hours;			/* tenths the short group would reach in it */
	enum remedy_rule rule;
	const char *tag;		/* REMEDY_NEED: the tag to add as a need */
};

struct shortfall {
	enum group group;
	enum shortfall_kind kind;
	size_t category;	/* index into the recipe's categories (SHORT_CATEGORY) */
	int have, need;		/* tenths of hours */
};

struct plan {
	const struct village *village;
	const struct recipe *recipe;
	const struct lesson **lessons;	/* in package order; not owned */
	enum plan_source *sources;	/* per lesson: why it is there */
	size_t nlessons;
	const struct course **by_need;	/* courses chosen by need, in rank order */
	size_t nby_need;
	const struct course **cut;	/* matching, but past max-courses */
	size_t ncut;
	struct unmet {
		const struct ref *need;		/* a need no chosen course carries */
		const struct course *left_out;	/* one that does, cut by max-courses; or NULL */
	} *unmet;
	size_t nunmet;
	int *hours;			/* per recipe category */
	int *reach[GROUP__COUNT];	/* per group, per recipe category */
	int total, reach_total[GROUP__COUNT];
	struct shortfall *shortfalls;
	size_t nshortfalls;
	struct remedy *remedies;	/* by shortfall, best first */
	size_t nremedies;
};

/* Plans the village's package; the plan points into its arguments, which
 * must outlive it.  Free with plan_free. */
struct plan *plan_village(const struct library *, const struct recipe *, const struct village *);
void plan_free(struct plan *);

/* The lessons of p that count for members of group g (their modes reach
 * g), in package order, as a plan of their own whose total and hours per
 * category are what g reaches — the figures coverage reports.  Every
 * field but `lessons` points into p, which must outlive the view; free
 * the view with plan_view_release, never plan_free. */
void plan_view(const struct plan *p, enum group g, struct plan *view);
void plan_view_release(struct plan *view);

/* The recipe category index of a lesson of the plan. */
size_t plan_category_index(const struct plan *, const struct lesson *);

#endif
