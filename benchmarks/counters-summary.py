"""Sums a dotnet-counters CSV over the whole collection: increments (rates) summed, gauges as their maximum."""
import csv
import sys
from collections import defaultdict

totals = defaultdict(float)
peaks = defaultdict(float)
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        name = row["Counter Name"]
        value = float(row["Mean/Increment"] or 0)
        if row["Counter Type"] == "Rate":
            totals[name] += value
        else:
            peaks[name] = max(peaks[name], value)
for name in sorted(totals):
    print(f"  total {name}: {totals[name]:,.1f}")
for name in sorted(peaks):
    print(f"  peak  {name}: {peaks[name]:,.1f}")
