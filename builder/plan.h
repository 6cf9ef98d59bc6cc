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
 *      activity course.
 * Order: the recipe's first lesson, then the recipe's categories in
 * their order; within a category core courses in the recipe's order,
 * then by-need courses in rank order, then the activity; within a course
 * the manifest's order.  Lessons of categories the recipe does not list
 * are left out. */
#ifndef COURSEPACK_PLAN_H
#define COURSEPACK_PLAN_H

#include "model.h"

enum shortfall_kind {
	SHORT_TOTAL,		/* the group's total is under the recipe's */
	SHORT_CATEGORY,		/* one category is under its minimum */
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
