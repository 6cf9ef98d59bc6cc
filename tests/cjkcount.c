/* cjkcount FILE...: prints "N FILE" with N the number of CJK ideographs
 * (U+4E00..U+9FFF, U+3400..U+4DBF) in each file: how the test suite holds
 * lessons to their 600-2,000 character range. */
#include <stdio.h>

int
main(int argc, char *argv[])
{
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		long n = 0;
		int c;

		if (fp == NULL) {
			perror(argv[i]);
			rc = 1;
			continue;
		}
		while ((c = getc(fp)) != EOF) {
			if ((c & 0xf0) == 0xe0) {
				int c2 = getc(fp), c3 = getc(fp);
				unsigned cp;

				if (c2 == EOF || c3 == EOF)
					break;
				cp = (unsigned)(c & 0x0f) << 12 | (unsigned)(c2 & 0x3f) << 6 | (unsigned)(c3 & 0x3f);
				if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf))
					n++;
			}
		}
		fclose(fp);
		printf("%ld %s\n", n, argv[i]);
	}
	return rc;
}
