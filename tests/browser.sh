# The bundle in a real browser: sourced by tests/run.sh after editions.sh.
# Debian's Chromium, headless, with every network request refused, opens
# pages from file:// inside a harness page that reports what loaded.
# Screenshots stay in BUILDDIR/screenshots as test artefacts.

if ! command -v chromium >/dev/null 2>&1; then
	skipped "browser: chromium not installed (Debian package chromium)"
else
	shots=$top/$B/screenshots
	rm -rf "$shots" && mkdir -p "$shots"
	chrome() {
		timeout 120 chromium --headless --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--disable-default-apps --disable-extensions --proxy-server=127.0.0.1:9 \
			--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$tmp/chrome" \
			--allow-file-access-from-files --hide-scrollbars \
			$( [ "$(id -u)" = 0 ] && echo --no-sandbox ) "$@"
	}
	site=$bd/jili
	cp "$ed/xiayang-jili-phone.html" "$site/phone.html"
	# The harness loads a page in a frame, then counts its images, which
	# of them did not decode, style sheets that did not load, and search
	# results, into one line of its own DOM.
	cat >"$site/harness.js" <<'JS'
var f = document.getElementById('f');
f.onload = function () {
  setTimeout(function () {
    var d = f.contentDocument, w = f.contentWindow, bad = [], sheets = 0, i;
    var imgs = d.images;
    for (i = 0; i < imgs.length; i++)
      if (!imgs[i].complete || imgs[i].naturalWidth === 0) bad.push((imgs[i].getAttribute('src') || '').slice(0, 60));
    var links = d.querySelectorAll('link[rel=stylesheet]');
    for (i = 0; i < links.length; i++) if (!links[i].sheet) sheets++;
    var hits = d.querySelectorAll('#search-results li').length, first = d.querySelector('#search-results li');
    var script = d.querySelector('script[src]') ? (typeof w.COURSEPACK_SEARCH === 'object' ? 'loaded' : 'failed') : 'none';
    document.getElementById('out').textContent = 'RESULT images=' + imgs.length + ' undecoded=' + bad.length +
      ' sheets-failed=' + sheets + ' script=' + script + ' hits=' + hits + ' bad=' + bad.join(',') +
      ' first=' + (first ? first.textContent : '');
  }, 500);
};
JS
	run_page() { # label, page (relative to the bundle, may carry ?q=)
		printf '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>harness</title></head><body><iframe id="f" width="1200" height="900" src="%s"></iframe><pre id="out">PENDING</pre><script src="harness.js"></script></body></html>\n' "$2" >"$site/harness.html"
		chrome --enable-logging=stderr --v=0 --virtual-time-budget=10000 --dump-dom "file://$site/harness.html" >"$tmp/dom" 2>"$tmp/log"
		result=$(grep -o 'RESULT [^<]*' "$tmp/dom")
		grep 'INFO:CONSOLE' "$tmp/log" | grep -v 'harness' >"$tmp/console" || true
		page=${2%%\?*}
		check_that "browser: $1 loads in Chromium ($result)" test -n "$result"
		check_that "browser: $1: every image decoded" sh -c "echo '$result' | grep -q 'undecoded=0 '"
		check_that "browser: $1: every style sheet loaded" sh -c "echo '$result' | grep -q 'sheets-failed=0 '"
		check_that "browser: $1: its script, if any, loaded" sh -c "echo '$result' | grep -qv 'script=failed'"
		check_that "browser: $1: no console error" test ! -s "$tmp/console"
		[ -s "$tmp/console" ] && sed 's/^/  | /' "$tmp/console" | head -5
		for size in 1280,900:desktop 390,844:phone; do
			chrome --window-size="${size%%:*}" --virtual-time-budget=5000 \
				--screenshot="$shots/$3-${size##*:}.png" "file://$site/$2" >/dev/null 2>&1
		done
		check_that "browser: $1: screenshots taken" test -s "$shots/$3-desktop.png" -a -s "$shots/$3-phone.png"
	}
	run_page "index.html" "index.html?q=%E7%B2%BD%E5%8F%B6" index
	check_that "browser: searching 粽叶 finds lessons ($result)" sh -c "echo '$result' | grep -q 'hits=[1-9]'"
	check_that "browser: ... a lesson with 粽叶 in its title first" sh -c "echo '$result' | grep -q 'first=[^ ]*粽叶'"
	# Words that name Object's own properties are not index entries.
	# Two words: the script intersects their lessons.
	run_page "a search for two words" "index.html?q=%E7%B2%BD%E5%8F%B6%20%E7%A7%8D%E6%A4%8D" two-words
	check_that "browser: searching '粽叶 种植' finds the $search_hits lessons that hold both ($result)" \
		sh -c "echo '$result' | grep -q 'hits=${search_hits:-none} '"
	run_page "a search for 'constructor'" "index.html?q=constructor" constructor
	check_that "browser: searching 'constructor' finds nothing and throws nothing ($result)" sh -c "echo '$result' | grep -q 'hits=0 '"
	run_page "a lesson page" "lessons/zongzi-leaf/planting.html" lesson
	check_that "browser: the lesson's diagram is shown (images=1 or more)" sh -c "echo '$result' | grep -q 'images=[1-9]'"
	run_page "print.html" "print.html" print
	run_page "the phone edition" "phone.html" phone
	check_that "browser: the phone edition's inline images decode" sh -c "echo '$result' | grep -q 'images=[1-9][0-9]* undecoded=0 '"
	run_page "the township catalogue" "../a/xiayang/index.html" catalog
	# The catalogue on a 1366x768 office screen and a 360 px phone: its
	# height, and any element reaching past the screen's right edge or
	# scrolling sideways (it was 13,762 px tall at 1366 px, with the hash
	# column and group columns running off a phone screen).
	cat >"$site/measure.js" <<'JS'
function measure(id) {
  var d = document.getElementById(id).contentDocument, e = d.documentElement, all = d.body.getElementsByTagName('*');
  var right = 0, scrollers = 0, i;
  for (i = 0; i < all.length; i++) {
    var r = all[i].getBoundingClientRect();
    if (r.right > right) right = r.right;
    if (all[i].scrollWidth > all[i].clientWidth + 1 && getComputedStyle(all[i]).overflowX !== 'visible') scrollers++;
  }
  return id + '-height=' + e.scrollHeight + ' ' + id + '-width=' + e.scrollWidth + ' ' + id + '-right=' + Math.ceil(right) +
    ' ' + id + '-scrollers=' + scrollers;
}
window.onload = function () {
  setTimeout(function () {
    document.getElementById('out').textContent = 'RESULT ' + measure('office') + ' ' + measure('phone') + ' .';
  }, 500);
};
JS
	printf '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>measure</title></head><body><iframe id="office" width="1366" height="768" src="../a/xiayang/index.html"></iframe><iframe id="phone" width="360" height="640" src="../a/xiayang/index.html"></iframe><pre id="out">PENDING</pre><script src="measure.js"></script></body></html>\n' >"$site/measure.html"
	chrome --virtual-time-budget=10000 --dump-dom "file://$site/measure.html" >"$tmp/dom" 2>/dev/null
	m=$(grep -o 'RESULT [^<]*' "$tmp/dom")
	mval() { printf '%s\n' "$m" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	check_that "browser: catalogue measured at 1366 and 360 px ($m)" test -n "$(mval office-height)"
	check_that "browser: catalogue at 1366 px is under 4,000 px tall ($(mval office-height) px)" test "$(mval office-height)" -lt 4000
	check_that "browser: catalogue at 360 px: nothing past the right edge, nothing scrolls sideways" \
		sh -c "test '$(mval phone-width)' -le 360 && test '$(mval phone-right)' -le 360 && test '$(mval phone-scrollers)' -eq 0"
	chrome --window-size=1366,768 --virtual-time-budget=5000 --screenshot="$shots/catalog-1366.png" "file://$bd/a/xiayang/index.html" >/dev/null 2>&1
	chrome --window-size=360,640 --virtual-time-budget=5000 --screenshot="$shots/catalog-360.png" "file://$bd/a/xiayang/index.html" >/dev/null 2>&1
	rm -f "$site/measure.html" "$site/measure.js"
	# The harness can fail: a page with a missing image must be caught.
	printf '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>x</title></head><body><img src="missing.png" alt="缺"></body></html>\n' >"$site/broken.html"
	printf '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>harness</title></head><body><iframe id="f" src="broken.html"></iframe><pre id="out">PENDING</pre><script src="harness.js"></script></body></html>\n' >"$site/harness.html"
	chrome --virtual-time-budget=10000 --dump-dom "file://$site/harness.html" >"$tmp/dom" 2>/dev/null
	check_that "browser: the harness catches an image that did not load" grep -q 'undecoded=1 ' "$tmp/dom"
	rm -f "$site/harness.html" "$site/harness.js" "$site/broken.html" "$site/phone.html"
fi
