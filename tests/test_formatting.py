"""Number formatting in the papers' style."""

from scrutiny.publishing import formatting as fmt


def test_signed_takes_its_sign_from_the_printed_figure():
    assert fmt.signed(-0.02) == "±0.0"
    assert fmt.signed(-0.06) == "−0.1"
    assert fmt.signed(4.5, 1, " pp") == "+4.5 pp"


def test_counts_keep_their_published_precision():
    assert fmt.published_count(2_584_400, "thousands1") == "2,584.4k"
    assert fmt.published_count(19_484, "thousands1") == "19,484"
    assert fmt.published_count(None, "thousands1") == ""


def test_raw_change_in_display_units():
    assert fmt.raw_change(521.8, 526.9, "rate1") == "−5.1 per 100k"
    assert fmt.raw_change(69.7, 73.7, "pct1") == "−4.0 pp"
    assert fmt.raw_change(103.0, 100.0, "thousands1") == "+3.0%"
    assert fmt.raw_change(None, 100.0, "pct1") == ""


def test_what_similar_means():
    assert fmt.similar_means("materiality", 0.05, 0.05, "count", True) == "within 5% of the target"
    assert fmt.similar_means("tolerance_band", 0.05, 3.0, "proportion", True) == "within 3 percentage points of the target"
    assert fmt.similar_means("wilson", 0.05, 3.0, "proportion", False) == "the benchmark lies within the 95% confidence interval"
