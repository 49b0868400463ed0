"""Tools beside the flow: synthetic instances (:mod:`~netopt.tools.synthetic`) and the generated format
reference (:mod:`~netopt.tools.docs`)."""
