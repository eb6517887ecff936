"""python-trueconf-room (TrueConf's own client, from PyPI) against our Room simulator.

Run by tests/python/room_interop.sh. Starts `trueconf-console simulate` with a PIN and dave's
calls on, opens a session with the PIN, and checks: the appStateChanged and inviteReceived
handlers fire; connectToServer and login bring the app state to 3; a call to alice brings it
to 5; hangUp brings it back to 3; the self-view URL the library builds answers 404 with the
broadcast off and a JPEG once it is on. Exits non-zero with the reason on any failure.
"""
import json
import subprocess
import sys
import threading

BIN = sys.argv[1]
PIN = "8642"
TIMEOUT = 30

sim = subprocess.Popen(
    [BIN, "simulate", "--room-http-port", "0", "--room-ws-port", "0", "--json", "--pin", PIN,
     "--actors", "--actors-after", "1", "--actors-every", "1", "--call-timeout", "20"],
    stdout=subprocess.PIPE, text=True)
try:
    ports = json.loads(sim.stdout.readline())

    import trueconf_room
    from trueconf_room.consts import EVENT, METHOD_RESPONSE

    states = []
    fired = set()
    authorized = threading.Event()
    finished = threading.Event()
    lock = threading.Lock()
    phase = {"rejected_invite": False, "called": False, "in_call": False}
    failure = []

    room = trueconf_room.open_session(ip="127.0.0.1", port=ports["room_http_port"], pin=PIN)

    @room.handler({"method": "auth", "result": None})
    def on_auth(r):
        if r.get("result"):
            authorized.set()
        else:
            failure.append(f"auth refused: {r}")
            finished.set()

    @room.handler(EVENT["appStateChanged"])
    def on_state(r):
        s = r["appState"]
        with lock:
            states.append(s)
            fired.add("appStateChanged")
            if s == 2:
                room.methods.login("operator", "operator")
            elif s == 3 and phase["rejected_invite"] and not phase["called"]:
                phase["called"] = True
                room.methods.call("alice@video.example.com")
            elif s == 5:
                phase["in_call"] = True
                # Not a sleep in the handler (it would stall the socket thread): a timer.
                threading.Timer(0.3, room.methods.hangUp).start()
            elif s == 3 and phase["in_call"]:
                finished.set()

    @room.handler(EVENT["inviteReceived"])
    def on_invite(r):
        with lock:
            fired.add("inviteReceived")
            if not phase["rejected_invite"]:
                assert r["peerId"].startswith("dave@"), r
                phase["rejected_invite"] = True
                room.methods.reject()

    for name in ["conferenceCreated", "conferenceDeleted", "login", "serverConnected", "rejectSent"]:
        room.add_handler(EVENT[name], lambda r, n=name: fired.add(n))
    room.add_handler(METHOD_RESPONSE["login"], lambda r: fired.add("login reply"))
    room.add_handler(METHOD_RESPONSE["connectToServer"], lambda r: fired.add("connectToServer reply"))
    room.add_handler(METHOD_RESPONSE["getAppState"], lambda r: fired.add("getAppState reply"))
    room.add_handler({"method": "call", "result": None}, lambda r: fired.add("call reply"))
    room.add_handler(METHOD_RESPONSE["hangUp"], lambda r: fired.add("hangUp reply"))

    if not authorized.wait(TIMEOUT):
        sys.exit("FAIL: no auth reply")
    room.methods.connectToServer("video.example.com")
    if not finished.wait(TIMEOUT) or failure:
        sys.exit(f"FAIL: {failure or 'the sequence did not finish'}; states {states}; fired {sorted(fired)}")

    # The self-view URL the library builds (getSelfViewURL: config.json's http port and the
    # auth's tokenForHttpServer): 404 while the broadcast is off; a JPEG once
    # setBroadcastSelfie has been answered.
    import urllib.error
    import urllib.request

    def self_view():
        try:
            with urllib.request.urlopen(room.getSelfViewURL(), timeout=5) as r:
                return r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            return e.code, None, e.read()

    status, _, body = self_view()
    if status != 404 or b"broadcast is off" not in body:
        sys.exit(f"FAIL: the self view with the broadcast off answered {status}: {body[:100]!r}")
    turned_on = threading.Event()
    room.add_handler(METHOD_RESPONSE["setBroadcastSelfie"], lambda r: turned_on.set())
    room.methods.setBroadcastSelfie(True, 2)
    if not turned_on.wait(TIMEOUT):
        sys.exit("FAIL: no reply to setBroadcastSelfie")
    status, kind, body = self_view()
    if status != 200 or kind != "image/jpeg" or not body.startswith(b"\xff\xd8"):
        sys.exit(f"FAIL: the self view answered {status} {kind} {body[:20]!r}")
    fired.add("self view")
    room.close_session()

    def subsequence(seq, want):
        it = iter(seq)
        return all(any(x == w for x in it) for w in want)

    want = [1, 2, 3, 4, 3, 4, 5, 6, 3]  # connect, login, dave rings, rejected, call alice, answered, hang up
    if not subsequence(states, want):
        sys.exit(f"FAIL: app states {states} do not contain {want} in order")
    expected = {"appStateChanged", "inviteReceived", "serverConnected", "login", "rejectSent", "conferenceCreated",
                "conferenceDeleted", "login reply", "connectToServer reply", "getAppState reply", "call reply", "hangUp reply",
                "self view"}
    missing = expected - fired
    if missing:
        sys.exit(f"FAIL: handlers never fired: {sorted(missing)}")
    print(f"python-trueconf-room interop: OK (app states {states}; handlers fired: {', '.join(sorted(fired))})")
finally:
    sim.terminate()
    sim.wait(10)
