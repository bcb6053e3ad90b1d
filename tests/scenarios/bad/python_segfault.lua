-- A C extension that dereferences NULL: the lab crashes with SIGSEGV.
scenario { title = "A crash in C" }
step("crash", function()
  py.exec([[
import ctypes
ctypes.string_at(0)
]])
end)
