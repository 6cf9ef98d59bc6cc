/* libFuzzer target: the roster CSV reader (encoding detection, GB18030
 * through iconv, RFC 4180 quoting, header matching, namesakes) on any
 * bytes.  The .xlsx path is the zip and XML wrappers, fuzzed by
 * fuzz_zipdir and fuzz_xml. */
#include <stddef.h>
#include <stdint.h>

#include "roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct roster *ro = NULL;

	if (roster_parse("fuzz.csv", "v", (const char *)data, size, &ro) == 0)
		roster_free(ro);
	return 0;
}
