# A syntax error: python3 prints it and exits with status 1.
def broken(:
    pass
