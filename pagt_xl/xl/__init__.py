"""Excel adapters (xlwings): cell functions, button scripts, the add-in server and the desktop workbook.

``core`` holds the logic without xlwings; ``functions`` and ``scripts`` are the
thin xlwings adapters; only this package imports xlwings.
"""
