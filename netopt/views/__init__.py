"""Views of run folders: maps (:mod:`netopt.views.maps`) and the report (:mod:`netopt.views.report`).

They read a run folder through :func:`netopt.results.store.read_run` (pandas only) and import neither
Pyomo nor each other's internals; what both use is in :mod:`~netopt.views.labels`,
:mod:`~netopt.views.style` and :mod:`~netopt.views.assets`.
"""
