-- 2^64 bytes does not fit a size: refused, not wrapped to 0 (the default).
scenario { title = "2^64", memory_limit = 2^64 }
step("never runs", function() end)
