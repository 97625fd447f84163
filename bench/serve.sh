# shellcheck shell=bash
# Serving workers for bench/run, and ending them: sourced after scripts/lib.sh, with
# SHOAL_LOCAL set. tests/tests/bench_serve.rs runs these same functions.
#
# Each served worker (bench/serve.mjs: node, and workerd as Miniflare's child) runs in a
# session and process group of its own (setsid); its pid file holds the group's id, written
# by the leader itself after setsid (a `$!` here would be a subshell's pid, not the group's,
# and a subshell that dies on Ctrl-C would leave no trace of the group).

served_names=()
served_groups=()

serve() { # name script port [NAME=value...]
  local name=$1; shift
  mkdir -p "$SHOAL_LOCAL"
  # serve.mjs imports miniflare from the pinned tools folder (ES modules ignore NODE_PATH)
  ln -sfn "$NODE_DIR/node_modules" "$SHOAL_ROOT/bench/node_modules"
  served_names+=("$name")
  ( cd "$SHOAL_ROOT/bench" && NODE_PATH=$NODE_DIR/node_modules \
      setsid bash -c 'echo $$ >"$0"; exec node serve.mjs "$@"' "$SHOAL_LOCAL/$name.pid" "$@" \
      >"$SHOAL_LOCAL/$name.log" 2>&1 </dev/null & )
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$2/" && return; sleep 0.1; done
  tail -20 "$SHOAL_LOCAL/$name.log"; die "$name did not start"
}

# ends each served worker's process group (TERM, then KILL after 5 s)
stop_served() {
  local n pgid
  for n in "${served_names[@]}"; do
    pgid=$(cat "$SHOAL_LOCAL/$n.pid" 2>/dev/null) || continue
    rm -f "$SHOAL_LOCAL/$n.pid"
    [ -n "$pgid" ] && [ "$pgid" != "$(ps -o pgid= -p $$ | tr -d ' ')" ] || continue   # never our own group
    served_groups+=("$pgid")
    kill -TERM -- "-$pgid" 2>/dev/null || continue
    for _ in $(seq 1 50); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  done
}

# The EXIT trap: nothing the run started may outlive it. The served workers' groups and
# the stack are stopped, then checked; anything left is listed and the run fails.
#   trap 'finish $?' EXIT; trap 'exit 130' INT TERM
finish() {
  local rc=$1 pgid left
  set +e   # one process already gone must not stop the clean-up
  stop_served
  "$SHOAL_ROOT/scripts/dev" down >/dev/null 2>&1
  for pgid in "${served_groups[@]}"; do
    left=$(ps -eo pgid=,pid=,stat=,args= | awk -v g="$pgid" '$1 == g && $3 !~ /^Z/')   # not zombies
    [ -z "$left" ] || { say "still running in served group $pgid:"; echo "$left" | cut -c1-200 >&2; rc=1; }
  done
  "$SHOAL_ROOT/scripts/dev" leftovers || rc=1
  exit "$rc"
}
