/* libFuzzer target: finding and checking receipts in chat text
 * (receipt.c), on any bytes up to the size limit. */
#include <stdint.h>
#include <stdlib.h>

#include "receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = {"xiayang-jili/xiayang-2022-2023", "xiayang-madao/xiayang-2022-2023"};
	struct receipts rs;
	size_t i;

	if (receipts_parse((const char *)data, size, ids, 2, &rs) == -1)
		return 0;
	for (i = 0; i < rs.n; i++)
		free(receipt_lessons_format(rs.v[i].lessons, rs.v[i].nlessons));
	receipts_release(&rs);
	return 0;
}
