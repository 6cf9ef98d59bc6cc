#include <stdio.h>

#include "image.h"
#include "unit.h"
#include "xml.h"

int unit_n, unit_failed;

int
main(void)
{
	test_util();
	test_deflate();
	test_zipfile();
	test_load();
	test_markdown();
	test_check();
	test_plan();
	test_shared();
	test_editions();
	test_image();
	test_races();
	test_fold();
	test_crypto();
	xml_cleanup();
	image_shutdown();
	printf("# done: %d tests, %d failed\n", unit_n, unit_failed);
	return unit_failed != 0;
}
