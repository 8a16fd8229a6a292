"""Turning what a learner hands in into a folder the worker can load.

A submission may be a `.py` file (taken as the entry module whatever its
name), a folder (holding the entry module, or a workspace holding
`<track>/<name>/`), a `.ipynb` notebook (its code cells become the entry
module) or a `.zip` of any of these. The result is always a fresh private
folder; the original is never touched or executed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from runner.errors import ChallengeError, SubmissionInvalid

MAX_FILES = 2000
MAX_BYTES = 64 * 1024 * 1024
_SKIP = {"__pycache__", ".git", ".ipynb_checkpoints", ".venv", "node_modules"}
_MAGIC = re.compile(r"^\s*(%|!)")


@dataclass
class Submission:
    """A materialized submission: a private folder with `<entry>.py` at its top."""

    path: Path
    folder: Path
    sha256: str
    hidden: tuple[Path, ...] = ()
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        return {"path": str(self.path), "sha256": self.sha256}

    def cleanup(self) -> None:
        shutil.rmtree(self.folder.parent, ignore_errors=True)


def describe_unreadable(path: Path) -> dict:
    digest = ""
    if path.is_file():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"path": str(path), "sha256": digest}


def materialize(path: Path, entry: str, challenge_id: str) -> Submission:
    """Copy a submission into a private folder; raise SubmissionInvalid if it cannot be."""
    path = Path(path)
    if not path.exists():
        raise ChallengeError(f"no such file or folder: {path}")
    root = Path(tempfile.mkdtemp(prefix="fc-sub-"))
    folder = root / "submission"
    folder.mkdir()
    try:
        if path.is_dir():
            source = _find_entry_folder(path, entry, challenge_id, root)
            _copy_folder(source, folder)
        elif path.stat().st_size > MAX_BYTES:
            raise SubmissionInvalid(f"{path.name}: larger than {MAX_BYTES // 2**20} MiB")
        elif path.suffix == ".ipynb":
            (folder / f"{entry}.py").write_text(notebook_to_module(path))
        elif path.suffix == ".zip":
            _extract_zip(path, root / "unzipped")
            source = _find_entry_folder(root / "unzipped", entry, challenge_id, root)
            _copy_folder(source, folder)
            shutil.rmtree(root / "unzipped")
        elif path.suffix == ".py":
            shutil.copyfile(path, folder / f"{entry}.py")
        else:
            raise SubmissionInvalid(
                f"{path.name}: a submission is a .py file, a folder, a .ipynb notebook "
                "or a .zip"
            )
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return Submission(path, folder, hash_tree(folder))


def _find_entry_folder(path: Path, entry: str, challenge_id: str, scratch: Path) -> Path:
    for candidate in (path, path / challenge_id, path / challenge_id.replace("/", "-")):
        if (candidate / f"{entry}.py").is_file():
            return candidate
    entries = [p for p in path.iterdir() if p.name not in _SKIP]
    if len(entries) == 1 and entries[0].is_dir():
        return _find_entry_folder(entries[0], entry, challenge_id, scratch)
    notebooks = sorted(path.glob("*.ipynb"))
    if len(notebooks) == 1:
        folder = scratch / "notebook"
        folder.mkdir()
        (folder / f"{entry}.py").write_text(notebook_to_module(notebooks[0]))
        return folder
    raise SubmissionInvalid(
        f"{path}: no {entry}.py here or in {challenge_id}/; put your module there"
    )


def _copy_folder(source: Path, target: Path) -> None:
    count = size = 0
    for item in sorted(source.rglob("*")):
        rel = item.relative_to(source)
        if any(part in _SKIP for part in rel.parts):
            continue
        if item.is_symlink():
            continue  # links could point anywhere; a submission is its own files
        count += 1
        if count > MAX_FILES:
            raise SubmissionInvalid(f"{source}: more than {MAX_FILES} files")
        dest = target / rel
        if item.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif item.is_file():
            size += item.stat().st_size
            if size > MAX_BYTES:
                raise SubmissionInvalid(f"{source}: larger than {MAX_BYTES // 2**20} MiB")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, dest)


def _extract_zip(path: Path, target: Path) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionInvalid(f"{path.name}: not a valid zip file ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_FILES:
            raise SubmissionInvalid(f"{path.name}: more than {MAX_FILES} entries")
        if sum(m.file_size for m in members) > MAX_BYTES:
            raise SubmissionInvalid(f"{path.name}: unpacks to more than 64 MiB")
        target.mkdir()
        for member in members:
            _extract_member(archive, member, target, path.name)


def _extract_member(archive, member, target: Path, name: str) -> None:
    rel = Path(member.filename)
    mode = member.external_attr >> 16
    if rel.is_absolute() or ".." in rel.parts or member.filename.startswith("/"):
        raise SubmissionInvalid(f"{name}: entry {member.filename!r} escapes the archive")
    if stat.S_ISLNK(mode):
        raise SubmissionInvalid(f"{name}: entry {member.filename!r} is a symbolic link")
    dest = target / rel
    if not dest.resolve().is_relative_to(target.resolve()):
        raise SubmissionInvalid(f"{name}: entry {member.filename!r} escapes the archive")
    if member.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(member) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)


def notebook_to_module(path: Path) -> str:
    """The code cells of a notebook, in order, as one module; magics commented out."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SubmissionInvalid(
            f"{path.name} is not a valid notebook (not JSON: {exc}); save it again "
            "from Jupyter"
        ) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise SubmissionInvalid(f"{path.name} is not a valid notebook (no cells list)")
    chunks = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if text.lstrip().startswith("%%"):
            text = "\n".join("# (cell magic removed) " + ln for ln in text.splitlines())
        chunks.append(f"# --- cell {index} ---\n{_strip_magics(text)}")
    return "\n\n".join(chunks) + "\n"


def _strip_magics(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if _MAGIC.match(line):
            line = "# (IPython magic or shell escape removed) " + line.strip()
        lines.append(line)
    return "\n".join(lines)


def hash_tree(folder: Path) -> str:
    digest = hashlib.sha256()
    for item in sorted(folder.rglob("*")):
        if item.is_file():
            digest.update(item.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(item.read_bytes()).digest())
    return digest.hexdigest()
