"""The xlwings Server project folder of pagt_xl (``XLWINGS_PROJECT_DIR`` points here).

xlwings Server puts this folder first on ``sys.path`` and takes from it, in place
of its own examples: ``custom_functions`` and ``custom_scripts`` (ours re-export
:mod:`pagt_xl.xl.functions` and :mod:`pagt_xl.xl.scripts`), ``auth/custom`` (the
token hook for ``XLWINGS_AUTH_PROVIDERS=["custom"]``), ``routers/custom.py``
(extra routes: report downloads), ``templates/taskpane.html`` and
``static/js/auth.js`` (files here override the package's of the same path).
Ours also replace xlwings Server's samples: ``templates/manifest.xml`` (the
"Teknologipagt" ribbon tab, our provider name and icons) and
``static/js/ribbon.js`` (the ribbon buttons run our scripts); the icons in
``static/images/icons`` are drawn by ``scripts/make_addin_icons.py``.

xlwings Server's settings for this add-in are data in ``pyproject.toml`` here
(``[tool.xlwings_server]``: manifest Ids, name, namespace ``PAGT``, CORS);
environment variables override them. :mod:`pagt_xl.xl.asgi` points
``XLWINGS_PROJECT_DIR`` at this folder.
"""
