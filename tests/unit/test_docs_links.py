"""Every relative link in the docs, and every repository path a stack config comment
names, points at a file that exists (and a Markdown ``#anchor`` at a heading)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
STACKS = sorted((ROOT / "stacks").glob("*.yaml"))

FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"", re.I)
# A repository path in a YAML comment: under a top-level folder, or a file with an extension.
TOP_LEVEL = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith("."))
COMMENT_PATH = re.compile(
    r"(?<![\w/.:-])((?:" + "|".join(map(re.escape, TOP_LEVEL)) + r")/[\w./-]*[\w/]"
    r"|[\w.-]+\.(?:md|py|yaml|yml|toml|txt|json|sh))(#[\w-]+)?"
)


def _prose(text: str) -> str:
    """Markdown without code blocks and inline code (their brackets are not links)."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """The anchors a Markdown file defines: its headings (GitHub numbers repeats) and <a id>."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    found: set[str] = set(HTML_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    for heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return frozenset(found)


def _is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)) or target.startswith("//")


def broken_links(source: Path, targets: list[str], base: Path) -> list[str]:
    """The targets (relative to ``base``) that name no file, or no heading in one."""
    broken = []
    for target in targets:
        if _is_external(target):
            continue
        path_part, _, anchor = target.partition("#")
        path = (base / path_part).resolve() if path_part else source
        if not path.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and path.suffix == ".md" and anchor.lower() not in anchors(path):
            broken.append(f"{target} (no heading #{anchor} in {path.name})")
    return broken


def markdown_targets(text: str) -> list[str]:
    prose = _prose(text)
    return INLINE_LINK.findall(prose) + REFERENCE_LINK.findall(prose)


def comment_targets(text: str) -> list[str]:
    targets = []
    for line in text.splitlines():
        _, hash_, comment = line.partition("#")
        if hash_:
            targets += [path + anchor for path, anchor in COMMENT_PATH.findall(comment)]
    return targets


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_links_resolve(doc: Path) -> None:
    targets = markdown_targets(doc.read_text(encoding="utf-8"))
    assert broken_links(doc, targets, doc.parent) == []


@pytest.mark.parametrize("stack", STACKS, ids=lambda p: p.name)
def test_paths_in_stack_comments_resolve(stack: Path) -> None:
    targets = comment_targets(stack.read_text(encoding="utf-8"))
    assert broken_links(stack, targets, ROOT) == []


def test_the_checker_catches_broken_links(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Local clusters\n\n## Step 2: `up`\n")
    doc = tmp_path / "doc.md"
    text = (
        "[ok](other.md#local-clusters) [ok](other.md#step-2-up) [web](https://x.y/z.md)\n"
        "[gone](missing.md) [bad anchor](other.md#nope) `[code](not-a-link.md)`\n"
        "```\n[fenced](also-not-a-link.md)\n```\n"
    )
    doc.write_text(text)
    assert broken_links(doc, markdown_targets(text), tmp_path) == [
        "missing.md (no such file)",
        "other.md#nope (no heading #nope in other.md)",
    ]
