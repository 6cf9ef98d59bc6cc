/* Files written beside the bundles. */
#ifndef COURSEPACK_OUTPUT_H
#define COURSEPACK_OUTPUT_H

#include <stddef.h>
#include <time.h>

struct doc;
struct minisign_key;
struct span;

/* Each returns 0, or -1 after diagnosing. */
/* A whole file through a temporary one and a rename. */
int write_atomic(const char *path, const char *data, size_t len);
/* A file assembled around shared text, streamed out part by part (never
 * whole in memory) and hashed on the way: its size and SHA-256. */
int write_doc_atomic(const char *path, const struct doc *d, size_t *size, char sha256[65]);
/* The same for `chrome` (its own bytes) around `spans`, as a package
 * file holds them. */
int write_spans_atomic(const char *path, const char *chrome, size_t chrome_len, const struct span *spans,
    size_t nspans, size_t *size, char sha256[65]);
/* The size and SHA-256 of a file just written. */
int file_digest(const char *path, size_t *size, char out[65]);

/* Entry and signature times: SOURCE_DATE_EPOCH when set
 * (reproducible-builds.org), else the season's start (season_time); never
 * the clock.  -1 after a usage error naming cmd. */
int entry_time(const char *cmd, const char *season, time_t *t);

#endif
