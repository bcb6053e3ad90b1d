-- Recursion through C (map): past the C stack the lab crashes with SIGSEGV
-- (3.11); from 3.12 Python raises RecursionError first.
scenario { title = "Deep C recursion" }
step("recurse", function()
  py.exec([[
import sys
sys.setrecursionlimit(10**6)
def f(x):
    return list(map(f, [x]))
f(0)
]])
end)
