"""Earnings dashboard: normalized quarterly company data and the logic around it."""
