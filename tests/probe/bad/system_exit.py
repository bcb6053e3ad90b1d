# SystemExit with a message: printed to stderr, status 1.
import sys

print("checking")
sys.exit("configuration is missing")
