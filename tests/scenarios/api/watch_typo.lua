-- scenario{watch = ...} that names nothing once the file has run.
scenario { title = "Watch typo", python = "objects.py", watch = "shraed.__traceback__" }
step("never runs", function() end)
