"""Funding relations and honest totals: commitments → what can truthfully be added up.

In: the validated funding commitments (`Funding`) with their relations —
``part_of`` another commitment, ``overlaps`` others (the same money may be
counted twice), or a ``rate`` with no total. Out:

* `check_relations`: located problems for a relation to an unknown id or to
  itself, a ``part_of`` cycle, a part larger than its whole in the same
  currency, and unknown ``from``/``to`` organisations;
* `honest_totals`: per giver and currency, the sum of only those amounts known
  not to overlap, the amounts left out and why. The rule, in order:
  1. an amount that is ``part_of`` another is never added (its whole is);
  2. commitments linked by ``overlaps`` form a group; within one currency a
     group counts once, as its largest member;
  3. a group that spans currencies counts in the currency with the most
     members left after step 2 (then the most exact amounts, then the code);
     its members in other currencies are left out, named, and said to overlap;
  4. a total of exact amounts with anything left out is "at least"; a total
     with "over" amounts is "over"; with "almost"/"up to" amounts and nothing
     left out, "almost"/"up to"; any other mix, "about";
  5. currencies are never added together, and a commitment stated only as a
     rate has no total to add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import Problem
from .facts import FieldPath
from .housestyle import HouseStyle
from .model import FactBase, Funding, Qualifier, Relation
from .suggest import did_you_mean

_LOWER = {Qualifier.EXACT, Qualifier.OVER, Qualifier.AT_LEAST}
_UPPER = {Qualifier.EXACT, Qualifier.ALMOST, Qualifier.UNDER, Qualifier.UP_TO}


# --------------------------------------------------------------------------- checks


def check_relations(base: FactBase) -> list[Problem]:
    located = base.located
    style = HouseStyle(base.briefing.language)
    problems: list[Problem] = []
    by_id = {f.id: f for f in base.funding}
    organisations = {o.id for o in base.organisations}
    for commitment in base.funding:
        for field_name, value in (("from", commitment.giver), ("to", commitment.recipient)):
            if value is not None and value not in organisations:
                problems.append(located.problem(commitment, (field_name,), f"unknown organisation id '{value}'"
                                                                           f"{did_you_mean(value, organisations)}"))
        relations: list[tuple[FieldPath, Relation]] = [(("part_of", "id"), commitment.part_of)] \
            if commitment.part_of else []
        relations += [(("overlaps", i, "id"), r) for i, r in enumerate(commitment.overlaps)]
        for path, relation in relations:
            if relation.id == commitment.id:
                problems.append(located.problem(commitment, path, "a commitment cannot be related to itself"))
            elif relation.id not in by_id:
                problems.append(located.problem(commitment, path, f"unknown funding id '{relation.id}'"
                                                                  f"{did_you_mean(relation.id, by_id)}"))
        parent = by_id.get(commitment.part_of.id) if commitment.part_of else None
        if parent is None or parent is commitment:
            continue
        seen = [commitment.id]
        step: Funding | None = parent
        while step is not None and step.part_of is not None and step.id not in seen:
            seen.append(step.id)
            step = by_id.get(step.part_of.id)
        if step is not None and step.id in seen:
            chain = " → ".join(seen + [step.id])
            problems.append(located.problem(commitment, ("part_of", "id"),
                                            f"'part_of' goes round in a circle: {chain}"))
            continue
        if (parent.currency == commitment.currency and parent.amount is not None and commitment.amount is not None
                and commitment.amount > parent.amount
                and parent.qualifier in (Qualifier.EXACT, Qualifier.ALMOST, Qualifier.UNDER, Qualifier.UP_TO)
                and commitment.qualifier in (Qualifier.EXACT, Qualifier.OVER, Qualifier.AT_LEAST)):
            part = style.amount_in_message(commitment.amount, commitment.currency)
            whole = style.amount_in_message(parent.amount, parent.currency)
            problems.append(located.problem(commitment, ("amount",),
                                            f"{part} is more than the {whole} of '{parent.id}' it is part of"))
    return problems


# --------------------------------------------------------------------------- honest totals


@dataclass
class LeftOut:
    commitment: Funding
    reason: str            # "part_of" or "overlaps"
    related: list[Funding]  # the whole it is part of, or the counted commitments it may overlap


@dataclass
class CurrencyTotal:
    currency: str
    giver: str | None
    amount: Decimal
    qualifier: Qualifier
    counted: list[Funding]


@dataclass
class HonestTotals:
    totals: list[CurrencyTotal] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    rates_only: list[Funding] = field(default_factory=list)


def _components(items: list[Funding], edges: dict[str, set[str]]) -> list[list[Funding]]:
    by_id = {f.id: f for f in items}
    # Positions by identity: `list.index` compares pydantic models field by field, quadratic in the rows.
    position = {id(f): index for index, f in enumerate(items)}
    seen: set[str] = set()
    groups = []
    for item in items:
        if item.id in seen:
            continue
        stack, group = [item.id], []
        seen.add(item.id)
        while stack:
            current = stack.pop()
            group.append(by_id[current])
            for other in sorted(edges.get(current, ())):
                if other in by_id and other not in seen:
                    seen.add(other)
                    stack.append(other)
        groups.append(sorted(group, key=lambda f: position[id(f)]))
    return groups


def _aggregate(counted: list[Funding], anything_left_out: bool) -> Qualifier:
    qualifiers = {c.qualifier for c in counted}
    if qualifiers <= _LOWER:
        if Qualifier.OVER in qualifiers:
            return Qualifier.OVER
        if Qualifier.AT_LEAST in qualifiers or anything_left_out:
            return Qualifier.AT_LEAST
        return Qualifier.EXACT
    if qualifiers <= _UPPER and not anything_left_out:
        return Qualifier.UP_TO if Qualifier.UP_TO in qualifiers else Qualifier.ALMOST
    return Qualifier.ABOUT


def _preferred_currency(representatives: list[Funding]) -> str:
    """The currency a group spanning currencies counts in: the most members, then the most exact amounts, then
    the code."""
    def preference(code: str) -> tuple[int, int, str]:
        mine = [r for r in representatives if r.currency == code]
        return (-len(mine), -sum(r.qualifier is Qualifier.EXACT for r in mine), code)
    return min(sorted({r.currency for r in representatives}), key=preference)


def honest_totals(funding: list[Funding]) -> HonestTotals:
    """What can be added up without counting any money twice; `funding` in the order to report it."""
    result = HonestTotals()
    by_id = {f.id: f for f in funding}
    with_total = []
    for item in funding:
        if item.amount is None:
            result.rates_only.append(item)
        elif item.part_of is not None and item.part_of.id in by_id and item.part_of.id != item.id:
            result.left_out.append(LeftOut(item, "part_of", [by_id[item.part_of.id]]))
        else:
            with_total.append(item)
    def whole(item_id: str) -> str:
        """The commitment whose total holds this one's money: itself, or the top of its part_of chain."""
        seen = {item_id}
        current = by_id[item_id]
        while current.part_of is not None and current.part_of.id in by_id and current.part_of.id not in seen:
            seen.add(current.part_of.id)
            current = by_id[current.part_of.id]
        return current.id

    # An overlap with a part is an overlap with the whole that holds it.
    edges: dict[str, set[str]] = {}
    for item in funding:
        for other_id in item.overlap_ids:
            if other_id in by_id:
                a, b = whole(item.id), whole(other_id)
                if a != b:
                    edges.setdefault(a, set()).add(b)
                    edges.setdefault(b, set()).add(a)

    counted: list[Funding] = []
    for group in _components(with_total, edges):
        representatives: list[Funding] = []
        for currency in sorted({g.currency for g in group}):
            same = [g for g in group if g.currency == currency]
            for sub in _components(same, edges):
                largest = max(enumerate(sub), key=lambda pair: (pair[1].amount, -pair[0]))[1]
                representatives.append(largest)
                for other in sub:
                    if other is not largest:
                        result.left_out.append(LeftOut(other, "overlaps", [largest]))
        if len({r.currency for r in representatives}) > 1:
            keep = _preferred_currency(representatives)
            kept = [r for r in representatives if r.currency == keep]
            for other in representatives:
                if other.currency != keep:
                    linked = [k for k in kept if k.id in edges.get(other.id, set())] or kept
                    result.left_out.append(LeftOut(other, "overlaps", linked))
            representatives = kept
        counted += representatives

    left_out_ids = {entry.commitment.id for entry in result.left_out if entry.reason == "overlaps"}
    groups: dict[tuple[str | None, str], list[Funding]] = {}
    counted_ids = {id(c) for c in counted}
    for item in funding:
        if id(item) in counted_ids:
            groups.setdefault((item.giver, item.currency), []).append(item)
    for (giver, currency), items in groups.items():
        in_group = {id(f) for f in items}
        anything_left_out = any(f.id in left_out_ids and f.currency == currency and f.giver == giver
                                for f in funding) or any(
            entry.reason == "overlaps" and any(id(r) in in_group for r in entry.related)
            for entry in result.left_out)
        total = sum((f.amount for f in items if f.amount is not None), Decimal(0))
        result.totals.append(CurrencyTotal(currency, giver, total, _aggregate(items, anything_left_out), items))
    order = {id(f): index for index, f in enumerate(funding)}
    result.left_out.sort(key=lambda entry: order[id(entry.commitment)])
    return result
