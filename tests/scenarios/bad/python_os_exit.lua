-- os._exit(3) ends the lab process itself.
scenario { title = "os._exit" }
step("exit", function()
  py.exec("import os; os._exit(3)")
end)
