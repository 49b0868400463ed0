"""Generated documentation is in step with the code that generates it."""

from netopt.tools.docs import format_reference
from tests.helpers import REPO


def test_format_reference_is_current():
    assert (REPO / "docs" / "format.md").read_text() == format_reference(), "run `netopt docs`"
