/* The XML wrapper: the only file that includes libxml2.
 *
 * It reads one of our documents with the limits and refusals our formats
 * promise (size, no DOCTYPE, no network, no entity expansion), validates it
 * against the schema its root element names, and turns libxml2's errors
 * into our diagnostics.  The rest of the program walks the tree through
 * the small API below and never sees a libxml2 type. */
#ifndef COURSEPACK_XML_H
#define COURSEPACK_XML_H

#include <stddef.h>

/* Our formats, by root element. */
enum xml_kind {
	XK_NONE,
	XK_CATEGORIES,
	XK_COURSE,
	XK_RECIPE,
	XK_TOWNSHIP,
	XK_VILLAGE,
	XK_PACKAGE,	/* a bundle's manifest.xml */
	XK_SHARD,	/* shard-I-of-N.xml beside a sharded build */
	XK_REVIEWS,	/* a course's reviews.xml */
	XK__COUNT
};

#define XML_MAX_BYTES (1024 * 1024)	/* largest XML file we read */
#define MANIFEST_MAX_BYTES (16 * 1024 * 1024)	/* a bundle's manifest.xml: one line per file */

struct xml_doc;
struct xml_node;

/* Reads, parses and schema-validates `path` (used as given in messages).
 * `want` is the kind the caller needs, or XK_NONE for any of ours.
 * Returns 0 and a document when it is well-formed, of a known (or the
 * wanted) kind, of version 1 and valid against its schema; else -1 after
 * diagnosing every problem found, with *out NULL.  Caller frees *out with
 * xml_doc_free.  *kind (may be NULL) gets the root's kind when known, even
 * on failure. */
int xml_load(const char *path, enum xml_kind want, struct xml_doc **out, enum xml_kind *kind);
/* The same for a document already in memory (copied), named `name` in
 * messages. */
int xml_load_memory(const char *name, const char *text, size_t len, enum xml_kind want,
    struct xml_doc **out);
/* The same limits and refusals (no DOCTYPE, no network, UTF-8) for a
 * document not of ours, e.g. a part of an .xlsx workbook: well-formed is
 * all it must be, and at most `max` bytes.  Caller frees *out. */
int xml_load_foreign(const char *name, const char *text, size_t len, size_t max,
    struct xml_doc **out);
void xml_doc_free(struct xml_doc *);

/* Peeks at the root element's kind only (no validation, no diagnostics):
 * XK_NONE when the file cannot be read or is not ours. */
enum xml_kind xml_sniff(const char *path);

const char *xml_kind_name(enum xml_kind);

struct xml_node *xml_root(const struct xml_doc *);
/* First child / next sibling element named `name` (NULL: any element). */
struct xml_node *xml_first(const struct xml_node *parent, const char *name);
struct xml_node *xml_next(const struct xml_node *node, const char *name);
const char *xml_name(const struct xml_node *);
/* An attribute's value or the element's whitespace-trimmed text, as a
 * new string the caller frees; NULL when the attribute is absent. */
char *xml_attr(const struct xml_node *, const char *name);
char *xml_text(const struct xml_node *);
/* An attribute by its local name, whatever its namespace ("r:id"). */
char *xml_attr_any(const struct xml_node *, const char *name);
/* Where an element (attr NULL) or one of its attributes begins: 1-based
 * line and byte column. */
void xml_locate(const struct xml_doc *, const struct xml_node *, const char *attr, int *line, int *col);

/* Calls `fn` with every href and src of an HTML page (libxml2's HTML
 * parser, forgiving, no network). */
void xml_html_links(const char *text, size_t len, void (*fn)(void *ctx, const char *url), void *ctx);

/* Calls `fn` with each line of the words a reader reads on an HTML page
 * (libxml2's HTML parser, forgiving, no network): the text of its <main>
 * (else <article>, else <body>), one line per block element (paragraph,
 * heading, list item, table row with its cells joined by " | "), spaces
 * collapsed, control characters dropped, empty lines left out; elements
 * whose class is `skip_class` (NULL: none), scripts and styles are left
 * out with their text.  Returns the number of lines, stopping (and
 * returning -1) past max_lines. */
long xml_html_text(const char *text, size_t len, const char *skip_class, long max_lines,
    void (*fn)(void *ctx, const char *line), void *ctx);

/* Frees libxml2's global state; call once before exit (keeps leak
 * checkers quiet). */
void xml_cleanup(void);

#endif
