r"""End-of-life supply of EV packs in Japan: a dynamic cohort (stock) model.

Every car sold in year :math:`c` (a *cohort*) is followed through two states:
with its first owner (:math:`F`) and, after it has become "used" and stayed in
Japan, with later owners (:math:`U`). Two lifetimes, both scipy.stats
distributions of age in years, drive it:

* ``first_use``: age at which the first owner sells the car (it becomes used);
* ``battery``: age at which the pack of a car still in Japan reaches end of life
  (pack failure or scrapping of the car), whoever owns it.

With :math:`h^b_a` and :math:`h^f_a` the discrete hazards of the two lifetimes at
age :math:`a = y - c \ge 1` (:math:`h_a = 1 - S(a)/S(a-1)`, so a lifetime in
:math:`(a-1, a]` ends in year :math:`c + a`) and :math:`x_y` the share of used cars
exported in year :math:`y`, one year of a cohort is

.. math::

    eol = (F + U)\,h^b_a,\quad used = F\,(1-h^b_a)\,h^f_a,\quad exported = x_y\,used

    F \leftarrow F\,(1-h^b_a)(1-h^f_a),\quad U \leftarrow U\,(1-h^b_a) + (1-x_y)\,used

starting from :math:`F = sales_c`, :math:`U = 0`. Hence, exactly,
:math:`sales = F + U + \sum exported + \sum eol` for every cohort.

Packs leave the Japanese fleet either abroad, inside exported used cars, or as
domestic end-of-life packs. The core model's ``supply`` is the sum of both flows
(tonnes of pack, by prefecture and chemistry) and its ``leakage_share`` the
exported part, so that ``(1 - leakage) x supply`` is exactly the domestic
end-of-life stream at the time it arises.

Inputs are the CSV files of ``<instance>/inputs/`` (each row with source_id and
confidence); the core functions take DataFrames and do no I/O. The modules, in the order the
model runs: :mod:`~netopt.supply.inputs` (reading), :mod:`~netopt.supply.cohorts` (sales,
lifetimes, the cohort model, export shares), :mod:`~netopt.supply.packs` (chemistry mix and
metal content), :mod:`~netopt.supply.regions` (the regional key), :mod:`~netopt.supply.tables`
(the core model's tables), :mod:`~netopt.supply.write` (the whole run and the files it writes);
:mod:`~netopt.supply.calibrate` compares it with the white paper.
Regenerate the instance tables with ``python -m netopt.supply instances/japan``.
"""

