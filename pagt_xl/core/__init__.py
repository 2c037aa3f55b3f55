"""Pure rules and figures over the tables the readers produce: validation, breakdowns, budget and round
checks, goal follow-up, and the result types every output is built from.

No file or workbook I/O; imports :mod:`pagt_xl.base` only.
"""
