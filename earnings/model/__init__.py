"""Model: pure functions from a company's figures to what a page shows."""
