"""scrutiny: reproducible analytical pipelines for the Adults and Communities performance reports."""

__version__ = "0.1.0"
