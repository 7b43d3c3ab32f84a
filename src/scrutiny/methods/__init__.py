"""Statistical methods: confidence intervals and tests (``stats``), rating and direction-of-travel
rules (``rules``) and the five-point trend test (``trend``), as in statistical-methods.md."""
