/* A chat export, or text pasted from the village chat, with the receipts
 * (学习回执) that members send from the phone edition (receipt.h).
 *
 * Chat is noisy by nature, so a receipt that cannot be counted is a
 * warning with its line, left out, and the good ones are imported (with
 * --strict, such a warning fails the import).  A receipt counts when its
 * check code fits the phone edition of a village of this township and
 * season, its village is that edition's, and its name is one member of
 * that village (names compared as receipt_name_normalise makes them);
 * nothing is guessed.  Each lesson it lists becomes an online claim,
 * without a date: the receipt gives a span, not a day per lesson, and the
 * same lesson in a later receipt is then the same record. */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ledger.h"
#include "receipt.h"
#include "util.h"

int
chat_recognise(const struct import_input *in)
{
	return in->table == NULL;
}

/* The phone edition of each village: its build id and its lessons (the
 * mobile group's view, in the order the edition numbers them). */
struct chat {
	struct import *im;
	const char *path;
	char **ids;
	struct plan **plans;
	struct plan *views;
	const struct village **villages;
	size_t n;
};

static void
chat_release(struct chat *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->ids[i]);
		plan_view_release(&c->views[i]);
		plan_free(c->plans[i]);
	}
	free(c->ids);
	free(c->plans);
	free(c->views);
	free(c->villages);
}

static void
chat_editions(struct chat *c)
{
	const struct project *pr = c->im->pr;
	size_t i;

	c->ids = xcalloc(pr->nvillages + 1, sizeof *c->ids);
	c->plans = xcalloc(pr->nvillages + 1, sizeof *c->plans);
	c->views = xcalloc(pr->nvillages + 1, sizeof *c->views);
	c->villages = xcalloc(pr->nvillages + 1, sizeof *c->villages);
	for (i = 0; i < pr->nvillages; i++) {
		const struct village *v = pr->villages[i];
		char *package;

		if (v == NULL)
			continue;
		package = xasprintf("%s-%s", pr->township->id, v->id);
		c->ids[c->n] = receipt_build_id(package, pr->recipe->id);
		free(package);
		c->plans[c->n] = plan_village(pr->library, pr->recipe, v);
		plan_view(c->plans[c->n], GROUP_MOBILE, &c->views[c->n]);
		c->villages[c->n] = v;
		c->n++;
	}
}

/* The one member of the village the receipt's name is; NULL after
 * warning, or on a system error (c->im's ledger diagnosed it: *failed). */
static const char *
chat_member(struct chat *c, const struct receipt *r, const struct village *v, const struct loc *loc, int *failed)
{
	const struct ledger_member *m;
	const char *found = NULL;
	size_t n, i, count = 0;
	int roster;

	if ((m = import_members(c->im, v->id, &n, &roster)) == NULL) {
		*failed = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		char *norm = receipt_name_normalise(m[i].name, strlen(m[i].name));

		if (norm && streq(norm, r->name_norm)) {
			found = m[i].member;
			count++;
		}
		free(norm);
	}
	if (count == 1)
		return found;
	if (count == 0)
		diag(W_RECEIPT_NAME, loc, r->name, v->id);
	else
		diag(W_RECEIPT_NAMESAKE, loc, r->name, v->id, count);
	return NULL;
}

/* One receipt: its claims, or a warning.  0 when counted, 1 when left
 * out, -1 on a system error. */
static int
chat_receipt(struct chat *c, const struct receipt *r)
{
	struct loc loc = {c->path, (int)r->line, 0};
	const struct village *v;
	const struct plan *view;
	const char *member;
	size_t i;
	int failed = 0;

	if (r->status == RECEIPT_UNPARSABLE) {
		diag(W_RECEIPT_UNPARSABLE, &loc, r->why);
		return 1;
	}
	if (r->status == RECEIPT_BAD_CODE) {
		diag(W_RECEIPT_CODE, &loc, r->code, r->name ? r->name : "");
		return 1;
	}
	v = c->villages[r->bundle];
	view = &c->views[r->bundle];
	if (r->village && !streq(r->village, v->name)) {
		diag(W_RECEIPT_VILLAGE, &loc, r->village, v->name);
		return 1;
	}
	if ((member = chat_member(c, r, v, &loc, &failed)) == NULL)
		return failed ? -1 : 1;
	for (i = 0; i < r->nlessons; i++)
		if (r->lessons[i] < 1 || (size_t)r->lessons[i] > view->nlessons) {
			diag(W_RECEIPT_LESSON, &loc, r->lessons[i], v->id, view->nlessons);
			return 1;
		}
	for (i = 0; i < r->nlessons; i++) {
		const struct lesson *ls = view->lessons[r->lessons[i] - 1];
		char *lesson = xasprintf("%s/%s", ls->course->id, ls->id);
		struct ledger_record rec = {RECORD_CLAIM, v->id, member, lesson, CHANNEL_ONLINE, NULL, NULL, NULL};
		char identity[65];
		enum ledger_added a = ledger_add_record(c->im->l, c->im->id, (int)r->line, &rec, identity);

		free(lesson);
		switch (a) {
		case LEDGER_ADDED:
			c->im->added++;
			break;
		case LEDGER_SAME:
			c->im->same++;
			break;
		case LEDGER_CONFLICT:
			diag(E_LEDGER_CONFLICT, &loc, identity);
			return -1;
		case LEDGER_FAILED:
			return -1;
		}
	}
	return 0;
}

int
chat_import(struct import *im, const struct import_input *in)
{
	struct chat c = {im, in->path, NULL, NULL, NULL, NULL, 0};
	struct receipts rs;
	struct loc loc = {in->path, 0, 0};
	size_t i;
	int rc = 0, truncated;

	chat_editions(&c);
	if (receipts_parse(in->data, in->len, (const char *const *)c.ids, c.n, &rs) == -1) {
		char *max = human_size(RECEIPT_TEXT_MAX);

		diag(E_RECEIPT_TOO_LARGE, &loc, max);
		free(max);
		chat_release(&c);
		return -1;
	}
	if ((truncated = rs.truncated))
		diag(W_RECEIPT_MANY, &loc, RECEIPT_MAX);
	for (i = 0; i < rs.n && rc != -1; i++)
		switch (chat_receipt(&c, &rs.v[i])) {
		case -1:
			rc = -1;
			break;
		case 1:
			im->left_out++;
			break;
		default:
			break;
		}
	receipts_release(&rs);
	chat_release(&c);
	if (rc == 0 && im->strict && (im->left_out || truncated)) {
		diag(E_RECEIPT_STRICT, &loc, im->left_out);
		rc = -1;
	}
	return rc;
}
