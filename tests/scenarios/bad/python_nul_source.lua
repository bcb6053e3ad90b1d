-- A .py file with a NUL byte: refused as python3 refuses it.
scenario { title = "NUL in source", python = "nul.py" }
step("never runs", function() print("STEP AFTER FAILURE RAN") end)
