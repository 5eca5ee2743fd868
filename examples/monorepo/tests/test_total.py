from acme_lib import total


def test_total_rounds_to_cents() -> None:
    assert total([0.1, 0.2]) == 0.3
