"""PLACEHOLDER: `postgate proposals` (its issue's helper writes this module)."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subparsers.add_parser("proposals", help="(not yet available)")
