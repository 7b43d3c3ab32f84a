"""National benchmarking: ranks, quartiles, themes and verdicts against peers (``analysis``) and
the report's tables and sections (``report``)."""
