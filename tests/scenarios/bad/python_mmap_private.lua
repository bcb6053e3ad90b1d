-- Private anonymous mmap pages never pass through Python's allocator: RLIMIT_DATA must refuse them.
scenario { title = "Private mmap memory bomb", memory_limit = 200 * MB }
step("map", function()
  py.exec([[
import mmap
maps = []
while True:
    m = mmap.mmap(-1, 10**7, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    m.write(b'x' * 10**7)
    maps.append(m)
]])
end)
