-- Python allocates without bound and swallows MemoryError: the heap cap stops it.
scenario { title = "Python memory bomb", memory_limit = 200 * MB }
step("grow", function()
  py.exec([[
keep = []
while True:
    try:
        keep.append(b"x" * 1000000)
    except MemoryError:
        pass
]])
end)
step("never runs", function() print("STEP AFTER FAILURE RAN") end)
