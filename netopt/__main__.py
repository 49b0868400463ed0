"""``python -m netopt`` runs the command line."""

from netopt.cli import app

app(prog_name="netopt")
