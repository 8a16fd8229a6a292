"""Building the grading image the `docker` backend runs workers in.

`build_image` builds the root `Dockerfile` through the Docker SDK from a small
build context made for the purpose: the Dockerfile, `pyproject.toml`, the
README and the `runner` package, never graders, solutions or workspaces. It
adds what pip needs where the package index is only reachable in a particular
way: local wheels (pip's `find-links`, where the CPU torch wheel lives on
machines that keep one) and the CA bundle pip uses (`PIP_CERT`), which stays
in the build stage. It reports the image's size.

`python -m runner.image --tag T --base B` is the same for scripts (CI).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from runner.errors import ChallengeError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TAG = "foundations-challenges:cpu"
CUDA_TAG = "foundations-challenges:cuda"
_CONTEXT_FILES = ("Dockerfile", "pyproject.toml", "README.md")


@dataclass(frozen=True)
class ImageInfo:
    tag: str
    id: str
    size_bytes: int

    def describe(self) -> str:
        return f"{self.tag}: {self.size_bytes / 1e9:.2f} GB ({self.size_bytes:,} bytes), {self.id[:19]}"


def build_image(
    tag: str | None = None,
    base: str | None = None,
    torch: str = "cpu",
    extras: tuple[str, ...] = (),
    wheels: Path | None = None,
    ca_bundle: Path | None = None,
    network: str | None = "host",
    root: Path = ROOT,
    echo: Callable[[str], None] = print,
) -> ImageInfo:
    """Build the grading image from `root`'s Dockerfile and return its tag, id and size.

    base: the Dockerfile's BASE (default: its own, python:3.11-slim).
    torch: "cpu" or "cuda". wheels: a folder of wheels for pip (default: pip's
    PIP_FIND_LINKS when it names a local folder). ca_bundle: a CA bundle for pip
    (default: PIP_CERT when set). network: the build's network ("host" reaches
    the package index where the engine runs without a bridge).
    """
    if torch not in ("cpu", "cuda"):
        raise ChallengeError(f"torch must be cpu or cuda, not {torch!r}")
    tag = tag or (CUDA_TAG if torch == "cuda" else DEFAULT_TAG)
    client = _client()
    wheels = wheels if wheels is not None else _default_wheels()
    ca_bundle = ca_bundle if ca_bundle is not None else _default_ca_bundle()
    buildargs = {"TORCH": torch}
    if base:
        buildargs["BASE"] = base
    if extras:
        buildargs["EXTRAS"] = ",".join(extras)
    with tempfile.TemporaryDirectory(prefix="fc-image-") as tmp:
        context = Path(tmp)
        _make_context(root, context, wheels if torch == "cpu" else None, ca_bundle)
        if ca_bundle is not None:
            buildargs["CA_BUNDLE"] = "ca-bundle.crt"
        echo(f"building {tag} (base {base or 'python:3.11-slim'}, torch {torch}"
             f"{', extras ' + ','.join(extras) if extras else ''})")
        try:
            stream = client.api.build(
                path=str(context), tag=tag, buildargs=buildargs, network_mode=network,
                rm=True, forcerm=True, pull=False, decode=True,
            )
            for chunk in stream:
                if "error" in chunk:
                    raise ChallengeError(f"the image did not build: {chunk['error'].strip()}")
                line = chunk.get("stream", "").rstrip()
                if line:
                    echo(line)
        except _docker_errors() as exc:
            raise ChallengeError(f"the image did not build: {exc}") from None
    return describe_image(tag, client)


def describe_image(tag: str, client=None) -> ImageInfo:
    client = client or _client()
    try:
        image = client.images.get(tag)
    except _docker_errors() as exc:
        raise ChallengeError(f"no image {tag}: {exc}") from None
    return ImageInfo(tag, image.id, int(image.attrs.get("Size", 0)))


def _make_context(root: Path, context: Path, wheels: Path | None, ca_bundle: Path | None):
    for name in _CONTEXT_FILES:
        shutil.copy2(root / name, context / name)
    shutil.copytree(root / "runner", context / "runner",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (context / "wheels").mkdir()
    if wheels is not None and wheels.is_dir():
        for wheel in wheels.glob("*.whl"):
            _link_or_copy(wheel, context / "wheels" / wheel.name)
    if ca_bundle is not None:
        shutil.copyfile(ca_bundle, context / "ca-bundle.crt")


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _default_wheels() -> Path | None:
    for entry in os.environ.get("PIP_FIND_LINKS", "").split():
        path = Path(entry.removeprefix("file://"))
        if path.is_dir():
            return path
    return None


def _default_ca_bundle() -> Path | None:
    value = os.environ.get("PIP_CERT", "")
    return Path(value) if value and Path(value).is_file() else None


def _client():
    try:
        import docker
    except ImportError:
        raise ChallengeError(
            "building the image needs the Docker SDK: pip install 'foundations-challenges[docker]'"
        ) from None
    try:
        client = docker.from_env(timeout=3600)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no engine
        raise ChallengeError(
            f"no Docker engine answers ({exc}); start dockerd or set DOCKER_HOST"
        ) from None
    return client


def _docker_errors() -> tuple[type, ...]:
    import docker.errors
    import requests

    return (docker.errors.DockerException, requests.RequestException)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag")
    parser.add_argument("--base", help="base image (default: the Dockerfile's)")
    parser.add_argument("--torch", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--extras", default="", help="comma-separated, e.g. tensorflow")
    parser.add_argument("--wheels", type=Path)
    parser.add_argument("--ca-bundle", type=Path)
    args = parser.parse_args(argv)
    try:
        info = build_image(
            tag=args.tag, base=args.base, torch=args.torch,
            extras=tuple(e for e in args.extras.split(",") if e),
            wheels=args.wheels, ca_bundle=args.ca_bundle,
        )
    except ChallengeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"built {info.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
