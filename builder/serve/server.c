/* The daemon of coursepack serve (serve.h): libmicrohttpd with one
 * internal polling thread, so handlers run one at a time and the engine's
 * globals (the diagnostics' counters) need no care.  Everything a handler
 * can trust is checked here first: the Host header (DNS rebinding), the
 * password on a non-loopback address, the path (no "..", no "//", no
 * encoded slash or NUL), the body's size, the CSRF token of a POST. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "diag.h"
#include "i18n.h"
#include "pages.h"
#include "serve.h"
#include "util.h"

#define CONNECTION_LIMIT 64
#define CONNECTION_TIMEOUT 10		/* seconds: a slow client cannot hold a connection */
#define CONNECTION_MEMORY (64u << 10)	/* the request line and headers */
#define PORT_TRIES 20

struct server {
	const struct serve_ctx *ctx;
	char *host;			/* the listen address as a Host header names it */
	unsigned port;
	unsigned char password[crypto_generichash_BYTES];	/* its hash */
	int has_password;
};

/* One request as it arrives: made by the URI log callback (which sees the
 * URI before libmicrohttpd decodes it), filled while the body comes. */
struct pending {
	char *uri;			/* raw, as sent */
	struct serve_field *fields;
	size_t nfields;
	size_t body;			/* bytes of body seen */
	int too_large, too_many;
	struct MHD_PostProcessor *pp;
	int started;
};

static void
fields_free(struct serve_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].value);
		free(f[i].filename);
	}
	free(f);
}

static void *
uri_logged(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct pending *p = xcalloc(1, sizeof *p);

	(void)cls;
	(void)c;
	p->uri = xstrdup(uri ? uri : "");
	return p;
}

static void
request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct pending *p = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (p == NULL)
		return;
	if (p->pp)
		MHD_destroy_post_processor(p->pp);
	fields_free(p->fields, p->nfields);
	free(p->uri);
	free(p);
	*con_cls = NULL;
}

/* Decodes %XX (and '+' as a space when plus) of s[0..n) into a new
 * string; *len gets its length.  NULL when a '%' is not followed by two
 * hex digits. */
static char *
percent_decode(const char *s, size_t n, int plus, size_t *len)
{
	char *out = xmalloc(n + 1);
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			hi = i + 1 < n ? hex_value((unsigned char)s[i + 1]) : -1;
			lo = i + 2 < n ? hex_value((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			out[k++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[k++] = plus && s[i] == '+' ? ' ' : s[i];
	}
	out[k] = '\0';
	if (len)
		*len = k;
	return out;
}

/* The path part of a raw URI, decoded, or NULL when it is one a handler
 * must never see: not absolute, a backslash, an encoded slash or
 * backslash, a NUL or control character, an empty, "." or ".."
 * segment. */
static char *
clean_path(const char *uri)
{
	size_t n = strcspn(uri, "?#"), len, i;
	char *path, *seg;

	if (n == 0 || uri[0] != '/')
		return NULL;
	for (i = 0; i < n; i++)
		if (uri[i] == '\\' || (uri[i] == '%' && i + 3 <= n &&
		    (strncasecmp(uri + i, "%2f", 3) == 0 || strncasecmp(uri + i, "%5c", 3) == 0)))
			return NULL;
	if ((path = percent_decode(uri, n, 0, &len)) == NULL)
		return NULL;
	if (strlen(path) != len)
		goto bad;
	for (i = 0; i < len; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f || path[i] == '\\')
			goto bad;
	/* Segments: "/" alone is the root; else none empty, ".", "..". */
	if (streq(path, "/"))
		return path;
	for (seg = path + 1;; ) {
		size_t sl = strcspn(seg, "/");

		if (sl == 0 && seg[sl] == '/')
			goto bad;
		if (sl == 0 && seg[sl] == '\0' && seg != path + 1)
			break;	/* a trailing slash: "/village/" */
		if ((sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.'))
			goto bad;
		if (seg[sl] == '\0')
			break;
		seg += sl + 1;
	}
	return path;
bad:
	free(path);
	return NULL;
}

static int
add_field(struct pending *p, const char *name, size_t nlen, const char *value, size_t vlen, const char *filename)
{
	struct serve_field *f;

	if (p->nfields >= SERVE_MAX_FIELDS) {
		p->too_many = 1;
		return -1;
	}
	p->fields = xreallocarray(p->fields, p->nfields + 1, sizeof *p->fields);
	f = &p->fields[p->nfields++];
	f->name = xstrndup(name, nlen);
	f->value = xmalloc(vlen + 1);
	memcpy(f->value, value, vlen);
	f->value[vlen] = '\0';
	f->len = vlen;
	f->filename = filename ? xstrdup(filename) : NULL;
	return 0;
}

/* The query string's fields, decoded ('+' a space). */
static int
parse_query(struct pending *p)
{
	const char *q = strchr(p->uri, '?'), *s;

	if (q == NULL)
		return 0;
	for (s = q + 1; *s; ) {
		size_t n = strcspn(s, "&#"), eq = strcspn(s, "=&#"), nl, vl;
		char *name, *value;
		int rc = 0;

		if (n > 0) {
			name = percent_decode(s, eq, 1, &nl);
			value = eq < n ? percent_decode(s + eq + 1, n - eq - 1, 1, &vl) : xstrdup("");
			if (eq >= n)
				vl = 0;
			if (name == NULL || value == NULL)
				rc = -1;
			else
				rc = add_field(p, name, nl, value, vl, NULL);
			free(name);
			free(value);
			if (rc == -1)
				return -1;
		}
		if (s[n] != '&')
			break;
		s += n + 1;
	}
	return 0;
}

static enum MHD_Result
post_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	struct pending *p = cls;
	struct serve_field *last = p->nfields ? &p->fields[p->nfields - 1] : NULL;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (key == NULL)
		key = "";
	/* A field comes in parts: the next part of the last field. */
	if (off > 0 && last && streq(last->name, key) &&
	    ((filename == NULL && last->filename == NULL) || (filename && last->filename && streq(filename, last->filename)))) {
		last->value = xreallocarray(last->value, last->len + size + 1, 1);
		memcpy(last->value + last->len, data, size);
		last->len += size;
		last->value[last->len] = '\0';
		return MHD_YES;
	}
	return add_field(p, key, strlen(key), data ? data : "", data ? size : 0, filename) == 0 ? MHD_YES : MHD_NO;
}

/* Compares two strings in time that does not depend on where they
 * differ: their hashes, with sodium_memcmp. */
static void
hash_of(const char *s, size_t n, unsigned char out[crypto_generichash_BYTES])
{
	crypto_generichash(out, crypto_generichash_BYTES, (const unsigned char *)s, n, NULL, 0);
}

static int
same_secret(const char *a, const unsigned char hb[crypto_generichash_BYTES])
{
	unsigned char ha[crypto_generichash_BYTES];

	hash_of(a, strlen(a), ha);
	return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

static void
add_security_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
	    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	/* Pages show members' names and hours: never kept in a cache. */
	MHD_add_response_header(r, "Cache-Control", "no-store");
}

static enum MHD_Result
queue_buf(struct MHD_Connection *c, int status, const char *type, const char *data, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type ? type : "text/html; charset=utf-8");
	add_security_headers(r);
	rc = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return rc;
}

/* A short page of the chrome with one message, for the errors the server
 * answers itself. */
static enum MHD_Result
queue_error(struct MHD_Connection *c, const struct serve_ctx *ctx, int status, const char *title, const char *text)
{
	struct buf b = {0};
	enum MHD_Result rc;

	page_begin(&b, ctx, title);
	buf_puts(&b, "<p class=\"error\">");
	buf_escape(&b, text);
	buf_puts(&b, "</p>\n");
	page_end(&b);
	rc = queue_buf(c, status, NULL, b.data, b.len);
	buf_release(&b);
	return rc;
}

/* The Host header must name this server as the browser reached it: a
 * page of another site whose name was made to point at 127.0.0.1 (DNS
 * rebinding) sends its own name and is refused. */
static int
host_ok(const struct server *s, const char *host)
{
	static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
	char want[300];
	size_t i;

	if (host == NULL)
		return 0;
	for (i = 0; i < NELEM(names); i++) {
		snprintf(want, sizeof want, "%s:%u", names[i], s->port);
		if (strcasecmp_ascii(host, want) == 0)
			return 1;
	}
	snprintf(want, sizeof want, "%s:%u", s->host, s->port);
	return strcasecmp_ascii(host, want) == 0;
}

static const struct serve_route *
find_route(const char *method, const char *path, int *path_known)
{
	const struct serve_route *r;

	*path_known = 0;
	for (r = serve_routes; r->path; r++) {
		size_t n = strlen(r->path);
		int match = streq(path, r->path) ||
		    (r->prefix && strncmp(path, r->path, n) == 0 && (path[n] == '/' || r->path[n - 1] == '/'));

		if (!match)
			continue;
		*path_known = 1;
		if (streq(r->method, method))
			return r;
	}
	return NULL;
}

/* Queues response r of res (a file's or a body's) with its type (else
 * `type`), its download name and the security headers, and lets it go. */
static enum MHD_Result
queue_with_headers(struct MHD_Connection *c, struct MHD_Response *r, const struct serve_response *res,
    const char *type)
{
	enum MHD_Result rc;

	MHD_add_response_header(r, "Content-Type", res->content_type ? res->content_type : type);
	if (res->download) {
		char *cd = xasprintf("attachment; filename=\"%s\"", res->download);

		MHD_add_response_header(r, "Content-Disposition", cd);
		free(cd);
	}
	add_security_headers(r);
	rc = MHD_queue_response(c, (unsigned)(res->status ? res->status : 200), r);
	MHD_destroy_response(r);
	return rc;
}

/* Whether path (resolved) is below folder dir (resolved). */
static int
below(const char *real, const char *dir)
{
	char *top = dir ? realpath(dir, NULL) : NULL;
	size_t n = top ? strlen(top) : 0;
	int yes = top && strncmp(real, top, n) == 0 && real[n] == '/';

	free(top);
	return yes;
}

/* A file response: only a regular file inside the server's output folder
 * (bundles, sheets) or the course library (a lesson's media, which every
 * bundle carries anyway), resolved through links. */
static enum MHD_Result
queue_file(struct MHD_Connection *c, const struct serve_ctx *ctx, const struct serve_response *res)
{
	char *real = realpath(res->file, NULL);
	struct MHD_Response *r;
	struct stat st;
	int fd = -1;

	if (real == NULL || !(below(real, ctx->output) || below(real, ctx->library)) ||
	    (fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (fd != -1)
			close(fd);
		free(real);
		return queue_error(c, ctx, 404, "找不到", "找不到这个文件。");
	}
	free(real);
	if ((r = MHD_create_response_from_fd((uint64_t)st.st_size, fd)) == NULL) {
		close(fd);
		return MHD_NO;
	}
	return queue_with_headers(c, r, res, "application/octet-stream");
}

static enum MHD_Result
respond(struct MHD_Connection *c, const struct serve_ctx *ctx, struct serve_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (res->file)
		return queue_file(c, ctx, res);
	if (res->location) {
		if ((r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)) == NULL)
			return MHD_NO;
		MHD_add_response_header(r, "Location", res->location);
		add_security_headers(r);
		rc = MHD_queue_response(c, 303, r);
		MHD_destroy_response(r);
		return rc;
	}
	if ((r = MHD_create_response_from_buffer(res->body.len, res->body.data ? res->body.data : (void *)"",
	    MHD_RESPMEM_MUST_COPY)) == NULL)
		return MHD_NO;
	return queue_with_headers(c, r, res, "text/html; charset=utf-8");
}

/* Runs the route's handler on a checked request. */
static enum MHD_Result
dispatch(struct MHD_Connection *c, const struct server *s, struct pending *p, const char *method, const char *path)
{
	struct serve_request req = {s->ctx, method, path, p->fields, p->nfields};
	struct serve_response res = {0};
	const struct serve_route *route;
	enum MHD_Result rc;
	int known;

	if ((route = find_route(method, path, &known)) == NULL)
		return known ? queue_error(c, s->ctx, 405, "不支持", "这个地址不接受这种请求。")
		    : queue_error(c, s->ctx, 404, "找不到", "找不到这个页面。");
	if (streq(method, "POST")) {
		const char *token = serve_field(&req, "csrf");
		unsigned char want[crypto_generichash_BYTES];

		hash_of(s->ctx->csrf, strlen(s->ctx->csrf), want);
		if (token == NULL || !same_secret(token, want))
			return queue_error(c, s->ctx, 403, "请求被拒绝",
			    "表单已过期或不是从本页面提交的：请回到上一页，刷新后重新提交。");
	}
	/* Each request starts from clean counters: a page's messages are its own. */
	diag_reset();
	route->handle(&req, &res);
	rc = respond(c, s->ctx, &res);
	buf_release(&res.body);
	free(res.location);
	free(res.download);
	free(res.file);
	return rc;
}

/* Checks that come before the body: Host, password, path, size. */
static enum MHD_Result
first_call(struct MHD_Connection *c, const struct server *s, struct pending *p, const char *method, int *done)
{
	const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *path;

	*done = 1;
	if (!host_ok(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
		return queue_error(c, s->ctx, 421, "地址不对", "请用本机地址打开工作台（服务启动时显示的地址）。");
	if (s->has_password) {
		char *pass = NULL;
		char *user = MHD_basic_auth_get_username_password(c, &pass);
		int ok = user && pass && same_secret(pass, s->password);

		MHD_free(user);
		MHD_free(pass);
		if (!ok) {
			static const char text[] = "需要密码。";
			struct MHD_Response *r = MHD_create_response_from_buffer(sizeof text - 1, (void *)text,
			    MHD_RESPMEM_PERSISTENT);
			enum MHD_Result rc;

			if (r == NULL)
				return MHD_NO;
			MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
			add_security_headers(r);
			rc = MHD_queue_basic_auth_fail_response(c, "coursepack", r);
			MHD_destroy_response(r);
			return rc;
		}
	}
	if (!streq(method, "GET") && !streq(method, "HEAD") && !streq(method, "POST"))
		return queue_error(c, s->ctx, 405, "不支持", "这个地址不接受这种请求。");
	if ((path = clean_path(p->uri)) == NULL)
		return queue_error(c, s->ctx, 400, "地址有误", "地址有误。");
	free(path);
	if (len && strtoull(len, NULL, 10) > SERVE_MAX_BODY)
		return queue_error(c, s->ctx, 413, "文件太大", "上传的内容太大。");
	if (parse_query(p) == -1)
		return queue_error(c, s->ctx, 400, "地址有误", "地址有误。");
	if (streq(method, "POST"))
		p->pp = MHD_create_post_processor(c, 64 * 1024, post_field, p);
	*done = 0;
	return MHD_YES;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	const struct server *s = cls;
	struct pending *p = *con_cls;
	enum MHD_Result rc;
	char *path;
	int done;

	(void)url;
	(void)version;
	if (p == NULL)
		return MHD_NO;
	if (!p->started) {
		p->started = 1;
		rc = first_call(c, s, p, method, &done);
		if (done || rc == MHD_NO)
			return rc;
		return MHD_YES;
	}
	if (*upload_data_size) {
		p->body += *upload_data_size;
		if (p->body > SERVE_MAX_BODY)
			p->too_large = 1;
		else if (p->pp && !p->too_many && MHD_post_process(p->pp, upload_data, *upload_data_size) == MHD_NO)
			p->too_many = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (p->too_large)
		return queue_error(c, s->ctx, 413, "文件太大", "上传的内容太大。");
	if (p->too_many)
		return queue_error(c, s->ctx, 400, "表单有误", "表单内容有误或字段太多。");
	if ((path = clean_path(p->uri)) == NULL)
		return MHD_NO;
	rc = dispatch(c, s, p, streq(method, "HEAD") ? "GET" : method, path);
	free(path);
	return rc;
}

/* Splits "ADDR:PORT", "[ADDR]:PORT" or "ADDR" into a socket address. */
static int
parse_listen(const char *listen, struct sockaddr_storage *ss, char **host, unsigned *port)
{
	char addr[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t n;
	unsigned long pv = 8080;

	memset(ss, 0, sizeof *ss);
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');

		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return -1;
		n = (size_t)(end - listen - 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		listen++;
	} else {
		colon = strrchr(listen, ':');
		n = colon ? (size_t)(colon - listen) : strlen(listen);
	}
	if (n == 0 || n >= sizeof addr)
		return -1;
	memcpy(addr, listen, n);
	addr[n] = '\0';
	if (colon) {
		char *end;

		errno = 0;
		pv = strtoul(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || pv == 0 || pv > 65535)
			return -1;
	}
	*port = (unsigned)pv;
	if (streq(addr, "localhost"))
		strcpy(addr, "127.0.0.1");
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		*host = xstrdup(addr);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		*host = xasprintf("[%s]", addr);
	} else
		return -1;
	return 0;
}

static void
set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

/* Only these count as this computer: 127.0.0.2 and the rest of
 * 127.0.0.0/8 need the password like any other address. */
static int
is_loopback(const char *host)
{
	return streq(host, "127.0.0.1") || streq(host, "[::1]");
}

static int
read_password(const char *path, struct server *s)
{
	char *data = NULL;
	size_t len;
	struct loc loc = {path, 0, 0};

	if (read_file(path, 4096, &data, &len) == -1) {
		diag(S_READ, &loc, path, strerror(errno));
		return -1;
	}
	len = strcspn(data, "\r\n");
	if (len == 0) {
		free(data);
		usage_error("serve: password file '%s' is empty: write the password on its first line", path);
		return -2;
	}
	hash_of(data, len, s->password);
	sodium_memzero(data, len);
	free(data);
	s->has_password = 1;
	return 0;
}

static struct MHD_Daemon *
start(struct server *s, struct sockaddr_storage *ss, unsigned first, int tries)
{
	struct MHD_Daemon *d = NULL;
	unsigned port;

	for (port = first; port < first + (unsigned)tries && port <= 65535 && d == NULL; port++) {
		set_port(ss, port);
		s->port = port;
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
		    (ss->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), (uint16_t)port, NULL, NULL, answer, s,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
		    MHD_OPTION_URI_LOG_CALLBACK, uri_logged, NULL,
		    MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
		    MHD_OPTION_END);
	}
	return d;
}

int
serve_run(const struct serve_ctx *ctx, const char *listen, const char *password_file)
{
	struct server s = {0};
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	sigset_t set;
	int sig, rc;

	s.ctx = ctx;
	if (parse_listen(listen ? listen : "127.0.0.1:8080", &ss, &s.host, &s.port) == -1) {
		usage_error("serve: --listen takes ADDRESS:PORT, such as 127.0.0.1:8080, not '%s'", listen);
		return 2;
	}
	if (!is_loopback(s.host) && password_file == NULL) {
		usage_error("serve: '%s' is not this computer's own address: others could reach the workspace; "
		    "give --password-file FILE, or listen on 127.0.0.1", s.host);
		free(s.host);
		return 2;
	}
	if (password_file && (rc = read_password(password_file, &s)) < 0) {
		free(s.host);
		return rc == -2 ? 2 : 3;
	}
	/* The daemon's thread inherits the mask: SIGINT and SIGTERM come to
	 * sigwait here, which stops the daemon cleanly. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d = start(&s, &ss, s.port, listen ? 1 : PORT_TRIES)) == NULL) {
		usage_error("serve: cannot listen on %s:%u: %s", s.host, s.port, strerror(errno ? errno : EADDRINUSE));
		free(s.host);
		return 3;
	}
	printf(_("coursepack serve: open http://%s:%u/ in a browser (Ctrl+C stops it)\n"), s.host, s.port);
	fflush(stdout);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	/* No build outlives the server. */
	build_job_stop();
	printf(_("coursepack serve: stopped\n"));
	free(s.host);
	return 0;
}
