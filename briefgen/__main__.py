"""`python -m briefgen` runs the command line, as the `briefgen` command does (launch.py)."""

from .launch import main

main()
