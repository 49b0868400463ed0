"""Properties of reading one cell or one file (hypothesis): any text or bytes give a value or a message, never
an exception, and every number that gets through is finite and within the schema's bounds."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from netopt.instance.schema import MAX_MAGNITUDE, TABLES_BY_NAME
from netopt.instance.textfile import TextError, csv_records, decode
from netopt.instance.values import parse_number

COLUMNS = [c for t in TABLES_BY_NAME.values() for c in t.columns if c.dtype in ("float", "int")]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=30), st.sampled_from(COLUMNS))
def test_a_cell_is_a_finite_number_or_a_message(text, col):
    value = parse_number(text.strip() or "x", col)
    if isinstance(value, str):
        assert value
    else:
        assert (col.allow_inf and value == math.inf) or abs(value) <= MAX_MAGNITUDE
        assert col.dtype != "int" or isinstance(value, int)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_decode_or_give_one_message(data):
    try:
        text, _ = decode(data)
        list(csv_records(text))
    except TextError as e:
        assert str(e) and "\n" not in str(e)
