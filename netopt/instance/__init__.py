"""The instance layer: what a planning problem is, read from files and checked.

:mod:`~netopt.instance.schema` declares every table, :mod:`~netopt.instance.settings` every setting,
:mod:`~netopt.instance.io` reads an instance folder, :mod:`~netopt.instance.validate` checks it,
:mod:`~netopt.instance.overrides` changes it (named scenarios, ``--set``) and
:mod:`~netopt.instance.runspec` describes a run as one value. Nothing here imports Pyomo.
"""
