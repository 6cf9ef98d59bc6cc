/* ledger import: every file in one transaction, its kind recognised from
 * its content (ledger_importers[]), and the members of each village as
 * the ledger knows them, shared by the importers that match names.
 *
 * A file is read whole (at most LEDGER_MAX_INPUT), hashed, and read as a
 * table (table.h: CSV in UTF-8 or GB18030, or .xlsx) unless it is chat
 * text holding receipts.  A file imported before (same hash) changes
 * nothing.  Any bad row of any file rolls the whole import back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "i18n.h"
#include "ledger.h"
#include "receipt.h"
#include "roster.h"
#include "util.h"

#define LEDGER_MAX_INPUT (64u << 20)

static const struct table_limits sheet_limits = {LEDGER_MAX_INPUT, 1000000, 4096, 4096};

/* Chat text is recognised by its receipts; anything else must read as a
 * table.  0, or -1 after diagnosing. */
static int
read_input(struct import_input *in, struct table *t)
{
	in->table = NULL;
	if (memmem(in->data, in->len, RECEIPT_MARK, strlen(RECEIPT_MARK)) != NULL)
		return 0;
	if (table_parse(t, in->path, in->data, in->len, &sheet_limits) == -1)
		return -1;
	in->table = t;
	return 0;
}

/* One file into the open transaction: 0, 1 when it had bad rows (all
 * named), -1 on a system error (diagnosed). */
static int
import_file(struct import *im, const char *path)
{
	struct loc loc = {path, 0, 0};
	struct import_input in = {path, NULL, 0, NULL};
	const struct ledger_importer *k;
	struct table t;
	char sha[65], *data = NULL, *already = NULL;
	size_t len;
	int rc = 1;

	if (read_file(path, LEDGER_MAX_INPUT, &data, &len) == -1)
		return -1;
	in.data = data;
	in.len = len;
	sha256_hex(data, len, sha);
	if (read_input(&in, &t) == -1)
		goto out;
	for (k = ledger_importers; k->kind && !k->recognise(&in); k++)
		;
	if (k->kind == NULL) {
		diag(E_LEDGER_KIND, &loc);
		goto out;
	}
	if (ledger_add_import(im->l, path_basename(path), sha, k->kind, &im->id, &already) == -1) {
		rc = -1;
		goto out;
	}
	if (already) {
		printf(_("%s: %s, already imported on %s: nothing changed\n"), path, _(k->kind), already);
		free(already);
		rc = 0;
		goto out;
	}
	im->added = im->same = im->left_out = im->members = 0;
	if (k->import(im, &in) == -1) {
		rc = diag_count(DL_SYSERR) ? -1 : 1;
		goto out;
	}
	if (im->members)
		printf(_("%s: %s, %zu members\n"), path, _(k->kind), im->members);
	else if (im->left_out)
		printf(_("%s: %s, %zu new records, %zu already in the ledger; receipts left out (see the warnings): %zu\n"),
		    path, _(k->kind), im->added, im->same, im->left_out);
	else
		printf(_("%s: %s, %zu new records, %zu already in the ledger\n"), path, _(k->kind), im->added,
		    im->same);
	rc = 0;
out:
	if (in.table)
		table_release(&t);
	free(data);
	return rc;
}

static int
import_all(struct ledger *l, const struct project *pr, char **files, size_t nfiles, int strict, int dry_run)
{
	struct import_cache cache = {NULL, 0};
	struct import im = {l, pr, 0, strict, 0, 0, 0, 0, &cache};
	size_t i;
	int bad = 0, rc;

	if (ledger_begin(l) == -1)
		return -1;
	for (i = 0; i < nfiles && bad >= 0; i++)
		if ((rc = import_file(&im, files[i])) == -1)
			bad = -1;
		else
			bad += rc;
	import_cache_release(&cache);
	if (bad) {
		ledger_rollback(l);
		if (bad > 0)
			fprintf(stderr, "coursepack: %s\n", _("nothing imported: correct the rows named above and import again"));
		return bad > 0 ? 1 : -1;
	}
	if (dry_run) {
		ledger_rollback(l);
		return 0;
	}
	return ledger_commit(l) == -1 ? -1 : 0;
}

int
ledger_import(struct ledger *l, const struct project *pr, char **files, size_t nfiles, int strict)
{
	return import_all(l, pr, files, nfiles, strict, 0);
}

int
ledger_import_dry_run(struct ledger *l, const struct project *pr, char **files, size_t nfiles, int strict)
{
	return import_all(l, pr, files, nfiles, strict, 1);
}

/* --- rosters ----------------------------------------------------------- */

static int
header_has(const struct table *t, const char *zh, const char *en)
{
	size_t i;

	if (t->nrows == 0)
		return 0;
	for (i = 0; i < t->rows[0].ncells; i++) {
		char *h = table_trimmed(t->rows[0].cells[i]);
		int yes = streq(h, zh) || strcasecmp_ascii(h, en) == 0;

		free(h);
		if (yes)
			return 1;
	}
	return 0;
}

/* A header with 姓名 and 类别 and no 村 column. */
static int
roster_recognise(const struct import_input *in)
{
	return in->table && header_has(in->table, "姓名", "name") && header_has(in->table, "类别", "group") &&
	    !header_has(in->table, "村", "village");
}

/* The village whose roster the file is: the one whose roster it is found
 * as (roster_locate), else the one its name (without .csv/.xlsx) is the
 * id of. */
static const struct village *
roster_village(const struct project *pr, const char *path)
{
	char *want = path_normalize(path), *dir = path_dirname(pr->township->path), *base;
	const struct village *found = NULL;
	size_t i, n;

	for (i = 0; i < pr->nvillages && found == NULL; i++) {
		char *p = NULL;

		if (pr->villages[i] == NULL)
			continue;
		if (roster_locate(pr->villages[i], dir, &p) == 0 && p && streq(p, want))
			found = pr->villages[i];
		free(p);
	}
	base = xstrdup(path_basename(path));
	n = strlen(base);
	if (n > 4 && (has_suffix(base, ".csv") || has_suffix(base, ".CSV")))
		base[n - 4] = '\0';
	else if (n > 5 && (has_suffix(base, ".xlsx") || has_suffix(base, ".XLSX")))
		base[n - 5] = '\0';
	for (i = 0; i < pr->nvillages && found == NULL; i++)
		if (pr->villages[i] && streq(pr->villages[i]->id, base))
			found = pr->villages[i];
	free(base);
	free(dir);
	free(want);
	return found;
}

static int
roster_import(struct import *im, const struct import_input *in)
{
	struct loc loc = {in->path, 0, 0};
	const struct village *v = roster_village(im->pr, in->path);
	struct roster *ro;
	size_t i;
	int bad = 0;

	if (v == NULL) {
		diag(E_LEDGER_ROSTER_VILLAGE, &loc);
		return -1;
	}
	if (roster_from_table(in->table, v->id, &ro) == -1)
		return -1;
	roster_check_counts(ro, v);
	for (i = 0; i < ro->nmembers; i++) {
		const struct member *m = &ro->members[i];
		struct loc at = {in->path, m->line, 0};
		char *known = NULL;

		switch (ledger_roster_member(im->l, im->id, v->id, m->id ? m->id : m->name, m->name,
		    group_name(m->group), &known)) {
		case -1:
			roster_free(ro);
			return -1;
		case 1:
			diag(E_SHEET_MEMBER_NAME, &at, m->id ? m->id : m->name, v->id, known, m->name);
			free(known);
			bad++;
			break;
		default:
			im->members++;
			break;
		}
	}
	import_forget(im, v->id);
	roster_free(ro);
	return bad ? -1 : 0;
}

/* A header with 村, 姓名 and some lesson column (course/lesson). */
static int
sheet_recognise(const struct import_input *in)
{
	size_t i;

	if (!in->table || !header_has(in->table, "村", "village") || !header_has(in->table, "姓名", "name"))
		return 0;
	for (i = 0; i < in->table->rows[0].ncells; i++)
		if (in->table->rows[0].cells[i] && strchr(in->table->rows[0].cells[i], '/'))
			return 1;
	return 0;
}

const struct ledger_importer ledger_importers[] = {
	{N_("chat export with receipts"), chat_recognise, chat_import},
	{N_("roster"), roster_recognise, roster_import},
	{N_("attendance sheet"), sheet_recognise, sheet_import},
	{NULL, NULL, NULL},
};
