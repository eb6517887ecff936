"""Round-trip latency of python-trueconf-room against a Room at 127.0.0.1:PORT (run by
benches/room_latency.rs). Usage: room_latency.py PORT, with {"warm": W, "gaps_ms": [...]} on
standard input: command k is issued gaps_ms[0] + ... + gaps_ms[k] after the start, whatever
became of the others (an open-loop schedule), and timed from its issue to its reply; replies
come in order. Prints one JSON line: {"samples_ms": [...]}, the first W commands left out."""
import collections
import json
import sys
import threading
import time

port = int(sys.argv[1])
plan = json.load(sys.stdin)
warm, gaps = plan["warm"], plan["gaps_ms"]
import trueconf_room

room = trueconf_room.open_session(ip="127.0.0.1", port=port)
ready = threading.Event()
done = threading.Event()
issued = collections.deque()
samples = []


def replied(_r):
    t = time.perf_counter()
    k, t0 = issued.popleft()
    if k >= warm:
        samples.append((t - t0) * 1000.0)
    if k == len(gaps) - 1:
        done.set()


room.add_handler({"method": "auth", "result": None}, lambda r: ready.set())
room.add_handler({"method": "getMicMute", "mute": None, "result": None}, replied)
if not ready.wait(10):
    sys.exit("no auth reply")
at = time.perf_counter()
for k, gap in enumerate(gaps):
    at += gap / 1000.0
    wait = at - time.perf_counter()
    if wait > 0:
        time.sleep(wait)
    issued.append((k, time.perf_counter()))
    room.command({"method": "getMicMute"})
if not done.wait(30):
    sys.exit("no reply")
room.close_session()
print(json.dumps({"samples_ms": samples}))
