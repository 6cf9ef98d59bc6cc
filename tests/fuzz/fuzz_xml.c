/* libFuzzer target: the XML loader (DOCTYPE refusal, limits, parser,
 * schema validation) on any bytes, as any of our kinds. */
#include <stddef.h>
#include <stdint.h>

#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_doc *doc = NULL;

	if (xml_load_memory("fuzz.xml", (const char *)data, size, XK_NONE, &doc) == 0)
		xml_doc_free(doc);
	return 0;
}
