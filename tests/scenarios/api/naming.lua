-- Classes and tracebacks read as python3 prints them; the file's
-- `if __name__ == "__main__":` blocks do not run (tests/scenarios/test_api.py).
scenario { title = "Naming", python = "naming.py" }

step("As python3 names them", function()
  check.equals("the namespace is __main__", py.eval("__name__"), "__main__")
  check.equals("a class defined at load time", py.eval("CustomError.__module__"), "__main__")
  py.exec("class Later(Exception): pass")
  check.equals("and one defined later", py.eval("Later.__module__"), "__main__")
  check.equals("the main block did not run", py.eval("'main_block_ran' in globals()"), false)
  check.equals("its else branch ran, as when the file is imported", py.eval("main_else_ran"), true)
  check.equals("so did the body of `if __name__ != '__main__'`", py.eval("not_main_ran"), true)
  py.call("show_traceback")
end)
