/* Files written beside the bundles. */
#ifndef COURSEPACK_OUTPUT_H
#define COURSEPACK_OUTPUT_H

#include <stddef.h>
#include <time.h>

struct catalog;
struct doc;
struct minisign_key;
struct span;

/* Each returns 0, or -1 after diagnosing. */
/* A file assembled around shared text, streamed out part by part (never
 * whole in memory) and hashed on the way: its size and SHA-256. */
int write_doc_atomic(const char *path, const struct doc *d, size_t *size, char sha256[65]);
/* The same for `chrome` (its own bytes) around `spans`, as a package
 * file holds them. */
int write_spans_atomic(const char *path, const char *chrome, size_t chrome_len, const struct span *spans,
    size_t nspans, size_t *size, char sha256[65]);
/* The size and SHA-256 of a file just written. */
int file_digest(const char *path, size_t *size, char out[65]);
/* PATH.minisig over the file's bytes; with k NULL, removes an old one. */
int sign_file(const struct minisign_key *k, const char *path, time_t when);
/* SHA256SUMS (signed with k, when given) and index.html in dir. */
int catalog_write(const struct catalog *, const char *dir, const struct minisign_key *k, time_t when);

/* Entry and signature times: SOURCE_DATE_EPOCH when set
 * (reproducible-builds.org), else the season's start (season_time); never
 * the clock.  -1 after a usage error naming cmd. */
int entry_time(const char *cmd, const char *season, time_t *t);
/* A minisign secret key (unencrypted).  0, or the exit status (1 a bad
 * key, 3 unreadable) after diagnosing. */
int secret_key_load(const char *path, struct minisign_key *key);

#endif
