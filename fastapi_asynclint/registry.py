"""The table of rules: found by walking `fastapi_asynclint/rules/` for `falNNN_<name>.py` modules.

Nothing is registered by hand, and nothing is imported to list the codes: the code and the name come from
the module's file name, so validating `--select` and config costs no libcst import. A rule's class is only
loaded when a file is actually analysed (a registry test checks that file name and class agree).

Selection follows ruff: selectors are codes or prefixes (`FAL1`, `FAL10`, `FAL101`, `ALL`); within one layer
(config, then command line) the most specific selector decides and `ignore` wins a tie.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

RULES_PACKAGE = "fastapi_asynclint.rules"
_RULE_MODULE = re.compile(r"^fal(?P<number>\d{3})_(?P<name>[a-z0-9_]+)$")
# Rules a run leaves out unless a selector names them (the code or a prefix of it), as ruff leaves out rules
# outside its default set: their findings are true but rarely worth a change (see each rule's docstring).
OPT_IN = frozenset({"FAL111"})
# The tool's own findings (FAL9xx) are reported whatever `select` says, as ruff always reports syntax errors.
ALWAYS_ON_FAMILY = "FAL9"


class UnknownSelector(ValueError):
    pass


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    module: str

    def load(self) -> type:
        """The rule's class (a rule.LintRule), importing its module."""
        return getattr(importlib.import_module(self.module), "RULE")


@lru_cache(maxsize=None)
def all_rules() -> Dict[str, RuleInfo]:
    package = importlib.import_module(RULES_PACKAGE)
    table: Dict[str, RuleInfo] = {}
    for module in pkgutil.iter_modules(package.__path__):
        match = _RULE_MODULE.match(module.name)
        if match:
            code = f"FAL{match['number']}"
            table[code] = RuleInfo(code, match["name"].replace("_", "-"), f"{RULES_PACKAGE}.{module.name}")
    return dict(sorted(table.items()))


def rule_info(code: str) -> Optional[RuleInfo]:
    return all_rules().get(code.upper())


def check_selector(selector: str) -> str:
    selector = selector.strip()
    if selector != selector.upper():
        raise UnknownSelector(f"unknown rule selector `{selector}`: codes are upper case (`{selector.upper()}`)")
    if selector == "ALL" or (selector and any(code.startswith(selector) for code in all_rules())):
        return selector
    raise UnknownSelector(f"unknown rule selector `{selector}` (see `fastapi-asynclint rule --all`)")


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


@dataclass(frozen=True)
class SelectionLayer:
    """One source of selectors; `select=None` keeps what the layers below chose."""

    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()

    def apply(self, enabled: FrozenSet[str], codes: Sequence[str]) -> FrozenSet[str]:
        result = set(enabled if self.select is None else ())
        votes: List[Tuple[str, bool]] = [(s, True) for s in (self.select or ()) + self.extend_select]
        votes += [(s, False) for s in self.ignore]
        for code in codes:
            decisive = max(
                ((_specificity(s), not on, on) for s, on in votes if _matches(s, code)),
                default=None,
            )
            if decisive is not None:
                (result.add if decisive[2] else result.discard)(code)
        return frozenset(result)


def resolve_selection(layers: Iterable[SelectionLayer]) -> FrozenSet[str]:
    codes = list(all_rules())
    enabled = frozenset(codes) - OPT_IN
    for layer in layers:
        enabled = layer.apply(enabled, codes)
    ignored_tool_codes = {
        code
        for code in codes
        if code.startswith(ALWAYS_ON_FAMILY) and code not in enabled and _explicitly_ignored(code, layers)
    }
    always = {code for code in codes if code.startswith(ALWAYS_ON_FAMILY)} - ignored_tool_codes
    return frozenset(enabled | always)


def _explicitly_ignored(code: str, layers: Iterable[SelectionLayer]) -> bool:
    return any(s != "ALL" and _matches(s, code) for layer in layers for s in layer.ignore)


def codes_matching(selectors: Iterable[str]) -> FrozenSet[str]:
    return frozenset(code for code in all_rules() for s in selectors if _matches(s, code))


DOCS_BASE = "https://github.com/fastapi-asynclint/fastapi-asynclint/blob/main/docs/rules"


def docs_url(code: str) -> str:
    """Where a rule's documentation page lives (docs/rules/FALnnn.md, generated from its docstring)."""
    return f"{DOCS_BASE}/{code}.md"
