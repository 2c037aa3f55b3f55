"""The xlwings Server project folder of pagt_xl (XLWINGS_PROJECT_DIR points here)."""
