/* coursepack info BUNDLE: what a bundle holds — village, recipe, lessons
 * by category with hours, coverage per member group, files and sizes —
 * read from its manifest (use verify to trust it). */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_reader.h"
#include "commands.h"
#include "i18n.h"
#include "util.h"

static const char usage_text[] = "usage: coursepack info BUNDLE\n";

static void
text_of(const struct xml_node *parent, const char *name, const char *attr, char **out)
{
	const struct xml_node *n = xml_first(parent, name);

	*out = n ? (attr ? xml_attr(n, attr) : xml_text(n)) : NULL;
	if (*out == NULL)
		*out = xstrdup("?");
}

/* Hours as plan prints them, "16.0". */
static void
hours_fixed(int tenths, char out[16])
{
	snprintf(out, 16, "%d.%d", tenths / 10, tenths % 10);
}

int
cmd_info(int argc, char *argv[])
{
	const struct xml_node *root, *n, *hours;
	char *village, *vid, *township, *tid, *recipe, *rid, *gen, *genv, h[16];
	struct bundle b;
	unsigned long long unpacked = 0, packed = 0;
	size_t i;
	int rc, nlessons = 0;

	if ((rc = options_help_only(argc, argv, usage_text)) != -1)
		return rc;
	if (argc - optind != 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (bundle_open(&b, argv[optind], NULL, NULL) == -1) {
		bundle_release(&b);
		return diag_exit() ? diag_exit() : 1;
	}
	root = xml_root(b.manifest);
	text_of(root, "village", NULL, &village);
	text_of(root, "village", "id", &vid);
	text_of(root, "township", NULL, &township);
	text_of(root, "township", "id", &tid);
	text_of(root, "recipe", NULL, &recipe);
	text_of(root, "recipe", "id", &rid);
	text_of(root, "generator", "name", &gen);
	text_of(root, "generator", "version", &genv);
	printf(_("%s\n  village    %s (%s), %s (%s)\n  recipe     %s (%s), at least "), argv[optind], village,
	    vid, township, tid, recipe, rid);
	hours_fixed(manifest_hours(xml_first(root, "recipe"), "min-hours"), h);
	printf(_("%s h per member\n  generator  %s %s\n"), h, gen, genv);
	for (n = xml_first(xml_first(root, "lessons"), "lesson"); n; n = xml_next(n, "lesson"))
		nlessons++;
	hours = xml_first(root, "hours");
	hours_fixed(manifest_hours(hours, "total"), h);
	printf(_("  lessons    %d, %s h\n"), nlessons, h);
	for (n = xml_first(hours, "category"); n; n = xml_next(n, "category")) {
		char *ref = xml_attr(n, "ref"), need[16];
		const struct xml_node *l;
		int count = 0;

		for (l = xml_first(xml_first(root, "lessons"), "lesson"); l; l = xml_next(l, "lesson")) {
			char *cat = xml_attr(l, "category");

			count += streq(cat, ref);
			free(cat);
		}
		hours_fixed(manifest_hours(n, "hours"), h);
		hours_fixed(manifest_hours(n, "min-hours"), need);
		printf(_("    %-14s %3d lesson%s %6s h  (at least %s)\n"), ref, count, count == 1 ? " " : "s", h, need);
		free(ref);
	}
	/* After the categories: they belong to the lessons line. */
	{
		char *rv = bundle_review_summary(&b);

		if (rv)
			printf(_("  reviews    %s\n"), rv);
		free(rv);
	}
	fputs(_("  coverage\n"), stdout);
	for (n = xml_first(hours, "group"); n; n = xml_next(n, "group")) {
		char *ref = xml_attr(n, "ref"), *members = xml_attr(n, "members"), *complete = xml_attr(n, "complete");

		hours_fixed(manifest_hours(n, "hours"), h);
		fputs("    ", stdout);
		put_padded(stdout, manifest_group_word(ref), 10);
		printf(_(" %6s members %6s h  %s\n"), members, h,
		    streq(complete, "true") ? _("complete") : _("short"));
		free(ref);
		free(members);
		free(complete);
	}
	for (i = 0; i < zipr_count(b.zip); i++) {
		unpacked += zipr_entry(b.zip, i)->size;
		packed += zipr_entry(b.zip, i)->csize;
	}
	printf(_("  files      %zu, %llu bytes, %llu compressed\n"), zipr_count(b.zip), unpacked, packed);
	free(village);
	free(vid);
	free(township);
	free(tid);
	free(recipe);
	free(rid);
	free(gen);
	free(genv);
	bundle_release(&b);
	return 0;
}
