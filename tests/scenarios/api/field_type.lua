-- A scenario{} field of the wrong type: the error names the field.
scenario { title = "Field type", time_limit = true }
step("never runs", function() end)
