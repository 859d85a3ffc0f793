"""Ting skills: one package per skill, each a plugin."""
