# expect: none
import asyncio
async def fetch(i):
    await asyncio.sleep(0)
    if i % 3 == 0:
        raise ConnectionError(f"fail {i}")
    return i
async def worker(i):
    try:
        return await fetch(i)
    except ConnectionError:
        return None
async def main():
    res = await asyncio.gather(*(worker(i) for i in range(3000)))
    res2 = await asyncio.gather(*(fetch(i) for i in range(300)), return_exceptions=True)
    print(sum(1 for r in res if r is None), sum(isinstance(r, Exception) for r in res2))
asyncio.run(main())
