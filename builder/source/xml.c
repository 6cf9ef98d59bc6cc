#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "diag.h"
#include "i18n.h"
#include "util.h"
#include "xml.h"

/* Generated from the files in schemas/ at build time (see Makefile). */
extern const unsigned char embedded_categories_xsd[], embedded_course_xsd[],
    embedded_recipe_xsd[], embedded_township_xsd[], embedded_village_xsd[],
    embedded_package_xsd[], embedded_shard_xsd[], embedded_reviews_xsd[];
extern const size_t embedded_categories_xsd_len, embedded_course_xsd_len,
    embedded_recipe_xsd_len, embedded_township_xsd_len, embedded_village_xsd_len,
    embedded_package_xsd_len, embedded_shard_xsd_len, embedded_reviews_xsd_len;

struct xml_doc {
	xmlDocPtr doc;
	char *path;
	const char *text;	/* the source, for columns; owned by us */
	size_t len;
	size_t *lines;		/* offset of each line's start */
	size_t nlines;
};

static const struct {
	const char *root;
	const unsigned char *xsd;
	const size_t *len;
} kinds[XK__COUNT] = {
	[XK_CATEGORIES] = {"categories", embedded_categories_xsd, &embedded_categories_xsd_len},
	[XK_COURSE] = {"course", embedded_course_xsd, &embedded_course_xsd_len},
	[XK_RECIPE] = {"recipe", embedded_recipe_xsd, &embedded_recipe_xsd_len},
	[XK_TOWNSHIP] = {"township", embedded_township_xsd, &embedded_township_xsd_len},
	[XK_VILLAGE] = {"village", embedded_village_xsd, &embedded_village_xsd_len},
	[XK_PACKAGE] = {"package", embedded_package_xsd, &embedded_package_xsd_len},
	[XK_SHARD] = {"shard", embedded_shard_xsd, &embedded_shard_xsd_len},
	[XK_REVIEWS] = {"reviews", embedded_reviews_xsd, &embedded_reviews_xsd_len},
};

static xmlSchemaPtr schemas[XK__COUNT];

/* No network, no DTD, no entity substitution, no XInclude; line numbers
 * past 65535 kept.  Recovery stays off so a broken file yields no tree. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING)

static void
silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
quiet_libxml(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, silent);
	xmlSetStructuredErrorFunc(NULL, NULL);
}

const char *
xml_kind_name(enum xml_kind kind)
{
	return kind > XK_NONE && kind < XK__COUNT ? kinds[kind].root : "unknown";
}

static enum xml_kind
xml_kind_from_name(const char *root)
{
	int k;

	for (k = XK_NONE + 1; k < XK__COUNT; k++)
		if (streq(kinds[k].root, root))
			return (enum xml_kind)k;
	return XK_NONE;
}

static xmlSchemaPtr
schema_get(enum xml_kind kind)
{
	xmlSchemaParserCtxtPtr pctx;

	if (schemas[kind])
		return schemas[kind];
	pctx = xmlSchemaNewMemParserCtxt((const char *)kinds[kind].xsd, (int)*kinds[kind].len);
	if (pctx == NULL)
		return NULL;
	xmlSchemaSetParserStructuredErrors(pctx, NULL, NULL);
	xmlSchemaSetParserErrors(pctx, silent, silent, NULL);
	schemas[kind] = xmlSchemaParse(pctx);
	xmlSchemaFreeParserCtxt(pctx);
	return schemas[kind];
}

static void
index_lines(struct xml_doc *d)
{
	size_t i, n = 1;

	for (i = 0; i < d->len; i++)
		if (d->text[i] == '\n')
			n++;
	d->lines = xreallocarray(NULL, n, sizeof *d->lines);
	d->lines[0] = 0;
	d->nlines = 1;
	for (i = 0; i < d->len; i++)
		if (d->text[i] == '\n')
			d->lines[d->nlines++] = i + 1;
}

static void
offset_to_linecol(const struct xml_doc *d, size_t off, int *line, int *col)
{
	size_t lo = 0, hi = d->nlines;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (d->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (int)lo + 1;
	*col = (int)(off - d->lines[lo]) + 1;
}

/* Finds where the start tag of `name` at `line` begins, and within it the
 * attribute `attr`: a textual search from the line libxml2 recorded. */
static void
locate_in_text(const struct xml_doc *d, int line, const char *name, const char *attr,
    int *oline, int *ocol)
{
	size_t start, i, nlen = strlen(name);

	*oline = line;
	*ocol = 0;
	if (line < 1 || (size_t)line > d->nlines)
		return;
	/* libxml2 records the line where the start tag ends; a tag spread
	 * over several lines began earlier.  Search back a few lines. */
	for (int back = 0; back < 8 && line - back >= 1; back++) {
		start = d->lines[line - 1 - back];
		for (i = start; i + nlen < d->len && d->text[i] != '\n'; i++) {
			if (d->text[i] != '<' || memcmp(d->text + i + 1, name, nlen) != 0)
				continue;
			char c = d->text[i + 1 + nlen];
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '>' && c != '/')
				continue;
			offset_to_linecol(d, i, oline, ocol);
			if (attr == NULL)
				return;
			size_t alen = strlen(attr);
			for (size_t j = i + 1 + nlen; j < d->len && d->text[j] != '>'; j++) {
				char p = d->text[j - 1];
				if ((p == ' ' || p == '\t' || p == '\n' || p == '\r') &&
				    j + alen < d->len && memcmp(d->text + j, attr, alen) == 0 &&
				    (d->text[j + alen] == '=' || d->text[j + alen] == ' ' ||
				     d->text[j + alen] == '\t' || d->text[j + alen] == '\n')) {
					offset_to_linecol(d, j, oline, ocol);
					return;
				}
			}
			return;
		}
	}
}

void
xml_locate(const struct xml_doc *d, const struct xml_node *node, const char *attr, int *line, int *col)
{
	const xmlNode *n = (const xmlNode *)node;

	locate_in_text(d, (int)xmlGetLineNo(n), (const char *)n->name, attr, line, col);
}

struct errctx {
	struct xml_doc *d;
	int count;
};

#define MAX_SCHEMA_ERRORS 20	/* per file; the rest are counted */

/* libxml2's message as one line of ours: its first line only (later
 * lines quote raw bytes of the input), without the trailing full stop. */
static char *
one_line(const char *message)
{
	char *msg = xstrndup(message, strcspn(message, "\n"));
	size_t n = strlen(msg);

	while (n > 0 && (msg[n - 1] == '.' || msg[n - 1] == ' ' || msg[n - 1] == '!'))
		msg[--n] = '\0';
	return msg;
}

static void
on_parse_error(void *data, xmlErrorPtr err)
{
	struct errctx *ec = data;
	struct loc loc = {ec->d->path, err->line, err->int2};
	char *msg;

	/* libxml2 goes on reporting after the first fatal error; later
	 * messages repeat the first one's consequences. */
	if (err->level == XML_ERR_WARNING || ec->count++ > 0)
		return;
	if (err->code == XML_ERR_INVALID_CHAR || err->code == XML_ERR_INVALID_ENCODING) {
		/* Its advice ("indicate encoding") does not apply: our
		 * formats are UTF-8 only. */
		if (err->message && strstr(err->message, "UTF-8"))
			diag(E_XML_UTF8, &loc);
		else
			diag(E_XML_CHAR, &loc);
		return;
	}
	msg = one_line(err->message ? err->message : _("syntax error"));
	if (msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
		msg[0] = (char)(msg[0] - 'A' + 'a');
	diag(E_XML_SYNTAX, &loc, msg);
	free(msg);
}

/* The text between `open` and the next `close` after `from`, as a new
 * string, or NULL; *rest (may be NULL) gets what follows. */
static char *
between(const char *from, const char *open, char close, const char **rest)
{
	const char *a = from ? strstr(from, open) : NULL, *b;

	if (a == NULL)
		return NULL;
	a += strlen(open);
	if ((b = strchr(a, close)) == NULL)
		return NULL;
	if (rest)
		*rest = b + 1;
	return xstrndup(a, (size_t)(b - a));
}

/* What each of our schemas' patterns means, for people. */
static const struct {
	const char *pattern;
	const char *meaning;
} patterns[] = {
	{"[a-z0-9]+(-[a-z0-9]+)*/", N_("not a lesson id: COURSE-ID/LESSON-ID, as in 'congress20/rejuvenation'")},
	{"[a-z0-9]+(-[a-z0-9]+)*", N_("not an id: lowercase ASCII letters and digits, words joined by single hyphens, as in 'yellow-peach'")},
	{"[0-9]{4}-[0-9]{2}-[0-9]{2}", N_("not a day written YYYY-MM-DD, as in '2023-01-02'")},
	{"[0-9]", N_("not a number of hours: digits with at most one after the point, as in '1.5'")},
	{"[^/", N_("not a path inside the course: relative, with '/' between folders, no '\\' or ':'")},
	{"#[0-9a-fA-F]{6}", N_("not a colour: '#' and six hexadecimal digits, as in '#2e7d32'")},
};

/* What a duplicate is, from our schemas' xs:unique names ("lesson-id"
 * reads "lesson id"): listed so that they are translated. */
static const char *const unique_words[] = {
	N_("category id"), N_("category order"), N_("file path"), N_("lesson id"), N_("recipe category"),
};

/* libxml2's schema messages name XSD machinery (facets, key-sequences,
 * list types); say the same in the trainer's terms.  Returns a new
 * message, "" to drop one that only repeats the previous, or NULL to
 * keep libxml2's. */
/* Replaces a string, freeing the old one: branches below try several
 * parses in turn. */
static char *
retake(char *old, char *new)
{
	free(old);
	return new;
}

static char *
friendly(const char *msg)
{
	char *el = between(msg, "Element '", '\'', NULL), *attr = between(msg, "attribute '", '\'', NULL);
	char *what, *v = NULL, *w = NULL, *out = NULL;
	const char *rest;
	size_t i;

	if (el == NULL) {
		free(attr);
		return NULL;
	}
	what = attr ? xasprintf(_("<%s> attribute '%s'"), el, attr) : xasprintf("<%s>", el);
	if (strstr(msg, "is not a valid value of the list type")) {
		out = xstrdup("");	/* the item's own message came first */
	} else if (strstr(msg, "atomic type") && !strstr(msg, "xs:language") &&
	    (v = retake(v, between(msg, ": '", '\'', NULL)))) {
		out = xasprintf(_("%s: '%s' is %s"), what, v,
		    strstr(msg, "xs:decimal") ? _("not a number") :
		    strstr(msg, "Integer") || strstr(msg, "local atomic type") ? _("not a whole number in range") :
		    strstr(msg, "xs:date") ? _("not a date like '2023-02-23'") : _("not a valid value here"));
	} else if (strstr(msg, "[facet 'pattern']") && (v = retake(v, between(msg, "The value '", '\'', &rest))) &&
	    (w = retake(w, between(rest, "pattern '", '\'', NULL)))) {
		for (i = 0; i < NELEM(patterns); i++)
			if (strncmp(w, patterns[i].pattern, strlen(patterns[i].pattern)) == 0)
				break;
		if (i < NELEM(patterns))
			out = xasprintf(_("%s: '%s' is %s"), what, v, _(patterns[i].meaning));
	} else if (strstr(msg, "[facet 'enumeration']") && (v = retake(v, between(msg, "The value '", '\'', NULL))) &&
	    (w = retake(w, between(msg, "set {", '}', NULL)))) {
		out = xasprintf(_("%s: '%s' is not one of %s"), what, v, w);
	} else if (strstr(msg, "[facet 'maxInclusive']") && (v = retake(v, between(msg, "The value '", '\'', NULL))) &&
	    (w = retake(w, between(msg, "allowed ('", '\'', NULL)))) {
		out = xasprintf(_("%s: '%s' is more than the largest allowed, %s"), what, v, w);
	} else if (strstr(msg, "[facet 'minInclusive']") && (v = retake(v, between(msg, "The value '", '\'', NULL))) &&
	    (w = retake(w, between(msg, "allowed ('", '\'', NULL)))) {
		out = xasprintf(_("%s: '%s' is less than the smallest allowed, %s"), what, v, w);
	} else if (strstr(msg, "[facet 'maxLength']") && (w = retake(w, between(msg, "maximum length of '", '\'', NULL)))) {
		out = xasprintf(_("%s: longer than %s characters"), what, w);
	} else if (strstr(msg, "[facet 'minLength']")) {
		out = xasprintf(_("%s: must not be empty"), what);
	} else if (strstr(msg, "xs:language") && (v = retake(v, between(msg, ": '", '\'', NULL)))) {
		out = xasprintf(_("%s: '%s' is not a language tag such as 'zh-CN'"), what, v);
	} else if ((v = retake(v, between(msg, "Duplicate key-sequence ['", '\'', NULL))) &&
	    (w = retake(w, between(msg, "identity-constraint '", '\'', NULL)))) {
		char *kind = xstrdup(w), *dash = strrchr(kind, '-');

		if (dash)
			*dash = ' ';
		for (i = 0; i < NELEM(unique_words) && !streq(kind, unique_words[i]); i++)
			;
		out = xasprintf(_("duplicate %s '%s'"), i < NELEM(unique_words) ? _(unique_words[i]) : kind, v);
		free(kind);
	} else if (strstr(msg, "This element is not expected") && (w = retake(w, between(msg, "Expected is ", ')', NULL)))) {
		out = xasprintf(_("<%s> is not expected here: the schema expects %s)"), el, w);
	} else if (strstr(msg, "This element is not expected")) {
		out = xasprintf(_("<%s> is not expected here"), el);
	} else if (strstr(msg, "Missing child element") && (w = retake(w, between(msg, "Expected is ", ')', NULL)))) {
		out = xasprintf(_("<%s> is missing a child: the schema expects %s)"), el, w);
	} else if ((v = retake(v, between(msg, "The attribute '", '\'', NULL))) && strstr(msg, "is required but missing")) {
		out = xasprintf(_("<%s> needs the attribute '%s'"), el, v);
	} else if (attr && strstr(msg, "is not allowed")) {
		out = xasprintf(_("<%s> has no attribute '%s'"), el, attr);
	} else if (strstr(msg, "Character content other than whitespace is not allowed")) {
		out = xasprintf(_("<%s> holds text where only elements belong"), el);
	}
	free(el);
	free(attr);
	free(what);
	free(v);
	free(w);
	return out;
}

static void
on_schema_error(void *data, xmlErrorPtr err)
{
	struct errctx *ec = data;
	const xmlNode *node = err->node;
	struct loc loc = {ec->d->path, err->line, 0};
	char *msg, *nice;

	if (node && node->type == XML_ATTRIBUTE_NODE && node->parent)
		locate_in_text(ec->d, (int)xmlGetLineNo(node->parent),
		    (const char *)node->parent->name, (const char *)node->name, &loc.line, &loc.col);
	else if (node && node->type == XML_ELEMENT_NODE) {
		/* Attribute errors come with the element as their node; the
		 * message names the attribute: "Element 'x', attribute 'y': ". */
		const char *a = err->message ? strstr(err->message, ", attribute '") : NULL;
		char *attr = NULL;

		if (a) {
			a += strlen(", attribute '");
			attr = xstrndup(a, strcspn(a, "'"));
		}
		locate_in_text(ec->d, (int)xmlGetLineNo(node), (const char *)node->name,
		    attr, &loc.line, &loc.col);
		free(attr);
	}
	/* libxml2 follows a failed facet with an internal note that says
	 * nothing to the user. */
	if (err->message && strstr(err->message, "No precomputed value available"))
		return;
	msg = one_line(err->message ? err->message : _("invalid"));
	if ((nice = friendly(msg)) != NULL) {
		free(msg);
		msg = nice;
	}
	if (msg[0] != '\0' && ec->count++ < MAX_SCHEMA_ERRORS)
		diag(E_XML_SCHEMA, &loc, msg);
	free(msg);
}

/* A DOCTYPE lets a document declare entities that libxml2 2.9 expands
 * lazily and may fetch through file://, so our formats have none, and we
 * refuse one before any parser sees the bytes. */
static const char *
find_doctype(const char *text, size_t len)
{
	static const char needle[] = "<!DOCTYPE";
	size_t i, n = sizeof needle - 1;

	for (i = 0; i + n <= len; i++)
		if (text[i] == '<' && memcmp(text + i, needle, n) == 0)
			return text + i;
	return NULL;
}

/* The encoding an XML declaration names, or NULL.  We parse every file
 * as UTF-8 (libxml2 is told so), which hides the declaration from the
 * tree: read it from the bytes. */
static char *
declared_encoding(const char *text, size_t len)
{
	const char *end, *p;
	char quote;
	size_t n;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3, len -= 3;
	if (len < 5 || memcmp(text, "<?xml", 5) != 0)
		return NULL;
	if ((end = memchr(text, '>', len)) == NULL)
		return NULL;
	for (p = text; p + 8 < end; p++)
		if (memcmp(p, "encoding", 8) == 0)
			break;
	if (p + 8 >= end)
		return NULL;
	for (p += 8; p < end && (*p == ' ' || *p == '=' || *p == '\t'); p++)
		;
	if (p >= end || (*p != '"' && *p != '\''))
		return NULL;
	quote = *p++;
	n = 0;
	while (p + n < end && p[n] != quote)
		n++;
	return xstrndup(p, n);
}

#define MAX_ATTRS 64	/* per element; our formats use at most 8 */

/* libxml2 checks an element's attributes for duplicates pair by pair: a
 * few hundred kilobytes of attributes on one element take minutes.  Our
 * formats need few, so count them first: the offset of the first element
 * with too many, or -1. */
static long
too_many_attributes(const char *text, size_t len)
{
	size_t i = 0, tag = 0;
	int in_tag = 0, count = 0;
	char quote = 0;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (!in_tag) {
			if (c == '<' && i + 1 < len && text[i + 1] != '!' && text[i + 1] != '?') {
				in_tag = 1;
				tag = i;
				count = 0;
			} else if (c == '<' && i + 3 < len && memcmp(text + i, "<!--", 4) == 0) {
				const char *end = strstr(text + i + 4, "-->");

				if (end == NULL)
					return -1;
				i = (size_t)(end - text) + 2;
			}
			continue;
		}
		if (c == '"' || c == '\'')
			quote = c;
		else if (c == '=' && ++count > MAX_ATTRS)
			return (long)tag;
		else if (c == '>')
			in_tag = 0;
	}
	return -1;
}

static enum xml_kind
root_kind(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);

	if (root == NULL || root->ns != NULL)
		return XK_NONE;
	return xml_kind_from_name((const char *)root->name);
}

/* What is refused before libxml2 sees the text: a NUL byte, an element
 * crowded with attributes, a DOCTYPE, an encoding other than UTF-8.
 * Returns 0, or -1 after diagnosing. */
static int
parse_precheck(struct xml_doc *d, const char *path, const char *text, size_t len)
{
	struct loc loc = {path, 0, 0};
	char *encoding;
	const char *doctype;
	long crowded;

	if (memchr(text, '\0', len) != NULL) {
		offset_to_linecol(d, (size_t)((const char *)memchr(text, '\0', len) - text), &loc.line, &loc.col);
		diag(E_XML_NUL, &loc);
		return -1;
	}
	if ((crowded = too_many_attributes(text, len)) != -1) {
		offset_to_linecol(d, (size_t)crowded, &loc.line, &loc.col);
		diag(E_XML_ATTRS, &loc, MAX_ATTRS);
		return -1;
	}
	if ((doctype = find_doctype(text, len)) != NULL) {
		offset_to_linecol(d, (size_t)(doctype - text), &loc.line, &loc.col);
		diag(E_XML_DOCTYPE, &loc);
		return -1;
	}
	if ((encoding = declared_encoding(text, len)) != NULL &&
	    xmlStrcasecmp((const xmlChar *)encoding, (const xmlChar *)"UTF-8") != 0) {
		loc.line = 1;
		diag(E_XML_ENCODING, &loc, encoding);
		free(encoding);
		return -1;
	}
	free(encoding);
	return 0;
}

/* Parses d's text into d->doc, libxml2's errors told through ec.
 * Returns 0, or -1 after diagnosing. */
static int
parse_syntax(struct xml_doc *d, const char *path, struct errctx *ec)
{
	xmlParserCtxtPtr pctx;

	if ((pctx = xmlNewParserCtxt()) == NULL) {
		diag(S_READ, NULL, path, strerror(ENOMEM));
		return -1;
	}
	xmlSetStructuredErrorFunc(ec, on_parse_error);
	d->doc = xmlCtxtReadMemory(pctx, d->text, (int)d->len, path, "UTF-8", PARSE_OPTIONS);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlFreeParserCtxt(pctx);
	if (d->doc == NULL || ec->count > 0) {
		if (ec->count == 0) {
			struct loc loc = {path, 0, 0};
			diag(E_XML_SYNTAX, &loc, _("empty or unreadable document"));
		}
		return -1;
	}
	return 0;
}

/* The document's kind from its root element (into *kindp unless NULL),
 * which must be `want` unless that is XK_NONE, and its version, which
 * must be 1.  Returns the kind, or XK_NONE after diagnosing. */
static enum xml_kind
parse_root(struct xml_doc *d, const char *path, enum xml_kind want, enum xml_kind *kindp)
{
	xmlNodePtr root = xmlDocGetRootElement(d->doc);
	enum xml_kind kind = root_kind(d->doc);
	struct loc loc = {path, 0, 0};
	char *version;

	if (kindp)
		*kindp = kind;
	if (kind == XK_NONE) {
		locate_in_text(d, (int)xmlGetLineNo(root), (const char *)root->name, NULL, &loc.line, &loc.col);
		if (root->ns && root->ns->href)
			diag(E_XML_NAMESPACE, &loc, (const char *)root->name, (const char *)root->ns->href);
		else
			diag(E_XML_ROOT, &loc, (const char *)root->name);
		return XK_NONE;
	}
	if (want != XK_NONE && kind != want) {
		locate_in_text(d, (int)xmlGetLineNo(root), (const char *)root->name, NULL, &loc.line, &loc.col);
		diag(E_XML_WRONG_KIND, &loc, path, xml_kind_name(kind), xml_kind_name(want));
		return XK_NONE;
	}
	/* An unknown version is an error of its own, not a schema quibble:
	 * the file may be fine for a newer coursepack. */
	version = xml_attr((struct xml_node *)root, "version");
	if (version && !streq(version, "1")) {
		xml_locate(d, (struct xml_node *)root, "version", &loc.line, &loc.col);
		diag(E_XML_VERSION, &loc, xml_kind_name(kind), version);
		free(version);
		return XK_NONE;
	}
	free(version);
	return kind;
}

/* Validates d->doc against the schema of its kind, errors told through
 * ec.  Returns 0, or -1 after diagnosing. */
static int
parse_validate(struct xml_doc *d, const char *path, enum xml_kind kind, struct errctx *ec)
{
	xmlSchemaValidCtxtPtr vctx;
	xmlSchemaPtr schema;
	int rc = -1;

	if ((schema = schema_get(kind)) == NULL) {
		diag(S_SCHEMA, NULL, xml_kind_name(kind));
		return -1;
	}
	if ((vctx = xmlSchemaNewValidCtxt(schema)) == NULL) {
		diag(S_READ, NULL, path, strerror(ENOMEM));
		return -1;
	}
	xmlSchemaSetValidErrors(vctx, silent, silent, NULL);
	xmlSchemaSetValidStructuredErrors(vctx, on_schema_error, ec);
	if (xmlSchemaValidateDoc(vctx, d->doc) != 0 || ec->count > 0) {
		struct loc loc = {path, 0, 0};

		if (ec->count == 0)
			diag(E_XML_SCHEMA, &loc, _("invalid document"));
		else if (ec->count > MAX_SCHEMA_ERRORS)
			diag(E_XML_TOO_MANY, &loc, ec->count - MAX_SCHEMA_ERRORS);
	} else
		rc = 0;
	xmlSchemaFreeValidCtxt(vctx);
	return rc;
}

/* Parses and validates `text` (taken: freed with the document or here). */
static int
parse(const char *path, char *text, size_t len, enum xml_kind want, struct xml_doc **out,
    enum xml_kind *kindp)
{
	struct xml_doc *d = xcalloc(1, sizeof *d);
	struct errctx ec = {d, 0};
	enum xml_kind kind;

	quiet_libxml();
	d->path = xstrdup(path);
	d->text = text;
	d->len = len;
	index_lines(d);
	if (parse_precheck(d, path, text, len) == -1 || parse_syntax(d, path, &ec) == -1 ||
	    /* xml_load_foreign (want XK__COUNT): well-formed is all */
	    (want != XK__COUNT && ((kind = parse_root(d, path, want, kindp)) == XK_NONE ||
	    parse_validate(d, path, kind, &ec) == -1))) {
		xml_doc_free(d);
		return -1;
	}
	*out = d;
	return 0;
}

int
xml_load(const char *path, enum xml_kind want, struct xml_doc **out, enum xml_kind *kindp)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if (kindp)
		*kindp = XK_NONE;
	if (read_file(path, XML_MAX_BYTES, &text, &len) == -1) {
		struct loc loc = {path, 0, 0};

		if (errno == EFBIG)
			diag(E_XML_TOO_LARGE, &loc, XML_MAX_BYTES / 1024);
		else if (errno == EISDIR || errno == EINVAL)
			diag(E_FILE_KIND, &loc, path);
		else
			diag(S_OPEN, NULL, path, strerror(errno));
		return -1;
	}
	rc = parse(path, text, len, want, out, kindp);
	return rc;
}

int
xml_load_memory(const char *name, const char *text, size_t len, enum xml_kind want, struct xml_doc **out)
{
	size_t max = want == XK_PACKAGE ? MANIFEST_MAX_BYTES : XML_MAX_BYTES;

	*out = NULL;
	if (len > max) {
		struct loc loc = {name, 0, 0};

		diag(E_XML_TOO_LARGE, &loc, (int)(max / 1024));
		return -1;
	}
	return parse(name, xstrndup(text, len), len, want, out, NULL);
}

int
xml_load_foreign(const char *name, const char *text, size_t len, size_t max, struct xml_doc **out)
{
	*out = NULL;
	if (len > max) {
		struct loc loc = {name, 0, 0};

		diag(E_XML_TOO_LARGE, &loc, (int)(max / 1024));
		return -1;
	}
	return parse(name, xstrndup(text, len), len, XK__COUNT, out, NULL);
}

void
xml_doc_free(struct xml_doc *d)
{
	if (d == NULL)
		return;
	if (d->doc)
		xmlFreeDoc(d->doc);
	free((char *)d->text);
	free(d->lines);
	free(d->path);
	free(d);
}

enum xml_kind
xml_sniff(const char *path)
{
	char *text = NULL;
	size_t len, i;
	enum xml_kind kind = XK_NONE;

	if (read_file(path, XML_MAX_BYTES, &text, &len) == -1)
		return XK_NONE;
	/* The root's name is the first name after '<' that does not open a
	 * declaration, comment or processing instruction. */
	for (i = 0; i < len; i++) {
		if (text[i] != '<')
			continue;
		if (i + 1 < len && (text[i + 1] == '?' || text[i + 1] == '!'))
			continue;
		size_t j = i + 1;
		while (j < len && ((text[j] >= 'a' && text[j] <= 'z') || text[j] == '-'))
			j++;
		char *name = xstrndup(text + i + 1, j - i - 1);
		kind = xml_kind_from_name(name);
		free(name);
		break;
	}
	free(text);
	return kind;
}

struct xml_node *
xml_root(const struct xml_doc *d)
{
	return (struct xml_node *)xmlDocGetRootElement(d->doc);
}

static int
element_named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && (name == NULL || streq((const char *)n->name, name));
}

struct xml_node *
xml_first(const struct xml_node *parent, const char *name)
{
	const xmlNode *n;

	for (n = ((const xmlNode *)parent)->children; n; n = n->next)
		if (element_named(n, name))
			return (struct xml_node *)n;
	return NULL;
}

struct xml_node *
xml_next(const struct xml_node *node, const char *name)
{
	const xmlNode *n;

	for (n = ((const xmlNode *)node)->next; n; n = n->next)
		if (element_named(n, name))
			return (struct xml_node *)n;
	return NULL;
}

/* An element's name (the roster's .xlsx reader walks elements of any
 * name). */
const char *
xml_name(const struct xml_node *n)
{
	return (const char *)((const xmlNode *)n)->name;
}

static char *
own(xmlChar *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = xstrdup((const char *)s);
	xmlFree(s);
	return p;
}

char *
xml_attr(const struct xml_node *n, const char *name)
{
	return own(xmlGetNoNsProp((const xmlNode *)n, (const xmlChar *)name));
}

char *
xml_attr_any(const struct xml_node *n, const char *name)
{
	const xmlAttr *a;

	for (a = ((const xmlNode *)n)->properties; a; a = a->next)
		if (streq((const char *)a->name, name))
			return own(xmlNodeListGetString(((const xmlNode *)n)->doc, a->children, 1));
	return NULL;
}

char *
xml_text(const struct xml_node *n)
{
	char *s = own(xmlNodeGetContent((const xmlNode *)n));
	char *b, *e;

	if (s == NULL)
		return xstrdup("");
	for (b = s; *b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'; b++)
		;
	e = b + strlen(b);
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	memmove(s, b, (size_t)(e - b));
	s[e - b] = '\0';
	return s;
}

void
xml_cleanup(void)
{
	int k;

	for (k = 0; k < XK__COUNT; k++) {
		if (schemas[k])
			xmlSchemaFree(schemas[k]);
		schemas[k] = NULL;
	}
	xmlCleanupParser();
}

static void
html_walk(const xmlNode *n, void (*fn)(void *, const char *), void *ctx)
{
	static const char *const attrs[] = {"href", "src", "srcset", "data", "poster", "action", "formaction"};

	for (; n; n = n->next) {
		size_t i;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < NELEM(attrs); i++) {
			xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)attrs[i]);

			if (v) {
				fn(ctx, (const char *)v);
				xmlFree(v);
			}
		}
		html_walk(n->children, fn, ctx);
	}
}

void
xml_html_links(const char *text, size_t len, void (*fn)(void *ctx, const char *url), void *ctx)
{
	htmlDocPtr doc;

	quiet_libxml();
	doc = htmlReadMemory(text, (int)len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
	if (doc == NULL)
		return;
	html_walk(xmlDocGetRootElement(doc), fn, ctx);
	xmlFreeDoc(doc);
}

struct html_text {
	struct buf line;
	const char *skip_class;
	long n, max;
	int pending_space;
	void (*fn)(void *, const char *);
	void *ctx;
};

static int
html_is(const xmlNode *n, const char *const *names)
{
	for (; *names; names++)
		if (xmlStrcasecmp(n->name, (const xmlChar *)*names) == 0)
			return 1;
	return 0;
}

static void
html_text_flush(struct html_text *t)
{
	t->pending_space = 0;
	if (t->line.len == 0 || t->n < 0)
		return;
	t->line.data[t->line.len] = '\0';
	if (t->n >= t->max)
		t->n = -1;
	else {
		t->n++;
		t->fn(t->ctx, t->line.data);
	}
	t->line.len = 0;
}

/* Adds text, spaces and line ends collapsed into one space, none at the
 * start of a line; other control characters dropped. */
static void
html_text_add(struct html_text *t, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			t->pending_space = t->line.len > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (t->pending_space)
			buf_add(&t->line, " ", 1);
		t->pending_space = 0;
		buf_add(&t->line, s, 1);
	}
	buf_reserve(&t->line, 1);
}

static void
html_text_walk(struct html_text *t, const xmlNode *n)
{
	static const char *const blocks[] = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
	    "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "figure", "figcaption", "section", "article",
	    "header", "footer", "nav", "aside", "details", "summary", "hr", "br", "caption", NULL};
	static const char *const cells[] = {"td", "th", NULL};
	static const char *const skipped[] = {"script", "style", "template", "noscript", NULL};

	for (; n && t->n >= 0; n = n->next) {
		int block;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				html_text_add(t, (const char *)n->content);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || html_is(n, skipped))
			continue;
		if (t->skip_class) {
			xmlChar *cls = xmlGetNoNsProp(n, (const xmlChar *)"class");
			int skip = cls && streq((const char *)cls, t->skip_class);

			xmlFree(cls);
			if (skip)
				continue;
		}
		if ((block = html_is(n, blocks)) != 0)
			html_text_flush(t);
		else if (html_is(n, cells) && t->line.len > 0) {
			buf_add(&t->line, " | ", 3);
			t->pending_space = 0;
		}
		html_text_walk(t, n->children);
		if (block)
			html_text_flush(t);
	}
}

static const xmlNode *
html_find(const xmlNode *n, const char *name)
{
	const xmlNode *found;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(n->name, (const xmlChar *)name) == 0)
			return n;
		if ((found = html_find(n->children, name)) != NULL)
			return found;
	}
	return NULL;
}

long
xml_html_text(const char *text, size_t len, const char *skip_class, long max_lines,
    void (*fn)(void *ctx, const char *line), void *ctx)
{
	static const char *const roots[] = {"main", "article", "body"};
	struct html_text t = {{NULL, 0, 0}, skip_class, 0, max_lines, 0, fn, ctx};
	const xmlNode *top = NULL;
	htmlDocPtr doc;
	size_t i;

	quiet_libxml();
	doc = htmlReadMemory(text, (int)len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
	if (doc == NULL)
		return 0;
	for (i = 0; i < NELEM(roots) && top == NULL; i++)
		top = html_find(xmlDocGetRootElement(doc), roots[i]);
	if (top) {
		html_text_walk(&t, top->children);
		html_text_flush(&t);
	}
	buf_release(&t.line);
	xmlFreeDoc(doc);
	return t.n;
}
