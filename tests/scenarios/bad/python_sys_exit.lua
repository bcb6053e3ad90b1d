-- sys.exit(3) in py.exec raises SystemExit: a Python error, not the end of the lab.
scenario { title = "sys.exit" }
step("exit", function()
  py.exec("import sys\nsys.exit(3)")
end)
