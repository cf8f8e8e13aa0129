"""GB 32100-2015 unified social credit codes and GB/T 2260 division codes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.core.codes import (
    CREDIT_CODE_CHARS,
    credit_code_check_char,
    credit_code_error,
    division_code_error,
    make_credit_code,
    normalise_credit_code,
)

CHAR = st.sampled_from(CREDIT_CODE_CHARS)
DIGIT = st.sampled_from("0123456789")
# Positions 1-2 registration authority and kind, 3-8 division code (digits), 9-17 body.
FIRST17 = st.tuples(st.lists(CHAR, min_size=2, max_size=2), st.lists(DIGIT, min_size=6, max_size=6),
                    st.lists(CHAR, min_size=9, max_size=9)).map(lambda t: "".join(sum(t, [])))


def test_check_character_of_the_standard_example():
    # The example code of GB 32100-2015: 91350100M000100Y4 has check character 3.
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert credit_code_error("91350100M000100Y43") is None
    assert credit_code_error("91350100M000100Y44") == "统一社会信用代码校验位不正确"


def test_weights_are_powers_of_three_mod_31():
    from jineng.core.codes import CREDIT_CODE_WEIGHTS

    assert tuple(pow(3, i, 31) for i in range(17)) == CREDIT_CODE_WEIGHTS
    assert len(CREDIT_CODE_CHARS) == 31 and not set("IOSVZ") & set(CREDIT_CODE_CHARS)


@settings(deadline=None)
@given(FIRST17)
def test_a_made_code_is_valid(first17):
    assert credit_code_error(make_credit_code(first17)) is None


@settings(deadline=None)
@given(FIRST17, CHAR)
def test_any_other_check_character_is_refused(first17, wrong):
    code = make_credit_code(first17)
    if wrong != code[17]:
        assert credit_code_error(code[:17] + wrong) == "统一社会信用代码校验位不正确"


@settings(deadline=None)
@given(FIRST17, st.integers(0, 16), st.data())
def test_any_single_changed_character_is_detected(first17, position, data):
    code = make_credit_code(first17)
    pool = "0123456789" if 2 <= position <= 7 else CREDIT_CODE_CHARS
    new = data.draw(st.sampled_from(pool).filter(lambda c: c != code[position]))
    changed = code[:position] + new + code[position + 1:]
    assert credit_code_error(changed) is not None


@settings(deadline=None)
@given(FIRST17)
def test_lower_case_full_width_and_spaces_are_normalised(first17):
    code = make_credit_code(first17)
    messy = " " + "".join(chr(ord(c) + 0xFEE0) for c in code.lower()) + "\u3000"
    assert normalise_credit_code(messy) == code


@pytest.mark.parametrize("code,message", [
    ("91411400MA44", "应为 18 位，实际为 12 位"),
    ("91411400MA4400000I", "不允许的字符"),  # I is never used
    ("9141140XMA44000001", "第 3–8 位不是数字"),
])
def test_malformed_codes_say_why(code, message):
    assert message in credit_code_error(code)


@pytest.mark.parametrize("code", ["41140", "4114021", "41140A", "", "４１１４０２x"])
def test_bad_division_codes(code):
    assert division_code_error(code) == "行政区划代码应为 6 位数字"


def test_good_division_code():
    assert division_code_error("411402") is None


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"])
def test_credit_code_with_digits_outside_ascii_is_an_error_not_a_crash(digits):
    # These pass Python's \d; the check once raised ValueError (a server error on the form).
    code = make_credit_code("91411402MA0000000").translate(str.maketrans("0123456789", digits))
    assert "第 3–8 位不是数字" in credit_code_error(normalise_credit_code(code))
