-- Shared anonymous mmap pages (mmap's default) escape the heap cap and RLIMIT_DATA: RSS must be held.
scenario { title = "mmap memory bomb", memory_limit = 200 * MB }
step("map", function()
  py.exec([[
import mmap
maps = []
while True:
    m = mmap.mmap(-1, 10**7)
    m.write(b'x' * 10**7)
    maps.append(m)
]])
end)
