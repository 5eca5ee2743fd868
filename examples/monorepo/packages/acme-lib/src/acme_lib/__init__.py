"""Pricing helpers."""


def total(prices: list[float]) -> float:
    """Sum of the prices, rounded to cents."""
    return round(sum(prices), 2)
