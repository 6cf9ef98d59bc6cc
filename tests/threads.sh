# The threaded build paths under ThreadSanitizer: sourced by tests/run.sh
# (make test, not make check) after the signature tests.  `make test`
# builds build/tsan/coursepack (make SANITIZE=thread); every run here
# stops at the first report (halt_on_error=1) with exit status 66.
# tests/tsan.supp holds the suppressions, for third-party libraries only.
# What is threaded (builder/cli/cmd_build.c): the -j workers, which share the
# render cache and its scratch file (shared.c, scratch.c), deflate pieces
# (deflate.c), sign each file, fork the browser for --pdf (pdf.c), and
# call libvips, which runs worker threads of its own (image.c).

tsan=$top/build/tsan/coursepack
tt=$tmp/tsan
if [ ! -x "$tsan" ]; then
	skipped "threads: $tsan not built (make SANITIZE=thread build/tsan/coursepack)"
else
	mkdir -p "$tt"
	# Without raster photos zlib is ours alone: its suppression is left out.
	grep -v 'libz\.so' tests/tsan.supp >"$tt/strict.supp"
	tsan_env="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
	# TSan needs a memory layout that some kernels' ASLR (mmap_rnd_bits
	# above 28) breaks: then the same runs with ASLR off (setarch -R).
	tsan_aslr= tsan_works=1
	if ! TSAN_OPTIONS="$tsan_env" "$tsan" --version >"$tt/probe" 2>&1; then
		if TSAN_OPTIONS="$tsan_env" setarch "$(uname -m)" -R "$tsan" --version >/dev/null 2>&1; then
			tsan_aslr="setarch $(uname -m) -R"
		else
			tsan_works=
		fi
	fi
	tsan_run() { # suppressions file, then the command line
		_s=$1; shift
		TSAN_OPTIONS="$tsan_env suppressions=$_s" $tsan_aslr "$@"
	}
	# The reports, if any, under a failure.
	tsan_reports() { sed -n '/WARNING: ThreadSanitizer/,/SUMMARY/p' "$1" | head -40 | sed 's/^/  | /'; }
	if [ -z "$tsan_works" ]; then
		skipped "threads: ThreadSanitizer cannot run on this kernel, even with ASLR off (setarch -R): $(head -n 1 "$tt/probe")"
	else
		"$BIN" keygen -o "$tt/town" -c "tsan test" </dev/null >/dev/null 2>&1
		# The Xiayang example, 2 workers, signed.
		tsan_run "$tt/strict.supp" env -u SOURCE_DATE_EPOCH "$tsan" build -j2 --sign "$tt/town.key" -o "$tt/x" examples/xiayang/township.xml >/dev/null 2>"$tt/err"; st=$?
		check_that "threads: build -j2 --sign of Xiayang under ThreadSanitizer: no report (exit $st)" \
			sh -c "test $st -eq 0 && ! grep -q 'ThreadSanitizer' '$tt/err'"
		tsan_reports "$tt/err"
		check_that "threads: ... and its bundles are the plain build's bytes" sh -c "test $st -eq 0 && cd '$tt/x/xiayang' && sha256sum -c --quiet SHA256SUMS && cmp xiayang-jili.zip '$bd/a/xiayang/xiayang-jili.zip'"
		tsan_run "$tt/strict.supp" "$tsan" verify --pubkey "$tt/town.pub" "$tt/x/xiayang" >/dev/null 2>"$tt/err"; st=$?
		check_that "threads: verify of the signed folder: no report (exit $st)" sh -c "test $st -eq 0 && ! grep -q 'ThreadSanitizer' '$tt/err'"
		tsan_reports "$tt/err"
		# Two villages sharing a sideways GPS-tagged photo: libvips threads,
		# --photo-side, the browser forked from a worker for --pdf (a
		# stand-in browser), signed.
		tp=$tt/photo && cp -r tests/golden/plan-short "$tp"
		cp tests/images/orient6.jpg "$tp/lib/grow/media/photo.jpg"
		printf '\n![箬竹田里的一张照片](media/photo.jpg)\n\n![同一张照片](media/photo.jpg)\n' >>"$tp/lib/grow/01-prune.md"
		sed 's/id="a"/id="b"/' "$tp/town/villages/a.xml" >"$tp/town/villages/b.xml"
		sed -i 's|<village src="villages/a.xml"/>|<village src="villages/a.xml"/>\n  <village src="villages/b.xml"/>|' "$tp/town/township.xml"
		mkdir -p "$tt/browser"
		cat >"$tt/browser/chromium" <<'FAKE'
#!/bin/sh
for a; do case $a in --print-to-pdf=*) out=${a#--print-to-pdf=} ;; esac; done
printf '%%PDF-1.4\n%%%%EOF\n' >"$out"
FAKE
		chmod +x "$tt/browser/chromium"
		(cd "$tp" && PATH="$tt/browser:$PATH" && export PATH && tsan_run "$top/tests/tsan.supp" "$tsan" build --allow-short -j2 --pdf --photo-side 64 \
			--sign "$tt/town.key" -o out town/township.xml >/dev/null 2>"$tt/err"); st=$?
		check_that "threads: build -j2 --pdf --photo-side --sign of two villages with photos: no report (exit $st)" \
			sh -c "test $st -eq 0 && ! grep -q 'ThreadSanitizer' '$tt/err' && test -s '$tp/out/town/town-b-print.pdf'"
		tsan_reports "$tt/err"
	fi
fi
