"""Renderers turn typed results into text for people (Rich) or machines (JSON lines)."""
