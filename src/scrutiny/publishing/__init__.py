"""Publishing: the build (papermill, nbconvert, Chromium), number formatting, charts helpers,
the house stylesheet, the nbconvert template and the provenance section."""
