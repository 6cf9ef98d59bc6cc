/* libFuzzer target: the Markdown-to-page path — scan (links, titles,
 * stray bold), render with links rewritten and captions, plain text —
 * on inputs the checks let through: valid UTF-8 within the size limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
rewrite(void *ctx, const char *url, int image)
{
	(void)ctx;
	if (url[0] == 'x')
		return xstrdup("");
	return image ? xasprintf("../../assets/%s", url) : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct md_info info;
	struct md_doc *doc;
	size_t bad;

	if (size > MD_MAX_BYTES || memchr(data, 0, size) || !utf8_valid(text, size, &bad))
		return 0;
	if (md_scan(text, size, &info) == 0)
		md_info_release(&info);
	if ((doc = md_parse(text, size)) == NULL)
		return 0;
	/* Rendered twice, as the pages and the booklet do: each rendering
	 * must leave the parsed lesson as it found it. */
	free(md_doc_render(doc, rewrite, NULL, 0));
	free(md_doc_render(doc, rewrite, NULL, 1));
	free(md_doc_plain_text(doc));
	md_doc_free(doc);
	return 0;
}
