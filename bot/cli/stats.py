"""PLACEHOLDER: `postgate stats` (its issue's helper writes this module)."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subparsers.add_parser("stats", help="(not yet available)")
