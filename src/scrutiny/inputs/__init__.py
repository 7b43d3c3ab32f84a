"""Input tables: the council's validated CSV files (``council``), the national ASCOF readers
(``national``) and the registry of national files that ``make data`` fetches (``national_data``)."""

from .council import Inputs, InputError, InputWarning, load_inputs, read_text_table, sha256_of

__all__ = ["Inputs", "InputError", "InputWarning", "load_inputs", "read_text_table", "sha256_of"]
