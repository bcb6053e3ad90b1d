-- A title that is not text.
scenario { title = { "a table" } }
step("never runs", function() end)
