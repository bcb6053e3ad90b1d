"""Write a text file as a C string constant: embed_text.py NAME IN OUT.

The lab embeds its Python helpers this way, so they are ordinary .py files
in the repository (read, linted and tested as Python) and need no file at
run time."""
import sys

name, src, out = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    text = f.read()
# Bytes, not a string literal: C11 promises string literals of 4095 bytes only.
data = text.encode("utf-8") + b"\0"
rows = [", ".join(str(b) for b in data[i:i + 20]) for i in range(0, len(data), 20)]
with open(out, "w", encoding="utf-8") as f:
    f.write(f"static const char {name}[] = {{\n" + ",\n".join(rows) + "\n};\n")
