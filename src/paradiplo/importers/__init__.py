"""Importers that generate reference data files from offline packages and registries."""
