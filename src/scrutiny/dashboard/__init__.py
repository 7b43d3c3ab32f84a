"""The quarterly performance dashboard (Appendix A): selection of figures and verdicts
(``builder``), the report API (``report``), HTML (``render``), charts and draft narrative."""
