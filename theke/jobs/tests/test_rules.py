"""The condition language of the job manager: what staff may write, what it means, and how a
mistake is reported. Plain functions: no database."""

from __future__ import annotations

import ast
import dataclasses
import pickle
import random
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from theke.jobs import rules
from theke.jobs.rules import MAX_DEPTH, MAX_LENGTH, Kind, Name, Rule, RuleError, compile_rule

THEKE = Path(rules.__file__).resolve().parents[1]

STATUS = (("open", "offen"), ("sold", "verkauft"), ("done", "abgeschlossen"), ("off", "storniert"))
NAMES = {
    name.key: name
    for name in [
        Name("auslieferung_gewuenscht", "Auslieferung gewünscht", Kind.BOOL),
        Name("kunde_angemeldet", "Kunde angemeldet", Kind.BOOL),
        Name("kunde.ort", "Ort des Kunden", Kind.TEXT),
        Name("größe", "Größe", Kind.NUMBER),
        Name("jobstatus", "Jobstatus", Kind.CHOICE, STATUS),
        Name("farbe", "Farbe", Kind.CHOICE, (("rot", "Rot"), ("lr", "lila rot"))),
        Name("betrag", "Betrag", Kind.NUMBER),
        Name("notiz", "Notiz", Kind.TEXT),
    ]
}


def check(text: str, **values: object) -> bool:
    return compile_rule(text, NAMES).evaluate(values)


def error(text: str, names: dict[str, Name] = NAMES) -> RuleError:
    with pytest.raises(RuleError) as raised:
        compile_rule(text, names)
    return raised.value


def explain(text: str, **values: object) -> str:
    return compile_rule(text, NAMES).explain(values)


# --- yes/no fields --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("auslieferung_gewuenscht = ja", True, True),
        ("auslieferung_gewuenscht = ja", False, False),
        ("auslieferung_gewuenscht == wahr", True, True),
        ("auslieferung_gewuenscht = true", True, True),
        ("auslieferung_gewuenscht = JA", True, True),
        ("auslieferung_gewuenscht = nein", False, True),
        ("auslieferung_gewuenscht = falsch", False, True),
        ("auslieferung_gewuenscht = False", False, True),
        ("auslieferung_gewuenscht != nein", True, True),
        ("auslieferung_gewuenscht <> ja", True, False),
        ("auslieferung_gewuenscht in (ja, nein)", False, True),
        ("auslieferung_gewuenscht = nein", None, True),
    ],
)
def test_a_yes_no_field_compares_with_ja_and_nein_in_every_spelling(text, value, expected):
    assert check(text, auslieferung_gewuenscht=value) is expected


def test_a_bare_yes_no_name_is_its_value():
    assert check("kunde_angemeldet", kunde_angemeldet=True)
    assert not check("kunde_angemeldet", kunde_angemeldet=False)
    assert not check("kunde_angemeldet", kunde_angemeldet=None)


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("betrag = 80", True),
        ("betrag == 80.0", True),
        ("betrag != 80", False),
        ("betrag <> 81", True),
        ("betrag < 100", True),
        ("betrag < 80", False),
        ("betrag <= 80", True),
        ("betrag > 79,5", True),
        ("betrag > 80", False),
        ("betrag >= 80", True),
        ("betrag > -3", True),
        ("betrag in (1, 80, 100)", True),
        ("betrag nicht in (1, 2)", True),
        ("betrag not in (80)", False),
    ],
)
def test_number_comparisons(text, expected):
    assert check(text, betrag=80) is expected


@pytest.mark.parametrize("value", [12.5, Decimal("12.50"), "12.5", "12,5", " 12,5 "])
def test_a_number_may_come_as_float_decimal_or_numeric_string(value):
    assert check("betrag = 12,5", betrag=value)
    assert check("betrag = 12.5", betrag=value)


def test_a_german_decimal_comma_is_read_outside_lists():
    assert check("betrag < 0,5", betrag=Decimal("0.25"))
    assert not check("betrag < 0,5", betrag=1)


def test_numbers_that_cannot_hold_a_thousands_separator_are_not_ambiguous():
    assert check("betrag = 0.500", betrag=Decimal("0.5"))
    assert check("betrag = 0,500", betrag=Decimal("0.5"))
    assert check("betrag = 1,50", betrag=Decimal("1.5"))
    assert check("betrag = 1234.567", betrag=Decimal("1234.567"))


# --- text -----------------------------------------------------------------------------------------


def test_text_equality_ignores_case_and_surrounding_whitespace():
    assert check('notiz = "Eilig"', notiz="  eilig ")
    assert not check('notiz = "Eilig"', notiz="eiliger")
    assert check('notiz != "Eilig"', notiz="eiliger")


@pytest.mark.parametrize("keyword", ["enthält", "ENTHÄLT", "enthaelt", "contains"])
def test_contains_is_a_case_insensitive_substring_test(keyword):
    assert check(f'notiz {keyword} "EILT"', notiz="Das eilt sehr")
    assert not check(f'notiz {keyword} "eilt"', notiz="später")


@pytest.mark.parametrize("literal", ['"Köln"', "'Köln'", "„Köln“", "„Köln”", "“Köln”", '"köln"'])
def test_strings_may_use_straight_or_german_quotes(literal):
    assert check(f"kunde.ort = {literal}", **{"kunde.ort": "Köln"})


def test_a_string_may_hold_the_other_kind_of_quote():
    assert check("""notiz = 'Sie sagte "ja"'""", notiz='Sie sagte "ja"')


def test_text_compared_with_a_number_compares_the_digits_as_written():
    assert check("notiz = 04109", notiz="04109")
    assert check('notiz in ("a", 7)', notiz="7")


# --- choices --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "jobstatus = verkauft",
        "jobstatus = sold",
        'jobstatus = "sold"',
        "jobstatus = „Verkauft“",
        "jobstatus = VERKAUFT",
        "jobstatus in (offen, sold)",
        "jobstatus nicht in (storniert, abgeschlossen)",
        "jobstatus != offen",
    ],
)
def test_a_choice_is_named_by_value_or_label_in_any_case(text):
    assert check(text, jobstatus="sold")


def test_a_choice_label_with_spaces_is_written_as_a_string():
    assert check('farbe = "Lila Rot"', farbe="lr")


def test_a_choice_value_wins_over_a_label_of_the_same_spelling():
    names = {"f": Name("f", "F", Kind.CHOICE, (("a", "b"), ("b", "c")))}
    assert compile_rule("f = b", names).evaluate({"f": "b"})


def test_labels_may_be_lazy_translations_and_kinds_plain_strings():
    choices = (("1", gettext_lazy("offen")),)
    status = Name("status", gettext_lazy("Status"), "choice", choices)  # type: ignore[arg-type]
    rule = compile_rule("status = offen", {"status": status})
    assert rule.evaluate({"status": "1"})
    assert rule.explain({"status": 1}) == "Status = offen"
    failure = error("status = zu", {"status": status})
    assert failure.message == "„zu“ ist keine Auswahl von „Status“. Möglich: offen."


def test_an_empty_choice_equals_nothing():
    assert not check("jobstatus = offen", jobstatus=None)
    assert check("jobstatus != offen", jobstatus=None)


# --- empty ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("notiz ist leer", "", True),
        ("notiz ist leer", "   ", True),
        ("notiz is empty", None, True),
        ("notiz IST LEER", "x", False),
        ("notiz ist nicht leer", "x", True),
        ("notiz is not empty", "", False),
        ("notiz", "x", True),
        ("notiz", " ", False),
    ],
)
def test_empty_text(text, value, expected):
    assert check(text, notiz=value) is expected


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("betrag ist leer", {"betrag": None}, True),
        ("betrag ist leer", {"betrag": 0}, False),
        ("betrag", {"betrag": 0}, True),
        ("jobstatus ist leer", {"jobstatus": ""}, True),
        ("jobstatus ist nicht leer", {"jobstatus": "open"}, True),
        ("jobstatus", {"jobstatus": None}, False),
    ],
)
def test_empty_numbers_and_choices_and_bare_names(text, values, expected):
    assert check(text, **values) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auslieferung_gewuenscht", False),
        ("auslieferung_gewuenscht = nein", True),
        ("notiz ist leer", True),
        ("notiz enthält 'x'", False),
        ("betrag ist leer", True),
        ("betrag = 0", False),
        ("betrag != 0", True),
        ("betrag < 10", False),
        ("jobstatus ist leer", True),
        ("jobstatus nicht in (offen)", True),
    ],
)
def test_a_missing_key_counts_as_empty(text, expected):
    assert check(text) is expected


# --- odd values never crash a page ----------------------------------------------------------------


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no")


ODD_VALUES = [
    "abc",
    "",
    object(),
    Unprintable(),
    float("nan"),
    float("inf"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    "1e999999999",
    10**5000,
    True,
    [1, 2],
    {"a": 1},
    b"80",
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize(
    "text",
    [
        "betrag > 5",
        "betrag = 5",
        "betrag in (1, 2)",
        "betrag ist leer",
        "notiz = 'x'",
        "notiz enthält 'x'",
        "jobstatus = offen",
        "auslieferung_gewuenscht",
        "auslieferung_gewuenscht = nein",
    ],
)
def test_odd_values_neither_raise_nor_explain_with_an_error(text, value):
    key = text.split()[0]
    rule = compile_rule(text, NAMES)
    assert rule.evaluate({key: value}) in (True, False)
    assert rule.explain({key: value}).startswith(NAMES[key].label + " = ")


def test_a_number_field_holding_text_is_not_equal_and_not_ordered():
    assert not check("betrag = 5", betrag="abc")
    assert check("betrag != 5", betrag="abc")
    assert not check("betrag > 5", betrag="abc")
    assert not check("betrag < 5", betrag="abc")
    assert not check("betrag > 5", betrag=True)  # a checkbox is no number


# --- und, oder, nicht, parentheses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kunde_angemeldet und auslieferung_gewuenscht", False),
        ("kunde_angemeldet and auslieferung_gewuenscht", False),
        ("kunde_angemeldet UND nicht auslieferung_gewuenscht", True),
        ("kunde_angemeldet oder auslieferung_gewuenscht", True),
        ("auslieferung_gewuenscht or kunde_angemeldet", True),
        ("auslieferung_gewuenscht Oder auslieferung_gewuenscht", False),
        ("nicht kunde_angemeldet", False),
        ("NOT auslieferung_gewuenscht", True),
        ("nicht nicht kunde_angemeldet", True),
        ("(kunde_angemeldet)", True),
        ("kunde_angemeldet und not auslieferung_gewuenscht or auslieferung_gewuenscht", True),
    ],
)
def test_und_oder_nicht_in_german_and_english(text, expected):
    assert check(text, kunde_angemeldet=True, auslieferung_gewuenscht=False) is expected


def test_und_binds_tighter_than_oder():
    # true oder (false und false) -> true; (true oder false) und false would be false
    text = "kunde_angemeldet oder auslieferung_gewuenscht und auslieferung_gewuenscht"
    assert check(text, kunde_angemeldet=True, auslieferung_gewuenscht=False)


def test_parentheses_override_precedence():
    text = "(kunde_angemeldet oder auslieferung_gewuenscht) und auslieferung_gewuenscht"
    assert not check(text, kunde_angemeldet=True, auslieferung_gewuenscht=False)


def test_nicht_binds_tighter_than_und_and_looser_than_a_comparison():
    values = {"kunde_angemeldet": False, "betrag": 5}
    assert check("nicht kunde_angemeldet und betrag = 5", **values)
    assert check("nicht betrag = 6", **values)
    assert not check("nicht (kunde_angemeldet oder betrag = 5)", **values)


def test_layout_is_free():
    assert check("\n  betrag>=5\tund(notiz='x')\n", betrag=5, notiz="X")


# --- names ----------------------------------------------------------------------------------------


def test_names_are_the_keys_the_rule_uses():
    rule = compile_rule("betrag > 5 oder (Betrag < 1 und kunde.ort = 'Ulm') oder größe", NAMES)
    assert rule.names == frozenset({"betrag", "kunde.ort", "größe"})
    assert rule.text == "betrag > 5 oder (Betrag < 1 und kunde.ort = 'Ulm') oder größe"


def test_names_may_hold_dots_and_umlauts_and_ignore_case():
    assert check("Kunde.Ort = 'Ulm' und GRÖSSE > 2", **{"kunde.ort": "ulm", "größe": 3})


def test_names_differing_only_in_case_must_be_written_exactly():
    names = {"a": Name("a", "klein", Kind.BOOL), "A": Name("A", "groß", Kind.BOOL)}
    assert compile_rule("A", names).evaluate({"A": True, "a": False})
    assert error("a_", names).message.startswith("Unbekannter Name")


# --- compiled once --------------------------------------------------------------------------------


def test_a_rule_is_immutable_equal_by_text_and_picklable():
    rule = compile_rule("jobstatus in (offen, verkauft) und betrag > 1", NAMES)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.text = "x"  # type: ignore[misc]
    assert rule == compile_rule("jobstatus in (offen, verkauft) und betrag > 1", NAMES)
    copy = pickle.loads(pickle.dumps(rule))  # noqa: S301 (our own bytes)
    assert copy.evaluate({"jobstatus": "open", "betrag": 2})
    assert isinstance(copy, Rule)


def test_evaluation_does_not_parse_again(monkeypatch):
    rule = compile_rule("betrag > 1 und notiz enthält 'a'", NAMES)

    def no_parsing(text: str) -> None:
        raise AssertionError("parsed at evaluation time")

    monkeypatch.setattr(rules, "_tokenize", no_parsing)
    assert rule.evaluate({"betrag": 2, "notiz": "a"})
    assert rule.explain({"betrag": 2, "notiz": "a"})


def test_limits_are_inclusive():
    text = "betrag > 1" + " " * (MAX_LENGTH - len("betrag > 1"))
    assert len(text) == MAX_LENGTH
    compile_rule(text, NAMES)
    deep = "(" * MAX_DEPTH + "kunde_angemeldet" + ")" * MAX_DEPTH
    assert check(deep, kunde_angemeldet=True)
    assert check("nicht " * MAX_DEPTH + "kunde_angemeldet", kunde_angemeldet=True)


# --- compile errors: message and position ---------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_a_blank_rule_is_refused(text):
    assert (error(text).message, error(text).position) == ("Die Bedingung ist leer.", 0)


def test_a_rule_that_is_too_long():
    failure = error("kunde_angemeldet " * 100)
    assert failure.message == "Die Bedingung ist zu lang: höchstens 1000 Zeichen."
    assert failure.position == MAX_LENGTH


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("(" * 21 + "kunde_angemeldet" + ")" * 21, 20),
        ("nicht " * 21 + "kunde_angemeldet", 120),
        ("nicht (" * 11 + "kunde_angemeldet" + ")" * 11, 70),
        ("(" * 400, 20),  # refused before the stack grows
    ],
)
def test_nesting_deeper_than_the_limit(text, position):
    failure = error(text)
    assert failure.message == "Die Bedingung ist zu tief verschachtelt: höchstens 20 Ebenen."
    assert failure.position == position


def test_an_unknown_name_suggests_the_closest_known_one():
    failure = error("lieferung = ja")
    assert failure.message == (
        "Unbekannter Name „lieferung“. Meinten Sie „auslieferung_gewuenscht“?"
    )
    assert failure.position == 0
    assert str(failure) == (
        "Unbekannter Name „lieferung“ (bei Zeichen 1). Meinten Sie „auslieferung_gewuenscht“?"
    )


def test_a_misspelt_name_suggests_the_known_one():
    failure = error("betrag > 1 und jobstatsu = offen")
    assert failure.message == "Unbekannter Name „jobstatsu“. Meinten Sie „jobstatus“?"
    assert failure.position == 15


def test_an_unknown_name_without_anything_close():
    failure = error("xyzzy")
    assert failure.message == "Unbekannter Name „xyzzy“."
    assert str(failure) == "Unbekannter Name „xyzzy“ (bei Zeichen 1)."


def test_a_word_that_is_no_choice_lists_the_choices():
    failure = error("jobstatus = geliefert")
    assert failure.message == (
        "„geliefert“ ist keine Auswahl von „Jobstatus“."
        " Möglich: offen, verkauft, abgeschlossen, storniert."
    )
    assert failure.position == 12
    assert str(failure) == (
        "„geliefert“ ist keine Auswahl von „Jobstatus“ (bei Zeichen 13)."
        " Möglich: offen, verkauft, abgeschlossen, storniert."
    )


def test_a_list_entry_that_is_no_choice():
    failure = error("jobstatus in (offen, 'weg')")
    assert failure.message.startswith("„weg“ ist keine Auswahl von „Jobstatus“.")
    assert failure.position == 21


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        (
            "auslieferung_gewuenscht = 1",
            "„Auslieferung gewünscht“ kann nur mit ja oder nein verglichen werden.",
            26,
        ),
        (
            "auslieferung_gewuenscht = 'ja'",
            "„Auslieferung gewünscht“ kann nur mit ja oder nein verglichen werden.",
            26,
        ),
        (
            "auslieferung_gewuenscht in (ja, vielleicht)",
            "„Auslieferung gewünscht“ kann nur mit ja oder nein verglichen werden.",
            32,
        ),
        (
            "betrag = 'viel'",
            "„Betrag“ ist eine Zahl und kann nur mit einer Zahl verglichen werden.",
            9,
        ),
        (
            "betrag > ja",
            "„Betrag“ ist eine Zahl und kann nur mit einer Zahl verglichen werden.",
            9,
        ),
        ("notiz = eilig", '„Notiz“ ist ein Text: Schreiben Sie "eilig" statt eilig.', 8),
        ("notiz < 'b'", "„<“ vergleicht nur Zahlen, „Notiz“ ist keine Zahl.", 6),
        ("jobstatus >= offen", "„>=“ vergleicht nur Zahlen, „Jobstatus“ ist keine Zahl.", 10),
        (
            "kunde_angemeldet > nein",
            "„>“ vergleicht nur Zahlen, „Kunde angemeldet“ ist keine Zahl.",
            17,
        ),
        ("betrag enthält 5", "„enthält“ prüft nur Text, „Betrag“ ist kein Text.", 7),
        (
            "jobstatus contains 'o'",
            "„contains“ prüft nur Text, „Jobstatus“ ist kein Text.",
            10,
        ),
        (
            "kunde_angemeldet ist leer",
            "„Kunde angemeldet“ ist immer ja oder nein, nie leer.",
            17,
        ),
        ("jobstatus = leer", "Prüfen Sie auf leer mit „jobstatus ist leer“.", 12),
        ("notiz != empty", "Prüfen Sie auf leer mit „notiz ist leer“.", 9),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_the_field(text, message, position):
    failure = error(text)
    assert (failure.message, failure.position) == (message, position)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("(kunde_angemeldet oder betrag > 1", "Die Klammer wird nicht geschlossen.", 0),
        ("betrag in (1, 2", "Die Klammer wird nicht geschlossen.", 10),
        ("notiz = 'offen", "Der Text in Anführungszeichen wird nicht geschlossen.", 8),
        ("notiz = „offen", "Der Text in Anführungszeichen wird nicht geschlossen.", 8),
        ("betrag > 5 && notiz", "Unerwartetes Zeichen „&“.", 11),
        ("betrag ! 5", "Unerwartetes Zeichen „!“.", 7),
        (
            "kunde_angemeldet und",
            "Die Bedingung ist unvollständig: Es fehlt ein Name.",
            20,
        ),
        ("betrag >", "Die Bedingung ist unvollständig: Es fehlt ein Wert.", 8),
        ("betrag > und", "Hier wird ein Wert erwartet, nicht „und“.", 9),
        ("betrag in ()", "Hier wird ein Wert erwartet, nicht „)“.", 11),
        ("und betrag", "Hier wird ein Name erwartet, nicht „und“.", 0),
        ("kunde_angemeldet oder (", "Die Bedingung ist unvollständig: Es fehlt ein Name.", 23),
        ("betrag = 5 'x'", 'Unerwartetes „"x"“. Fehlt „und“ oder „oder“?', 11),
        (
            "kunde_angemeldet auslieferung_gewuenscht",
            "Unerwartetes „auslieferung_gewuenscht“. Fehlt „und“ oder „oder“?",
            17,
        ),
        ("(betrag = 5 notiz)", "Unerwartetes „notiz“. Fehlt „und“ oder „oder“?", 12),
        ("kunde_angemeldet)", "Zu dieser „)“ gibt es keine öffnende Klammer.", 16),
        ("betrag in (1 2)", "Unerwartetes „2“ in der Liste.", 13),
        ("betrag in 1", "Nach „in“ folgt eine Liste in Klammern, z. B. (1, 2).", 10),
        ("notiz ist voll", "Nach „ist“ folgt „leer“ oder „nicht leer“.", 10),
        ("notiz is not", "Nach „is“ folgt „leer“ oder „nicht leer“.", 12),
        ("2fach = ja", "Ein Name darf nicht mit einer Ziffer beginnen: „2fach“.", 0),
        ("betrag = 1.000", "Die Zahl 1.000 ist mehrdeutig. Meinen Sie 1000 oder 1?", 9),
        ("betrag > 2.500", "Die Zahl 2.500 ist mehrdeutig. Meinen Sie 2500 oder 2,5?", 9),
        ("betrag > 2,500", "Die Zahl 2,500 ist mehrdeutig. Meinen Sie 2500 oder 2,5?", 9),
        ("betrag < -1,000", "Die Zahl -1,000 ist mehrdeutig. Meinen Sie -1000 oder -1?", 9),
        (
            "betrag > 1.000.000",
            "Schreiben Sie Zahlen ohne Tausenderpunkte: 1000000 statt 1.000.000.",
            9,
        ),
        (
            "betrag in (1,5)",
            "1,5 ist in einer Liste mehrdeutig. Schreiben Sie 1.5 für eine Dezimalzahl"
            " oder 1, 5 für zwei Einträge.",
            11,
        ),
    ],
)
def test_a_syntax_error_says_what_is_wrong_and_where(text, message, position):
    failure = error(text)
    assert (failure.message, failure.position) == (message, position)


def test_the_position_for_people_counts_from_one():
    assert str(error("betrag > ")) == (
        "Die Bedingung ist unvollständig: Es fehlt ein Wert (bei Zeichen 10)."
    )
    assert str(error("betrag = 2.500")) == (
        "Die Zahl 2.500 ist mehrdeutig (bei Zeichen 10). Meinen Sie 2500 oder 2,5?"
    )


def test_a_rule_error_is_a_value_error_and_pickles():
    failure = error("lieferung")
    assert isinstance(failure, ValueError)
    copy = pickle.loads(pickle.dumps(failure))  # noqa: S301 (our own bytes)
    assert (copy.message, copy.position, str(copy)) == (
        failure.message,
        failure.position,
        str(failure),
    )


def test_keywords_cannot_be_names():
    names = {"in": Name("in", "In", Kind.BOOL)}
    assert error("in", names).message == "Hier wird ein Name erwartet, nicht „in“."


# --- explanations ---------------------------------------------------------------------------------


def test_a_comparison_explains_itself_with_the_actual_value():
    assert explain("auslieferung_gewuenscht = ja", auslieferung_gewuenscht=False) == (
        "Auslieferung gewünscht = nein"
    )
    assert explain("betrag > 100", betrag=80) == "Betrag = 80"
    assert explain("betrag > 100", betrag=Decimal("80.50")) == "Betrag = 80,5"
    assert explain("betrag > 100", betrag="abc") == "Betrag = abc"
    assert explain("betrag > 100") == "Betrag = leer"
    assert explain("jobstatus = offen", jobstatus="sold") == "Jobstatus = verkauft"
    assert explain("jobstatus = offen", jobstatus="gone") == "Jobstatus = gone"
    assert explain("jobstatus = offen", jobstatus="") == "Jobstatus = leer"
    assert explain("notiz enthält 'x'", notiz="  Eilt  ") == "Notiz = Eilt"
    assert explain("kunde_angemeldet", kunde_angemeldet=None) == "Kunde angemeldet = nein"


def test_a_long_text_is_cut_in_an_explanation():
    shown = explain("notiz ist leer", notiz="x" * 500)
    assert shown == "Notiz = " + "x" * 59 + "…"


def test_und_explains_its_first_false_part_or_all_parts():
    text = "kunde_angemeldet und betrag > 100 und jobstatus = offen"
    assert explain(text, kunde_angemeldet=True, betrag=80, jobstatus="sold") == "Betrag = 80"
    assert explain(text, kunde_angemeldet=True, betrag=180, jobstatus="open") == (
        "Kunde angemeldet = ja und Betrag = 180 und Jobstatus = offen"
    )


def test_oder_explains_its_first_true_part_or_all_parts():
    text = "kunde_angemeldet oder betrag > 100 oder jobstatus = offen"
    assert explain(text, kunde_angemeldet=False, betrag=180, jobstatus="open") == ("Betrag = 180")
    assert explain(text, kunde_angemeldet=False, betrag=80) == (
        "Kunde angemeldet = nein und Betrag = 80 und Jobstatus = leer"
    )


def test_nicht_explains_its_operand():
    rule = compile_rule("nicht (auslieferung_gewuenscht oder betrag > 5)", NAMES)
    values = {"auslieferung_gewuenscht": False, "betrag": 7}
    assert rule.evaluate(values) is False
    assert rule.explain(values) == "Betrag = 7"


def test_explanations_follow_the_active_language():
    rule = compile_rule("kunde_angemeldet", NAMES)
    with translation.override("en"):
        english = rule.explain({"kunde_angemeldet": True})
        assert english == f"Kunde angemeldet = {translation.gettext('ja')}"
    assert rule.explain({"kunde_angemeldet": True}) == "Kunde angemeldet = ja"


# --- no eval, exec or compile anywhere in theke/ --------------------------------------------------


CODE_RUNNERS = {"eval", "exec", "compile"}
# A cheap first pass: only files mentioning one of the words are parsed (parsing all of
# theke/ takes seconds). NFKC first, as Python reads the identifier "ｅval" as eval.
MENTIONS_CODE_RUNNER = re.compile(r"\b(?:eval|exec|compile)\b")


def code_runner_calls(source: str) -> list[str]:
    """Calls of the builtins eval/exec/compile by bare name, as "line name()"."""
    if not MENTIONS_CODE_RUNNER.search(unicodedata.normalize("NFKC", source)):
        return []
    return [
        f"{node.lineno} {node.func.id}()"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in CODE_RUNNERS
    ]


def test_no_code_in_theke_calls_eval_exec_or_compile():
    """Rules (and anything else) are never run as Python: a bare eval/exec/compile call is
    refused everywhere under theke/ (re.compile and other attribute calls are fine)."""
    files = sorted(THEKE.rglob("*.py"))
    assert THEKE / "jobs" / "rules.py" in files
    found = [
        f"{path.relative_to(THEKE.parent)}:{call}"
        for path in files
        for call in code_runner_calls(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_code_runner_check_tells_bare_calls_from_attribute_calls():
    source = "import re\nre.compile('x')\nast.literal_eval('1')\neval('1')\nexec(code)\n"
    assert code_runner_calls(source) == ["4 eval()", "5 exec()"]
    assert code_runner_calls("x = 1\n\uff45val('1')\n") == ["2 eval()"]  # full-width e


# --- garbage in -------------------------------------------------------------------------------


PIECES = [
    *NAMES,
    "und", "oder", "nicht", "in", "ist", "leer", "enthält", "ja", "nein", "offen",
    "=", "==", "!=", "<>", "<", ">=", "(", ")", ",", '"', "'", "„", "“",
    "1", "-2", "3,5", "1.000", "x", "ß", "$", "\n", " ",
]  # fmt: skip


def test_any_jumble_of_pieces_compiles_or_raises_a_rule_error_only():
    chance = random.Random(4)
    for _ in range(3000):
        text = " ".join(chance.choice(PIECES) for _ in range(chance.randint(1, 12)))
        try:
            rule = compile_rule(text, NAMES)
        except RuleError as failure:
            assert 0 <= failure.position <= len(text)
            assert failure.message
        else:
            assert rule.evaluate({}) in (True, False)
            assert isinstance(rule.explain({"betrag": "abc"}), str)
