-- os.fork() whose child carries on as the lab: no output twice, checks counted once.
scenario { title = "A forked child that carries on" }
step("fork", function()
  py.exec("import os; pid = os.fork()")
  print("after the fork")
  check.truthy("the parent goes on", py.eval("pid > 0"))
end)
step("later", function()
  py.exec("print('python after the fork')")
  check.equals("one more check", py.eval("2 * 21"), 42)
end)
