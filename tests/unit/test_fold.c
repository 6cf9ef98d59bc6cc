/* Folded keys (fold.h): what Windows and macOS file as one name. */
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "unit.h"
#include "util.h"

static int
same_key(const char *a, const char *b)
{
	char *x = fold_key(a), *y = fold_key(b);
	int same = streq(x, y);

	free(x);
	free(y);
	return same;
}

static int
same_canonical(const char *a, const char *b)
{
	char *x = fold_canonical(a), *y = fold_canonical(b);
	int same = streq(x, y);

	free(x);
	free(y);
	return same;
}

void
test_fold(void)
{
	char *k;

	EXPECT(same_key("media/Feed.JPG", "media/feed.jpg"), "fold: ASCII case");
	EXPECT(same_key("\xc3\x89T\xc3\x89", "\xc3\xa9t\xc3\xa9"), "fold: 'ÉTÉ' and 'été'");
	EXPECT(same_key("e\xcc\x81t\xc3\xa9", "\xc3\xa9t\xc3\xa9"), "fold: decomposed and composed");
	EXPECT(same_key("\xc7\x85", "\xc7\x86"), "fold: 'ǅ' and 'ǆ'");
	EXPECT(same_key("\xe2\x84\xaa", "k"), "fold: the Kelvin sign and 'k'");
	EXPECT(same_key("\xed\x95\x9c", "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab"), "fold: Hangul syllable and its jamo");
	EXPECT(!same_key("stra\xc3\x9f" "e", "strasse"), "fold: 'ß' and 'ss' stay apart (simple folding)");
	EXPECT(!same_key("a", "b"), "fold: different letters stay apart");
	/* s + dot below (220) + dot above (230), in either order, and
	 * U+1E69 (ṩ), which decomposes to the first: canonically equivalent. */
	EXPECT(same_key("s\xcc\xa3\xcc\x87", "s\xcc\x87\xcc\xa3"), "fold: two marks in either order");
	EXPECT(same_key("\xe1\xb9\xa9", "s\xcc\x87\xcc\xa3"), "fold: composed, and decomposed in the other order");
	EXPECT(same_key("\xe1\xb9\xa8", "s\xcc\x87\xcc\xa3"), "fold: ... and in capitals");
	/* A composed letter followed by a mark that sorts before its own. */
	EXPECT(same_key("\xc8\xa7\xcc\xa3", "\xe1\xba\xa1\xcc\x87"), "fold: 'ȧ' + dot below = 'ạ' + dot above");
	/* Acute and grave share class 230: their order is meaningful. */
	EXPECT(!same_key("e\xcc\x81\xcc\x80", "e\xcc\x80\xcc\x81"), "fold: two marks of one class keep their order");
	/* Marks are ordered only within their run: a starter between stops it. */
	EXPECT(!same_key("a\xcc\x87" "b\xcc\xa3", "a\xcc\xa3" "b\xcc\x87"), "fold: marks do not move past a letter");
	k = fold_key("\xe1\xb9\xa8");
	EXPECT_STR(k, "s\xcc\xa3\xcc\x87", "fold: the key is folded NFD with marks in canonical order");
	free(k);
	k = fold_key("");
	EXPECT(k && k[0] == '\0', "fold: the empty name");
	free(k);
	k = fold_key("a\xff\xe4\xb8");	/* not UTF-8, cut short: read safely */
	EXPECT(k != NULL, "fold: bytes that are not UTF-8 are read safely");
	free(k);

	EXPECT(same_canonical("caf\xc3\xa9", "cafe\xcc\x81"), "canonical: composed and decomposed");
	EXPECT(same_canonical("s\xcc\xa3\xcc\x87", "s\xcc\x87\xcc\xa3"), "canonical: marks in either order");
	EXPECT(!same_canonical("\xc3\x89t\xc3\xa9", "\xc3\xa9t\xc3\xa9"), "canonical: case is kept");
	EXPECT(!same_canonical("Feed", "feed"), "canonical: ASCII case is kept");
}
