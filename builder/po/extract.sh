#!/bin/sh
# Prints the message template (coursepack.pot) of the given sources, or of
# builder/*/*.[ch] by default, on stdout.  What is extracted:
#   - the catalogue's formats: X(code, level, "format") in diag.h, looked
#     up by diag() at the one sink;
#   - usage_error("format", ...), looked up by usage_error();
#   - _("...") and N_("...") wherever a string is printed to users.
# xgettext's default keywords (gettext, ...) are off: main.c asks
# gettext("") whether a catalogue was found, which is no message.
# The creation date is left out, so that the file changes only when the
# messages do.  Usage: builder/po/extract.sh [FILE...]
set -eu
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- builder/*/*.h builder/*/*.c
xgettext -o - --from-code=UTF-8 --language=C --no-wrap --sort-by-file \
	--package-name=coursepack --msgid-bugs-address="see README.md" --add-location=file \
	-k --keyword=_ --keyword=N_ --keyword=X:3 --keyword=usage_error:1 \
	--flag=X:3:c-format --flag=usage_error:1:c-format --flag=_:1:pass-c-format \
	"$@" | sed '/^"POT-Creation-Date: /d'
