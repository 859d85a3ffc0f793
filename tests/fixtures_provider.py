"""Fixtures for the provider tests."""
