"""Files we write: atomic writes, lock-file guard and safe CSV/JSON (:mod:`.files`), and the
xlsxwriter workbooks (:mod:`.workbooks`)."""
