"""A latency-sensitive video service turns the collector off. Leak: a
handler keeps the decode error in a local, a cycle through its traceback,
and with the collector off every cycle and its 256 KB frame stays."""
import gc

gc.disable()


def decode(frame_number):
    pixels = bytearray(256 * 1024)
    raise ValueError(f"frame {frame_number} is corrupt")  # probe: raise


def process(frame_number):
    try:
        return decode(frame_number)
    except ValueError as exc:  # probe: except
        problem = exc
        return "dropped"


results = [process(n) for n in range(40)]
print(f"{results.count('dropped')} frames dropped")
