# Reads every line of its standard input, as a filter does.
import sys

total = 0
for line in sys.stdin:
    total += len(line)
print(f"read {total} characters")
