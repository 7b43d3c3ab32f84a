"""Client Level Data engine: DHSC's ASCOF and waiting-time measures from a council's own CLD
extract, computed in-year with DHSC's method (see ``../shared/specs/cld-methods.md``).

``extract`` reads and checks an extract, ``engine`` runs the method as DuckDB SQL, ``reference``
is the plain pandas implementation kept to cross-check it, ``measures`` counts, rounds and
suppresses, ``synthetic`` generates realistic extracts, and ``api`` gives the tables the reports use.
"""
