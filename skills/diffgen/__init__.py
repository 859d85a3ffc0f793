"""The diff skill: spoken or typed code edits become patches that apply safely."""
