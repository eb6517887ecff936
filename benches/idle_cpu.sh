#!/usr/bin/env bash
# Idle CPU of the running console: starts `--demo` in a detached tmux session, lets it settle,
# then reads utime+stime of all its threads from /proc/PID/stat over N seconds (default 30).
# Then the same again while a key is pressed continuously, so the reader can see the
# measurement is live. Target (issue 2): idle under 0.5 % of one core.
#
#   benches/idle_cpu.sh [SECONDS]     (honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-30}
command -v tmux >/dev/null || { echo "needs tmux (apt-get install tmux)" >&2; exit 2; }
cargo build --release --quiet
# The binary is where cargo put it: CARGO_TARGET_DIR (or a configured target-dir) when set.
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN=$TARGET_DIR/release/trueconf-console
HZ=$(getconf CLK_TCK)
SESSION=tc-idle-$$
STATE=$(mktemp -d)
trap 'tmux kill-session -t $SESSION 2>/dev/null || true; rm -rf "$STATE"' EXIT

measure() { # $1 = label, $2 = 1 to press keys during the window
    tmux kill-session -t $SESSION 2>/dev/null || true
    XDG_STATE_HOME=$STATE tmux new -d -s $SESSION -x 160 -y 48 "exec $BIN --demo"
    local pid=""
    for _ in $(seq 100); do
        pid=$(tmux list-panes -t $SESSION -F '#{pane_pid}' 2>/dev/null || true)
        [ -n "$pid" ] && grep -q trueconf /proc/"$pid"/comm 2>/dev/null && break
        sleep 0.1
    done
    # Wait for the first frame before measuring.
    for _ in $(seq 100); do tmux capture-pane -p -t $SESSION | grep -q 'help' && break; sleep 0.1; done
    local a b s e
    a=$(awk '{print $14+$15}' /proc/"$pid"/stat); s=$(date +%s.%N)
    if [ "$2" = 1 ]; then
        local end=$((SECONDS + N))
        while [ $SECONDS -lt $end ]; do tmux send-keys -t $SESSION Tab; done
    else
        sleep "$N"
    fi
    b=$(awk '{print $14+$15}' /proc/"$pid"/stat); e=$(date +%s.%N)
    python3 -c "t=$b-$a; w=$e-$s; print(f'$1: {t} ticks ({t/$HZ:.2f} s CPU) in {w:.1f} s = {100*t/$HZ/w:.3f} % of one core (resolution {100/$HZ/w:.3f} %)')"
}

measure "idle          " 0
measure "keys streaming" 1
