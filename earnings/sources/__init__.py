"""Sources: one module per kind of input, read into rows of the contract's tables."""
