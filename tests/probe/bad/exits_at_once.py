# Exits before doing anything: exclab must report a clean run, status 0.
