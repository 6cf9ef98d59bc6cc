#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "markdown.h"
#include "util.h"

static const char *const extensions[] = {"table", "strikethrough", "autolink", "tagfilter"};

/* Safe (no raw HTML) is cmark's default; footnotes are GitHub's; table
 * alignment as style attributes, since HTML5 has no align. */
#define OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES)

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static cmark_parser *
parser_new(void)
{
	cmark_parser *p;
	size_t i;

	/* Lessons are parsed on several threads from the start. */
	pthread_once(&registered, cmark_gfm_core_extensions_ensure_registered);
	if ((p = cmark_parser_new(OPTIONS)) == NULL)
		return NULL;
	for (i = 0; i < NELEM(extensions); i++) {
		cmark_syntax_extension *ext = cmark_find_syntax_extension(extensions[i]);

		if (ext)
			cmark_parser_attach_syntax_extension(p, ext);
	}
	return p;
}

static cmark_node *
parse(const char *text, size_t len, cmark_parser **pp)
{
	cmark_parser *p = parser_new();
	cmark_node *doc;

	*pp = p;
	if (p == NULL)
		return NULL;
	cmark_parser_feed(p, text, len);
	doc = cmark_parser_finish(p);
	return doc;
}

/* The plain text under `node`: what a heading's title or an image's alt
 * text reads as. */
static void
plain_text(cmark_node *node, struct buf *b)
{
	cmark_node *c;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
		buf_puts(b, cmark_node_get_literal(node));
		return;
	case CMARK_NODE_SOFTBREAK:
	case CMARK_NODE_LINEBREAK:
		buf_puts(b, " ");
		return;
	default:
		break;
	}
	for (c = cmark_node_first_child(node); c; c = cmark_node_next(c))
		plain_text(c, b);
}

/* Where a node starts.  Some inline nodes carry no position of their own
 * in this cmark-gfm; the nearest ancestor that has one says where. */
static void
node_pos(cmark_node *node, int *line, int *col)
{
	for (*line = 0; *line == 0 && node; node = cmark_node_parent(node)) {
		*line = cmark_node_get_start_line(node);
		*col = cmark_node_get_start_column(node);
	}
}

static int
count_strong(cmark_node *node)
{
	cmark_node *c;
	int n = cmark_node_get_type(node) == CMARK_NODE_STRONG;

	for (c = cmark_node_first_child(node); c; c = cmark_node_next(c))
		n += count_strong(c);
	return n;
}

/* Whether the block holding `node` has more unescaped "**" runs in its
 * source than its bold spans used (two each); if so, where the first run
 * is.  "\*\*" leaves "**" in the text on purpose and is not counted. */
static int
find_stars(const char *text, size_t len, cmark_node *node, cmark_node **blockp, struct md_pos *pos)
{
	cmark_node *block = node;
	int first, last, line = 1, runs = 0;
	size_t i, start = 0;

	while (block && ((cmark_node_get_type(block) & CMARK_NODE_TYPE_MASK) != CMARK_NODE_TYPE_BLOCK ||
	    cmark_node_get_start_line(block) == 0))
		block = cmark_node_parent(block);
	*blockp = block;
	if (block == NULL)
		return -1;
	first = cmark_node_get_start_line(block);
	last = cmark_node_get_end_line(block);
	for (i = 0; i < len && line <= last; i++) {
		if (text[i] == '\n') {
			line++;
			start = i + 1;
			continue;
		}
		if (text[i] == '\\') {
			i++;
			continue;
		}
		if (line < first || text[i] != '*' || i + 1 >= len || text[i + 1] != '*')
			continue;
		if (runs++ == 0) {
			pos->line = line;
			pos->col = (int)(i - start) + 1;
		}
		while (i + 1 < len && text[i + 1] == '*')
			i++;
	}
	return runs > 2 * count_strong(block) ? 0 : -1;
}

int
md_scan(const char *text, size_t len, struct md_info *info)
{
	cmark_parser *p;
	cmark_node *doc, *node;
	cmark_iter *it;
	cmark_event_type ev;
	cmark_node *reported = NULL;	/* one stray-'**' report per block */
	size_t cap = 0;

	memset(info, 0, sizeof *info);
	if ((doc = parse(text, len, &p)) == NULL) {
		if (p)
			cmark_parser_free(p);
		return -1;
	}
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node_type type;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		node = cmark_iter_get_node(it);
		type = cmark_node_get_type(node);
		if (type == CMARK_NODE_HEADING && info->title == NULL &&
		    cmark_node_get_heading_level(node) == 1) {
			struct buf b = {0};

			plain_text(node, &b);
			info->title = buf_detach(&b);
		} else if (type == CMARK_NODE_TEXT && strstr(cmark_node_get_literal(node), "**")) {
			struct md_pos pos;
			cmark_node *block;

			if (find_stars(text, len, node, &block, &pos) == 0 && block != reported) {
				reported = block;
				info->stray = xreallocarray(info->stray, info->nstray + 1, sizeof *info->stray);
				info->stray[info->nstray++] = pos;
			}
		} else if (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) {
			struct md_ref *r;
			struct buf b = {0};

			if (info->nrefs == cap) {
				cap = cap ? cap * 2 : 8;
				info->refs = xreallocarray(info->refs, cap, sizeof *info->refs);
			}
			r = &info->refs[info->nrefs++];
			r->image = type == CMARK_NODE_IMAGE;
			r->url = xstrdup(cmark_node_get_url(node) ? cmark_node_get_url(node) : "");
			if (r->image)
				plain_text(node, &b);
			r->alt = buf_detach(&b);
			node_pos(node, &r->line, &r->col);
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	cmark_parser_free(p);
	return 0;
}

void
md_info_release(struct md_info *info)
{
	size_t i;

	for (i = 0; i < info->nrefs; i++) {
		free(info->refs[i].url);
		free(info->refs[i].alt);
	}
	free(info->refs);
	free(info->stray);
	free(info->title);
	memset(info, 0, sizeof *info);
}

/* Replaces `node` by its children. */
static void
unwrap(cmark_node *node)
{
	cmark_node *c;

	while ((c = cmark_node_first_child(node)) != NULL)
		cmark_node_insert_before(node, c);
	cmark_node_free(node);
}

/* Wraps an image in a block that holds it and its caption together:
 * phrasing elements, as the image sits in a paragraph. */
static void
caption(cmark_node *image)
{
	cmark_node *wrap = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
	struct buf alt = {0}, exit = {0};
	char *text;

	plain_text(image, &alt);
	text = buf_detach(&alt);
	buf_puts(&exit, "<span class=\"caption\">");
	buf_escape(&exit, text);
	buf_puts(&exit, "</span></span>");
	cmark_node_set_on_enter(wrap, "<span class=\"figure\">");
	cmark_node_set_on_exit(wrap, exit.data);
	/* Some parents (table cells) take no custom node: no caption there,
	 * and the image stays where it was. */
	if (!cmark_node_insert_before(image, wrap) || !cmark_node_append_child(wrap, image)) {
		cmark_node_unlink(wrap);
		cmark_node_free(wrap);
	}
	buf_release(&exit);
	free(text);
}

char *
md_plain_text(const char *text, size_t len)
{
	cmark_parser *p;
	cmark_node *doc = parse(text, len, &p);
	struct buf b = {0};
	cmark_iter *it;
	cmark_event_type ev;

	if (doc) {
		/* Blocks end with a newline, so that words of two blocks do
		 * not run together. */
		it = cmark_iter_new(doc);
		while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
			cmark_node *node = cmark_iter_get_node(it);
			cmark_node_type type = cmark_node_get_type(node);

			if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE ||
			    type == CMARK_NODE_CODE_BLOCK))
				buf_puts(&b, cmark_node_get_literal(node));
			else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK ||
			    (ev == CMARK_EVENT_EXIT && (type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK))
				buf_puts(&b, "\n");
		}
		cmark_iter_free(it);
		cmark_node_free(doc);
	}
	if (p)
		cmark_parser_free(p);
	return buf_detach(&b);
}

char *
md_render_page(const char *text, size_t len, md_url_fn fn, void *ctx, int captions)
{
	cmark_parser *p;
	cmark_node *doc = parse(text, len, &p), *node, *h1 = NULL, **drop = NULL, **images = NULL;
	cmark_iter *it;
	cmark_event_type ev;
	size_t ndrop = 0, nimages = 0, i;
	char *html, *out;

	if (doc == NULL) {
		if (p)
			cmark_parser_free(p);
		return NULL;
	}
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node_type type;
		char *url;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		node = cmark_iter_get_node(it);
		type = cmark_node_get_type(node);
		if (type == CMARK_NODE_HEADING && h1 == NULL && cmark_node_get_heading_level(node) == 1)
			h1 = node;
		if (type != CMARK_NODE_LINK && type != CMARK_NODE_IMAGE)
			continue;
		url = fn(ctx, cmark_node_get_url(node) ? cmark_node_get_url(node) : "", type == CMARK_NODE_IMAGE);
		if (captions && type == CMARK_NODE_IMAGE && !(url && url[0] == '\0')) {
			images = xreallocarray(images, nimages + 1, sizeof *images);
			images[nimages++] = node;
		}
		if (url && url[0] == '\0') {
			/* Changing the tree under the iterator is unsafe: later. */
			drop = xreallocarray(drop, ndrop + 1, sizeof *drop);
			drop[ndrop++] = node;
		} else if (url)
			cmark_node_set_url(node, url);
		free(url);
	}
	cmark_iter_free(it);
	for (i = 0; i < ndrop; i++)
		unwrap(drop[i]);
	free(drop);
	for (i = 0; i < nimages; i++)
		caption(images[i]);
	free(images);
	if (h1)
		cmark_node_free(h1);
	html = cmark_render_html(doc, OPTIONS, cmark_parser_get_syntax_extensions(p));
	out = xstrdup(html);
	cmark_get_default_mem_allocator()->free(html);
	cmark_node_free(doc);
	cmark_parser_free(p);
	return out;
}
