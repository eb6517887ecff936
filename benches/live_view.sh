#!/usr/bin/env bash
# The live camera view's cost (issue 17): the console in a detached tmux session at 160×48,
# pictures in half blocks (what an SSH session gets), linked to a Room simulator running in
# its own process (so the simulator's JPEG encoding is not counted as the console's).
#
# Two scenes, each with its own simulator and console: "still" (the simulator's test card, still
# but for the time in its strip: the best case for the terminal) and "busy" (--camera-noise:
# every pixel changes each frame, as a real camera's noise does: the worst case). In each,
# side by side on the same console process:
#   1. baseline: the main screen, idle, for BASE seconds (default 60);
#   2. the live view open at 2 frames a second (the default) for SECONDS (default 600).
# CPU is utime+stime of all the console's threads from /proc/PID/stat over each window;
# resident memory (VmRSS) is sampled every 30 s through the live window; the bytes are what
# the console wrote to its terminal (tmux pipe-pane); the frames are the view's own count.
# Targets: under 5 % of one core at 2 fps; resident memory flat (the last sample within
# 5 MB of the first taken after a minute of frames).
#
#   benches/live_view.sh [SECONDS] [BASE]     (honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-600}
BASE=${2:-60}
command -v tmux >/dev/null || { echo "needs tmux (apt-get install tmux)" >&2; exit 2; }
cargo build --release --quiet
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN=$TARGET_DIR/release/trueconf-console
HZ=$(getconf CLK_TCK)
SESSION=tc-live-$$
TOP=$(mktemp -d)
TMUX_CMD=(tmux -L tc-live-$$ -f /dev/null)
SIM_PID=""
stop() {
    "${TMUX_CMD[@]}" kill-server 2>/dev/null || true
    if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
    SIM_PID=""
}
trap 'stop; rm -rf "$TOP"' EXIT

scene() { # $1 = name, $2 = extra simulator flags
    echo "== scene: $1"
    local STATE=$TOP/$1
    mkdir -p "$STATE"
# The simulator: it prints its ports as one JSON line.
rm -f "$STATE/ports" "$STATE/out"
"$BIN" simulate --room-http-port 0 --room-ws-port 0 --chat-port 0 --json $2 >"$STATE/ports" &
SIM_PID=$!
for _ in $(seq 100); do [ -s "$STATE/ports" ] && break; sleep 0.1; done
PORT=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["room_http_port"])' "$STATE/ports")
cat >"$STATE/config.toml" <<EOF
[[room]]
name = "Bench"
host = "127.0.0.1"
http_port = $PORT

[ui]
images = "halfblocks"
EOF

"${TMUX_CMD[@]}" new -d -s $SESSION -x 160 -y 48 \
    "XDG_STATE_HOME=$STATE XDG_DATA_HOME=$STATE XDG_CONFIG_HOME=$STATE exec $BIN --config $STATE/config.toml"
screen() { "${TMUX_CMD[@]}" capture-pane -p -t $SESSION; }
wait_for() { # $1 = text, $2 = what
    for _ in $(seq 300); do screen | grep -q -- "$1" && return 0; sleep 0.1; done
    echo "timed out waiting for $2" >&2; screen >&2; exit 1
}
pid=$("${TMUX_CMD[@]}" list-panes -t $SESSION -F '#{pane_pid}')
wait_for "Room Bench: online" "the room link"
ticks() { awk '{print $14+$15}' /proc/"$pid"/stat; }
rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$pid"/status; }
frames() { screen | grep -o '[0-9]* frames\?' | head -1 | awk '{print $1}'; }

# 1. Baseline: the main screen.
a=$(ticks); s=$(date +%s.%N); sleep "$BASE"; b=$(ticks); e=$(date +%s.%N)
base_rss=$(rss_kb)
python3 -c "t=$b-$a; w=$e-$s; print(f'baseline, main screen: {100*t/$HZ/w:.2f} % of one core over {w:.0f} s; RSS {$base_rss/1024:.1f} MiB')"

# 2. The live view: W, y (the simulator's broadcast starts off), the first frame.
"${TMUX_CMD[@]}" send-keys -t $SESSION W
wait_for "broadcast is off" "the view to ask"
"${TMUX_CMD[@]}" send-keys -t $SESSION y
wait_for "Camera · Bench · live" "the first frame"
"${TMUX_CMD[@]}" pipe-pane -t $SESSION -o "cat > $STATE/out"
f0=$(frames); a=$(ticks); s=$(date +%s.%N)
samples=()
elapsed=0
while [ "$elapsed" -lt "$N" ]; do
    step=$(( N - elapsed < 30 ? N - elapsed : 30 ))
    sleep "$step"; elapsed=$((elapsed + step))
    samples+=("$elapsed:$(rss_kb)")
    screen | grep -q "Camera · Bench · live" || { echo "the view is not live at ${elapsed} s:" >&2; screen | head -3 >&2; }
done
b=$(ticks); e=$(date +%s.%N); f1=$(frames)
bytes=$(stat -c %s "$STATE/out")
sim_ticks=$(awk '{print $14+$15}' /proc/"$SIM_PID"/stat)
python3 - "$a" "$b" "$s" "$e" "$f0" "$f1" "$bytes" "$HZ" "$base_rss" "${samples[@]}" <<'EOF'
import sys
a, b, s, e, f0, f1, nbytes, hz, base = sys.argv[1:10]
t = (float(b) - float(a)) / float(hz); w = float(e) - float(s)
n = int(f1) - int(f0)
print(f"live view, 2 fps asked: {100*t/w:.2f} % of one core over {w:.0f} s; {n} frames ({n/w:.2f} a second); "
      f"{int(nbytes)/w/1024:.1f} KiB/s to the terminal ({int(nbytes)/max(n,1)/1024:.1f} KiB a frame)")
rss = [(int(x.split(':')[0]), int(x.split(':')[1])) for x in sys.argv[10:]]
print("resident memory (s: MiB): " + ", ".join(f"{t}: {k/1024:.1f}" for t, k in rss))
after_a_minute = [k for t, k in rss if t >= 60] or [k for t, k in rss]
first, last, top = after_a_minute[0], rss[-1][1], max(k for _, k in rss)
print(f"RSS: baseline {int(base)/1024:.1f} MiB, after a minute of frames {first/1024:.1f}, "
      f"last {last/1024:.1f}, highest {top/1024:.1f}; drift {(last-first)/1024:+.1f} MiB "
      f"({'flat' if abs(last-first) < 5*1024 else 'NOT flat'})")
print(f"target: under 5 % of one core -> {'met' if 100*t/w < 5 else 'NOT met'}")
EOF
echo "simulator (its own process, not counted above): $(python3 -c "print(f'{$sim_ticks/$HZ:.1f}')") s CPU in all"
stop
}

scene still ""
scene busy --camera-noise
