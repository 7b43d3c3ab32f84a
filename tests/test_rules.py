"""Rating and direction-of-travel rules against the worked examples of statistical-methods.md section 9."""

import pytest

from scrutiny.methods import rules
from scrutiny.methods.rules import Figure, MetricRule, direction_of_travel, rate_against

PROPORTION = MetricRule("proportion", "high")
SURVEY = MetricRule("survey_pct", "high")
RATE_LOW = MetricRule("rate", "low", multiplier=100_000, poisson=True)
VOLUME = MetricRule("count", "high", multiplier=1)
PEOPLE_LOW = MetricRule("count", "low", multiplier=1, poisson=True)
BAND = MetricRule("proportion", "band")


def test_f01_proportion_nothing_significant():
    now, before = Figure(None, 1201, 2007), Figure(None, 1201, 2046)
    rating = rate_against(now, PROPORTION, 60.7)
    assert rating.verdict == "similar"
    assert (rating.interval.low, rating.interval.high) == pytest.approx((57.7, 62.0), abs=0.05)
    assert rate_against(now, PROPORTION, 60.7, confidence=0.998).verdict == "similar"
    dot = direction_of_travel(now, before, PROPORTION)
    assert dot.verdict == "no_significant_change" and dot.basis == "newcombe"
    assert (dot.change, dot.low, dot.high) == pytest.approx((1.1, -1.9, 4.2), abs=0.05)


def test_f02_better_than_benchmark_change_not_significant():
    now, before = Figure(None, 4229, 5347), Figure(None, 4005, 5156)
    assert rate_against(now, PROPORTION, 59.1).verdict == "better"
    dot = direction_of_travel(now, before, PROPORTION)
    assert dot.verdict == "no_significant_change"
    assert (dot.change, dot.low, dot.high) == pytest.approx((1.4, -0.2, 3.0), abs=0.05)


def test_f03_rates_low_is_good():
    now, before = Figure(None, 59, 440_785), Figure(None, 50, 440_785)
    rating = rate_against(now, RATE_LOW, 17.0)
    assert rating.verdict == "similar"
    assert (rating.interval.low, rating.interval.high) == pytest.approx((10.2, 17.3), abs=0.05)
    previous = rate_against(before, RATE_LOW, 17.0)
    assert previous.verdict == "better"
    assert rate_against(before, RATE_LOW, 17.0, confidence=0.998).verdict == "similar"
    dot = direction_of_travel(now, before, RATE_LOW)
    assert dot.verdict == "no_significant_change" and dot.p_value == pytest.approx(0.444, abs=0.001)


def test_f04_volume_uses_materiality_not_poisson():
    dot = direction_of_travel(Figure(769_200), Figure(765_000), VOLUME)
    assert dot.verdict == "no_significant_change" and dot.basis == "materiality"
    assert dot.change == pytest.approx(0.0055, abs=0.0001)


@pytest.mark.parametrize(
    ("events", "trials", "verdict", "met"),
    [(350, 600, "on_target", True), (123, 200, "similar", False), (1250, 2000, "worse", False), (480, 1000, "worse", False)],
)
def test_f05_target_band(events, trials, verdict, met):
    rating = rate_against(Figure(None, events, trials), BAND, None, band=(55, 60))
    assert rating.verdict == verdict and rating.target_met is met


def test_f05_band_polarity_and_direction():
    high_good = MetricRule("proportion", "band", band_polarity="high_is_good")
    assert rate_against(Figure(None, 1250, 2000), high_good, None, band=(55, 60)).verdict == "better"
    assert direction_of_travel(Figure(None, 1160, 2000), Figure(None, 1250, 2000), BAND, band=(55, 60)).verdict == "improved"
    assert direction_of_travel(Figure(None, 350, 600), Figure(None, 1250, 2000), BAND, band=(55, 60)).verdict == "no_significant_change"


def test_f06_survey_with_published_margin_of_error():
    now = Figure(61.1, margin_of_error=6.2, respondents=230)
    rating = rate_against(now, SURVEY, 67.8)
    assert rating.verdict == "worse" and rating.basis == "published_moe"
    assert (rating.interval.low, rating.interval.high) == pytest.approx((54.9, 67.3), abs=0.05)
    without_moe = rate_against(Figure(61.1, respondents=230), SURVEY, 67.8)
    assert without_moe.verdict == "worse"
    assert (without_moe.interval.low, without_moe.interval.high) == pytest.approx((54.7, 67.2), abs=0.05)
    dot = direction_of_travel(now, Figure(59.3, margin_of_error=7.5, respondents=185), SURVEY)
    assert dot.verdict == "no_significant_change" and dot.basis == "moe_z"


def test_f07_survey_without_precision_is_indicative():
    rule = MetricRule("survey_pct", "high")
    dot = direction_of_travel(Figure(31.4), Figure(35.1), rule)
    assert dot.verdict == "no_significant_change" and dot.indicative
    rating = rate_against(Figure(31.4), rule, 38, is_target=True)
    assert rating.verdict == "worse" and rating.indicative and rating.target_met is False


def test_f08_proportion_without_denominator():
    rating = rate_against(Figure(84.8), PROPORTION, 84.0, is_target=True)
    assert rating.verdict == "similar" and rating.indicative and rating.target_met is True
    dot = direction_of_travel(Figure(84.8), Figure(85.8), PROPORTION)
    assert dot.verdict == "no_significant_change" and dot.indicative


def test_f09_people_waiting_against_target():
    rating = rate_against(Figure(599), PEOPLE_LOW, 672, is_target=True, operator="<")
    assert rating.verdict == "better" and rating.target_met is True
    # the spec prints 552.0-649.0; Byar's upper limit is 648.95
    assert (rating.interval.low, rating.interval.high) == pytest.approx((552.0, 649.0), abs=0.06)
    dot = direction_of_travel(Figure(599), Figure(672), PEOPLE_LOW)
    assert dot.verdict == "improved" and dot.p_value == pytest.approx(0.043, abs=0.001)


def test_f10_small_count():
    dot = direction_of_travel(Figure(50), Figure(61), PEOPLE_LOW)
    assert dot.verdict == "no_significant_change" and dot.p_value == pytest.approx(0.343, abs=0.001)
    rating = rate_against(Figure(50), PEOPLE_LOW, 61, is_target=True, operator="<")
    assert rating.verdict == "similar" and rating.target_met is True


@pytest.mark.parametrize(
    ("value", "milestone", "verdict", "met"),
    [
        (41_030, 41_590, "similar", False),
        (196_360, 195_000, "similar", True),
        (597_930, 588_280, "similar", True),
        (322_580, 315_000, "similar", True),
        (159_100, 187_500, "worse", False),
        (21_600, 20_000, "better", True),
    ],
)
def test_f12_volumes_against_milestones(value, milestone, verdict, met):
    rating = rate_against(Figure(value), VOLUME, milestone, is_target=True)
    assert (rating.verdict, rating.target_met) == (verdict, met)


@pytest.mark.parametrize(
    ("now", "before", "verdict"),
    [
        (41_030, 39_140, "no_significant_change"),
        (597_930, 599_000, "no_significant_change"),
        (21_600, 22_100, "no_significant_change"),
        (322_580, 279_080, "improved"),
        (6_520, 5_630, "improved"),
    ],
)
def test_f12_volumes_against_last_year(now, before, verdict):
    assert direction_of_travel(Figure(now), Figure(before), VOLUME).verdict == verdict


def test_f12_information_only_is_not_rated_and_neutral():
    info = MetricRule("count", "info", multiplier=1)
    assert rate_against(Figure(50_100), info, None).verdict == "not_compared"
    assert direction_of_travel(Figure(50_100), Figure(69_500), info).verdict == "decreased"


def test_f13_rate_from_derived_count():
    rating = rate_against(Figure(521.8, 821), MetricRule("rate", "low", 100_000, poisson=True), 592.5)
    assert rating.verdict == "better"
    assert (rating.interval.low, rating.interval.high) == pytest.approx((486.7, 558.7), abs=0.1)
    assert rate_against(Figure(None, 1917, 2749), PROPORTION, 77.1).verdict == "worse"


def test_f14_overlapping_intervals_but_significant_change():
    dot = direction_of_travel(Figure(None, 560, 1000), Figure(None, 515, 1000), PROPORTION)
    assert dot.verdict == "improved"
    assert (dot.change, dot.low, dot.high) == pytest.approx((4.5, 0.1, 8.8), abs=0.05)


def test_f20_benchmark_on_the_interval_boundary_is_similar():
    rule = MetricRule("survey_pct", "high")
    assert rate_against(Figure(60.0, margin_of_error=5.0), rule, 65.0).verdict == "similar"
    assert rate_against(Figure(60.0, margin_of_error=5.0), rule, 65.01).verdict == "worse"


def test_unknown_kind_or_polarity_is_refused():
    with pytest.raises(ValueError, match="unknown metric kind"):
        MetricRule("ratio", "high")
    with pytest.raises(ValueError, match="unknown polarity"):
        MetricRule("count", "up")


def test_f05_other_band_polarities_use_the_ordinary_direction_of_travel():
    high_good = MetricRule("proportion", "band", band_polarity="high_is_good")
    low_good = MetricRule("proportion", "band", band_polarity="low_is_good")
    # F05e: 62.5% -> 58.0%, a significant fall; distance to the band says improved, a
    # high-is-good band reads the fall as worse and a low-is-good band as better
    now, before = Figure(None, 1160, 2000), Figure(None, 1250, 2000)
    assert direction_of_travel(now, before, high_good, band=(55, 60)).verdict == "worsened"
    assert direction_of_travel(now, before, low_good, band=(55, 60)).verdict == "improved"
    assert rate_against(Figure(None, 480, 1000), high_good, None, band=(55, 60)).verdict == "worse"
    assert rate_against(Figure(None, 480, 1000), low_good, None, band=(55, 60)).verdict == "better"


def test_f05_inside_the_band_is_on_target_not_better():
    rating = rate_against(Figure(None, 350, 600), BAND, None, band=(55, 60))
    assert rating.verdict == "on_target" and rating.verdict != "better"


def test_proxy_denominator_for_a_proportion_published_without_one_8_3():
    previous = Figure(None, 350, 600)
    rating = rate_against(Figure(62.5), PROPORTION, 55.0, previous=previous)
    # 62.5% of the previous 600: Wilson 58.6-66.3 lies above 55 -> better, flagged
    assert rating.verdict == "better" and rating.basis == "wilson" and not rating.indicative
    assert "denominator imputed from the other period" in rating.notes
    alone = rate_against(Figure(62.5), PROPORTION, 55.0)
    assert alone.basis == "tolerance_band" and alone.indicative


def test_derived_count_for_a_rate_8_5():
    count, note = rules.derived_count(Figure(521.8, None, 157_349), RATE_LOW)
    assert (count, note) == (821, "count derived from rate and population")
    assert rules.derived_count(Figure(521.8, 829, 157_349), RATE_LOW) == (829, "")
    dot = direction_of_travel(Figure(521.8, None, 157_349), Figure(526.9, 829, 157_349), RATE_LOW)
    assert dot.basis == "poisson_exact_conditional" and "count derived from rate and population" in dot.notes


def test_materiality_applies_to_poisson_ratings():
    # 10,200 against 10,000: Byar's interval (10,002-10,400) excludes the target, but the gap is 2%
    rating = rate_against(Figure(10_200), PEOPLE_LOW, 10_000)
    assert rating.verdict == "similar"
    assert "significant but below the materiality threshold" in rating.notes
    assert rate_against(Figure(10_600), PEOPLE_LOW, 10_000).verdict == "worse"  # 6%: material
    wide = MetricRule("count", "low", multiplier=1, poisson=True, materiality=0.10)
    assert rate_against(Figure(10_600), wide, 10_000).verdict == "similar"


def test_materiality_threshold_is_inclusive_for_volumes():
    assert direction_of_travel(Figure(105.0), Figure(100.0), VOLUME).verdict == "improved"  # |r| = 5%
    assert direction_of_travel(Figure(104.99), Figure(100.0), VOLUME).verdict == "no_significant_change"


def test_benchmark_equal_to_the_lower_limit_is_similar_f20():
    interval = rate_against(Figure(None, 1201, 2007), PROPORTION, 0.0).interval
    assert rate_against(Figure(None, 1201, 2007), PROPORTION, interval.low).verdict == "similar"
    assert rate_against(Figure(None, 1201, 2007), PROPORTION, interval.low - 1e-9).verdict == "better"
    assert rate_against(Figure(None, 1201, 2007), PROPORTION, interval.high).verdict == "similar"


def test_survey_without_margin_uses_its_respondents():
    figure = Figure(61.1, respondents=230, denominator=5000)
    rating = rate_against(figure, SURVEY, 67.8)
    assert rating.basis == "wilson_on_respondents"
    assert (rating.interval.low, rating.interval.high) == pytest.approx((54.7, 67.2), abs=0.05)  # F06
    dot = direction_of_travel(figure, Figure(59.3, respondents=185, denominator=5000), SURVEY)
    assert dot.basis == "newcombe_on_respondents" and dot.verdict == "no_significant_change"
    assert (dot.low, dot.high) == pytest.approx((-7.6, 11.2), abs=0.1)


def test_99_8_percent_scales_a_published_margin_of_error():
    rating = rate_against(Figure(61.1, margin_of_error=6.2), SURVEY, 53.0, confidence=0.998)
    half = 6.2 * 3.090232 / 1.959964
    assert (rating.interval.low, rating.interval.high) == pytest.approx((61.1 - half, 61.1 + half), abs=1e-4)
    assert rating.verdict == "similar"  # lower limit 51.3 at 99.8%, though better at 95% (54.9)
    assert rate_against(Figure(61.1, margin_of_error=6.2), SURVEY, 53.0).verdict == "better"
    f01 = rate_against(Figure(None, 1201, 2007), PROPORTION, 60.7, confidence=0.998).interval
    assert (f01.low, f01.high) == pytest.approx((56.4, 63.2), abs=0.05)  # F01 at 99.8%
