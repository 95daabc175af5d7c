"""Conditions of the job manager: a small rule language, compiled once, evaluated per page.

A condition hides a field entry of a phase (shown while true) or makes a whole phase obsolete
(skipped while false), e.g. ``auslieferung_gewuenscht = ja``. Staff type it into the workflow
editor; ``compile_rule`` checks it against the names the workflow knows and returns a
``Rule`` (a tree of small node objects), or raises ``RuleError`` with a translated message and
the offending character. A tokenizer and recursive-descent parser of our own: no
``eval``/``exec``, no third-party expression library.

Grammar (keywords case-insensitive, German or English, mixed freely)::

    rule       := or
    or         := and (("oder" | "or") and)*
    and        := not (("und" | "and") not)*
    not        := ("nicht" | "not") not | "(" or ")" | test
    test       := NAME [comparison]              -- a bare name: BOOL is its value,
                                                 -- any other kind is "not empty"
    comparison := ("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") value
                | ("enthält" | "enthaelt" | "contains") value       -- TEXT only
                | [("nicht" | "not")] "in" "(" value ("," value)* ")"
                | ("ist" | "is") [("nicht" | "not")] ("leer" | "empty")
    value      := "ja" | "nein" | "wahr" | "falsch" | "true" | "false" | NUMBER | STRING | WORD

Decisions:

* Precedence: nicht > und > oder; a comparison binds tighter than nicht.
* Names are identifiers (letters incl. äöüß, digits, ``_``, dots inside: ``kunde.angemeldet``;
  not starting with a digit), looked up exactly, else ignoring case when that is unique. The
  keywords above (oder, und, nicht, in, ist, leer, enthält, …) cannot be names.
* Numbers: ``12``, ``-3``, ``12.5``, and the German ``12,5`` (no spaces around the comma).
  Inside an ``in (…)`` list the comma separates entries, so ``1,5`` there is refused as
  ambiguous (write ``1.5`` or ``1, 5``). ``1.000`` and ``1,000`` are refused too (a German
  reader means a thousand by one, an English reader by the other): no thousands separators.
* Strings: ``"…"``, ``'…'``, ``„…“`` (also ``„…”`` and ``“…”``); no escapes, a string that
  needs a quote uses another kind of quote.
* BOOL compares with ja/nein only (``=``/``!=``/``in``); ``<`` and friends need a NUMBER;
  ``enthält`` needs TEXT; TEXT compares with a string (or a number, read as text); a CHOICE
  with a choice's value or label, as bare word or string, resolved to the value when the rule
  is compiled (value first, then label). BOOL is never empty (None counts as nein), so
  ``ist leer`` on it is refused.
* Text comparisons (``=``, ``in``, ``enthält``) ignore case and surrounding whitespace.
* Evaluation never raises: a missing key is empty (None); a value that is not a number (or
  anything odd) makes a NUMBER comparison false and ``!=`` true; an unexpected failure makes
  the comparison false.
* At most ``MAX_LENGTH`` characters and ``MAX_DEPTH`` levels of parentheses/``nicht``.

``Rule.explain(values)`` says why a rule came out as it did, e.g. "Auslieferung gewünscht =
nein" (a comparison shows the field's actual value; a false und its first false part, a true
one all parts; a true oder its first true part, a false one all parts).
"""

from __future__ import annotations

import dataclasses
import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from theke.core.formatting import number as format_number

MAX_LENGTH = 1000
MAX_DEPTH = 20
# Longer values are cut in explanations (a long note would otherwise fill the editor).
_SHOWN_TEXT = 60
# Numbers beyond this many digits are shown as given: formatting 1e999999 digit by digit
# would build a huge string.
_SHOWN_DIGITS = 30

_TRUE_WORDS = frozenset({"ja", "wahr", "true"})
_FALSE_WORDS = frozenset({"nein", "falsch", "false"})
# Keyword (case folded) -> its role. These words cannot be names.
_KEYWORDS = {
    "oder": "or",
    "or": "or",
    "und": "and",
    "and": "and",
    "nicht": "not",
    "not": "not",
    "enthält": "contains",
    "enthaelt": "contains",  # for keyboards without umlauts
    "contains": "contains",
    "in": "in",
    "ist": "is",
    "is": "is",
    "leer": "empty",
    "empty": "empty",
}


class Kind(StrEnum):
    BOOL = "bool"
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True)
class Name:
    """A value a rule may use: a field of the workflow or a context value (jobstatus, …)."""

    key: str
    label: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE


class RuleError(ValueError):
    """A rule that does not compile: a translated message and where in the text."""

    def __init__(self, message: str, position: int, hint: str = "") -> None:
        self.message = f"{message} {hint}" if hint else message
        self.position = position
        # Kept apart so str() can put "(bei Zeichen 3)" right after the statement.
        self._statement = message
        self._hint = hint
        super().__init__(self.message)

    def __str__(self) -> str:
        where = _("%(message)s (bei Zeichen %(position)s).") % {
            "message": self._statement.rstrip("."),
            "position": self.position + 1,
        }
        return f"{where} {self._hint}" if self._hint else where

    def __reduce__(self) -> tuple[type[RuleError], tuple[str, int, str]]:
        return (RuleError, (self._statement, self.position, self._hint))


# ---------------------------------------------------------------------------------------------
# Values: what evaluation and explanations make of the Python values they are handed


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _truth(value: object) -> bool:
    """A BOOL value: None is nein; odd values are read leniently rather than crashing."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().casefold() in _TRUE_WORDS
    if isinstance(value, int | float | Decimal):
        return bool(value) and value == value  # NaN is not ja
    return False


def _as_number(value: object) -> Decimal | None:
    """A finite Decimal of a NUMBER value, or None when it is empty or no number."""
    if isinstance(value, bool) or value is None:
        return None  # True is an int in Python, but not a number a person typed
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            text = value.strip()
            if "," in text and "." not in text:
                text = text.replace(",", ".")  # a German decimal comma from a form
            number = Decimal(text)
        else:
            return None
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


def _as_text(value: object) -> str:
    """A TEXT value as compared: without surrounding whitespace, case folded."""
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip().casefold()


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN_TEXT else text[: _SHOWN_TEXT - 1] + "…"


# ---------------------------------------------------------------------------------------------
# The compiled tree. Small slotted objects whose evaluate() does one dict lookup and one
# comparison; module-level functions only, so a Rule can be pickled into a cache.


class _Field:
    __slots__ = ("choice_labels", "key", "kind", "label")

    def __init__(self, name: Name) -> None:
        self.key = name.key
        # Labels stay as given: a lazy translation is turned into text only when shown.
        self.label = name.label
        self.kind = Kind(name.kind)  # "bool" from a model field works as well as Kind.BOOL
        self.choice_labels = {str(value): label for value, label in name.choices}

    def show(self, value: object) -> str:
        """The value as people read it: ja/nein, a choice's label, "leer", a number."""
        if self.kind is Kind.BOOL:
            return _("ja") if _truth(value) else _("nein")
        if _is_empty(value):
            return _("leer")
        if self.kind is Kind.CHOICE:
            return _shorten(str(self.choice_labels.get(str(value), value)))
        if self.kind is Kind.NUMBER:
            number = _as_number(value)
            if number is not None and abs(number.adjusted()) < _SHOWN_DIGITS:
                return format_number(number)
        return _shorten(str(value).strip())


class _Node:
    __slots__ = ()

    def evaluate(self, values: Mapping[str, object]) -> bool:
        raise NotImplementedError

    def explain(self, values: Mapping[str, object]) -> str:
        raise NotImplementedError


class _Test(_Node):
    """One field tested against something; `negate` turns = into !=, in into nicht in, …"""

    __slots__ = ("field", "negate")

    def __init__(self, field: _Field, negate: bool) -> None:
        self.field = field
        self.negate = negate

    def test(self, value: object) -> bool:
        raise NotImplementedError

    def evaluate(self, values: Mapping[str, object]) -> bool:
        try:
            return self.test(values.get(self.field.key)) != self.negate
        except Exception:
            # A value no test foresaw (an object whose str() fails, a gigantic int, …):
            # a condition must never crash a page, and "false" is the cautious answer.
            return False

    def explain(self, values: Mapping[str, object]) -> str:
        try:
            shown = self.field.show(values.get(self.field.key))
        except Exception:
            shown = "?"
        return f"{self.field.label} = {shown}"


class _BoolIs(_Test):
    __slots__ = ("expected",)

    def __init__(self, field: _Field, negate: bool, expected: bool) -> None:
        super().__init__(field, negate)
        self.expected = expected

    def test(self, value: object) -> bool:
        return _truth(value) is self.expected


class _BoolIn(_Test):
    __slots__ = ("accepted",)

    def __init__(self, field: _Field, negate: bool, accepted: frozenset[bool]) -> None:
        super().__init__(field, negate)
        self.accepted = accepted

    def test(self, value: object) -> bool:
        return _truth(value) in self.accepted


class _NumberCompare(_Test):
    __slots__ = ("compare", "literal")

    def __init__(
        self,
        field: _Field,
        negate: bool,
        compare: Callable[[Decimal, Decimal], bool],
        literal: Decimal,
    ) -> None:
        super().__init__(field, negate)
        self.compare = compare
        self.literal = literal

    def test(self, value: object) -> bool:
        number = _as_number(value)
        return number is not None and self.compare(number, self.literal)


class _NumberIn(_Test):
    __slots__ = ("accepted",)

    def __init__(self, field: _Field, negate: bool, accepted: frozenset[Decimal]) -> None:
        super().__init__(field, negate)
        self.accepted = accepted  # Decimal("5") and Decimal("5.0") hash alike

    def test(self, value: object) -> bool:
        return _as_number(value) in self.accepted


class _TextIn(_Test):
    """TEXT = "x" (one entry) and TEXT in ("x", "y"), on case-folded text."""

    __slots__ = ("accepted",)

    def __init__(self, field: _Field, negate: bool, accepted: frozenset[str]) -> None:
        super().__init__(field, negate)
        self.accepted = accepted

    def test(self, value: object) -> bool:
        return _as_text(value) in self.accepted


class _TextContains(_Test):
    __slots__ = ("part",)

    def __init__(self, field: _Field, negate: bool, part: str) -> None:
        super().__init__(field, negate)
        self.part = part

    def test(self, value: object) -> bool:
        return self.part in _as_text(value)


class _ChoiceIn(_Test):
    __slots__ = ("accepted",)

    def __init__(self, field: _Field, negate: bool, accepted: frozenset[str]) -> None:
        super().__init__(field, negate)
        self.accepted = accepted

    def test(self, value: object) -> bool:
        return value is not None and str(value) in self.accepted


class _IsEmpty(_Test):
    __slots__ = ()

    def test(self, value: object) -> bool:
        return _is_empty(value)


class _Not(_Node):
    __slots__ = ("operand",)

    def __init__(self, operand: _Node) -> None:
        self.operand = operand

    def evaluate(self, values: Mapping[str, object]) -> bool:
        return not self.operand.evaluate(values)

    def explain(self, values: Mapping[str, object]) -> str:
        return self.operand.explain(values)


class _All(_Node):
    __slots__ = ("parts",)

    def __init__(self, parts: tuple[_Node, ...]) -> None:
        self.parts = parts

    def evaluate(self, values: Mapping[str, object]) -> bool:
        # A plain loop: all() with a generator takes twice as long, on every page view.
        for part in self.parts:  # noqa: SIM110
            if not part.evaluate(values):
                return False
        return True

    def explain(self, values: Mapping[str, object]) -> str:
        for part in self.parts:
            if not part.evaluate(values):
                return part.explain(values)  # the first part that failed is the reason
        return _joined(part.explain(values) for part in self.parts)


class _Any(_Node):
    __slots__ = ("parts",)

    def __init__(self, parts: tuple[_Node, ...]) -> None:
        self.parts = parts

    def evaluate(self, values: Mapping[str, object]) -> bool:
        for part in self.parts:  # noqa: SIM110 (see _All)
            if part.evaluate(values):
                return True
        return False

    def explain(self, values: Mapping[str, object]) -> str:
        for part in self.parts:
            if part.evaluate(values):
                return part.explain(values)  # the first part that held is the reason
        return _joined(part.explain(values) for part in self.parts)


def _joined(reasons: Iterable[str]) -> str:
    # Outside the f-string, or makemessages would not see the msgid.
    word = _("und")
    return f" {word} ".join(reasons)


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled condition: immutable, evaluated many times without parsing again."""

    text: str
    names: frozenset[str]  # the keys the rule uses
    _root: _Node = dataclasses.field(repr=False, compare=False)

    def evaluate(self, values: Mapping[str, object]) -> bool:
        return self._root.evaluate(values)

    def explain(self, values: Mapping[str, object]) -> str:
        """Why the rule is true or false for these values, e.g. "Betrag = 80"."""
        return self._root.explain(values)


# ---------------------------------------------------------------------------------------------
# Tokens

_WORD, _NUMBER, _STRING, _OP, _OPEN, _CLOSE, _COMMA, _END = (
    "word",
    "number",
    "string",
    "op",
    "(",
    ")",
    ",",
    "end",
)
_SPACE = re.compile(r"\s+")
_NUMBER_PATTERN = re.compile(r"-?[0-9]+(?:\.[0-9]+)*")
_WORD_PATTERN = re.compile(r"[^\W\d]\w*(?:\.\w+)*")  # \w: letters incl. äöüß, digits, _
_RUN_PATTERN = re.compile(r"[\w.-]+")  # what a person sees as one "word" in an error
# Longest first, so "<=" is not read as "<" followed by "=".
_OPERATORS = ("==", "!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCTUATION = {"(": _OPEN, ")": _CLOSE, ",": _COMMA}
# Opening quote -> the quotes that close it („…“ is German; Word sometimes writes „…”).
_QUOTES = {'"': '"', "'": "'", "„": "“”", "“": "”“"}
# "1.000" is a thousand for a German reader and one for an English reader; "1,000" the other
# way round.
_AMBIGUOUS_NUMBER = re.compile(r"(-?[1-9][0-9]{0,2})[.,]([0-9]{3})")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str  # as written; a string without its quotes
    pos: int
    end: int
    keyword: str | None = None  # the role of a keyword (see _KEYWORDS)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while True:
        if space := _SPACE.match(text, pos):
            pos = space.end()
        if pos >= len(text):
            tokens.append(_Token(_END, "", pos, pos))
            return tokens
        token = _next_token(text, pos)
        tokens.append(token)
        pos = token.end


def _next_token(text: str, pos: int) -> _Token:
    char = text[pos]
    if number := _NUMBER_PATTERN.match(text, pos):
        end = number.end()
        if end < len(text) and _WORD_PATTERN.match(text[end]):
            word = _RUN_PATTERN.match(text, pos)
            assert word is not None
            raise RuleError(
                _("Ein Name darf nicht mit einer Ziffer beginnen: „%(word)s“.")
                % {"word": _shorten(word.group())},
                pos,
            )
        _check_number(number.group(), pos)
        return _Token(_NUMBER, number.group(), pos, end)
    if word := _WORD_PATTERN.match(text, pos):
        return _Token(_WORD, word.group(), pos, word.end(), _KEYWORDS.get(word.group().casefold()))
    if char in _QUOTES:
        closing = [i for i in (text.find(q, pos + 1) for q in _QUOTES[char]) if i != -1]
        if not closing:
            raise RuleError(_("Der Text in Anführungszeichen wird nicht geschlossen."), pos)
        end = min(closing)
        return _Token(_STRING, text[pos + 1 : end], pos, end + 1)
    for symbol in _OPERATORS:
        if text.startswith(symbol, pos):
            return _Token(_OP, symbol, pos, pos + len(symbol))
    if char in _PUNCTUATION:
        return _Token(_PUNCTUATION[char], char, pos, pos + 1)
    raise RuleError(_("Unerwartetes Zeichen „%(char)s“.") % {"char": char}, pos)


def _check_number(text: str, pos: int) -> None:
    """Refuse numbers a German and an English reader would read differently."""
    if text.count(".") > 1:
        raise RuleError(
            _("Schreiben Sie Zahlen ohne Tausenderpunkte: %(plain)s statt %(number)s.")
            % {"plain": text.replace(".", ""), "number": text},
            pos,
        )
    if ambiguous := _AMBIGUOUS_NUMBER.fullmatch(text):
        # "1.500" -> 1500 or 1,5; "1,000" -> 1000 or 1
        whole, fraction = ambiguous.groups()
        decimal = f"{whole},{fraction.rstrip('0')}".rstrip(",")
        raise RuleError(
            _("Die Zahl %(number)s ist mehrdeutig.") % {"number": text},
            pos,
            _("Meinen Sie %(plain)s oder %(decimal)s?")
            % {"plain": whole + fraction, "decimal": decimal},
        )


# ---------------------------------------------------------------------------------------------
# Parser: recursive descent, one method per grammar rule (see the module docstring)


@dataclass(frozen=True, slots=True)
class _Value:
    """A value on the right of a comparison, before it is checked against the field's kind."""

    kind: str  # _WORD, _NUMBER or _STRING
    text: str
    pos: int
    number: Decimal | None = None


_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_NEGATING = frozenset({"!=", "<>"})


class _Parser:
    def __init__(self, text: str, names: Mapping[str, Name]) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        self.names = names
        # Names ignoring case: a list, since two keys may differ in case only.
        self.folded: dict[str, list[Name]] = {}
        for name in names.values():
            self.folded.setdefault(name.key.casefold(), []).append(name)
        self.fields: dict[str, _Field] = {}  # one per key the rule uses

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def peek(self) -> _Token:
        return self.tokens[min(self.index + 1, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.token
        if token.kind != _END:
            self.index += 1
        return token

    # rule := or, and nothing after it
    def parse(self) -> _Node:
        node = self.or_()
        if self.token.kind != _END:
            raise self.unexpected(self.token)
        return node

    def or_(self) -> _Node:
        parts = [self.and_()]
        while self.token.keyword == "or":
            self.advance()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else _Any(tuple(parts))

    def and_(self) -> _Node:
        parts = [self.not_()]
        while self.token.keyword == "and":
            self.advance()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else _All(tuple(parts))

    def not_(self) -> _Node:
        token = self.token
        if token.keyword != "not" and token.kind != _OPEN:
            return self.test()
        # Only parentheses and nicht recurse: bounding them bounds the parser's stack (and
        # the tree's depth, so evaluation cannot blow the stack either).
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleError(
                _("Die Bedingung ist zu tief verschachtelt: höchstens %(limit)s Ebenen.")
                % {"limit": MAX_DEPTH},
                token.pos,
            )
        self.advance()
        if token.kind == _OPEN:
            node = self.or_()
            if self.token.kind == _END:
                raise RuleError(_("Die Klammer wird nicht geschlossen."), token.pos)
            if self.token.kind != _CLOSE:
                raise self.unexpected(self.token)
            self.advance()
        else:
            node = _Not(self.not_())
        self.depth -= 1
        return node

    def test(self) -> _Node:
        token = self.token
        if token.kind != _WORD or token.keyword is not None:
            raise self.missing_name(token)
        self.advance()
        field = self.field(token)
        following = self.token
        if following.kind == _OP:
            self.advance()
            return self.comparison(field, following, self.value(in_list=False))
        if following.keyword == "contains":
            self.advance()
            if field.kind is not Kind.TEXT:
                raise RuleError(
                    _("„%(operator)s“ prüft nur Text, „%(label)s“ ist kein Text.")
                    % {"operator": following.text, "label": field.label},
                    following.pos,
                )
            return _TextContains(field, False, self.text_of(field, self.value(in_list=False)))
        if following.keyword == "in" or (
            following.keyword == "not" and self.peek().keyword == "in"
        ):
            negate = following.keyword == "not"
            if negate:
                self.advance()
            return self.membership(field, self.advance(), negate)
        if following.keyword == "is":
            self.advance()
            return self.emptiness(field, following)
        # A bare name: a yes/no field is its value, any other asks "is anything there?".
        if field.kind is Kind.BOOL:
            return _BoolIs(field, False, True)
        return _IsEmpty(field, True)

    def comparison(self, field: _Field, symbol: _Token, value: _Value) -> _Node:
        negate = symbol.text in _NEGATING
        if symbol.text in _ORDERING:
            if field.kind is not Kind.NUMBER:
                raise RuleError(
                    _("„%(operator)s“ vergleicht nur Zahlen, „%(label)s“ ist keine Zahl.")
                    % {"operator": symbol.text, "label": field.label},
                    symbol.pos,
                )
            return _NumberCompare(
                field, False, _ORDERING[symbol.text], self.number_of(field, value)
            )
        if field.kind is Kind.BOOL:
            return _BoolIs(field, negate, self.bool_of(field, value))
        if field.kind is Kind.NUMBER:
            return _NumberCompare(field, negate, operator.eq, self.number_of(field, value))
        if field.kind is Kind.CHOICE:
            return _ChoiceIn(field, negate, frozenset({self.choice_of(field, value)}))
        return _TextIn(field, negate, frozenset({self.text_of(field, value)}))

    def membership(self, field: _Field, keyword: _Token, negate: bool) -> _Node:
        opening = self.token
        if opening.kind != _OPEN:
            raise RuleError(
                _("Nach „%(keyword)s“ folgt eine Liste in Klammern, z. B. (1, 2).")
                % {"keyword": keyword.text},
                opening.pos,
            )
        self.advance()
        values = [self.value(in_list=True)]
        while self.token.kind == _COMMA:
            self.advance()
            values.append(self.value(in_list=True))
        if self.token.kind == _END:
            raise RuleError(_("Die Klammer wird nicht geschlossen."), opening.pos)
        if self.token.kind != _CLOSE:
            raise RuleError(
                _("Unerwartetes „%(token)s“ in der Liste.") % {"token": self.shown(self.token)},
                self.token.pos,
            )
        self.advance()
        if field.kind is Kind.BOOL:
            return _BoolIn(field, negate, frozenset(self.bool_of(field, v) for v in values))
        if field.kind is Kind.NUMBER:
            return _NumberIn(field, negate, frozenset(self.number_of(field, v) for v in values))
        if field.kind is Kind.CHOICE:
            return _ChoiceIn(field, negate, frozenset(self.choice_of(field, v) for v in values))
        return _TextIn(field, negate, frozenset(self.text_of(field, v) for v in values))

    def emptiness(self, field: _Field, keyword: _Token) -> _Node:
        negate = self.token.keyword == "not"
        if negate:
            self.advance()
        if self.token.keyword != "empty":
            raise RuleError(
                _("Nach „%(keyword)s“ folgt „leer“ oder „nicht leer“.") % {"keyword": keyword.text},
                self.token.pos,
            )
        self.advance()
        if field.kind is Kind.BOOL:
            raise RuleError(
                _("„%(label)s“ ist immer ja oder nein, nie leer.") % {"label": field.label},
                keyword.pos,
            )
        return _IsEmpty(field, negate)

    def value(self, in_list: bool) -> _Value:
        token = self.token
        if token.kind == _NUMBER:
            self.advance()
            comma, digits = self.token, self.peek()
            decimal_comma = (
                "." not in token.text
                and comma.kind == _COMMA
                and comma.pos == token.end
                and digits.kind == _NUMBER
                and digits.pos == comma.end
                and digits.text.isascii()
                and digits.text.isdigit()
            )
            if not decimal_comma:
                return _Value(_NUMBER, token.text, token.pos, Decimal(token.text))
            if in_list:
                # In a list the comma separates entries: "in (1,5)" is 1 and 5 or 1.5?
                raise RuleError(
                    _(
                        "%(number)s ist in einer Liste mehrdeutig. Schreiben Sie %(decimal)s"
                        " für eine Dezimalzahl oder %(pair)s für zwei Einträge."
                    )
                    % {
                        "number": f"{token.text},{digits.text}",
                        "decimal": f"{token.text}.{digits.text}",
                        "pair": f"{token.text}, {digits.text}",
                    },
                    token.pos,
                )
            self.advance()
            self.advance()
            text = f"{token.text},{digits.text}"
            _check_number(text, token.pos)
            return _Value(_NUMBER, text, token.pos, Decimal(f"{token.text}.{digits.text}"))
        if token.kind == _STRING or (token.kind == _WORD and token.keyword in (None, "empty")):
            self.advance()
            return _Value(token.kind, token.text, token.pos)
        raise self.missing_value(token)

    # The value on the right, checked against the kind of the field on the left

    def bool_of(self, field: _Field, value: _Value) -> bool:
        word = value.text.casefold() if value.kind == _WORD else ""
        if word in _TRUE_WORDS or word in _FALSE_WORDS:
            return word in _TRUE_WORDS
        raise RuleError(
            _("„%(label)s“ kann nur mit ja oder nein verglichen werden.") % {"label": field.label},
            value.pos,
        )

    def number_of(self, field: _Field, value: _Value) -> Decimal:
        if value.number is not None:
            return value.number
        self.refuse_empty_word(field, value)
        raise RuleError(
            _("„%(label)s“ ist eine Zahl und kann nur mit einer Zahl verglichen werden.")
            % {"label": field.label},
            value.pos,
        )

    def text_of(self, field: _Field, value: _Value) -> str:
        if value.kind != _WORD:
            return value.text.strip().casefold()
        self.refuse_empty_word(field, value)
        # A bare word might be a misspelt name as well as unquoted text: refuse to guess.
        raise RuleError(
            _('„%(label)s“ ist ein Text: Schreiben Sie "%(word)s" statt %(word)s.')
            % {"label": field.label, "word": value.text},
            value.pos,
        )

    def choice_of(self, field: _Field, value: _Value) -> str:
        wanted = value.text.strip().casefold()
        choices = tuple(field.choice_labels.items())
        # Values first: a label that happens to equal another choice's value loses.
        for choice, _label in choices:
            if choice.strip().casefold() == wanted:
                return choice
        for choice, label in choices:
            if str(label).strip().casefold() == wanted:
                return choice
        self.refuse_empty_word(field, value)
        hint = ""
        if choices:
            hint = _("Möglich: %(choices)s.") % {
                "choices": ", ".join(str(label) for _choice, label in choices)
            }
        raise RuleError(
            _("„%(value)s“ ist keine Auswahl von „%(label)s“.")
            % {"value": _shorten(value.text), "label": field.label},
            value.pos,
            hint,
        )

    def refuse_empty_word(self, field: _Field, value: _Value) -> None:
        """`status = leer` means `status ist leer`: say so rather than "no choice"."""
        if value.kind == _WORD and _KEYWORDS.get(value.text.casefold()) == "empty":
            raise RuleError(
                _("Prüfen Sie auf leer mit „%(key)s ist leer“.") % {"key": field.key}, value.pos
            )

    # Names

    def field(self, token: _Token) -> _Field:
        name = self.names.get(token.text)
        if name is None:
            same = self.folded.get(token.text.casefold(), [])
            name = same[0] if len(same) == 1 else None
        if name is None:
            suggestion = self.closest(token.text)
            hint = _("Meinten Sie „%(name)s“?") % {"name": suggestion} if suggestion else ""
            raise RuleError(
                _("Unbekannter Name „%(name)s“.") % {"name": _shorten(token.text)},
                token.pos,
                hint,
            )
        if name.key not in self.fields:
            self.fields[name.key] = _Field(name)
        return self.fields[name.key]

    def closest(self, word: str) -> str | None:
        """The known name meant, most likely: one containing the word, else a similar one."""
        wanted = word.casefold()
        keys = {name.key.casefold(): name.key for name in self.names.values()}
        containing = [key for folded, key in keys.items() if len(wanted) >= 3 and wanted in folded]
        if containing:
            return min(containing, key=len)
        labels = {str(name.label).casefold(): name.key for name in self.names.values()}
        for candidates in (keys, labels):
            if close := difflib.get_close_matches(wanted, list(candidates), n=1):
                return candidates[close[0]]
        return None

    # Messages for tokens in the wrong place

    @staticmethod
    def shown(token: _Token) -> str:
        return _shorten(f'"{token.text}"' if token.kind == _STRING else token.text)

    def missing_name(self, token: _Token) -> RuleError:
        if token.kind == _END:
            return RuleError(_("Die Bedingung ist unvollständig: Es fehlt ein Name."), token.pos)
        return RuleError(
            _("Hier wird ein Name erwartet, nicht „%(token)s“.") % {"token": self.shown(token)},
            token.pos,
        )

    def missing_value(self, token: _Token) -> RuleError:
        if token.kind == _END:
            return RuleError(_("Die Bedingung ist unvollständig: Es fehlt ein Wert."), token.pos)
        return RuleError(
            _("Hier wird ein Wert erwartet, nicht „%(token)s“.") % {"token": self.shown(token)},
            token.pos,
        )

    def unexpected(self, token: _Token) -> RuleError:
        if token.kind == _CLOSE:
            return RuleError(_("Zu dieser „)“ gibt es keine öffnende Klammer."), token.pos)
        return RuleError(
            _("Unerwartetes „%(token)s“.") % {"token": self.shown(token)},
            token.pos,
            _("Fehlt „und“ oder „oder“?"),
        )


def compile_rule(text: str, names: Mapping[str, Name]) -> Rule:
    """The rule `text` checked against `names` (keyed by Name.key); raises RuleError."""
    if not text.strip():
        raise RuleError(_("Die Bedingung ist leer."), 0)
    if len(text) > MAX_LENGTH:
        raise RuleError(
            _("Die Bedingung ist zu lang: höchstens %(limit)s Zeichen.") % {"limit": MAX_LENGTH},
            MAX_LENGTH,
        )
    parser = _Parser(text, names)
    root = parser.parse()
    return Rule(text=text, names=frozenset(parser.fields), _root=root)
