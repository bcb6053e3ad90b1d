# expect: kept
import asyncio
tasks = []
async def job(i):
    buf = bytearray(50_000)
    raise TimeoutError(f"job {i}")
async def main():
    for i in range(20):
        tasks.append(asyncio.create_task(job(i)))
    await asyncio.sleep(0.1)
    print(sum(t.done() for t in tasks), sum(t.exception() is not None for t in tasks))
asyncio.run(main())
