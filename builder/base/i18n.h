/* Translation of what users read: the only file that includes
 * <libintl.h>.  _() looks a message up in the catalogue of the user's
 * language (LANGUAGE, LC_ALL, LC_MESSAGES; see coursepack(1)); N_() only
 * marks a string for xgettext where the lookup happens later, at the
 * sink.  With no catalogue installed both give back the English text.
 * builder/po/ holds the catalogues; `make po` refreshes them. */
#ifndef COURSEPACK_I18N_H
#define COURSEPACK_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* The gettext domain, and the catalogue's file name: coursepack.mo. */
#define I18N_DOMAIN "coursepack"

#endif
