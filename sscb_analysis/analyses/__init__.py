"""Analyses behind the report notebooks, one module per notebook.

Each module turns cleaned extracts into what its notebook shows: disclosed tables, statistical
results and the plain-English sentences a board member reads. Notebooks call these functions and
explain; they hold no logic of their own. ``headlines()`` in each module feeds the board summary.
"""
