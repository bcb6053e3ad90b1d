# Allocates without bound: the heap cap must stop it with a message, long
# before the machine swaps.
hoard = []
while True:
    hoard.append(bytearray(1 << 20))
