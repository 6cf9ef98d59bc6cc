#!/bin/sh
# Makes sure what the build (and, with "test", the test suite) needs is
# installed.  On Debian as root it installs what is missing with apt-get
# (after one apt-get update); otherwise it prints the exact command to run
# and fails.  Usage: builder/deps.sh [build|test|fuzz|bench|bench-images|bench-delta]
set -u
what=${1:-build}
missing=""

need_pkg() { # pkg-config module, Debian package
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$1" 2>/dev/null; then
		missing="$missing $2"
	fi
}
need_header() { # header, Debian package
	if ! printf '#include <%s>\n' "$1" | ${CC:-cc} -E -x c - >/dev/null 2>&1; then
		missing="$missing $2"
	fi
}
need_cmd() { # command, Debian package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}

need_cmd pkg-config pkg-config
need_pkg libxml-2.0 libxml2-dev
need_pkg libzip libzip-dev
need_pkg libcmark-gfm libcmark-gfm-dev
# Debian ships no .pc file for the extensions library: look for its header.
need_header cmark-gfm-core-extensions.h libcmark-gfm-extensions-dev
need_pkg libsodium libsodium-dev
need_pkg zlib zlib1g-dev
need_pkg libcrypto libssl-dev
# Images (builder/image.c): decoded, shrunk and stripped with libvips.
need_pkg vips libvips-dev
# The class-hour ledger (builder/ledger): SQLite.
need_pkg sqlite3 libsqlite3-dev
# The attendance spreadsheet as .xlsx (builder/pack/xlsx.c).
need_pkg xlsxwriter libxlsxwriter-dev
# The browser workspace (builder/serve): libmicrohttpd.
need_pkg libmicrohttpd libmicrohttpd-dev
# Update patches (builder/pack/delta.c): zstd deltas against the old bundle.
need_pkg libzstd libzstd-dev
# The message catalogues (builder/po) are compiled with msgfmt.
need_cmd msgfmt gettext
if [ "$what" = test ]; then
	need_cmd xmllint libxml2-utils
	need_cmd mandoc mandoc
	# Other programs must read our bundles: the tests ask them.
	need_cmd zip zip
	need_cmd unzip unzip
	need_cmd bsdtar libarchive-tools
	need_cmd python3 python3
	# The editions are checked by the tools their readers use.
	need_cmd chromium chromium
	[ -d /usr/share/fonts/opentype/noto ] || missing="$missing fonts-noto-cjk"
	[ -f /usr/share/java/epubcheck.jar ] || missing="$missing epubcheck"
	need_cmd pdftotext poppler-utils
	need_cmd minisign minisign
	# tests/races.sh: fsync before rename is seen with strace, the folder
	# lock is held with flock(1).
	need_cmd strace strace
	need_cmd flock util-linux
	# tests/ledger.sh edits ledgers behind coursepack's back to test its checks.
	need_cmd sqlite3 sqlite3
	# tests/serve.sh talks to coursepack serve with curl.
	need_cmd curl curl
	# tests/editions.sh runs a bundle's own search.js under node.
	need_cmd node nodejs
	# tests/serve_browser.sh: puppeteer-core comes from the npm registry
	# with npm (make test runs npm ci into build/node).
	need_cmd npm npm
	# tests/export.sh exports onto FAT32 images: made by mkfs.vfat, read
	# by mtools, mounted with fusefat where /dev/fuse is usable.
	# (mkfs.vfat is in /usr/sbin, which a user's PATH may leave out.)
	[ -x /usr/sbin/mkfs.vfat ] || [ -x /sbin/mkfs.vfat ] || need_cmd mkfs.vfat dosfstools
	need_cmd mcopy mtools
	need_cmd fusefat fusefat
	# Image outputs are searched for metadata with the tool that reads most of it.
	need_cmd exiftool libimage-exiftool-perl
	# HTML5 syntax is checked with Debian's html5lib, in Debian's python3.
	/usr/bin/python3 -c 'import html5lib' >/dev/null 2>&1 || missing="$missing python3 python3-html5lib"
	# The catalogue test extracts the messages afresh (xgettext, msgcmp);
	# the Chinese golden outputs hold glibc's own Chinese strerror() texts.
	# LANGUAGE=zh_CN is honoured under LC_ALL=C.UTF-8: no locale to generate.
	need_cmd xgettext gettext
	need_cmd msgcmp gettext
	[ -f /usr/share/locale/zh_CN/LC_MESSAGES/libc.mo ] || missing="$missing libc-l10n"
fi

if [ "$what" = bench ]; then
	need_cmd python3 python3
	need_cmd zip zip
	need_cmd pandoc pandoc
	[ -x /usr/bin/time ] || missing="$missing time"
fi

# tests/delta.sh and bench/delta.sh: patch sizes against the generic tools.
if [ "$what" = test ] || [ "$what" = bench-delta ]; then
	need_cmd zstd zstd
	need_cmd xdelta3 xdelta3
	[ "$what" = test ] || [ -x /usr/bin/time ] || missing="$missing time"
fi

if [ "$what" = bench-images ]; then
	need_cmd convert imagemagick
	need_cmd gm graphicsmagick
	need_cmd djpeg libjpeg-turbo-progs
	need_cmd vipsthumbnail libvips-tools
	need_cmd exiftool libimage-exiftool-perl
	[ -x /usr/bin/time ] || missing="$missing time"
fi

if [ "$what" = fuzz ]; then
	need_cmd clang clang
	[ -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] || missing="$missing libclang-rt-dev"
fi

[ -z "$missing" ] && exit 0
# Each package once, in a stable order.
missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "coursepack: installing missing packages: $missing" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2 ||
		{ echo "coursepack: apt-get failed; install by hand: $missing" >&2; exit 1; }
	exit 0
fi
echo "coursepack: missing packages; run as root:" >&2
echo "  apt-get update && apt-get install -y $missing" >&2
exit 1
