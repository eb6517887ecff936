"""python-trueconf-bot (TrueConf's own chat-bot client, from PyPI) against our chat simulator.

Run by tests/python/bot_interop.sh. Starts `trueconf-console simulate`, then two bots log in
with from_credentials over plain http: operator creates a p2p chat with bob and sends a
message; bob receives it through his dispatcher and answers; operator receives the answer;
both read the history; operator uploads a file that bob downloads; operator lists its chats
(every lastMessage must parse) and the members of one, paged from 1. Exits non-zero with the reason on any failure.
"""
import asyncio
import json
import subprocess
import sys

BIN = sys.argv[1]
TIMEOUT = 10

sim = subprocess.Popen(
    [BIN, "simulate", "--room-http-port", "0", "--room-ws-port", "0", "--chat-port", "0", "--json"],
    stdout=subprocess.PIPE, text=True)


def fail(msg):
    print(f"bot interop: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


async def main(port):
    from trueconf import Bot, Dispatcher, Router
    from trueconf.types import BufferedInputFile

    op_dp, bob_dp = Dispatcher(), Dispatcher()
    op_router, bob_router = Router(), Router()
    op_inbox, bob_inbox = asyncio.Queue(), asyncio.Queue()

    @bob_router.message()
    async def bob_gets(msg):
        await bob_inbox.put(msg)
        if msg.text and msg.text.startswith("ping"):
            await msg.answer(f"pong to {msg.text}")

    @op_router.message()
    async def op_gets(msg):
        await op_inbox.put(msg)

    op_dp.include_router(op_router)
    bob_dp.include_router(bob_router)
    common = dict(https=False, web_port=port, timeout=TIMEOUT, ws_max_retries=2)
    op = Bot.from_credentials("127.0.0.1", "operator", "operator", dispatcher=op_dp, **common)
    bob = Bot.from_credentials("127.0.0.1", "bob", "bob", dispatcher=bob_dp, **common)
    await op.start()
    await bob.start()
    await asyncio.wait_for(op.authorized_event.wait(), TIMEOUT)
    await asyncio.wait_for(bob.authorized_event.wait(), TIMEOUT)
    if op.me_id != "operator@video.example.com" or bob.me_id != "bob@video.example.com":
        fail(f"me_id: {op.me_id!r}, {bob.me_id!r}")
    steps = ["login"]

    # A bare user id: the library completes it with display_name from /api/v4/server.
    chat = await op.create_personal_chat("bob")
    r = await op.send_message(chat_id=chat.chat_id, text="ping from operator")
    got = await asyncio.wait_for(bob_inbox.get(), TIMEOUT)
    if got.text != "ping from operator" or got.from_user.id != "operator@video.example.com" \
            or got.chat.chat_id != chat.chat_id:
        fail(f"bob got {got.text!r} from {got.from_user.id!r} in {got.chat.chat_id!r}")
    answer = await asyncio.wait_for(op_inbox.get(), TIMEOUT)
    if answer.text != "pong to ping from operator" or answer.from_user.id != "bob@video.example.com":
        fail(f"operator got {answer.text!r} from {answer.from_user.id!r}")
    steps.append("message and answer")

    for who in (op, bob):
        h = await who.get_chat_history(chat.chat_id, 10)
        texts = [m.text for m in h.messages if getattr(m, "text", None)]
        if texts[:2] != ["pong to ping from operator", "ping from operator"]:
            fail(f"{who.me_id} history: {texts}")
    if r.message_id not in [m.message_id for m in h.messages]:
        fail("the sent message id is not in the history")
    steps.append("history")

    data = bytes(range(256)) * 40
    sent = await op.send_document(chat_id=chat.chat_id, file=BufferedInputFile(data, file_name="blob.bin"),
                                  caption="a file")
    if not sent.file_id:
        fail("send_document returned no file id")
    down = await bob.download_file_by_id(sent.file_id)
    if down != data:
        fail(f"downloaded {len(down or b'')} bytes, not the {len(data)} sent")
    steps.append("upload and download")

    chats = await op.get_chats(count=50, page=1)
    kinds = sorted({int(c.chat_type) for c in chats.chats})
    if not {1, 2, 5, 6} <= set(kinds):
        fail(f"chat types {kinds}")
    for c in chats.chats:
        if c.title == "Project":
            full = await op.get_chat_history(c.chat_id, 300)
            if len(full.messages) < 100:
                fail(f"Project history has {len(full.messages)} messages")
    steps.append("chats and a long history")

    # Pages count from 1, as the library sends them (docs/chat-protocol.md, Choices C12).
    project = next(c for c in chats.chats if c.title == "Project")
    members = await op.get_chat_participants(project.chat_id, page_size=10, page_number=1)
    ids = sorted(p.user_id.split("@")[0] for p in members.participants)
    if ids != ["alice", "bob", "dave", "operator"]:
        fail(f"get_chat_participants(page_number=1): {ids}")
    first = await op.get_chat_participants(project.chat_id, page_size=3, page_number=1)
    second = await op.get_chat_participants(project.chat_id, page_size=3, page_number=2)
    paged = [p.user_id for p in first.participants + second.participants]
    if len(first.participants) != 3 or sorted(paged) != sorted(p.user_id for p in members.participants):
        fail(f"pages of 3: {paged}")
    steps.append("participants, paged from 1")

    await op.shutdown()
    await bob.shutdown()
    print("bot interop: " + ", ".join(steps))


try:
    ports = json.loads(sim.stdout.readline())
    asyncio.run(asyncio.wait_for(main(ports["chat_port"]), 60))
finally:
    sim.terminate()
    sim.wait(10)
