"""Translation catalogs, one module per language."""
