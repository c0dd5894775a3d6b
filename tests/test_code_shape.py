"""The app's code stays readable: no function or method in xero_crm/ above cyclomatic complexity 12
(radon's measure), so a rule reads as a few small steps, not one branching body."""

from pathlib import Path

import pytest
from radon.complexity import cc_visit
from radon.visitors import Class

APP = Path(__file__).resolve().parent.parent / "xero_crm"
LIMIT = 12


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=lambda p: str(p.relative_to(APP)))
def test_no_function_is_more_complex_than_twelve(path):
	functions = []
	for block in cc_visit(path.read_text()):
		functions += block.methods if isinstance(block, Class) else [block]
	too_complex = [f"{f.fullname} ({f.complexity})" for f in functions if f.complexity > LIMIT]
	assert too_complex == []
