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

/* cmark-gfm 0.29 keeps one table of the characters that start inline
 * syntax, for every parser: finishing a document adds the extensions'
 * (~ for strikethrough, : and w for autolinks) and takes them out again.
 * A document parsed meanwhile on another thread misses them, and its
 * ~~struck~~ text or www. links come out plain (github/cmark-gfm#176).
 * Parsing therefore takes turns, feeding included (the table extension
 * uses a global arena there); rendering needs no turn. */
static pthread_mutex_t parse_turn = PTHREAD_MUTEX_INITIALIZER;

static cmark_node *
parse(const char *text, size_t len, cmark_parser **pp)
{
	cmark_parser *p = parser_new();
	cmark_node *doc;

	*pp = p;
	if (p == NULL)
		return NULL;
	pthread_mutex_lock(&parse_turn);
	cmark_parser_feed(p, text, len);
	doc = cmark_parser_finish(p);
	pthread_mutex_unlock(&parse_turn);
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

/* A lesson parsed once.  Rendering changes the tree (URLs, dropped
 * links, captions, the title left out) and then undoes each change, in
 * the reverse order, so that the next rendering starts from the tree as
 * parsed. */
struct md_doc {
	cmark_parser *parser;
	cmark_node *root;
};

/* A change made for one rendering, undone after it. */
struct undo {
	enum { UNDO_URL, UNDO_UNWRAP, UNDO_CAPTION, UNDO_DETACH } kind;
	cmark_node *node;	/* the link or image; the wrap; the node detached */
	char *url;		/* UNDO_URL: the URL as parsed */
	cmark_node **kids;	/* UNDO_UNWRAP: the link's children, in order */
	size_t nkids;
	cmark_node *prev, *parent;	/* UNDO_UNWRAP, UNDO_DETACH: where it was */
};

struct undo_list {
	struct undo *v;
	size_t n;
};

static struct undo *
undo_push(struct undo_list *u, int kind, cmark_node *node)
{
	struct undo *x;

	u->v = xreallocarray(u->v, u->n + 1, sizeof *u->v);
	x = &u->v[u->n++];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	x->node = node;
	return x;
}

/* Takes `node` out of the tree, remembering where it was. */
static void
detach(struct undo *x, cmark_node *node)
{
	x->prev = cmark_node_previous(node);
	x->parent = cmark_node_parent(node);
	cmark_node_unlink(node);
}

static void
reattach(const struct undo *x)
{
	if (x->prev)
		cmark_node_insert_after(x->prev, x->node);
	else
		cmark_node_prepend_child(x->parent, x->node);
}

/* Replaces the link `node` by its children. */
static void
unwrap(struct undo_list *u, cmark_node *node)
{
	struct undo *x = undo_push(u, UNDO_UNWRAP, node);
	cmark_node *c;

	while ((c = cmark_node_first_child(node)) != NULL) {
		x->kids = xreallocarray(x->kids, x->nkids + 1, sizeof *x->kids);
		x->kids[x->nkids++] = c;
		cmark_node_insert_before(node, c);
	}
	detach(x, node);
}

/* Wraps an image in a block that holds it and its caption together:
 * phrasing elements, as the image sits in a paragraph. */
static void
caption(struct undo_list *u, cmark_node *image)
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
	} else {
		undo_push(u, UNDO_CAPTION, wrap);
	}
	buf_release(&exit);
	free(text);
}

/* Undoes every change, the last first. */
static void
undo_all(struct undo_list *u)
{
	while (u->n > 0) {
		struct undo *x = &u->v[--u->n];
		size_t k;

		switch (x->kind) {
		case UNDO_URL:
			cmark_node_set_url(x->node, x->url);
			free(x->url);
			break;
		case UNDO_UNWRAP:
			reattach(x);
			for (k = 0; k < x->nkids; k++)
				cmark_node_append_child(x->node, x->kids[k]);
			free(x->kids);
			break;
		case UNDO_CAPTION:
			cmark_node_insert_before(x->node, cmark_node_first_child(x->node));
			cmark_node_unlink(x->node);
			cmark_node_free(x->node);
			break;
		case UNDO_DETACH:
			reattach(x);
			break;
		}
	}
	free(u->v);
	u->v = NULL;
}

struct md_doc *
md_parse(const char *text, size_t len)
{
	struct md_doc *d = xcalloc(1, sizeof *d);

	if ((d->root = parse(text, len, &d->parser)) == NULL) {
		md_doc_free(d);
		return NULL;
	}
	return d;
}

void
md_doc_free(struct md_doc *d)
{
	if (d == NULL)
		return;
	if (d->root)
		cmark_node_free(d->root);
	if (d->parser)
		cmark_parser_free(d->parser);
	free(d);
}

char *
md_doc_plain_text(const struct md_doc *d)
{
	struct buf b = {0};
	cmark_iter *it = cmark_iter_new(d->root);
	cmark_event_type ev;

	/* Blocks end with a newline, so that words of two blocks do not run
	 * together. */
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
	return buf_detach(&b);
}

char *
md_plain_text(const char *text, size_t len)
{
	struct md_doc *d = md_parse(text, len);
	char *out = d ? md_doc_plain_text(d) : xstrdup("");

	md_doc_free(d);
	return out;
}

char *
md_doc_render(struct md_doc *d, md_url_fn fn, void *ctx, int captions)
{
	cmark_node *node, *h1 = NULL, **drop = NULL, **images = NULL;
	struct undo_list u = {0};
	cmark_iter *it;
	cmark_event_type ev;
	size_t ndrop = 0, nimages = 0, i;
	char *html, *out;

	it = cmark_iter_new(d->root);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node_type type;
		const char *was;
		char *url;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		node = cmark_iter_get_node(it);
		type = cmark_node_get_type(node);
		if (type == CMARK_NODE_HEADING && h1 == NULL && cmark_node_get_heading_level(node) == 1)
			h1 = node;
		if (type != CMARK_NODE_LINK && type != CMARK_NODE_IMAGE)
			continue;
		was = cmark_node_get_url(node) ? cmark_node_get_url(node) : "";
		url = fn(ctx, was, type == CMARK_NODE_IMAGE);
		if (captions && type == CMARK_NODE_IMAGE && !(url && url[0] == '\0')) {
			images = xreallocarray(images, nimages + 1, sizeof *images);
			images[nimages++] = node;
		}
		if (url && url[0] == '\0') {
			/* Changing the tree under the iterator is unsafe: later. */
			drop = xreallocarray(drop, ndrop + 1, sizeof *drop);
			drop[ndrop++] = node;
		} else if (url) {
			undo_push(&u, UNDO_URL, node)->url = xstrdup(was);
			cmark_node_set_url(node, url);
		}
		free(url);
	}
	cmark_iter_free(it);
	for (i = 0; i < ndrop; i++)
		unwrap(&u, drop[i]);
	free(drop);
	for (i = 0; i < nimages; i++)
		caption(&u, images[i]);
	free(images);
	if (h1)
		detach(undo_push(&u, UNDO_DETACH, h1), h1);
	html = cmark_render_html(d->root, OPTIONS, cmark_parser_get_syntax_extensions(d->parser));
	out = xstrdup(html);
	cmark_get_default_mem_allocator()->free(html);
	undo_all(&u);
	return out;
}

char *
md_render_page(const char *text, size_t len, md_url_fn fn, void *ctx, int captions)
{
	struct md_doc *d = md_parse(text, len);
	char *out = d ? md_doc_render(d, fn, ctx, captions) : NULL;

	md_doc_free(d);
	return out;
}
