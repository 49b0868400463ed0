"""netopt: where and when to build Japan's EV-battery recycling network (Pyomo + HiGHS).

Layers, each importing only those before it: :mod:`netopt.catalogue` (the chain, declared once)
-> :mod:`netopt.instance` -> :mod:`netopt.model` -> :mod:`netopt.solve` -> :mod:`netopt.results`
-> :mod:`netopt.views` / :mod:`netopt.cli` / :mod:`netopt.api`; :mod:`netopt.supply` (the
pre-processor that writes instance tables) and :mod:`netopt.tools` stand beside. See
``docs/developer.md``.
"""
