"""The data contract: the vocabulary, periods and the one schema every table and column list comes from."""
