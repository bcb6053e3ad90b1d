-- A memory_limit far past any machine: refused, not converted to a size.
scenario { title = "Huge memory limit", memory_limit = 1e308 }
step("never runs", function() end)
