/* Signing the files a build writes. */
#ifndef COURSEPACK_SIGN_H
#define COURSEPACK_SIGN_H

#include <time.h>

struct minisign_key;

/* PATH.minisig over the file's bytes, streamed; with k NULL, removes an
 * old one.  0, or -1 after diagnosing. */
int sign_file(const struct minisign_key *k, const char *path, time_t when);
/* A minisign secret key (unencrypted).  0, or the exit status (1 a bad
 * key, 3 unreadable) after diagnosing. */
int secret_key_load(const char *path, struct minisign_key *key);

#endif
