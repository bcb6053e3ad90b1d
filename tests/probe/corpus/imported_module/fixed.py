"""Syncs files with the fixed client (sync_fixed.py)."""
import sync_fixed as sync

results = [sync.sync(n) for n in range(2000)]
print(results.count("deferred"), "deferred,", results.count("skipped"), "skipped")
