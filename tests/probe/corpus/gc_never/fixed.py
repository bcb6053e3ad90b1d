"""The video service, fixed: with the collector off, no handler may bind its
exception where the traceback can reach it."""
import gc

gc.disable()


def decode(frame_number):
    pixels = bytearray(256 * 1024)
    raise ValueError(f"frame {frame_number} is corrupt")


def process(frame_number):
    try:
        return decode(frame_number)
    except ValueError:
        return "dropped"


results = [process(n) for n in range(40)]
print(f"{results.count('dropped')} frames dropped")
