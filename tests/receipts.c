/* Test tool, not part of coursepack: reads chat text on standard input
 * and prints each receipt receipt.c finds, checked against the build
 * ids given, one line each:
 *   LINE<TAB>ok|bad-code|unparsable<TAB>BUNDLE-INDEX<TAB>NAME<TAB>LESSONS<TAB>FIRST<TAB>LAST[<TAB>WHY]
 * Usage: receipts BUILD-ID... <chat.txt */
#include <stdio.h>
#include <stdlib.h>

#include "receipt.h"
#include "util.h"

int
main(int argc, char **argv)
{
	static const char *const st[] = {"ok", "bad-code", "unparsable"};
	struct buf in = {0};
	struct receipts rs;
	char chunk[65536];
	size_t n, i;

	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		buf_add(&in, chunk, n);
	if (ferror(stdin) || receipts_parse(in.data ? in.data : "", in.len, (const char *const *)argv + 1,
	    (size_t)(argc - 1), &rs) == -1) {
		fprintf(stderr, "receipts: cannot read the text\n");
		return 1;
	}
	for (i = 0; i < rs.n; i++) {
		const struct receipt *r = &rs.v[i];
		char *les = receipt_lessons_format(r->lessons, r->nlessons);

		printf("%zu\t%s\t%d\t%s\t%s\t%s\t%s", r->line, st[r->status], r->bundle, r->name ? r->name : "",
		    les, r->first, r->last);
		if (r->why)
			printf("\t%s", r->why);
		putchar('\n');
		free(les);
	}
	receipts_release(&rs);
	buf_release(&in);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
