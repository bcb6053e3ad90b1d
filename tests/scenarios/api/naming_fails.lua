-- A scenario that fails on a class of its Python file: the traceback it
-- prints names the class as python3 does (tests/scenarios/test_api.py).
scenario { title = "Naming, failing", python = "naming.py" }

step("Fail", function()
  py.call("fail")
end)
