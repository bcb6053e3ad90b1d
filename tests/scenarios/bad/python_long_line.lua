-- 2 GB written to stdout without a newline: the line is cut, memory stays bounded.
scenario { title = "One enormous line", memory_limit = 300 * MB, time_limit = 60 }
step("write", function()
  py.exec([[
import sys
for i in range(20):
    sys.stdout.write('y' * 10**8)
]])
  check.equals("Python goes on", py.eval("i"), 19)
end)
