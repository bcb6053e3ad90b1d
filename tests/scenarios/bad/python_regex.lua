-- A catastrophic regex: (a+)+$ against 'a'*40 + 'b' backtracks for ages inside _sre.
scenario { title = "Catastrophic regex", time_limit = 1 }
step("match", function()
  py.exec("import re; re.match(r'(a+)+$', 'a' * 40 + 'b')")
end)
