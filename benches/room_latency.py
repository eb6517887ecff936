"""Round-trip latency of python-trueconf-room against a Room at 127.0.0.1:PORT (run by
benches/room_latency.rs). Prints one JSON line: {"n", "p50_ms", "p99_ms"}."""
import json
import sys
import threading
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
import trueconf_room

room = trueconf_room.open_session(ip="127.0.0.1", port=port)
ready = threading.Event()
got = threading.Event()
room.add_handler({"method": "auth", "result": None}, lambda r: ready.set())
room.add_handler({"method": "getMicMute", "mute": None, "result": None}, lambda r: got.set())
if not ready.wait(10):
    sys.exit("no auth reply")
samples = []
for i in range(n + 5):
    got.clear()
    t0 = time.perf_counter()
    room.command({"method": "getMicMute"})
    if not got.wait(10):
        sys.exit("no reply")
    if i >= 5:  # warm-up
        samples.append((time.perf_counter() - t0) * 1000.0)
room.close_session()
samples.sort()
pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
print(json.dumps({"n": len(samples), "p50_ms": pick(0.50), "p99_ms": pick(0.99)}))
