-- What the host promises lessons: isolation, no pinned errors, probes that do
-- not change what they measure, collections seen as events. tests/scenarios/
-- test_host.py runs this with hostile PYTHON* variables set.
scenario {
  title = "Host behaviour",
  python = "host.py",
  watch = "Errors.shared",
}

step("Isolated from the user's PYTHON* variables", function()
  check.equals("sys.flags.isolated", py.eval("__import__('sys').flags.isolated"), 1)
  check.equals("PYTHONPATH did not reach sys.path",
    py.eval("any('exclab-must-not-see-this' in p for p in __import__('sys').path)"), false)
  check.truthy("PYTHONMALLOC=malloc did not switch pymalloc off",
    py.eval("__import__('sys').getallocatedblocks()") > 0)
  check.equals("PYTHONDEVMODE did not turn dev mode on",
    py.eval("__import__('sys').flags.dev_mode"), false)
  check.equals("a fresh namespace named __main__, as python3 names a script",
    py.eval("__name__"), "__main__")
end)

step("Errors are reported, not pinned", function()
  local before = probe.sample()
  local ok, err = pcall(py.call, "fail_with_big_local")
  check.equals("the error reached Lua", ok, false)
  check.truthy("it names the Python file and line", tostring(err):find("host%.py:%d+: RuntimeError") ~= nil)
  local after = probe.sample()
  check.flat("the failing frame's 5 MB local was freed", before.heap, after.heap, 1 * MB)
  check.equals("no sys.last_* keeps the exception", py.call("last_exception_kept"), false)
end)

step("Probes do not change what they measure", function()
  local before = probe.sample()
  py.call("handler", 10)
  local after = probe.sample()
  check.equals("chain: 2 entries per raise", after.chain - before.chain, 20)
  check.equals("no locals dict materialised on the chain's frames",
    py.call("frames_have_locals_dict"), false)
end)

step("Collections arrive as events", function()
  local before = probe.sample()
  py.exec("import gc\ngc.collect()\ngc.collect()")
  local after = probe.sample()
  check.grows("two gc.collect() calls counted", before.gc_runs, after.gc_runs, 2)
  check.equals("the GC threshold the interpreter reports", python.gc_threshold[1],
    py.eval("__import__('gc').get_threshold()[0]"))
end)

step("An exception whose traceback was set to None", function()
  -- 3.11 stores None itself in __traceback__: no chain, and nothing to crash on.
  py.exec("Errors.shared.__traceback__ = None")
  local s = probe.sample()
  check.equals("chain: 0 entries", s.chain, 0)
  check.equals("frames: 0", s.frames, 0)
  local ok, err = pcall(py.exec, "e = ValueError('no traceback')\ne.__traceback__ = None\nraise e.with_traceback(None)")
  check.truthy("an error raised from such an exception is reported", not ok and tostring(err):find("ValueError") ~= nil)
end)
