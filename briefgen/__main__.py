"""`python -m briefgen` runs the command-line interface."""

from .cli import main

main()
