#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "deflate.h"
#include "diag.h"
#include "unit.h"
#include "util.h"
#include "zipfile.h"

/* A course file is checked when it is copied into a bundle: one that
 * changed since it was hashed fails the archive, which is not written. */
void
test_zipfile(void)
{
	char dir[] = "/tmp/cp-unit-XXXXXX", *src, *zip, *twin;
	struct zip_writer *w;
	struct file_id id;
	struct stat st;
	FILE *fp;
	int rc;

	if (mkdtemp(dir) == NULL || hash_init() == -1) {
		EXPECT(0, "zipfile: a temporary folder");
		return;
	}
	src = xasprintf("%s/photo.jpg", dir);
	zip = xasprintf("%s/b.zip", dir);
	fp = fopen(src, "w");
	fputs("the photo as hashed", fp);
	fclose(fp);
	stat(src, &st);
	id.dev = (uint64_t)st.st_dev;
	id.ino = (uint64_t)st.st_ino;

	w = zipw_open(zip);
	rc = w ? zipw_add_file(w, "assets/photo.jpg", src, &id, 19, crc32_of("the photo as hashed", 19), 1672531200) : -1;
	EXPECT(rc == 0 && zipw_close(w) == 0 && access(zip, F_OK) == 0, "zipfile: an unchanged file is written");
	unlink(zip);

	w = zipw_open(zip);
	rc = w ? zipw_add_file(w, "assets/photo.jpg", src, &id, 19, crc32_of("the photo as hashed", 19), 1672531200) : -1;
	fp = fopen(src, "w");
	fputs("the photo, edited!!", fp);	/* same size, other bytes */
	fclose(fp);
	diag_reset();
	EXPECT(rc == 0 && zipw_close(w) == -1 && access(zip, F_OK) == -1 && diag_count(DL_ERROR) >= 1,
	    "zipfile: a file changed after hashing fails the archive");
	diag_reset();
	/* The name swapped for a link to a file with the very same bytes
	 * (size and CRC agree): it is another file, never followed. */
	fp = fopen(src, "w");
	fputs("the photo as hashed", fp);
	fclose(fp);
	stat(src, &st);
	id.dev = (uint64_t)st.st_dev;
	id.ino = (uint64_t)st.st_ino;
	twin = xasprintf("%s/twin.jpg", dir);
	fp = fopen(twin, "w");
	fputs("the photo as hashed", fp);
	fclose(fp);
	w = zipw_open(zip);
	rc = w ? zipw_add_file(w, "assets/photo.jpg", src, &id, 19, crc32_of("the photo as hashed", 19), 1672531200) : -1;
	unlink(src);
	rc = rc == 0 ? symlink(twin, src) : -1;
	EXPECT(rc == 0 && zipw_close(w) == -1 && access(zip, F_OK) == -1 && diag_count(DL_ERROR) >= 1,
	    "zipfile: a course file swapped for a link after hashing fails the archive");
	diag_reset();
	unlink(twin);
	free(twin);
	unlink(src);
	rmdir(dir);
	free(src);
	free(zip);
}
