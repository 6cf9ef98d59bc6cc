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

/* The element name of an HTML tag, lowercase, or NULL for a closing tag,
 * a comment or a declaration: those hide nothing the trainer wrote to be
 * read. */
static char *
html_tag(const char *lit)
{
	size_t n = 0;
	char *tag;

	while (*lit == ' ' || *lit == '\t')
		lit++;
	if (*lit++ != '<')
		return NULL;
	while ((lit[n] >= 'a' && lit[n] <= 'z') || (lit[n] >= 'A' && lit[n] <= 'Z') ||
	    (n > 0 && ((lit[n] >= '0' && lit[n] <= '9') || lit[n] == '-')))
		n++;
	if (n == 0)
		return NULL;
	tag = xstrndup(lit, n);
	for (n = 0; tag[n]; n++)
		if (tag[n] >= 'A' && tag[n] <= 'Z')
			tag[n] = (char)(tag[n] - 'A' + 'a');
	return tag;
}

/* A place in the source, moved forward only: lines are counted once for
 * the whole lesson, whatever its size. */
struct tracker {
	const char *text;
	size_t len, off, line_start;
	int line;
};

static void
track_to(struct tracker *t, size_t off)
{
	for (; t->off < off && t->off < t->len; t->off++)
		if (t->text[t->off] == '\n') {
			t->line++;
			t->line_start = t->off + 1;
		}
}

/* Moves to 1-based `line` and `col`, if that is ahead. */
static void
track_to_line(struct tracker *t, int line, int col)
{
	while (t->line < line && t->off < t->len)
		track_to(t, t->off + 1);
	if (t->line == line && col > 0)
		track_to(t, t->line_start + (size_t)col - 1);
}

#define FIND_WINDOW 4096	/* how far ahead a tag is looked for */

/* Finds `needle` ahead and moves past it, setting where it starts.  Inline
 * nodes carry no position of their own in this cmark-gfm, so inline HTML
 * is found again in the source, in document order.  Not found near (a tag
 * broken across quoted lines): the place reached stands for it. */
static void
track_find(struct tracker *t, const char *needle, int *line, int *col)
{
	size_t n = strlen(needle), i, end = t->off + FIND_WINDOW;

	for (i = t->off; n > 0 && i + n <= t->len && i < end; i++)
		if (memcmp(t->text + i, needle, n) == 0)
			break;
	if (n > 0 && i + n <= t->len && i < end)
		track_to(t, i);
	*line = t->line;
	*col = (int)(t->off - t->line_start) + 1;
	if (n > 0 && i + n <= t->len && i < end)
		track_to(t, i + n);
}

static int
fenced(cmark_node *node)
{
	int length = 0, offset = 0;
	char ch = 0;

	return cmark_node_get_fenced(node, &length, &offset, &ch);
}

static void
note_add(struct md_info *info, enum md_note_kind kind, char *tag, int line, int col)
{
	struct md_note *n;

	info->notes = xreallocarray(info->notes, info->nnotes + 1, sizeof *info->notes);
	n = &info->notes[info->nnotes++];
	n->kind = kind;
	n->tag = tag;
	n->line = line;
	n->col = col;
}

int
md_scan(const char *text, size_t len, struct md_info *info)
{
	cmark_parser *p;
	cmark_node *doc, *node;
	cmark_iter *it;
	cmark_event_type ev;
	cmark_node *reported = NULL;	/* one stray-'**' report per block */
	cmark_node *html_block = NULL;	/* the block inline HTML was last found in */
	struct tracker tr = {text, len, 0, 0, 1};
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
		} else if (type == CMARK_NODE_HTML_BLOCK) {
			char *tag = html_tag(cmark_node_get_literal(node));

			if (tag)
				note_add(info, MD_NOTE_HTML_BLOCK, tag, cmark_node_get_start_line(node),
				    cmark_node_get_start_column(node));
		} else if (type == CMARK_NODE_HTML_INLINE) {
			const char *lit = cmark_node_get_literal(node);
			cmark_node *block = cmark_node_parent(node);
			char *tag;
			int line, col;

			while (block && cmark_node_get_start_line(block) == 0)
				block = cmark_node_parent(block);
			if (block != html_block && block) {
				html_block = block;
				track_to_line(&tr, cmark_node_get_start_line(block), cmark_node_get_start_column(block));
			}
			track_find(&tr, lit, &line, &col);
			if ((tag = html_tag(lit)) != NULL)
				note_add(info, MD_NOTE_HTML_INLINE, tag, line, col);
		} else if (type == CMARK_NODE_CODE_BLOCK && !fenced(node)) {
			note_add(info, MD_NOTE_INDENTED, NULL, cmark_node_get_start_line(node),
			    cmark_node_get_start_column(node));
		} else if (type == CMARK_NODE_PARAGRAPH) {
			struct md_para *pa;

			info->paras = xreallocarray(info->paras, info->nparas + 1, sizeof *info->paras);
			pa = &info->paras[info->nparas++];
			pa->first = cmark_node_get_start_line(node);
			pa->last = cmark_node_get_end_line(node);
			pa->col = cmark_node_get_start_column(node);
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
	for (i = 0; i < info->nnotes; i++)
		free(info->notes[i].tag);
	free(info->notes);
	free(info->paras);
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
