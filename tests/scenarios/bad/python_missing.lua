-- The Python file does not exist.
scenario { title = "Missing Python file", python = "no_such_file.py" }
step("never runs", function() end)
