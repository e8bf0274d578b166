"""Small helpers at the bottom of every layer: clock, random ids, durations, moments, JSON
values, field paths, garbage-collector pauses, addresses and lazily loaded package names."""
