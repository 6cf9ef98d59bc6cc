# Starting and stopping `coursepack serve` for the scripts that load it
# (tests/serve_browser.sh, tests/serve_load.sh, bench/serve.sh); sourced.
#   serve_exists BIN          true when BIN has the serve command
#   serve_start LOG BIN ARGS  starts BIN serve ARGS on a free port of
#                             127.0.0.1 in the background: sets srv (its
#                             pid) and url (the http://127.0.0.1:PORT/ it
#                             printed); LOG.out and LOG.err get its output
#   serve_stop                stops it (SIGTERM, then SIGKILL after 5 s)
# Only 127.0.0.1 is ever listened on or asked.

serve_exists() {
	"$1" --help 2>/dev/null | grep -q '^  serve '
}

serve_start() {
	_log=$1 _bin=$2; shift 2
	srv= url=
	# A port free now (the server moves on to the next ones if it is taken
	# by then, and prints the one it got).
	_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$_bin" serve --listen "127.0.0.1:$_port" "$@" >"$_log.out" 2>"$_log.err" &
	srv=$!
	_i=0
	while [ $_i -lt 150 ]; do
		url=$(grep -m1 -o 'http://127\.0\.0\.1:[0-9][0-9]*/' "$_log.out" 2>/dev/null)
		[ -n "$url" ] && return 0
		kill -0 "$srv" 2>/dev/null || { wait "$srv" 2>/dev/null; srv=; return 1; }
		sleep 0.1; _i=$((_i + 1))
	done
	serve_stop
	return 1
}

serve_stop() {
	[ -n "${srv:-}" ] || return 0
	kill "$srv" 2>/dev/null
	_i=0
	while kill -0 "$srv" 2>/dev/null && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	kill -9 "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	srv=
}

# VmRSS of a process in KiB, or nothing when it is gone.
serve_rss() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null
}
