"""`python -m bot` runs the `jobbot` command line."""

from bot.cli import main

main()
