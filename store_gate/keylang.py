"""Key languages: the values a key template (or a key condition) can produce, as automata.

A template is a regular language over characters: its literal text, and for each placeholder
the language of its class (`store_gate.keytemplate` defines them). Two templates can produce the
same key exactly when the intersection of their languages is not empty; a Query's key condition
(`begins_with`, `<`, `<=`, `>`, `>=`, `between`) is a regular language too. So both questions
are decided exactly, and answered with a witness: a concrete value in the intersection.

The automata are small NFAs without epsilon moves, whose transitions carry sets of code points as
sorted, disjoint intervals - never one state or edge per character of Unicode. Intersection is
the product of the two, built only over the pairs of states reachable from the start, and
bounded (`TooLarge` past the budget: the caller reports what it could not decide).

Order: DynamoDB compares strings (S) by their UTF-8 bytes. For Unicode scalar values (a key is
valid UTF-8, so no lone surrogates) that order is the order of code points, and a prefix in one
is a prefix in the other: the range languages below work on code points, exactly.

A witness is the shortest value in the language, and among those the first in an order that
prefers lower-case letters, then digits, then upper-case letters, then other printable ASCII,
then any other character by code point: deterministic, and readable where the language allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from functools import lru_cache
from typing import Callable, Union

from store_gate.keytemplate import KeyTemplate, Placeholder

Ranges = tuple[tuple[int, int], ...]  # sorted, disjoint, inclusive code point intervals

MAX_CODE = 0x10FFFF
SIGMA: Ranges = ((0, 0xD7FF), (0xE000, MAX_CODE))  # every Unicode scalar value
# A product explores at most this many state pairs, and this many pairs of edges.
MAX_STATES = 50_000
MAX_WORK = 1_000_000


class TooLarge(Exception):
    """Two languages whose product exceeds the budget: not decided."""


def _ranges(*spans: tuple[str, str]) -> Ranges:
    return _normal([(ord(lo), ord(hi)) for lo, hi in spans])


def _char(c: str) -> Ranges:
    return ((ord(c), ord(c)),)


def _normal(spans: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(s for s in spans if s[0] <= s[1]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def meet(a: Ranges, b: Ranges) -> Ranges:
    """The code points in both."""
    if a is b:
        return a
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _minus(a: Ranges, b: Ranges) -> Ranges:
    """The code points of `a` not in `b`."""
    out: list[tuple[int, int]] = []
    for lo, hi in a:
        start = lo
        for blo, bhi in b:
            if bhi < start or blo > hi:
                continue
            if blo > start:
                out.append((start, blo - 1))
            start = max(start, bhi + 1)
        if start <= hi:
            out.append((start, hi))
    return tuple(out)


def _contains(ranges: Ranges, code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


_PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_RANK = {ord(c): i for i, c in enumerate(_PREFERRED)}


def _rank(code: int) -> tuple[int, int]:
    if code in _RANK:
        return (0, _RANK[code])
    return (1, code) if 0x20 <= code <= 0x7E else (2, code)


@lru_cache(maxsize=4096)
def _first(ranges: Ranges) -> int:
    """The character of `ranges` a witness takes: the first in the witness order."""
    for c in _PREFERRED:
        if _contains(ranges, ord(c)):
            return ord(c)
    printable = meet(ranges, ((0x20, 0x7E),))
    return printable[0][0] if printable else ranges[0][0]


@dataclass(frozen=True, eq=False)
class Automaton:
    """An NFA without epsilon moves; state 0 starts. `edges[s]` are (label, target) pairs.
    Compared and hashed by identity: the caches below key on the automata the templates' caches
    hand out, and hashing the edges on every lookup would cost more than the product."""

    edges: tuple[tuple[tuple[Ranges, int], ...], ...]
    accept: frozenset[int]

    @property
    def size(self) -> int:
        return len(self.edges)


class _Builder:
    def __init__(self) -> None:
        self.edges: list[list[tuple[Ranges, int]]] = [[]]

    def state(self) -> int:
        self.edges.append([])
        return len(self.edges) - 1

    def edge(self, source: int, label: Ranges, target: int) -> None:
        if label:
            self.edges[source].append((label, target))

    def build(self, accept: set[int] | frozenset[int]) -> Automaton:
        return Automaton(tuple(tuple(e) for e in self.edges), frozenset(accept))


# ---------------------------------------------------------------- the classes

_DIGIT = _ranges(("0", "9"))
_NOT_HASH = _minus(SIGMA, _char("#"))
_CROCKFORD = _ranges(("0", "9"), ("A", "H"), ("J", "K"), ("M", "N"), ("P", "T"), ("V", "Z"))


def _one_or_more(label: Ranges) -> Automaton:
    b = _Builder()
    loop = b.state()
    b.edge(0, label, loop)
    b.edge(loop, label, loop)
    return b.build({loop})


def _int() -> Automaton:
    b = _Builder()
    minus, digits = b.state(), b.state()
    b.edge(0, _char("-"), minus)
    b.edge(0, _DIGIT, digits)
    b.edge(minus, _DIGIT, digits)
    b.edge(digits, _DIGIT, digits)
    return b.build({digits})


def _ulid() -> Automaton:
    b = _Builder()
    state = b.state()
    b.edge(0, _ranges(("0", "7")), state)
    for _ in range(25):
        following = b.state()
        b.edge(state, _CROCKFORD, following)
        state = following
    return b.build({state})


def _alternatives(b: _Builder, start: int, options: list[tuple[Ranges, ...]]) -> int:
    """From `start`, any of the fixed-width sequences of `options`, to one end state."""
    end = b.state()
    for option in options:
        state = start
        for i, label in enumerate(option):
            following = end if i == len(option) - 1 else b.state()
            b.edge(state, label, following)
            state = following
    return end


def _iso8601() -> Automaton:
    """YYYY-MM-DDThh:mm:ss(.f{1,9})?Z, as keytemplate's docstring defines it."""
    b = _Builder()
    d = _DIGIT

    def r(lo: str, hi: str) -> Ranges:
        return _ranges((lo, hi))

    state = _alternatives(b, 0, [(d, d, d, d)])
    state = _alternatives(b, state, [(_char("-"),)])
    state = _alternatives(b, state, [(_char("0"), r("1", "9")), (_char("1"), r("0", "2"))])
    state = _alternatives(b, state, [(_char("-"),)])
    state = _alternatives(b, state, [(_char("0"), r("1", "9")), (r("1", "2"), d), (_char("3"), r("0", "1"))])
    state = _alternatives(b, state, [(_char("T"),)])
    state = _alternatives(b, state, [(r("0", "1"), d), (_char("2"), r("0", "3"))])
    state = _alternatives(b, state, [(_char(":"),)])
    state = _alternatives(b, state, [(r("0", "5"), d)])
    state = _alternatives(b, state, [(_char(":"),)])
    seconds = _alternatives(b, state, [(r("0", "5"), d)])
    end = b.state()
    b.edge(seconds, _char("Z"), end)
    fraction = b.state()
    b.edge(seconds, _char("."), fraction)
    for _ in range(9):
        digit = b.state()
        b.edge(fraction, d, digit)
        b.edge(digit, _char("Z"), end)
        fraction = digit
    return b.build({end})


_CLASS_AUTOMATA: dict[str, Automaton] = {
    "any": _one_or_more(SIGMA),
    "segment": _one_or_more(_NOT_HASH),
    "int": _int(),
    "ulid": _ulid(),
    "iso8601": _iso8601(),
}


def class_language(kind: str) -> Automaton:
    return _CLASS_AUTOMATA[kind]


# ---------------------------------------------------------------- templates and conditions


def _append(b: _Builder, frontier: set[int], piece: Automaton) -> set[int]:
    """Concatenate `piece` (whose start has no incoming edge and does not accept) after the
    states of `frontier`: each of them takes the piece's first edges."""
    mapped = [0] + [b.state() for _ in range(1, piece.size)]
    for source in range(1, piece.size):
        for label, target in piece.edges[source]:
            b.edge(mapped[source], label, mapped[target])
    for label, target in piece.edges[0]:
        for state in frontier:
            b.edge(state, label, mapped[target])
    return {mapped[s] for s in piece.accept}


@lru_cache(maxsize=4096)
def template_language(template: KeyTemplate) -> Automaton:
    """The values a template produces."""
    b = _Builder()
    frontier = {0}
    for part in template.parts:
        if isinstance(part, Placeholder):
            frontier = _append(b, frontier, _CLASS_AUTOMATA[part.text_class])
            continue
        for c in part:
            state = b.state()
            for source in frontier:
                b.edge(source, _char(c), state)
            frontier = {state}
    return b.build(frontier)


def everything() -> Automaton:
    """Any value: a Query without a condition on the attribute."""
    return _EVERYTHING


_EVERYTHING = Automaton((((SIGMA, 0),),), frozenset({0}))


@lru_cache(maxsize=4096)
def prefix_language(template: KeyTemplate) -> Automaton:
    """`begins_with`: a value of the template, then anything."""
    base = template_language(template)
    b = _Builder()
    b.edges = [list(e) for e in base.edges]
    rest = b.state()
    for state in base.accept:
        b.edge(state, SIGMA, rest)
    b.edge(rest, SIGMA, rest)
    return b.build(base.accept | {rest})


@lru_cache(maxsize=4096)
def below(template: KeyTemplate, inclusive: bool) -> Automaton:
    """`< x` (`<= x` when inclusive) for some value x of the template: a proper prefix of x, or a
    string that first differs from x by a smaller character (then anything follows)."""
    base = template_language(template)
    b = _Builder()
    b.edges = [list(e) for e in base.edges]
    free = b.state()
    accept = {free} | (set(base.accept) if inclusive else set())
    for state, edges in enumerate(base.edges):
        if edges:
            accept.add(state)  # x goes on: the value read so far is a proper prefix of x
            highest = max(label[-1][1] for label, _ in edges)
            b.edge(state, meet(SIGMA, ((0, highest - 1),)), free)
    b.edge(free, SIGMA, free)
    return b.build(accept)


@lru_cache(maxsize=4096)
def above(template: KeyTemplate, inclusive: bool) -> Automaton:
    """`> x` (`>= x` when inclusive) for some value x of the template: x then at least one more
    character, or a string that first differs from x by a greater character."""
    base = template_language(template)
    b = _Builder()
    b.edges = [list(e) for e in base.edges]
    free = b.state()
    accept = {free} | (set(base.accept) if inclusive else set())
    for state, edges in enumerate(base.edges):
        if state in base.accept:
            b.edge(state, SIGMA, free)
        elif edges:
            lowest = min(label[0][0] for label, _ in edges)
            b.edge(state, meet(SIGMA, ((lowest + 1, MAX_CODE),)), free)
    b.edge(free, SIGMA, free)
    return b.build(accept)


def condition_language(operator: str, operands: tuple[KeyTemplate, ...]) -> Automaton:
    """The sort key values a key condition reads (for some values of its parameters)."""
    if operator == "eq":
        return template_language(operands[0])
    if operator == "begins_with":
        return prefix_language(operands[0])
    if operator in ("lt", "le"):
        return below(operands[0], operator == "le")
    if operator in ("gt", "ge"):
        return above(operands[0], operator == "ge")
    if operator == "between":
        return intersection(above(operands[0], True), below(operands[1], True))
    raise ValueError(f"no language for key operator {operator!r}")


# ---------------------------------------------------------------- product and witness


@lru_cache(maxsize=8192)
def intersection(a: Automaton, b: Automaton) -> Automaton:
    """The values both accept: the product over the reachable pairs of states. Raises TooLarge
    past MAX_STATES pairs or MAX_WORK pairs of edges."""
    if a is _EVERYTHING:
        return b
    if b is _EVERYTHING:
        return a
    index: dict[tuple[int, int], int] = {(0, 0): 0}
    pairs: list[tuple[int, int]] = [(0, 0)]
    edges: list[list[tuple[Ranges, int]]] = []
    work = 0
    position = 0
    while position < len(pairs):
        p, q = pairs[position]
        position += 1
        out: list[tuple[Ranges, int]] = []
        work += len(a.edges[p]) * len(b.edges[q])
        if work > MAX_WORK:
            raise TooLarge
        for label_a, target_a in a.edges[p]:
            for label_b, target_b in b.edges[q]:
                label = meet(label_a, label_b)
                if not label:
                    continue
                pair = (target_a, target_b)
                target = index.get(pair)
                if target is None:
                    if len(pairs) >= MAX_STATES:
                        raise TooLarge
                    target = index[pair] = len(pairs)
                    pairs.append(pair)
                out.append((label, target))
        edges.append(out)
    accept = frozenset(i for i, (p, q) in enumerate(pairs) if p in a.accept and q in b.accept)
    return Automaton(tuple(tuple(e) for e in edges), accept)


@lru_cache(maxsize=8192)
def witness(automaton: Automaton) -> str | None:
    """The shortest value the automaton accepts, the first of those in the witness order; None
    when it accepts nothing."""
    incoming: list[list[int]] = [[] for _ in automaton.edges]
    for source, edges in enumerate(automaton.edges):
        for _, target in edges:
            incoming[target].append(source)
    distance = dict.fromkeys(automaton.accept, 0)
    queue = list(automaton.accept)
    position = 0
    while position < len(queue):
        state = queue[position]
        position += 1
        for source in incoming[state]:
            if source not in distance:
                distance[source] = distance[state] + 1
                queue.append(source)
    if 0 not in distance:
        return None
    current = {0}
    chosen: list[str] = []
    for remaining in range(distance[0], 0, -1):
        steps = [
            (label, target)
            for state in current
            for label, target in automaton.edges[state]
            if distance.get(target) == remaining - 1
        ]
        code = min((_first(label) for label, _ in steps), key=_rank)
        chosen.append(chr(code))
        current = {target for label, target in steps if _contains(label, code)}
    return "".join(chosen)


def common_value(a: Automaton, b: Automaton) -> str | None:
    """A value both languages hold (the witness of their intersection), or None."""
    return witness(intersection(a, b))


def accepts(automaton: Automaton, text: str) -> bool:
    """Does the automaton accept `text`? (The NFA run on the set of states.)"""
    current = {0}
    for c in text:
        code = ord(c)
        current = {target for state in current for label, target in automaton.edges[state] if _contains(label, code)}
        if not current:
            return False
    return bool(current & automaton.accept)


# ---------------------------------------------------------------- number (N) keys

# DynamoDB orders and compares numbers (N) by value, not by text: "042" and "42" are one key.
# A number key's language is a set of numbers: an interval, of integers or of all numbers.


@dataclass(frozen=True)
class Numbers:
    integers: bool = False
    low: Decimal | None = None  # None: unbounded
    low_open: bool = False
    high: Decimal | None = None
    high_open: bool = False
    empty: bool = False

    @classmethod
    def point(cls, value: Decimal) -> Numbers:
        return cls(low=value, high=value)

    def meet(self, other: Numbers) -> Numbers:
        low, low_open = _tighter(self.low, self.low_open, other.low, other.low_open, max)
        high, high_open = _tighter(self.high, self.high_open, other.high, other.high_open, min)
        return Numbers(self.integers or other.integers, low, low_open, high, high_open, self.empty or other.empty)

    def holds(self, value: Decimal) -> bool:
        if self.empty or (self.integers and value != value.to_integral_value()):
            return False
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return not (self.high is not None and (value > self.high or (self.high_open and value == self.high)))

    def witness(self) -> str | None:
        """A number of the set, as DynamoDB would return it (no leading zeros, no exponent)."""
        one = Decimal(1)
        candidates = [one, Decimal(0)]
        for bound in (self.low, self.high):
            if bound is not None:
                ceiling, floor = bound.to_integral_value(ROUND_CEILING), bound.to_integral_value(ROUND_FLOOR)
                candidates += [bound, ceiling, floor, ceiling + one, floor - one]
        if self.low is not None and self.high is not None:
            candidates.append((self.low + self.high) / 2)
        for value in candidates:
            if self.holds(value):
                return format_number(value)
        return None


def _tighter(
    a: Decimal | None, a_open: bool, b: Decimal | None, b_open: bool, pick: Callable[[Decimal, Decimal], Decimal]
) -> tuple[Decimal | None, bool]:
    if a is None:
        return b, b_open
    if b is None or a != b:
        chosen = a if b is None else pick(a, b)
        return chosen, (a_open if chosen == a else b_open)
    return a, a_open or b_open


def format_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


_ULID_INTEGERS = Numbers(integers=True, low=Decimal(0), high=Decimal(8) * Decimal(10) ** 25, high_open=True)


def template_numbers(template: KeyTemplate) -> Numbers:
    """The numbers a template of a number (N) key stands for: a literal number; a single placeholder
    of class int (the integers), ulid (a ULID of digits only is an integer below 8 * 10^25),
    iso8601 (never a number) or any other class (every number). Other text on an N key is SG208's:
    here, every number (it can collide with anything)."""
    if template.is_constant:
        value = parse_number(template.source)
        return Numbers.point(value) if value is not None else Numbers()
    if not template.is_single_placeholder:
        return Numbers()
    kind = template.placeholders[0].text_class
    if kind == "int":
        return Numbers(integers=True)
    if kind == "ulid":
        return _ULID_INTEGERS
    return Numbers(empty=True) if kind == "iso8601" else Numbers()


def _bound(template: KeyTemplate) -> Decimal | None:
    """A literal bound of a range condition on a number key; None for a parameter (any number)."""
    return parse_number(template.source) if template.is_constant else None


def condition_numbers(operator: str, operands: tuple[KeyTemplate, ...]) -> Numbers:
    """The numbers a key condition on a number (N) key reads, for some values of its parameters."""
    if operator == "eq":
        return template_numbers(operands[0])
    if operator in ("lt", "le"):
        return Numbers(high=_bound(operands[0]), high_open=operator == "lt")
    if operator in ("gt", "ge"):
        return Numbers(low=_bound(operands[0]), low_open=operator == "gt")
    if operator == "between":
        return Numbers(low=_bound(operands[0]), high=_bound(operands[1]))
    return Numbers()  # begins_with on a number: SG208's; it reads nothing, but claims everything


# ---------------------------------------------------------------- whole keys


Language = Union[Automaton, Numbers]


def key_language(template: KeyTemplate, kind: str) -> Language:
    """The values a template produces for a key attribute of type `kind` (S, N, B)."""
    return template_numbers(template) if kind == "N" else template_language(template)


def key_condition_language(operator: str, operands: tuple[KeyTemplate, ...], kind: str) -> Language:
    if kind == "N":
        return condition_numbers(operator, operands)
    return condition_language(operator, operands)


def disjoint_literals(a: KeyTemplate, b: KeyTemplate) -> bool:
    """A quick exact test before the automata: every value of a template starts with its literal
    prefix and ends with its literal suffix, so two templates whose prefixes (or suffixes)
    differ where both are written share no value."""
    pa, pb = a.literal_prefix, b.literal_prefix
    sa, sb = _literal_suffix(a), _literal_suffix(b)
    return not (pa.startswith(pb) or pb.startswith(pa)) or not (sa.endswith(sb) or sb.endswith(sa))


def _literal_suffix(template: KeyTemplate) -> str:
    last = template.parts[-1] if template.parts else ""
    return last if isinstance(last, str) else ""


def shared_value(a: Language, b: Language) -> str | None:
    """A value in both languages (of one attribute), shown as a key's value; None if none."""
    if isinstance(a, Numbers) and isinstance(b, Numbers):
        return a.meet(b).witness()
    if isinstance(a, Automaton) and isinstance(b, Automaton):
        return common_value(a, b)
    raise TypeError("a number language meets a text language")


# ---------------------------------------------------------------- one value for each placeholder

MAX_BINDING_STEPS = 20_000


Binding = dict[tuple[str, ...], str]  # a placeholder's path -> its value


def binding_of(
    templates: dict[str, KeyTemplate], values: dict[str, str], kinds: dict[str, str], given: Binding | None = None
) -> Binding | None:
    """One value per placeholder path that makes each template produce its attribute's value (and
    agrees with `given`), or None. A placeholder that repeats (`{id}` in pk and in sk) takes the
    same value everywhere; number keys compare by value. Raises TooLarge past its budget."""
    steps = 0

    def match(attrs: list[str], at: int, parts: int, binding: Binding) -> Binding | None:
        nonlocal steps
        steps += 1
        if steps > MAX_BINDING_STEPS:
            raise TooLarge
        if not attrs:
            return binding
        attr = attrs[0]
        template, value = templates[attr], values[attr]
        if kinds.get(attr) == "N":
            if template.is_single_placeholder:
                path = template.placeholders[0].path
                number = parse_number(value)
                seen = binding.get(path)
                if seen is not None and (number is None or parse_number(seen) != number):
                    return None
                return match(attrs[1:], 0, 0, {**binding, path: value})
            return match(attrs[1:], 0, 0, binding)
        if parts == len(template.parts):
            return match(attrs[1:], 0, 0, binding) if at == len(value) else None
        part = template.parts[parts]
        if isinstance(part, str):
            return match(attrs, at + len(part), parts + 1, binding) if value.startswith(part, at) else None
        seen = binding.get(part.path)
        if seen is not None:
            if value.startswith(seen, at) and accepts(class_language(part.text_class), seen):
                return match(attrs, at + len(seen), parts + 1, binding)
            return None
        language = class_language(part.text_class)
        for end in range(at + 1, len(value) + 1):
            piece = value[at:end]
            if accepts(language, piece):
                found = match(attrs, end, parts + 1, {**binding, part.path: piece})
                if found is not None:
                    return found
        return None

    try:
        return match(sorted(templates), 0, 0, dict(given or {}))
    except RecursionError:  # a template of hundreds of parts: too deep to search
        raise TooLarge from None


def bindable(templates: dict[str, KeyTemplate], values: dict[str, str], kinds: dict[str, str]) -> bool | None:
    """Does one value per placeholder path make each template produce its attribute's value?
    None when the search exceeds its budget (undecided)."""
    try:
        return binding_of(templates, values, kinds) is not None
    except TooLarge:
        return None


def substitute(template: KeyTemplate, binding: Binding) -> KeyTemplate:
    """The template with the placeholders `binding` gives a value written as that literal text."""
    if not any(p.path in binding for p in template.placeholders):
        return template
    pieces: list[str] = []
    for p in template.parts:
        if isinstance(p, Placeholder):
            pieces.append(_escape(binding[p.path]) if p.path in binding else str(p))
        else:
            pieces.append(_escape(p))
    return KeyTemplate.parse("".join(pieces))


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
