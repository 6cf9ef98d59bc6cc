/* A load client for coursepack serve (tests/serve_load.sh, bench/serve.sh):
 * N keep-alive clients, each sending one GET after another for T seconds,
 * round robin over the URLs given, on 127.0.0.1 only: any other host is
 * refused, so that this tool cannot load anyone else's server.
 *
 *   load [-c CLIENTS] [-t SECONDS] [-w TIMEOUT] URL...
 *   URL: http://127.0.0.1:PORT/PATH
 *
 * It prints what it measured on stdout as shell assignments, one a line
 * (requests=, rps=, p50_ms=, p90_ms=, p99_ms=, max_ms=, errors=, non200=,
 * resets=, connect=, timeouts=), so a script can source them; errors is
 * the sum of the four kinds.  Latency runs from the request's first byte
 * (or the connect, on a new connection) to the response's last byte.
 * A response that ends by Content-Length, chunks or the server closing
 * after "Connection: close" is complete; a connection closed or reset
 * before that is a reset.  Exit status: 0 when it ran, 2 on bad usage.
 * Plain sockets and poll(2): no dependency. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 1000
#define MAX_URLS 64
#define HEAD_MAX 65536

struct target {
	unsigned short port;
	char req[2048];
	size_t reqlen;
};

enum state { S_IDLE, S_CONNECT, S_SEND, S_HEAD, S_BODY, S_CHUNK_SIZE, S_CHUNK_DATA, S_TRAILER, S_UNTIL_EOF };

struct conn {
	int fd;
	enum state state;
	size_t t;			/* the target of the request in flight */
	double start;			/* when it began */
	double retry;			/* after a failed connect: not before */
	size_t sent;
	char buf[HEAD_MAX];
	size_t len;			/* bytes read and not yet parsed */
	unsigned long long left;	/* body or chunk bytes still to come */
	int status;
	int close_after;
};

static struct target targets[MAX_URLS];
static size_t ntargets;
static double *lat;			/* latencies of complete responses, ms */
static size_t nlat, caplat;
static unsigned long non200, resets, connects, timeouts;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fputs("usage: load [-c CLIENTS] [-t SECONDS] [-w TIMEOUT] http://127.0.0.1:PORT/PATH...\n", stderr);
	exit(2);
}

/* http://127.0.0.1[:PORT][/PATH] into a target; anything else is refused. */
static int parse_url(const char *url, struct target *t)
{
	const char *p = url, *path;
	unsigned long port = 80;
	if (strncmp(p, "http://", 7) != 0)
		return -1;
	p += 7;
	if (strncmp(p, "127.0.0.1", 9) != 0 || (p[9] != ':' && p[9] != '/' && p[9] != '\0'))
		return -1;
	p += 9;
	if (*p == ':') {
		char *end;
		errno = 0;
		port = strtoul(p + 1, &end, 10);
		if (errno || end == p + 1 || port == 0 || port > 65535 || (*end != '/' && *end != '\0'))
			return -1;
		p = end;
	}
	path = *p ? p : "/";
	if (strpbrk(path, " \r\n"))
		return -1;
	t->port = (unsigned short)port;
	int n = snprintf(t->req, sizeof t->req,
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%lu\r\nUser-Agent: coursepack-load\r\n"
			 "Connection: keep-alive\r\n\r\n", path, port);
	if (n < 0 || (size_t)n >= sizeof t->req)
		return -1;
	t->reqlen = (size_t)n;
	return 0;
}

static void record(double ms)
{
	if (nlat == caplat) {
		caplat = caplat ? 2 * caplat : 4096;
		lat = realloc(lat, caplat * sizeof *lat);
		if (!lat) {
			perror("load");
			exit(1);
		}
	}
	lat[nlat++] = ms;
}

static void drop(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = S_IDLE;
	c->len = 0;
}

static void start(struct conn *c, double t)
{
	c->start = t;
	c->sent = 0;
	c->len = 0;
	c->status = 0;
	c->close_after = 0;
	if (c->fd >= 0) {
		c->state = S_SEND;
		return;
	}
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		perror("load: socket");
		exit(1);
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(targets[c->t].port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		c->state = S_SEND;
	else if (errno == EINPROGRESS)
		c->state = S_CONNECT;
	else {
		connects++;
		drop(c);
		c->retry = t + 0.01;
	}
}

/* The next request on this client, or none when the time is up. */
static void next(struct conn *c, double t, double end)
{
	if (c->close_after) {
		close(c->fd);
		c->fd = -1;
	}
	c->t = (c->t + 1) % ntargets;
	if (t < end)
		start(c, t);
	else
		drop(c);
}

static void done(struct conn *c, double t, double end)
{
	record((t - c->start) * 1000.0);
	if (c->status != 200)
		non200++;
	next(c, t, end);
}

static void consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

static char *find_crlf(struct conn *c)
{
	return memmem(c->buf, c->len, "\r\n", 2);
}

/* The header block of a response: status and how its body ends. */
static int parse_head(struct conn *c)
{
	char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (!end)
		return c->len == sizeof c->buf ? -1 : 0;
	*end = '\0';
	int minor = 1, chunked = 0, has_len = 0, keep = 0;
	unsigned long long cl = 0;
	if (sscanf(c->buf, "HTTP/1.%d %d", &minor, &c->status) != 2)
		return -1;
	for (char *line = strstr(c->buf, "\r\n"); line; line = strstr(line, "\r\n")) {
		line += 2;
		if (!strncasecmp(line, "Content-Length:", 15)) {
			cl = strtoull(line + 15, NULL, 10);
			has_len = 1;
		} else if (!strncasecmp(line, "Transfer-Encoding:", 18)) {
			chunked = strstr(line, "chunked") != NULL;
		} else if (!strncasecmp(line, "Connection:", 11)) {
			char *v = line + 11;
			while (*v == ' ')
				v++;
			if (!strncasecmp(v, "close", 5))
				c->close_after = 1;
			else if (!strncasecmp(v, "keep-alive", 10))
				keep = 1;
		}
	}
	if (minor == 0 && !keep)
		c->close_after = 1;
	consume(c, (size_t)(end + 4 - c->buf));
	if (chunked)
		c->state = S_CHUNK_SIZE;
	else if (has_len) {
		c->left = cl;
		c->state = S_BODY;
	} else {
		c->close_after = 1;
		c->state = S_UNTIL_EOF;
	}
	return 1;
}

/* Parses what was read; returns -1 on a malformed response, 1 when one
 * is complete, 0 when more bytes are needed. */
static int parse(struct conn *c)
{
	for (;;) {
		char *crlf;
		size_t n;
		switch (c->state) {
		case S_HEAD: {
			int r = parse_head(c);
			if (r <= 0)
				return r;
			break;
		}
		case S_BODY:
		case S_CHUNK_DATA:
			n = c->left < c->len ? (size_t)c->left : c->len;
			consume(c, n);
			c->left -= n;
			if (c->left > 0)
				return 0;
			if (c->state == S_BODY)
				return 1;
			c->state = S_CHUNK_SIZE;
			break;
		case S_CHUNK_SIZE:
			if (!(crlf = find_crlf(c)))
				return c->len == sizeof c->buf ? -1 : 0;
			*crlf = '\0';
			errno = 0;
			c->left = strtoull(c->buf, NULL, 16);
			if (errno)
				return -1;
			consume(c, (size_t)(crlf + 2 - c->buf));
			if (c->left == 0)
				c->state = S_TRAILER;
			else {
				c->left += 2;
				c->state = S_CHUNK_DATA;
			}
			break;
		case S_TRAILER:
			if (!(crlf = find_crlf(c)))
				return c->len == sizeof c->buf ? -1 : 0;
			n = (size_t)(crlf + 2 - c->buf);
			consume(c, n);
			if (n == 2)
				return 1;
			break;
		case S_UNTIL_EOF:
			c->len = 0;
			return 0;
		default:
			return -1;
		}
	}
}

static void on_event(struct conn *c, short rev, double t, double end)
{
	if (c->state == S_CONNECT) {
		int err = 0;
		socklen_t l = sizeof err;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
			connects++;
			drop(c);
			c->retry = t + 0.01;
			return;
		}
		c->state = S_SEND;
	}
	if (c->state == S_SEND && (rev & (POLLOUT | POLLERR | POLLHUP))) {
		const struct target *tg = &targets[c->t];
		ssize_t w = send(c->fd, tg->req + c->sent, tg->reqlen - c->sent, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			resets++;
			drop(c);
			if (t < end)
				start(c, t);
			return;
		}
		if (w > 0 && (c->sent += (size_t)w) == tg->reqlen)
			c->state = S_HEAD;
		return;
	}
	if (c->state < S_HEAD || !(rev & (POLLIN | POLLERR | POLLHUP)))
		return;
	ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r == 0 && c->state == S_UNTIL_EOF) {
		done(c, t, end);
		return;
	}
	if (r <= 0) {
		resets++;
		drop(c);
		if (t < end)
			start(c, t);
		return;
	}
	c->len += (size_t)r;
	int p = parse(c);
	if (p < 0) {
		resets++;
		drop(c);
		if (t < end)
			start(c, t);
	} else if (p > 0) {
		if (c->len > 0) {	/* bytes past the response: out of step */
			resets++;
			drop(c);
			if (t < end)
				start(c, t);
			return;
		}
		done(c, t, end);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest rank: the smallest latency at or above fraction p of them. */
static double pct(double p)
{
	if (nlat == 0)
		return 0;
	size_t k = (size_t)(p * (double)nlat + 0.999999);
	return lat[(k ? k : 1) - 1];
}

int main(int argc, char **argv)
{
	long clients = 10;
	double seconds = 3, wait = 10;
	int opt;
	while ((opt = getopt(argc, argv, "c:t:w:")) != -1) {
		char *e;
		switch (opt) {
		case 'c':
			clients = strtol(optarg, &e, 10);
			if (*e || clients < 1 || clients > MAX_CLIENTS)
				usage();
			break;
		case 't':
			seconds = strtod(optarg, &e);
			if (*e || !(seconds > 0 && seconds <= 3600))
				usage();
			break;
		case 'w':
			wait = strtod(optarg, &e);
			if (*e || !(wait > 0 && wait <= 600))
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind == argc || argc - optind > MAX_URLS)
		usage();
	for (int i = optind; i < argc; i++)
		if (parse_url(argv[i], &targets[ntargets++]) < 0) {
			fprintf(stderr, "load: '%s': only http://127.0.0.1:PORT/PATH URLs are loaded\n", argv[i]);
			return 2;
		}

	struct conn *cs = calloc((size_t)clients, sizeof *cs);
	struct pollfd *pf = calloc((size_t)clients, sizeof *pf);
	if (!cs || !pf) {
		perror("load");
		return 1;
	}
	double begin = now(), end = begin + seconds;
	for (long i = 0; i < clients; i++) {
		cs[i].fd = -1;
		cs[i].t = (size_t)i % ntargets;
		start(&cs[i], begin);
	}
	for (;;) {
		double t = now();
		int active = 0;
		for (long i = 0; i < clients; i++) {
			struct conn *c = &cs[i];
			if (c->state == S_IDLE && c->fd < 0 && c->retry > 0 && t >= c->retry && t < end) {
				c->retry = 0;
				start(c, t);
			}
			if (c->state != S_IDLE && t - c->start > wait) {
				timeouts++;
				drop(c);
				if (t < end)
					start(c, t);
			}
			pf[i].fd = c->state == S_IDLE ? -1 : c->fd;
			pf[i].events = c->state == S_CONNECT || c->state == S_SEND ? POLLOUT : POLLIN;
			pf[i].revents = 0;
			active += c->state != S_IDLE || (c->retry > 0 && t < end);
		}
		/* Past the end, only the responses in flight are awaited. */
		if (!active || t >= end + wait)
			break;
		if (poll(pf, (nfds_t)clients, 50) < 0 && errno != EINTR) {
			perror("load: poll");
			return 1;
		}
		t = now();
		for (long i = 0; i < clients; i++)
			if (pf[i].fd >= 0 && pf[i].revents)
				on_event(&cs[i], pf[i].revents, t, end);
	}
	double took = now() - begin;
	for (long i = 0; i < clients; i++)
		if (cs[i].fd >= 0)
			close(cs[i].fd);
	if (nlat > 0)
		qsort(lat, nlat, sizeof *lat, cmp);
	fprintf(stderr, "load: %ld clients, %.1f s, %zu URL(s)\n", clients, seconds, ntargets);
	printf("clients=%ld\nseconds=%.2f\nrequests=%zu\nrps=%.1f\n", clients, took, nlat, (double)nlat / took);
	printf("p50_ms=%.2f\np90_ms=%.2f\np99_ms=%.2f\nmax_ms=%.2f\n", pct(0.50), pct(0.90), pct(0.99), nlat ? lat[nlat - 1] : 0.0);
	printf("errors=%lu\nnon200=%lu\nresets=%lu\nconnect=%lu\ntimeouts=%lu\n",
	       non200 + resets + connects + timeouts, non200, resets, connects, timeouts);
	free(lat);
	free(cs);
	free(pf);
	return fflush(stdout) == 0 ? 0 : 1;
}
