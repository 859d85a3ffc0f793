"""A kitchen-timer skill for Ting: a third-party plugin, installed as its own package."""
