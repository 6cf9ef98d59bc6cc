/* Reviews (builder/source/review.c): the canonical text a signature
 * covers, the content hash, dates, and a signed record checked back. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "review.h"
#include "unit.h"
#include "util.h"

void
test_review(void)
{
	struct review_file files[2] = {
		{"01-site.md", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"media/a b.jpg", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
	};
	struct review r = {
		.lesson = "site", .by = "林某", .date = "2022-10-12", .note = "第一行\n第二行 \\ 完",
		.files = files, .nfiles = 2,
	};
	char *text = review_canonical("zongzi-leaf", &r), hash[65], hash2[65];
	char *want = xasprintf("coursepack review 1\nlesson zongzi-leaf/site\nby 林某\ndate 2022-10-12\n"
	    "note 第一行\\n第二行 \\\\ 完\nfile %s 01-site.md\nfile %s media/a b.jpg\n", files[0].sha256,
	    files[1].sha256);

	EXPECT_STR(text, want, "review: canonical text, note escaped, files in order");
	free(text);
	free(want);
	r.note = NULL;
	text = review_canonical("zongzi-leaf", &r);
	EXPECT(text && strstr(text, "\nnote \nfile ") != NULL, "review: no note is an empty note line");
	free(text);

	review_content_hash(files, 2, hash);
	text = xasprintf("%s  01-site.md\n%s  media/a b.jpg\n", files[0].sha256, files[1].sha256);
	sha256_hex(text, strlen(text), hash2);
	free(text);
	EXPECT_STR(hash, hash2, "review: content hash is SHA-256 over 'SHA256  PATH' lines");
	files[1].sha256[0] = 'c';
	review_content_hash(files, 2, hash2);
	EXPECT(strcmp(hash, hash2) != 0, "review: one media byte changes the content hash");

	EXPECT(review_date_valid("2022-10-12"), "review: a real date");
	EXPECT(review_date_valid("2024-02-29"), "review: 29 February of a leap year");
	EXPECT(!review_date_valid("2023-02-29"), "review: 29 February of another year");
	EXPECT(!review_date_valid("2022-13-01"), "review: month 13");
	EXPECT(!review_date_valid("2022-1-01"), "review: one-digit month");
	EXPECT(!review_date_valid("2022-10-12x"), "review: trailing text");
}
