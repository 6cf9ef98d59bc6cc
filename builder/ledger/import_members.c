/* The members of each village as the ledger knows them, loaded once per
 * import and forgotten when an importer adds members there: what names in
 * sheets and receipts are matched against. */
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "util.h"

/* The members of one village, loaded when first asked for. */
struct village_members {
	char *village;
	struct ledger_member *v;
	size_t n;
	int roster;		/* some member is on an imported roster */
};

const struct ledger_member *
import_members(struct import *im, const char *village, size_t *n, int *roster)
{
	struct import_cache *c = im->cache;
	struct village_members *vm;
	size_t i;

	for (i = 0; i < c->n && !streq(c->v[i].village, village); i++)
		;
	if (i == c->n) {
		c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
		vm = &c->v[c->n];
		memset(vm, 0, sizeof *vm);
		if (ledger_village_members(im->l, village, &vm->v, &vm->n) == -1)
			return NULL;
		vm->village = xstrdup(village);
		for (i = 0; i < vm->n && !vm->v[i].on_roster; i++)
			;
		vm->roster = i < vm->n;
		c->n++;
	} else
		vm = &c->v[i];
	*n = vm->n;
	*roster = vm->roster;
	return vm->v ? vm->v : (const struct ledger_member *)"";
}

void
import_forget(struct import *im, const char *village)
{
	struct import_cache *c = im->cache;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (streq(c->v[i].village, village)) {
			ledger_members_free(c->v[i].v, c->v[i].n);
			free(c->v[i].village);
			c->v[i] = c->v[--c->n];
			return;
		}
}

void
import_cache_release(struct import_cache *c)
{
	while (c->n)
		import_forget(&(struct import){.cache = c}, c->v[0].village);
	free(c->v);
}

