"""python-trueconf-bot receiving a flood of new messages, for benches/chat_flood.rs.

Usage: chat_flood.py PORT WARM N. Logs in as operator over plain http and prints "ready";
counts the WARM warm-up messages its dispatcher delivers (each push is acked by the library
first) and prints "warm"; then counts N more and prints one JSON line with the count and the
wall-clock time of the last one.
"""
import asyncio
import json
import logging
import sys
import time

PORT, WARM, N = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
logging.disable(logging.CRITICAL)


async def main():
    from trueconf import Bot, Dispatcher, Router

    dp, router = Dispatcher(), Router()
    seen = {"n": 0, "last": 0.0}
    done = asyncio.Event()

    @router.message()
    async def count(msg):
        seen["n"] += 1
        if seen["n"] == WARM:
            print("warm", flush=True)
        if seen["n"] >= WARM + N:
            seen["last"] = time.time()
            done.set()

    dp.include_router(router)
    bot = Bot.from_credentials("127.0.0.1", "operator", "operator", dispatcher=dp, https=False,
                               web_port=PORT, timeout=30)
    await bot.start()
    await asyncio.wait_for(bot.authorized_event.wait(), 10)
    print("ready", flush=True)
    await asyncio.wait_for(done.wait(), 600)
    print(json.dumps({"n": seen["n"] - WARM, "last": seen["last"]}), flush=True)
    await bot.shutdown()


asyncio.run(main())
