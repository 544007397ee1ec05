"""Reporters: each output format is one pure function from check results to text."""
