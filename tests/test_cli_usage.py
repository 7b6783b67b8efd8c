"""Usage errors (unknown option, bad value) are one message and exit 2 — never a traceback."""

import pytest


@pytest.mark.parametrize("args", [
    ("generate", "--bogus", "x"),
    ("generate", "--steps", "abc", "x"),
    ("plan", "--no-such-flag"),
    ("serve", "--port", "notaport"),
])
def test_usage_errors_exit_2_without_a_traceback(limner_cli, args):
    code, out, err = limner_cli(*args)
    assert code == 2
    assert "Traceback" not in out + err and "Error:" in err
