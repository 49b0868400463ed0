"""Results: :mod:`~netopt.results.extract` reads a solved model into tables (Pyomo), :mod:`~netopt.results.kpis`
sums them up, :mod:`~netopt.results.store` writes and reads run folders (pandas and json only)."""
