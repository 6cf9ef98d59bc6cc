# coursepack: plain POSIX-ish make (GNU make on Debian).  Honours CC,
# CFLAGS, LDFLAGS, PREFIX and DESTDIR.  `make test SANITIZE=1` builds into
# its own folder with AddressSanitizer and UBSan.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/coursepack
LOCALEDIR ?= $(PREFIX)/share/locale
CFLAGS  ?= -O2 -g

PKGS    = libxml-2.0 libzip libcmark-gfm libsodium libcrypto zlib vips sqlite3 xlsxwriter libmicrohttpd libzstd
WARN    = -std=c11 -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
          -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2 \
          -Wno-format-nonliteral

ifeq ($(SANITIZE),1)
B       = build/san
SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SANITIZE),thread)
# ThreadSanitizer, for the threaded build paths (tests/run.sh runs them).
B       = build/tsan
SAN     = -fsanitize=thread -fno-omit-frame-pointer
else
B       = build/plain
SAN     =
endif

# One feature-test set for every file (none defines its own): GNU for
# mkostemp and close_range, 64-bit off_t so that the scratch file's
# offsets hold past 2 GiB on 32-bit targets too.
FEATURES = -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64

# Expanded when a recipe runs, so after builder/deps.sh installed them.
ALL_CFLAGS  = $(WARN) $(FEATURES) $(CFLAGS) $(SAN) -pthread $(INCLUDES) -I $(B) -DLOCALEDIR='"$(LOCALEDIR)"' $(shell pkg-config --cflags $(PKGS))
ALL_LDFLAGS = $(LDFLAGS) $(SAN) -pthread
# Debian's libcmark-gfm.pc already links the extensions library.
LIBS        = $(shell pkg-config --libs $(PKGS))

SCHEMAS = schemas/categories.xsd schemas/course.xsd schemas/package.xsd schemas/recipe.xsd \
          schemas/reviews.xsd schemas/shard.xsd schemas/township.xsd schemas/village.xsd
# The sources, one folder per stage of the flow, lowest first: a file
# includes only headers of its own stage or an earlier one (tests/layers.py).
#   base    strings, messages, hashes, names, media types, images
#   zip     bytes on their way into zips: deflate, scratch files, zip files
#   source  reading and checking what trainers and staff write; the plan
#   render  lessons into documents: pages, booklet, phone edition, EPUB...
#   pack    documents into signed bundles, the catalogue; reading bundles
#   ledger  the township's class-hour ledger (SQLite): records, imports, totals
#   serve   the browser workspace (libmicrohttpd): server, pages over the engine
#   cli     the command line: main.c and one file per command
STAGES  = base zip source render pack ledger serve cli
INCLUDES = $(STAGES:%=-I builder/%)
vpath %.c $(STAGES:%=builder/%)
LIBSRC  = $(filter-out builder/cli/main.c,$(wildcard $(STAGES:%=builder/%/*.c)))
LIBOBJ  = $(addprefix $(B)/,$(notdir $(LIBSRC:.c=.o))) $(B)/embedded.o
HEADERS = $(wildcard $(STAGES:%=builder/%/*.h))
UNITSRC = $(wildcard tests/unit/*.c)

# Message catalogues (builder/po/, GNU gettext): each LANG.po is compiled
# into the build folder's locale/, where a binary run from the build tree
# finds it (see i18n_init in builder/cli/main.c).
LINGUAS = zh_CN
MOFILES = $(LINGUAS:%=$(B)/locale/%/LC_MESSAGES/coursepack.mo)

# ./coursepack is always the plain build; SANITIZE=1 builds stay in build/san,
# SANITIZE=thread builds in build/tsan.
ifneq ($(SANITIZE),)
all: $(B)/coursepack $(MOFILES)
else
all: coursepack
endif

coursepack: build/plain/coursepack $(MOFILES)
	cp build/plain/coursepack $@

$(B)/locale/%/LC_MESSAGES/coursepack.mo: builder/po/%.po $(B)/.deps
	@mkdir -p $(@D)
	msgfmt --check -o $@.tmp $< && mv $@.tmp $@

# Refreshes builder/po/coursepack.pot from the sources and merges it into
# every LANG.po; then translate what msgfmt --statistics calls untranslated
# or fuzzy (make test fails until every message has its translation).
po: $(B)/.deps
	builder/po/extract.sh > builder/po/coursepack.pot
	for l in $(LINGUAS); do msgmerge -q --update --backup=none --no-location --no-wrap builder/po/$$l.po builder/po/coursepack.pot; \
	    msgfmt --check --statistics -o /dev/null builder/po/$$l.po; done

$(B)/.deps:
	@builder/deps.sh build
	@mkdir -p $(B) && touch $@

$(B)/%.o: %.c $(HEADERS) $(B)/diagfmt.h $(B)/.deps
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Each catalogue format as a macro, DIAGFMT_<code>, so that the compiler
# checks diag() calls against it (builder/base/diag.h).
$(B)/diagfmt.h: builder/base/diag.h $(B)/.deps
	sed -n 's/^[[:space:]]*X(\([A-Z0-9_]*\), DL_[A-Z]*, \(".*"\))[[:space:]\\]*$$/#define DIAGFMT_\1 \2/p' builder/base/diag.h >$@.tmp
	test "$$(wc -l <$@.tmp)" -eq "$$(grep -c '^[[:space:]]*X(' builder/base/diag.h)" && mv $@.tmp $@

$(B)/embedded.c: $(SCHEMAS) builder/render/style.css builder/embed.sh $(B)/.deps
	builder/embed.sh $(SCHEMAS) builder/render/style.css > $@.tmp && mv $@.tmp $@

$(B)/embedded.o: $(B)/embedded.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/coursepack: $(LIBOBJ) $(B)/main.o
	$(CC) $(ALL_LDFLAGS) -o $@ $(B)/main.o $(LIBOBJ) $(LIBS)

$(B)/unit: $(UNITSRC) $(LIBOBJ) $(HEADERS) $(B)/diagfmt.h tests/unit/unit.h
	$(CC) $(ALL_CFLAGS) -I tests/unit $(ALL_LDFLAGS) -o $@ $(UNITSRC) $(LIBOBJ) $(LIBS)

$(B)/cjkcount: tests/cjkcount.c $(B)/.deps
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/cjkcount.c

# Prints the receipts receipt.c finds in chat text (tests/receipts.sh).
$(B)/receipts: tests/receipts.c $(LIBOBJ) $(HEADERS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/receipts.c $(LIBOBJ) $(LIBS)

# puppeteer-core for tests/serve_browser.sh, pinned by tests/browser's
# package-lock.json and installed with npm ci into build/node, once: it
# drives Debian's /usr/bin/chromium (PUPPETEER_SKIP_DOWNLOAD: no browser
# is downloaded).  Only the npm registry is asked, and only when missing.
NODE_DIR = build/node
PUPPETEER = $(NODE_DIR)/node_modules/puppeteer-core/package.json
$(PUPPETEER): tests/browser/package.json tests/browser/package-lock.json
	@builder/deps.sh test
	@mkdir -p $(NODE_DIR)
	cp tests/browser/package.json tests/browser/package-lock.json $(NODE_DIR)/
	cd $(NODE_DIR) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error --prefix .
	@test -f $@ && touch $@

# The load client for the workspace (tests/serve_load.sh, bench/serve.sh).
$(B)/load: tests/load.c $(B)/.deps
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/load.c

# The whole suite; it also builds a ThreadSanitizer binary (build/tsan)
# for its section on the threaded build paths.
test: $(B)/coursepack $(MOFILES) $(B)/unit $(B)/cjkcount $(B)/receipts $(B)/load $(PUPPETEER)
	@builder/deps.sh test
	@$(MAKE) --no-print-directory SANITIZE=thread build/tsan/coursepack >/dev/null
	@tests/run.sh $(B)

# The fast suite for the edit-compile-test loop (unit, golden, core
# checks; under 30 s): tests/run.sh --quick.
check: $(B)/coursepack $(MOFILES) $(B)/unit $(B)/cjkcount $(B)/receipts
	@builder/deps.sh test
	@tests/run.sh $(B) --quick

# Rewrites the golden files from the program's current output: for
# deliberate changes only; review the diff before committing.
regen: $(B)/coursepack $(MOFILES)
	@tests/run.sh $(B) --regen

# The main job on the bundled example: check, plan, build, verify; then
# what came back (rosters, sheets, chat exports; not the generators or
# READMEs) into a fresh ledger, and the township report from it.
DEMO_LEDGER = dist/xiayang-ledger.sqlite
DEMO_RETURNS = $(sort $(filter-out %.py %.md %__pycache__,$(wildcard examples/xiayang/rosters/*))) \
               $(sort $(filter-out %.py %.md %__pycache__,$(wildcard examples/xiayang/returns/*)))
demo: $(B)/coursepack $(MOFILES)
	$(B)/coursepack check --require-review courses examples
	$(B)/coursepack plan examples/xiayang/township.xml
	$(B)/coursepack build -o dist examples/xiayang/township.xml
	$(B)/coursepack verify dist/xiayang/*.zip
	@echo
	@echo "Open the township catalogue: file://$(CURDIR)/dist/xiayang/index.html"
	@echo "or one village's package: unzip dist/xiayang/xiayang-jili.zip, open index.html"
	@echo
	rm -f $(DEMO_LEDGER) $(DEMO_LEDGER)-wal $(DEMO_LEDGER)-shm $(DEMO_LEDGER)-journal
	$(B)/coursepack ledger import --ledger $(DEMO_LEDGER) examples/xiayang/township.xml $(DEMO_RETURNS)
	$(B)/coursepack ledger report --summary --ledger $(DEMO_LEDGER) examples/xiayang/township.xml
	@echo
	@echo "Every member who is short, with the lessons to offer them:"
	@echo "  $(B)/coursepack ledger report --ledger $(DEMO_LEDGER) examples/xiayang/villages/jili.xml"
	@echo "or as pages to print:"
	@echo "  $(B)/coursepack ledger report --html dist/report --ledger $(DEMO_LEDGER) examples/xiayang/township.xml"

install: $(B)/coursepack $(MOFILES)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/schemas
	cp $(B)/coursepack $(DESTDIR)$(BINDIR)/coursepack
	chmod 755 $(DESTDIR)$(BINDIR)/coursepack
	cp builder/coursepack.1 $(DESTDIR)$(MANDIR)/man1/coursepack.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/coursepack.1
	cp $(SCHEMAS) $(DESTDIR)$(DATADIR)/schemas/
	chmod 644 $(DESTDIR)$(DATADIR)/schemas/*.xsd
	for l in $(LINGUAS); do \
	    mkdir -p $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	    cp $(B)/locale/$$l/LC_MESSAGES/coursepack.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/coursepack.mo && \
	    chmod 644 $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/coursepack.mo || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/coursepack $(DESTDIR)$(MANDIR)/man1/coursepack.1
	rm -f $(SCHEMAS:schemas/%=$(DESTDIR)$(DATADIR)/schemas/%)
	-rmdir $(DESTDIR)$(DATADIR)/schemas $(DESTDIR)$(DATADIR) 2>/dev/null
	rm -f $(LINGUAS:%=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/coursepack.mo)

clean:
	rm -rf build coursepack dist

.PHONY: all test check regen demo install uninstall clean po

# Fuzzing (clang's libFuzzer with ASan and UBSan): every target runs for
# FUZZ_SECONDS on a copy of its seeds (tests/fuzz/seeds; the bundle seeds
# are built from a test fixture).  Crashes land in build/fuzz/.
FUZZ_SECONDS ?= 300
# DELTA_MAX_BYTES: update patches claim at most 64 MiB here, within
# libFuzzer's memory limit (builder/pack/delta.h).
FUZZ_CFLAGS = -std=c11 $(FEATURES) -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(INCLUDES) \
              -D'DELTA_MAX_BYTES=(64ull << 20)' $(shell pkg-config --cflags $(PKGS))
FUZZ_TARGETS = fuzz_xml fuzz_markdown fuzz_bundle fuzz_image fuzz_minisign fuzz_zipdir fuzz_receipt fuzz_roster fuzz_delta
FUZZOBJ = $(addprefix build/fuzz/,$(notdir $(LIBSRC:.c=.o))) build/fuzz/embedded.o

build/fuzz/%.o: %.c $(HEADERS) $(B)/.deps build/fuzz/.deps
	clang $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/embedded.o: $(B)/embedded.c build/fuzz/.deps
	clang $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZOBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -pthread -o $@ $< $(FUZZOBJ) $(shell pkg-config --libs $(PKGS))

build/fuzz/.deps:
	@builder/deps.sh fuzz
	@mkdir -p build/fuzz && touch $@

fuzz: build/fuzz/.deps $(FUZZ_TARGETS:%=build/fuzz/%) $(B)/coursepack
	@tests/fuzz/run.sh $(B) $(FUZZ_SECONDS)

.PHONY: fuzz

# The county-scale benchmark (bench/README.md): synthetic counties timed
# against cp of the output and a pandoc + zip pipeline.  BENCH_RUNS,
# BENCH_DIR and the other settings of bench/run.sh pass through.
bench: coursepack build/bench/zip_sources
	@builder/deps.sh bench
	@bench/run.sh $(BENCH_PRESETS)
	@echo; echo "## libzip: two ways to write entries deflated once (bench/zip_sources.c)"
	@d=$$(mktemp -d) && build/bench/zip_sources "$$d"; rc=$$?; rm -rf "$$d"; exit $$rc
	@echo; bench/ledger.sh $(B)

# The class-hour ledger on a county: 200 villages x 150 members x 25
# lessons, 750,000 credits imported, then reported (bench/ledger.sh).
bench-ledger: $(B)/coursepack
	@builder/deps.sh bench
	@bench/ledger.sh $(B)

build/bench/zip_sources: bench/zip_sources.c $(LIBOBJ) $(HEADERS)
	@mkdir -p build/bench
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ bench/zip_sources.c $(LIBOBJ) $(LIBS)

# The workspace under load: coursepack serve on the Xiayang example, 50
# keep-alive clients for 20 s (tests/load.c), its RSS every second
# (bench/serve.sh; CLIENTS and SECONDS pass through).
bench-serve: $(B)/coursepack $(MOFILES) $(B)/load
	@bench/serve.sh $(B)

.PHONY: bench bench-ledger bench-serve

# One 4000x3000 camera photo shrunk for the phone edition: libvips
# (builder/base/image.c) against ImageMagick, GraphicsMagick and libjpeg's
# djpeg (bench/images.sh; the figures are in BENCHMARKS.md).
bench-images: build/bench/image_phone
	@builder/deps.sh bench-images
	@bench/images.sh build/bench/image_phone $(BENCH_RUNS)

build/bench/image_phone: bench/image_phone.c $(LIBOBJ) $(HEADERS)
	@mkdir -p build/bench
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ bench/image_phone.c $(LIBOBJ) $(LIBS)

.PHONY: bench-images

# Update patch sizes against zstd --patch-from and xdelta3 on the Xiayang
# example after a lesson, an SVG and a plan change (bench/delta.sh; the
# figures are in BENCHMARKS.md).
bench-delta: $(B)/coursepack
	@builder/deps.sh bench-delta
	@bench/delta.sh $(B)

.PHONY: bench-delta

# Export to a stick against cp -r + sync to the same place (bench/export.sh;
# the figures are in BENCHMARKS.md).
bench-export: $(B)/coursepack
	@bench/export.sh $(B)

.PHONY: bench-export
