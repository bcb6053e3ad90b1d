-- A scenario{} field that does not exist (a typo of "title").
scenario { titel = "Malformed" }
step("never runs", function() end)
