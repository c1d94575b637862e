"""The versioned survey codebook: questions, expected export columns and routing.

The codebook of a version lives next to this module as ``questionnaire_<version>.yaml``.
Each question has a type; the type fixes the export columns (see :meth:`Question.columns`):

* ``municipality_picklist`` -> ``qN`` (municipality name);
* ``single_choice`` -> ``qN`` (option number K, or the printed label) and ``qN_other`` when an
  option is "Anders, namelijk";
* ``multiple_choice`` -> ``qN_K`` (0/1 per option) and ``qN_other``;
* ``grid_single_choice`` -> ``qN_rR`` (column option number chosen for row R);
* ``numeric_grid`` / ``multiple_choice_with_counts`` -> ``qN_rR_cC`` (a count);
* ``open_text`` -> ``qN``; ``open_text_grid`` -> ``qN_rR``.

Routing: ``asked_if`` is a Python boolean expression over answers (``q5 == 1``,
``q4 in (1, 3)``, ``q38_2 == 1``) or the name of a population defined in ``populations``.
A missing answer is ``None`` and compares unequal to everything.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

CODEBOOK_DIR = Path(__file__).resolve().parent
DEFAULT_VERSION = "v2021"

# Column kinds
MUNICIPALITY, CHOICE, FLAG, COUNT, TEXT = "municipality", "choice", "flag", "count", "text"


@dataclass(frozen=True)
class Column:
    name: str
    question: str
    kind: str
    n_options: int = 0
    max_count: int = 0
    personal: bool = False
    labels: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.kind in (MUNICIPALITY, CHOICE, FLAG, COUNT) and not self.personal


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    asked_if: str
    options: tuple[str, ...] = ()
    other_option: int | None = None
    rows: tuple[str, ...] = ()
    columns_: tuple[str, ...] = ()
    max_count: int = 1000
    personal: bool = False

    def columns(self) -> list[Column]:
        q, t, p = self.id, self.type, self.personal
        out: list[Column] = []
        if t == "municipality_picklist":
            out.append(Column(q, q, MUNICIPALITY))
        elif t == "single_choice":
            out.append(Column(q, q, CHOICE, n_options=len(self.options), personal=p, labels=self.options))
        elif t == "multiple_choice":
            out += [Column(f"{q}_{k}", q, FLAG, personal=p) for k in range(1, len(self.options) + 1)]
        elif t == "grid_single_choice":
            out += [
                Column(f"{q}_r{r}", q, CHOICE, n_options=len(self.columns_), personal=p, labels=self.columns_)
                for r in range(1, len(self.rows) + 1)
            ]
        elif t in ("numeric_grid", "multiple_choice_with_counts"):
            out += [
                Column(f"{q}_r{r}_c{c}", q, COUNT, max_count=self.max_count, personal=p)
                for r in range(1, len(self.rows) + 1)
                for c in range(1, len(self.columns_) + 1)
            ]
        elif t == "open_text":
            out.append(Column(q, q, TEXT, personal=p))
        elif t == "open_text_grid":
            out += [Column(f"{q}_r{r}", q, TEXT, personal=p) for r in range(1, len(self.rows) + 1)]
        else:  # pragma: no cover - codebook error
            raise ValueError(f"unknown question type {t!r} for {q}")
        if self.other_option and t in ("single_choice", "multiple_choice", "multiple_choice_with_counts"):
            out.append(Column(f"{q}_other", q, TEXT, personal=p))
        return out

    def option_label(self, k: int) -> str:
        return self.options[k - 1]


@dataclass
class Codebook:
    version: str
    questions: dict[str, Question]
    populations: dict[str, str]
    followup_questions: list[str]
    reference_year: int = 2020  # the measurement year the questionnaire was written for
    measurement_year: int | None = None  # set by :meth:`for_year`
    source: str = "package"  # where the version came from: package default, year folder file or version name
    _compiled: dict = field(default_factory=dict, repr=False)

    @property
    def year(self) -> int:
        return int(self.measurement_year or self.reference_year)

    @property
    def period(self) -> tuple[int, int]:
        """'The last four years' of the questionnaire for this measurement year: Y-3..Y."""
        return self.year - 3, self.year

    @property
    def period_label(self) -> str:
        return f"{self.period[0]}-{self.period[1]}"

    @property
    def reused(self) -> bool:
        """True when this year reuses a questionnaire written for an earlier measurement year."""
        return self.year != int(self.reference_year)

    def describe(self) -> str:
        """One line for metadata and the report: version, origin, and whether an older version is reused."""
        line = f"codebook {self.version} ({self.source}), reference period {self.period_label}"
        if self.reused:
            line += (f"; reuses the questionnaire written for measurement year {self.reference_year}, period labels "
                     f"resolved to {self.period_label}")
        return line

    def for_year(self, year: int | str) -> "Codebook":
        """This codebook with its reference period resolved for measurement year ``year``."""
        y, r = int(year), int(self.reference_year)
        if self.measurement_year is not None and int(self.measurement_year) == y:
            return self
        shift = {str(r - k): str(y - k) for k in range(4)}

        def text(t: str) -> str:
            t = re.sub(rf"\b{r - 3}\s*[-\u2013]\s*{r}\b", f"{y - 3}-{y}", t)
            t = re.sub(rf"1 januari {r - 3}\b", f"1 januari {y - 3}", t)
            return re.sub(rf"\b{r}\b", str(y), t)

        questions = {}
        for qid, q in self.questions.items():
            cols = q.columns_
            if cols and all(c in shift for c in cols):  # a column per year of the period (q55a/q55b)
                cols = tuple(shift[c] for c in cols)
            questions[qid] = dataclasses.replace(q, text=text(q.text), columns_=cols)
        return dataclasses.replace(self, questions=questions, measurement_year=y, _compiled={})

    def question(self, qid: str) -> Question:
        return self.questions[qid]

    def columns(self, export: str = "full") -> list[Column]:
        """Every column an export of kind ``full`` or ``followup`` may hold, in questionnaire order."""
        ids = self.questions if export == "full" else self.followup_questions
        return [c for qid in ids for c in self.questions[qid].columns()]

    def column_map(self, export: str = "full") -> dict[str, Column]:
        return {c.name: c for c in self.columns(export)}

    def personal_columns(self, export: str = "full") -> list[str]:
        return [c.name for c in self.columns(export) if c.personal]

    def _code(self, expr: str):
        if expr not in self._compiled:
            self._compiled[expr] = compile(expr, f"<routing {expr}>", "eval")
        return self._compiled[expr]

    def asked(self, answers: pd.DataFrame, export: str = "full") -> pd.DataFrame:
        """Boolean frame (rows x questions): was the question asked to this respondent, per the routing."""
        qids = list(self.questions) if export == "full" else self.followup_questions
        names = [c for c in answers.columns if re.fullmatch(r"q\d+[ab]?(_\w+)?", c)]
        records = answers[names].astype(object).where(answers[names].notna(), None).to_dict("records")
        rows = []
        for rec in records:
            ns = {n: (None if v is None else v) for n, v in rec.items()}
            for n in self.columns("full"):
                ns.setdefault(n.name, None)
            for pop, expr in self.populations.items():
                ns[pop] = bool(eval(self._code(expr), {"__builtins__": {}}, ns))
            rows.append({q: bool(eval(self._code(self.questions[q].asked_if), {"__builtins__": {}}, ns)) for q in qids})
        return pd.DataFrame(rows, index=answers.index, columns=qids)

    def population(self, answers: pd.DataFrame, name_or_expr: str) -> pd.Series:
        """Boolean Series: respondents in the named population (or matching an expression)."""
        records = answers.astype(object).where(answers.notna(), None).to_dict("records")
        out = []
        for rec in records:
            ns = dict(rec)
            for pop, expr in self.populations.items():
                ns[pop] = bool(eval(self._code(expr), {"__builtins__": {}}, ns))
            out.append(bool(eval(self._code(name_or_expr), {"__builtins__": {}}, ns)))
        return pd.Series(out, index=answers.index)


@functools.cache
def load_codebook(version: str = DEFAULT_VERSION) -> Codebook:
    """A codebook version shipped with the package (``questionnaire_<version>.yaml``)."""
    path = CODEBOOK_DIR / f"questionnaire_{version}.yaml"
    if not path.exists():
        known = sorted(p.stem.removeprefix("questionnaire_") for p in CODEBOOK_DIR.glob("questionnaire_*.yaml"))
        raise ValueError(f"unknown codebook version {version!r}; known versions: {', '.join(known)}")
    return parse_codebook(yaml.safe_load(path.read_text(encoding="utf-8")), "package")


def parse_codebook(raw: dict, source: str) -> Codebook:
    questions = {}
    for e in raw["questions"]:
        questions[e["id"]] = Question(
            id=e["id"],
            type=e["type"],
            text=e["text"],
            asked_if=e["asked_if"],
            options=tuple(e.get("options", ())),
            other_option=e.get("other_option"),
            rows=tuple(e.get("rows", ())),
            columns_=tuple(e.get("columns", ())),
            max_count=int(e.get("max_count", 1000)),
            personal=bool(e.get("personal", False)),
        )
    return Codebook(
        version=raw["codebook_version"],
        questions=questions,
        populations=dict(raw["populations"]),
        followup_questions=list(raw["followup_questions"]),
        reference_year=int(raw.get("reference_year", 2020)),
        source=source,
    )


YEAR_CODEBOOK = "codebook.yaml"


def codebook_for_year(year: int | str, year_dir: Path | str | None = None) -> Codebook:
    """The codebook of measurement year ``year``, with its reference period resolved to Y-3..Y.

    A year folder may hold ``codebook.yaml``: either a whole codebook (same layout as the package's
    ``questionnaire_<version>.yaml``) or just ``version: <name>`` naming a package version. Without it the
    default version is used (and the metadata says it is reused)."""
    path = Path(year_dir) / YEAR_CODEBOOK if year_dir is not None else None
    if path is not None and path.exists():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "questions" in raw:
            cb = parse_codebook(raw, f"{path.parent.name}/{YEAR_CODEBOOK}")
        elif "version" in raw:
            cb = dataclasses.replace(load_codebook(str(raw["version"])),
                                     source=f"version named in {path.parent.name}/{YEAR_CODEBOOK}")
        else:
            raise ValueError(f"{path}: expected a whole codebook (with 'questions') or 'version: <name>'")
    else:
        return _default_for_year(int(year))
    return cb.for_year(year)


@functools.lru_cache(maxsize=64)
def _default_for_year(year: int) -> Codebook:
    return dataclasses.replace(load_codebook(DEFAULT_VERSION), source="package default").for_year(year)
