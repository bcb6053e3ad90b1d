# An uncaught KeyboardInterrupt: python3 prints it, then ends itself by
# SIGINT, so a shell sees 130.
def work():
    raise KeyboardInterrupt


work()
