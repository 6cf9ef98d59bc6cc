/*
 * Which of libzip's two ways of writing bytes deflated once into many
 * archives is faster (the county-scale issue asks):
 *
 *   copy:     the entries deflated once into a cache archive, then copied
 *             raw into each village's archive with zip_source_zip(...,
 *             ZIP_FL_COMPRESSED, 0, -1);
 *   function: the deflated bytes kept in memory and given to libzip by a
 *             zip_source_function that reports the method, CRC and sizes:
 *             coursepack's own writer (zipw_add_deflated, zipfile.c).
 *
 * Both write K archives of the same N entries; neither deflates again.
 * Entries are text like a lesson page (about 10 KB, deflating to about a
 * third).  Prints the time of each way, best of R rounds, and the ratio.
 *
 *   bench/zip_sources DIR [N K R]      (default 4000 8 3)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zip.h>
#include <zlib.h>

#include "zipfile.h"

struct entry {
	unsigned char *z;	/* raw deflate, level 6 */
	size_t zlen, len;
	uint32_t crc;
	char name[64];
};

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "zip_sources: %s\n", what);
	exit(2);
}

/* Text like a lesson page: tags, Chinese and digits, from a fixed seed. */
static unsigned char *
page(unsigned long *seed, size_t *len)
{
	static const char *const words[] = {"<p>", "</p>\n", "党员", "学习", "乡村振兴", "合作社", "<li>",
	    "</li>\n", "，", "。", "2023", "<strong>", "</strong>", "种植", "技术", "黄桃", "村民", " "};
	size_t n = 7000 + (*seed >> 40) % 6000, at = 0;
	unsigned char *p = malloc(n + 32);

	if (p == NULL)
		die("out of memory");
	while (at < n) {
		const char *w;

		*seed = *seed * 6364136223846793005ul + 1442695040888963407ul;
		w = words[(*seed >> 33) % (sizeof words / sizeof *words)];
		memcpy(p + at, w, strlen(w));
		at += strlen(w);
	}
	*len = at;
	return p;
}

static void
deflate_entry(struct entry *e, const unsigned char *p, size_t len)
{
	z_stream s;

	memset(&s, 0, sizeof s);
	if (deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2");
	e->z = malloc(deflateBound(&s, len));
	s.next_in = (unsigned char *)(uintptr_t)p;
	s.avail_in = (uInt)len;
	s.next_out = e->z;
	s.avail_out = (uInt)deflateBound(&s, len);
	if (e->z == NULL || deflate(&s, Z_FINISH) != Z_STREAM_END)
		die("deflate");
	e->zlen = s.total_out;
	e->len = len;
	e->crc = (uint32_t)crc32(0, p, (uInt)len);
	deflateEnd(&s);
}

static zip_t *
create(const char *path)
{
	int err;
	zip_t *za;

	remove(path);
	if ((za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &err)) == NULL)
		die("zip_open");
	return za;
}

static void
add(zip_t *za, const char *name, zip_source_t *src)
{
	zip_int64_t i;

	if (src == NULL || (i = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8)) < 0)
		die(zip_strerror(za));
	/* As coursepack's writer sets them, so that both ways write the
	 * same archive. */
	zip_file_set_mtime(za, (zip_uint64_t)i, 1672531200, 0);
	zip_file_set_external_attributes(za, (zip_uint64_t)i, 0, ZIP_OPSYS_UNIX, (zip_uint32_t)0100644 << 16);
}

/* The entries through coursepack's writer: a zip_source_function per
 * entry that reports the method, CRC and sizes. */
static void
write_function(const char *path, const struct entry *e, size_t n)
{
	struct zip_writer *w;
	size_t i;

	if ((w = zipw_open(path)) == NULL)
		die("zipw_open");
	for (i = 0; i < n; i++)
		if (zipw_add_deflated(w, e[i].name, e[i].z, e[i].zlen, e[i].len, e[i].crc, 1672531200) == -1)
			die("zipw_add_deflated");
	if (zipw_close(w) == -1)
		die("zipw_close");
}

int
main(int argc, char *argv[])
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 4000, k = argc > 3 ? strtoul(argv[3], NULL, 10) : 8;
	size_t rounds = argc > 4 ? strtoul(argv[4], NULL, 10) : 3, i, v, r;
	struct entry *e;
	unsigned long seed = 1;
	char cache[4096], out[4096];
	double best[2] = {1e9, 1e9};
	size_t bytes = 0;
	zip_t *src;
	int err;

	if (argc < 2 || n == 0 || k == 0 || rounds == 0)
		die("usage: zip_sources DIR [N K R]");
	snprintf(cache, sizeof cache, "%s/cache.zip", argv[1]);
	e = calloc(n, sizeof *e);
	for (i = 0; i < n; i++) {
		size_t len;
		unsigned char *p = page(&seed, &len);

		deflate_entry(&e[i], p, len);
		snprintf(e[i].name, sizeof e[i].name, "lessons/c%03zu/l%03zu.html", i / 20, i % 20);
		bytes += e[i].zlen;
		free(p);
	}
	/* The cache archive for the copy, made once (not timed): the same
	 * deflated bytes, through coursepack's writer. */
	write_function(cache, e, n);
	if ((src = zip_open(cache, ZIP_RDONLY, &err)) == NULL)
		die("zip_open (cache)");

	for (r = 0; r < rounds; r++) {
		double t0 = now();

		for (v = 0; v < k; v++) {
			zip_t *za;

			snprintf(out, sizeof out, "%s/copy-%zu.zip", argv[1], v);
			za = create(out);
			for (i = 0; i < n; i++)
				add(za, e[i].name, zip_source_zip(za, src, i, ZIP_FL_COMPRESSED, 0, -1));
			if (zip_close(za) < 0)
				die("zip_close (copy)");
		}
		if (now() - t0 < best[0])
			best[0] = now() - t0;
		t0 = now();
		for (v = 0; v < k; v++) {
			snprintf(out, sizeof out, "%s/function-%zu.zip", argv[1], v);
			write_function(out, e, n);
		}
		if (now() - t0 < best[1])
			best[1] = now() - t0;
	}
	zip_discard(src);
	printf("%zu archives of %zu entries (%.1f MB deflated each), best of %zu rounds:\n", k, n, bytes / 1e6,
	    rounds);
	printf("  zip_source_zip, raw copy from a cache archive: %.3f s\n", best[0]);
	printf("  zip_source_function, deflated bytes in memory: %.3f s\n", best[1]);
	printf("  copy / function: %.2fx\n", best[0] / best[1]);
	for (i = 0; i < n; i++)
		free(e[i].z);
	free(e);
	return 0;
}
