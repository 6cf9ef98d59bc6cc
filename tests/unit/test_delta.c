#include <stdlib.h>
#include <string.h>

#include "deflate.h"
#include "delta.h"
#include "unit.h"

/* Update patches (builder/pack/delta.c) rest on zinflate finding where
 * zstream's pieces end, so that deflating the text again cut there gives
 * the same bytes; and on the patch parser refusing what is no patch. */
void
test_delta(void)
{
	size_t n = 120000, cuts[] = {0, 1, 17, 4096, 70000, 70001, 110000}, i, k;
	unsigned char *data = malloc(n);
	struct zstream st = {0}, again = {0};
	struct buf text = {0}, found = {0}, out = {0};
	unsigned long x = 3;
	int same = 1;

	for (i = 0; i < n; i++) {
		x = x * 1103515245ul + 12345ul;
		data[i] = (unsigned char)("abc \n<p>学习"[(x >> 16) % 12]);
	}
	for (i = 0; i + 1 < NELEM(cuts); i++)
		zstream_add_data(&st, data + cuts[i], cuts[i + 1] - cuts[i]);
	zstream_add_data(&st, data + cuts[NELEM(cuts) - 1], n - cuts[NELEM(cuts) - 1]);
	zstream_finish(&st);
	EXPECT(zinflate(st.z.data, st.z.len, n, &text, &found) == 0 && text.len == n && memcmp(text.data, data, n) == 0,
	    "zinflate: a zstream inflates to its text");
	/* Pieces end at 1, 17, ... 110000 and at n. */
	EXPECT(found.len == NELEM(cuts) * sizeof(size_t), "zinflate: one cut at the end of every piece");
	for (k = 0; k + 1 < NELEM(cuts) && k < found.len / sizeof(size_t); k++) {
		size_t c;

		memcpy(&c, found.data + k * sizeof c, sizeof c);
		same &= c == cuts[k + 1];
	}
	EXPECT(same, "zinflate: the cuts are where the pieces end");
	for (k = 0, i = 0; k < found.len / sizeof(size_t); k++) {
		size_t c;

		memcpy(&c, found.data + k * sizeof c, sizeof c);
		zstream_add_data(&again, data + i, c - i);
		i = c;
	}
	zstream_add_data(&again, data + i, n - i);
	zstream_finish(&again);
	EXPECT(again.z.len == st.z.len && memcmp(again.z.data, st.z.data, st.z.len) == 0,
	    "zinflate: deflating again at the cuts gives the same bytes");
	text.len = 0;
	EXPECT(zinflate(st.z.data, st.z.len, n - 1, &text, NULL) == -1, "zinflate: more than max is refused");
	text.len = 0;
	EXPECT(zinflate(st.z.data, st.z.len - 3, n, &text, NULL) == -1, "zinflate: a cut-short stream is refused");
	EXPECT(delta_apply_mem("old", data, n, "p", data, 300, &out) == -1 && out.len == 0,
	    "delta_apply_mem: what is no patch is refused, nothing written");
	buf_release(&st.z);
	buf_release(&again.z);
	buf_release(&text);
	buf_release(&found);
	buf_release(&out);
	free(data);
}
