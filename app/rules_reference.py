"""The rule reference: every rule of the registry as a CDS committee reviews it before switching it on.

One model (:func:`rule_reference`), two renderings: Markdown (``osteo-cds rules``, committed as ``docs/rules.md``)
and HTML (``GET /rules``). Everything is read from the code and data that run: the registry
(:mod:`app.rules.osteoporosis`), each rule function's docstring, the thresholds and guideline parameters its code
names (the rule function and the functions of its own module it calls), the card templates in ``cards/`` and the
test files that name the rule ID. Deterministic: sorted, no dates, no absolute paths.
"""

from __future__ import annotations

import ast
import html
import inspect
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import BuiltinFunctionType, CodeType, FunctionType, ModuleType
from typing import Any, Final

from pydantic import BaseModel

from app.catalogs import CARDS_DIR, data_root
from app.rules import parameters as parameters_module
from app.rules.guidelines import citation_text
from app.rules.model import Citation, Rule, Threshold
from app.rules.osteoporosis import EXCLUDED_RULES, RULE_FAMILIES
from app.rules.osteoporosis import thresholds as thresholds_module
from app.rules.osteoporosis.thresholds import card_values
from app.rules.parameters import GuidelineParameters
from app.snapshot import parameters as snapshot_parameters_module
from app.snapshot.parameters import SnapshotParameters

__all__ = ["ParameterRow", "RuleEntry", "parameter_table", "render_html", "render_markdown", "rule_reference"]

TESTS_DIR: Final = data_root() / "tests"
_NO_TESTS: Final = "the test files are not part of this installation (see docs/rules.md in the source)"
LANGUAGES: Final = ("nl", "en")


@dataclass(frozen=True, slots=True)
class ParameterUse:
    name: str
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class VariantText:
    name: str
    indicator: str
    role: str
    summary: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class RuleEntry:
    id: str
    title: str
    family: str
    hooks: tuple[str, ...]
    profiles: tuple[str, ...]
    logic: str
    parameters: tuple[ParameterUse, ...]
    thresholds: tuple[Threshold, ...]
    citations: tuple[Citation, ...]
    card_title: Mapping[str, str]
    variants: tuple[VariantText, ...]
    tests: tuple[str, ...] | None
    """The test files that name the rule ID; ``None`` when the tests are not installed (a wheel, not a checkout)."""


def _parameter_sources(module: ModuleType = parameters_module, model: type = GuidelineParameters) -> dict[str, str]:
    """The docstring under each field of ``model`` (for :class:`GuidelineParameters`: its catalog name, conflict id
    and basis)."""
    tree = ast.parse(inspect.getsource(module))
    sources: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == model.__name__:
            body = node.body
            for statement, following in zip(body, body[1:], strict=False):
                if (
                    isinstance(statement, ast.AnnAssign)
                    and isinstance(statement.target, ast.Name)
                    and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)
                ):
                    sources[statement.target.id] = " ".join(_TRACKER_NOTE.sub("", following.value.value).split())
    return sources


@dataclass(frozen=True, slots=True)
class ParameterRow:
    """One row of the parameter table: a threshold of the rules, a guideline setting or a snapshot setting."""

    name: str
    kind: str
    """``threshold`` (fixed, ``app/rules/osteoporosis/thresholds.py``), ``setting`` (``OSTEO_GUIDELINE__<NAME>``) or
    ``snapshot setting`` (``OSTEO_SNAPSHOT__<NAME>``)."""
    nl: str
    be: str
    unit: str
    conflict: str
    setting: str
    source: str


_CONFLICT_ID: Final = re.compile(r"\bC-\d\d\b")


def _conflicts_named(text: str) -> str:
    return ", ".join(dict.fromkeys(_CONFLICT_ID.findall(text)))


def threshold_text(threshold: Threshold) -> str:
    """A threshold's value (and its BE value where it differs), conflict and setting, for the reference."""
    text = str(threshold)
    if threshold.be is not None:
        text += f" (BE profile: {threshold.be:g})"
    notes = [f"conflict {threshold.conflict}"] if threshold.conflict else []
    if threshold.setting:
        notes.append(f"setting {threshold.setting}")
    return f"{text} [{'; '.join(notes)}]" if notes else text


def parameter_table(
    parameters: GuidelineParameters | None = None, snapshot: SnapshotParameters | None = None
) -> list[ParameterRow]:
    """Every parameter of the catalog once, with its NL and BE value: the thresholds of the rules (the table in
    ``app/rules/osteoporosis/thresholds.py``), the guideline settings and the snapshot settings, with this
    deployment's values (defaults when not given)."""
    guideline = parameters or GuidelineParameters()
    nl, be = guideline.for_profile("nl"), guideline.for_profile("be")
    rows = [
        ParameterRow(
            name=t.name,
            kind="threshold",
            nl=f"{t.in_profile('nl'):g}",
            be=f"{t.in_profile('be'):g}",
            unit=t.unit,
            conflict=t.conflict,
            setting=t.setting,
            source=t.citation,
        )
        for t in vars(thresholds_module).values()
        if isinstance(t, Threshold)
    ]
    rows += _setting_rows("setting", "OSTEO_GUIDELINE__", nl, be, _parameter_sources())
    values = snapshot or SnapshotParameters()
    sources = _parameter_sources(snapshot_parameters_module, SnapshotParameters)
    return rows + _setting_rows("snapshot setting", "OSTEO_SNAPSHOT__", values, values, sources)


def _setting_rows(
    kind: str, prefix: str, nl: BaseModel, be: BaseModel, sources: Mapping[str, str]
) -> list[ParameterRow]:
    """One row per documented scalar field of a settings model (a nested model, e.g. the prednisone factors, is
    listed in its own module's documentation)."""
    return [
        ParameterRow(
            name=name,
            kind=kind,
            nl=_format_value(getattr(nl, name)),
            be=_format_value(getattr(be, name)),
            unit="",
            conflict=_conflicts_named(sources.get(name, "")),
            setting=f"{prefix}{name.upper()}",
            source=sources.get(name, ""),
        )
        for name in type(nl).model_fields
        if name in sources and not isinstance(getattr(nl, name), BaseModel)
    ]


_SHARED_MODULES: Final = frozenset({"app.rules.osteoporosis.predicates", "app.rules.osteoporosis.evidence"})
"""The modules every rule family may use (shared clinical clauses and evidence lines): their functions count as the
rule's own code."""


@dataclass(frozen=True, slots=True)
class _Code:
    """A function of ours as this reference reads it: its code and its module's namespace."""

    qualname: str
    code: CodeType
    namespace: Mapping[str, Any]


@cache
def _source_codes(module_name: str) -> Mapping[str, CodeType]:
    """The code of every function of a compiled module (mypyc keeps neither code objects nor docstrings), compiled
    from the module's source file beside it (not run), by qualified name."""
    module = sys.modules[module_name]
    source = Path(module.__file__ or "").with_name(module_name.rsplit(".", 1)[-1] + ".py")
    codes: dict[str, CodeType] = {}
    pending = [compile(source.read_text(encoding="utf-8"), str(source), "exec")]
    while pending:
        code = pending.pop()
        codes.setdefault(code.co_qualname, code)
        pending.extend(constant for constant in code.co_consts if isinstance(constant, CodeType))
    return codes


def _code(function: object) -> _Code | None:
    """The code of a Python function or of a function of a compiled module (``None`` for anything else)."""
    if isinstance(function, FunctionType):
        return _Code(function.__qualname__, function.__code__, function.__globals__)
    if isinstance(function, BuiltinFunctionType) and function.__module__ in sys.modules:
        code = _source_codes(function.__module__).get(function.__qualname__)
        return _Code(function.__qualname__, code, vars(sys.modules[function.__module__])) if code else None
    return None


def _functions_reached(start: Callable[..., Any]) -> list[_Code]:
    """``start`` and, transitively, the functions of its own module and of the shared modules (the shared clinical
    predicates and evidence lines) it names; helpers elsewhere are excluded."""
    modules = {start.__module__} | _SHARED_MODULES
    seen: dict[str, _Code] = {}
    pending: list[Any] = [start]
    while pending:
        function = pending.pop()
        if callable(function) and hasattr(function, "__wrapped__"):
            function = inspect.unwrap(function)  # a remembered fact (derived_fact, context_fact): its own code
        if getattr(function, "__module__", None) not in modules:
            continue
        found = _code(function)
        if found is None:
            continue
        key = f"{function.__module__}.{found.qualname}"
        if key in seen:
            continue
        seen[key] = found
        for name in found.code.co_names:
            pending.append(found.namespace.get(name))
    return [seen[name] for name in sorted(seen)]


def _format_value(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parameters_used(
    functions: Sequence[_Code], parameters: GuidelineParameters, sources: Mapping[str, str]
) -> tuple[ParameterUse, ...]:
    fields = set(GuidelineParameters.model_fields)
    names: set[str] = set()
    for function in functions:
        names.update(name for name in function.code.co_names if name in fields)
        for constant in function.code.co_consts:
            if hasattr(constant, "co_names"):  # nested code objects (comprehensions, lambdas)
                names.update(name for name in constant.co_names if name in fields)
    return tuple(
        ParameterUse(name, _format_value(getattr(parameters, name)), sources.get(name, "")) for name in sorted(names)
    )


def _thresholds_used(functions: Sequence[_Code]) -> tuple[Threshold, ...]:
    found: dict[str, Threshold] = {}
    for function in functions:
        names = set(function.code.co_names)
        for constant in function.code.co_consts:
            if hasattr(constant, "co_names"):
                names.update(constant.co_names)
        for name in names:
            value = function.namespace.get(name)
            if isinstance(value, Threshold):
                found[value.name] = value
    return tuple(found[name] for name in sorted(found))


class _KeepUnknown(dict[str, str]):
    """Placeholder values for a card text shown in the reference: parameter values filled in, the facts of a
    patient (``{dose}``, ``{fracture_date}``, …) left as placeholders."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _with_parameter_values(text: str, values: Mapping[str, str], language: str) -> str:
    localised = {k: v.replace(".", ",") if language == "nl" else v for k, v in values.items()}
    return text.format_map(_KeepUnknown(localised))


def _card(
    rule_id: str, cards_dir: Path, values: Mapping[str, str]
) -> tuple[Mapping[str, str], tuple[VariantText, ...]]:
    path = cards_dir / f"{rule_id}.toml"
    if not path.is_file():
        return {}, ()
    with path.open("rb") as handle:
        template = tomllib.load(handle)
    variants = tuple(
        VariantText(
            name=name,
            indicator=str(variant.get("indicator", "")),
            role=str(variant.get("role", "")),
            summary={
                language: _with_parameter_values(str(variant.get("summary", {}).get(language, "")), values, language)
                for language in LANGUAGES
            },
        )
        for name, variant in sorted(template.get("variants", {}).items())
    )
    title = template.get("title", {})
    return {
        language: _with_parameter_values(str(title.get(language, "")), values, language) for language in LANGUAGES
    }, variants


def _test_texts(tests_dir: Path) -> list[tuple[str, str]] | None:
    if not tests_dir.is_dir():
        return None
    return [
        (path.relative_to(tests_dir.parent).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(tests_dir.rglob("*.py"))
    ]


def _tests_naming(rule_id: str, texts: Iterable[tuple[str, str]] | None) -> tuple[str, ...] | None:
    if texts is None:
        return None
    pattern = re.compile(rf"(?<![\w-]){re.escape(rule_id)}(?![\w-])")
    # The plain substring test first: the pattern's look-behind makes it scan every position of every file.
    return tuple(name for name, text in texts if rule_id in text and pattern.search(text))


_TRACKER_NOTE: Final = re.compile(r"\s*\(issue \d+[^)]*\)")
"""A development note such as "(issue 16)" in a docstring: not part of the rule's logic for a reader."""


def _docstring(function: Callable[..., Any]) -> str:
    """A function's docstring; of a compiled function (mypyc drops docstrings), the one its source code gives."""
    if function.__doc__ is not None or isinstance(function, FunctionType):
        return function.__doc__ or ""
    found = _code(function)
    first = found.code.co_consts[0] if found and found.code.co_consts else None
    return first if isinstance(first, str) else ""  # what CPython makes a function's __doc__ (Python 3.11)


def _logic(rule: Rule) -> str:
    text = _TRACKER_NOTE.sub("", inspect.cleandoc(_docstring(rule.evaluate)))
    return text or "(no description in the code)"


def rule_reference(
    profile: str,
    parameters: GuidelineParameters | None = None,
    *,
    cards_dir: Path = CARDS_DIR,
    tests_dir: Path = TESTS_DIR,
) -> list[RuleEntry]:
    """Every rule of the registry, by family then ID, with the parameter values of ``profile``."""
    resolved = (parameters or GuidelineParameters()).for_profile(profile)
    values = card_values(profile, resolved)
    sources = _parameter_sources()
    texts = _test_texts(tests_dir)
    entries = []
    for family, rules in sorted(RULE_FAMILIES.items()):
        for rule in sorted(rules, key=lambda rule: rule.id):
            functions = _functions_reached(rule.evaluate)
            card_title, variants = _card(rule.id, cards_dir, values)
            entries.append(
                RuleEntry(
                    id=rule.id,
                    title=rule.title,
                    family=family,
                    hooks=tuple(sorted(rule.hooks)),
                    profiles=tuple(sorted(rule.profiles)),
                    logic=_logic(rule),
                    parameters=_parameters_used(functions, resolved, sources),
                    thresholds=_thresholds_used(functions),
                    citations=rule.citations,
                    card_title=card_title,
                    variants=variants,
                    tests=_tests_naming(rule.id, texts),
                )
            )
    return entries


# ---------------------------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _md_escape(text: str) -> str:
    """Plain text in Markdown: no emphasis, no HTML, no table cells broken by pipes."""
    return re.sub(r"([\\`*_<>|\[\]])", r"\\\1", _one_line(text))


def _md_rule(entry: RuleEntry, profile: str) -> list[str]:
    lines = [f"### {entry.id}: {_md_escape(entry.title)}", ""]
    lines.append(f"- **Family:** {entry.family}")
    lines.append(f"- **Hooks:** {', '.join(entry.hooks)}")
    lines.append(f"- **Profiles:** {', '.join(entry.profiles)}")
    lines += ["", "**Population and logic** (the rule function's description):", ""]
    paragraphs = [_md_escape(paragraph) for paragraph in entry.logic.split("\n\n") if paragraph.strip()]
    lines.append("\n>\n".join(f"> {paragraph}" for paragraph in paragraphs))
    lines.append("")
    lines.append(f"**Guideline parameters** (values in the `{profile}` profile):")
    lines.append("")
    if entry.parameters:
        lines += [
            f"- `{use.name}` = `{use.value}`: {_md_escape(use.source) or 'no source documented'}"
            for use in entry.parameters
        ]
    else:
        lines.append("- none read by the rule's own code")
    lines += ["", "**Thresholds:**", ""]
    if entry.thresholds:
        lines += [
            f"- `{threshold.name}` = {_md_escape(threshold_text(threshold))}: {_md_escape(threshold.citation)}"
            for threshold in entry.thresholds
        ]
    else:
        lines.append("- none named by the rule's own code")
    lines += ["", "**Sources:**", ""]
    lines += [
        f"- {_md_escape(citation_text(citation))}; catalog {_md_escape(citation.catalog)}"
        for citation in entry.citations
    ] or ["- none"]
    lines += ["", "**Card text:**", ""]
    if entry.variants:
        lines += [f"- title: {_md_escape(entry.card_title[language])} ({language})" for language in LANGUAGES]
        for variant in entry.variants:
            role = f", role {variant.role}" if variant.role else ""
            lines.append(f"- variant `{variant.name}` ({variant.indicator}{role}):")
            lines += [f"  - {language}: {_md_escape(variant.summary[language])}" for language in LANGUAGES]
    else:
        lines.append(f"- no card template (`cards/{entry.id}.toml`)")
    lines += ["", "**Tests that name this rule:**", ""]
    if entry.tests is None:
        lines.append(f"- {_NO_TESTS}")
    else:
        lines += [f"- `{name}`" for name in entry.tests] or ["- none"]
    lines.append("")
    return lines


def render_markdown(entries: Sequence[RuleEntry], profile: str, parameters: GuidelineParameters | None = None) -> str:
    lines = [
        "# Rule reference",
        "",
        "<!-- Generated by `osteo-cds rules -o docs/rules.md`; do not edit by hand "
        "(tests/test_rules_reference.py checks it). -->",
        "",
        f"Every rule of the service, as implemented, for review before a rule is switched on. Parameter values are "
        f"those of the `{profile}` profile with the default settings; a deployment's values are served at "
        "`GET /rules`. Parameters and thresholds are those named by the rule's own code (its function and the "
        "functions of its module and of the shared predicates and evidence modules it calls). The clinical "
        "specification is `shared/clinical/rules.md`.",
        "",
        "| ID | Title | Family | Hooks | Profiles |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| [{entry.id}](#{entry.id.lower()}-{_anchor(entry.title)}) | {_md_escape(entry.title)} | {entry.family} "
        f"| {', '.join(entry.hooks)} | {', '.join(entry.profiles)} |"
        for entry in entries
    ]
    lines.append("")
    family = ""
    for entry in entries:
        if entry.family != family:
            family = entry.family
            lines += [f"## {family}", ""]
        lines += _md_rule(entry, profile)
    lines += ["## Catalog IDs that are not rules", ""]
    lines += [f"- **{rule_id}**: {_md_escape(why)}" for rule_id, why in sorted(EXCLUDED_RULES.items())]
    lines += ["", "## Parameter table", "", _TABLE_INTRO, ""]
    lines += ["| Parameter | Kind | NL | BE | Unit | Conflict | Setting | Source |", "| --- " * 8 + "|"]
    lines += [
        "| "
        + " | ".join(
            [f"`{row.name}`", row.kind, f"`{row.nl}`", f"`{row.be}`"]
            + [_md_escape(text) for text in (row.unit, row.conflict, row.setting, row.source)]
        )
        + " |"
        for row in parameter_table(parameters)
    ]
    return "\n".join(lines) + "\n"


_TABLE_INTRO: Final = (
    "Every parameter of the catalog once, with its value in each profile (default settings): the fixed thresholds "
    "of the rules (`app/rules/osteoporosis/thresholds.py`; a row's setting chooses the reading where the sources "
    "disagree), the guideline settings (`OSTEO_GUIDELINE__<NAME>`, `app/rules/parameters.py`) and the snapshot "
    "settings (`OSTEO_SNAPSHOT__<NAME>`, `app/snapshot/parameters.py`). Conflicts are the ids of "
    "`shared/clinical/conflicts.md`."
)


def _anchor(title: str) -> str:
    """GitHub's heading anchor for the part after "ID: " (lowercase, punctuation dropped, spaces to dashes)."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


# ---------------------------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------------------------

STYLE: Final = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b}"
    "h1{font-size:1.4rem}h2{font-size:1.2rem;margin:2rem 0 .4rem}h3{font-size:1.05rem;margin:1.4rem 0 .3rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
    "blockquote{margin:.4rem 0;color:#333;white-space:pre-line}code{font-size:.9em}ul{margin:.3rem 0}"
)


def _li(items: Iterable[str], empty: str) -> str:
    rendered = "".join(f"<li>{item}</li>" for item in items)
    return f"<ul>{rendered or f'<li>{html.escape(empty)}</li>'}</ul>"


def _html_rule(entry: RuleEntry, profile: str) -> str:
    e = html.escape
    parts = [
        f'<section id="{e(entry.id)}"><h3>{e(entry.id)}: {e(entry.title)}</h3>',
        f"<p>Family: {e(entry.family)} · Hooks: {e(', '.join(entry.hooks))} · "
        f"Profiles: {e(', '.join(entry.profiles))}</p>",
        f"<p><strong>Population and logic</strong></p><blockquote>{e(entry.logic)}</blockquote>",
        f"<p><strong>Guideline parameters</strong> ({e(profile)} profile)</p>",
        _li(
            (f"<code>{e(use.name)}</code> = <code>{e(use.value)}</code>: {e(use.source)}" for use in entry.parameters),
            "none read by the rule's own code",
        ),
        "<p><strong>Thresholds</strong></p>",
        _li(
            (f"<code>{e(t.name)}</code> = {e(threshold_text(t))}: {e(t.citation)}" for t in entry.thresholds),
            "none named by the rule's own code",
        ),
        "<p><strong>Sources</strong></p>",
        _li(
            (f"{e(citation_text(c))}; catalog {e(c.catalog)}" for c in entry.citations),
            "none",
        ),
        "<p><strong>Card text</strong></p>",
    ]
    if entry.variants:
        rows = "".join(
            f"<tr><td><code>{e(v.name)}</code></td><td>{e(v.indicator)}</td><td>{e(v.role)}</td>"
            + "".join(f"<td>{e(v.summary[language])}</td>" for language in LANGUAGES)
            + "</tr>"
            for v in entry.variants
        )
        parts.append(
            f"<p>{e(entry.card_title['nl'])} / {e(entry.card_title['en'])}</p>"
            "<table><tr><th>Variant</th><th>Indicator</th><th>Role</th><th>nl</th><th>en</th></tr>"
            f"{rows}</table>"
        )
    else:
        parts.append(f"<p>No card template (<code>cards/{e(entry.id)}.toml</code>).</p>")
    parts.append("<p><strong>Tests that name this rule</strong></p>")
    no_tests = _NO_TESTS if entry.tests is None else "none"
    parts.append(_li((f"<code>{e(name)}</code>" for name in entry.tests or ()), no_tests))
    parts.append("</section>")
    return "".join(parts)


def render_html(entries: Sequence[RuleEntry], profile: str, parameters: GuidelineParameters | None = None) -> str:
    e = html.escape
    index = "".join(
        f'<tr><td><a href="#{e(entry.id)}">{e(entry.id)}</a></td><td>{e(entry.title)}</td>'
        f"<td>{e(entry.family)}</td><td>{e(', '.join(entry.hooks))}</td><td>{e(', '.join(entry.profiles))}</td></tr>"
        for entry in entries
    )
    body = [
        "<h1>Rule reference</h1>",
        f"<p>Every rule of this service, as implemented. Parameter values are this deployment's, in the "
        f"<code>{e(profile)}</code> profile.</p>",
        f"<table><tr><th>ID</th><th>Title</th><th>Family</th><th>Hooks</th><th>Profiles</th></tr>{index}</table>",
    ]
    family = ""
    for entry in entries:
        if entry.family != family:
            family = entry.family
            body.append(f"<h2>{e(family)}</h2>")
        body.append(_html_rule(entry, profile))
    body.append("<h2>Catalog IDs that are not rules</h2>")
    body.append(_li((f"<strong>{e(i)}</strong>: {e(why)}" for i, why in sorted(EXCLUDED_RULES.items())), "none"))
    body.append(f"<h2>Parameter table</h2><p>{e(_TABLE_INTRO)}</p>")
    header = "".join(f"<th>{e(h)}</th>" for h in ("Parameter", "Kind", "NL", "BE", "Unit", "Conflict", "Setting"))
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{e(text)}</td>" for text in (r.name, r.kind, r.nl, r.be, r.unit, r.conflict, r.setting))
        + f"<td>{e(r.source)}</td></tr>"
        for r in parameter_table(parameters)
    )
    body.append(f"<table><tr>{header}<th>Source</th></tr>{rows}</table>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>Rule reference</title><style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )
