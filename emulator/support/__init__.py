"""Small helpers at the bottom of every layer: clock, random ids, durations, moments, JSON
values, field paths, garbage-collector pauses and addresses."""
