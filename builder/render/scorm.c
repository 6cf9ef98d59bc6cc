#include <stdlib.h>

#include <string.h>

#include "editions.h"
#include "scorm.h"
#include "util.h"

/* ISO 8601 duration, as IMS Metadata 1.2.1 reads typical learning time. */
static void
duration(struct buf *b, int tenths)
{
	int minutes = tenths * 6;

	buf_puts(b, "PT");
	if (minutes >= 60)
		buf_printf(b, "%dH", minutes / 60);
	if (minutes % 60 || minutes == 0)
		buf_printf(b, "%dM", minutes % 60);
}

/* `assets[i]` holds the media of lesson i.  Caller frees the result. */
static char *
scorm_manifest(const struct project *pr, const struct plan *p, const char *id, const struct asset_set *assets)
{
	struct buf b = {0};
	size_t i, k;

	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<manifest identifier=\"%s\" version=\"1\"\n"
	    "    xmlns=\"http://www.imsproject.org/xsd/imscp_rootv1p1p2\"\n"
	    "    xmlns:adlcp=\"http://www.adlnet.org/xsd/adlcp_rootv1p2\"\n"
	    "    xmlns:imsmd=\"http://www.imsglobal.org/xsd/imsmd_rootv1p2p1\"\n"
	    "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
	    "    xsi:schemaLocation=\"http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
	    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
	    "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd\">\n"
	    "  <metadata>\n    <schema>ADL SCORM</schema>\n    <schemaversion>1.2</schemaversion>\n"
	    "  </metadata>\n  <organizations default=\"org-%s\">\n    <organization identifier=\"org-%s\">\n"
	    "      <title>", id, id, id);
	buf_escape(&b, p->village->name);
	buf_puts(&b, " · ");
	buf_escape(&b, pr->recipe->title);
	buf_puts(&b, "</title>\n");
	for (i = 0; i < p->nlessons; i++) {
		const struct lesson *l = p->lessons[i];

		buf_printf(&b, "      <item identifier=\"item-%zu\" identifierref=\"res-%zu\" isvisible=\"true\">\n"
		    "        <title>", i + 1, i + 1);
		buf_escape(&b, l->title);
		buf_puts(&b, "</title>\n        <metadata>\n          <imsmd:lom>\n            <imsmd:educational>\n"
		    "              <imsmd:typicallearningtime>\n                <imsmd:datetime>");
		duration(&b, l->hours);
		buf_puts(&b, "</imsmd:datetime>\n              </imsmd:typicallearningtime>\n"
		    "            </imsmd:educational>\n          </imsmd:lom>\n        </metadata>\n      </item>\n");
	}
	buf_puts(&b, "    </organization>\n  </organizations>\n  <resources>\n");
	for (i = 0; i < p->nlessons; i++) {
		char *page = render_page_name(p->lessons[i]);

		buf_printf(&b, "    <resource identifier=\"res-%zu\" type=\"webcontent\" adlcp:scormtype=\"asset\" "
		    "href=\"%s\">\n      <file href=\"%s\"/>\n      <file href=\"style.css\"/>\n", i + 1, page, page);
		for (k = 0; k < assets[i].n; k++) {
			buf_printf(&b, "      <file href=\"assets/%s/", assets[i].v[k].course->id);
			buf_escape(&b, assets[i].v[k].path);
			buf_puts(&b, "\"/>\n");
		}
		buf_puts(&b, "    </resource>\n");
		free(page);
	}
	buf_puts(&b, "  </resources>\n</manifest>\n");
	return buf_detach(&b);
}

int
scorm_make(const struct edition_input *in, struct edition_output *out)
{
	char *ims = scorm_manifest(in->pr, in->plan, in->id, in->lesson_media);

	archive_insert(out->ar, out->ar->nfiles, xstrdup("imsmanifest.xml"), ims, strlen(ims), 0);
	return 0;
}
