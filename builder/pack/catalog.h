/* The township catalogue: index.html beside the bundles, for
 * distributors and staff — each village's bundle with its size and hash,
 * hours by category, coverage, and a bar chart (inline SVG, no script) —
 * and SHA256SUMS.
 *
 * Both are made from a `struct catalog`, which a build fills from its
 * plans and a sharded build also saves (shard-I-of-N.xml, see
 * schemas/shard.xsd), so that `coursepack catalog` can merge shards into
 * the folder one whole build would have made. */
#ifndef COURSEPACK_CATALOG_H
#define COURSEPACK_CATALOG_H

#include <time.h>

#include <stddef.h>

#include "editions.h"
#include "model.h"

struct minisign_key;

/* A file beside the bundles. */
struct catalog_file {
	char *name;		/* e.g. "xiayang-jili.zip"; NULL when not built */
	size_t size;
	char sha256[65];
};

#define SHARDS_MAX 10000	/* build --shard I/N: N at most this */

struct catalog_row {
	size_t order;		/* the village's place in the township's list */
	char *village;		/* its name */
	struct catalog_file files[EDITIONS_MAX];	/* [k]: of editions[k], a file row */
	int *hours;		/* per recipe category, tenths */
	int total;
	int members[GROUP__COUNT], reach[GROUP__COUNT], complete[GROUP__COUNT];
};

struct catalog_category {
	char *name;		/* Chinese */
	char *colour;		/* "#rrggbb" */
};

struct catalog {
	char *township;		/* id */
	char *county;		/* may be NULL */
	char *name;		/* the township's */
	char *title;		/* the recipe's */
	char *season;		/* the recipe's; may be NULL (a record of an older build) */
	int min_hours;
	struct catalog_category *cats;	/* the recipe's categories, in order */
	size_t ncats;
	struct catalog_row *rows;	/* in the township's order */
	size_t nrows;
	size_t planned;		/* a shard: villages it was to build */
	size_t villages;	/* a shard: villages of the whole township */
	char source[65];	/* a shard: project_digest of what it was built from */
	char **missing;		/* names of the villages not built or failed, in order; */
	size_t nmissing;	/* not saved in a shard record (a merge has none) */
};

/* A stacked horizontal bar chart as inline SVG (no script): one bar per
 * row, one coloured part per series, the legend below.  The catalogue's
 * hours by category per village, and the ledger report's members. */
struct chart_bar {
	const char *label;
	const int *values;	/* per series */
	int total;		/* the figure after the bar */
};

struct bar_chart {
	const char *title;	/* for screen readers and tooltips */
	const char *id;		/* of the title element, unique in the page */
	const struct catalog_category *series;
	size_t nseries;
	const struct chart_bar *bars;
	size_t nbars;
	int counts;		/* values are people (人), else hours (学时) in tenths */
};

struct buf;
void bar_chart(struct buf *, const struct bar_chart *);

/* The catalogue page and SHA256SUMS (caller frees). */
char *catalog_render(const struct catalog *);
char *catalog_sums(const struct catalog *);
/* Saves/loads a shard's part; load returns 0, or -1 after diagnosing. */
int catalog_save(const struct catalog *, size_t shard, size_t nshards, const char *path);
int catalog_load(const char *path, struct catalog *, size_t *shard, size_t *nshards);
void catalog_release(struct catalog *);
/* SHA256SUMS (signed with k, when given) and index.html in dir: 0, or -1
 * after diagnosing. */
int catalog_write(const struct catalog *, const char *dir, const struct minisign_key *k, time_t when);

#endif
