"""The domain: commitments, dates, schedules, queries, statistics and the change rules. Plain
Python: no file, no terminal, no git."""
