"""The xlwings Server project folder of pagt_xl (``XLWINGS_PROJECT_DIR`` points here).

xlwings Server puts this folder first on ``sys.path`` and takes from it, in place
of its own examples: ``custom_functions`` and ``custom_scripts`` (ours re-export
:mod:`pagt_xl.xl.functions` and :mod:`pagt_xl.xl.scripts`), ``auth/custom`` (the
token hook for ``XLWINGS_AUTH_PROVIDERS=["custom"]``), ``routers/custom.py``
(extra routes: report downloads), ``templates/taskpane.html`` and
``static/js/auth.js`` (files here override the package's of the same path).
"""
