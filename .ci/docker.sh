# Docker Engine for the `docker` tests: start it by hand, build the images, stop it.
#
#   source .ci/docker.sh start   # exports DOCKER_HOST, or FC_DOCKER_SKIP_REASON
#   ...pytest...                 # tests marked `docker` skip with that reason
#   source .ci/docker.sh stop    # stops dockerd and removes everything it made
#
# Meant to be sourced from .ci/run (which runs under `set -euo pipefail`): every
# step is guarded and the script never fails the caller. If the engine cannot
# start, it says why, unsets DOCKER_HOST and sets FC_DOCKER_SKIP_REASON.
#
# dockerd runs with its own data-root, exec-root and socket under one temporary
# folder, and with --iptables=false --ip-forward=false --ip-masq=false
# --bridge=none: it leaves the host's firewall and routing alone, and
# `--network none` containers (all the grading backend uses) still run. No image
# registry is reachable, so the base image is made locally with debootstrap
# (Debian bookworm with its Python 3.11) and the grading image is built on it,
# with the host's CA bundle and local wheels handed to pip inside the build.
#
# FC_DOCKER_DIR=DIR keeps the engine's files in DIR instead of a new temporary
# folder; FC_DOCKER_KEEP=1 leaves DIR in place at stop (an image cache for the
# next run). Neither is needed in CI.

_fc_docker_say() { printf 'docker.sh: %s\n' "$*" >&2; }

_fc_docker_skip() {
    _fc_docker_say "docker tests will be skipped: $*"
    export FC_DOCKER_SKIP_REASON="$*"
    unset DOCKER_HOST
    return 0
}

_fc_docker_start() {
    local root base_tag image_tag
    base_tag="${FC_BASE_IMAGE:-fc-base:bookworm}"
    image_tag="${CHALLENGE_IMAGE:-foundations-challenges:cpu}"
    unset FC_DOCKER_SKIP_REASON
    if [ "$(id -u)" != 0 ]; then
        _fc_docker_skip "starting dockerd needs root"; return 0
    fi
    if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                docker.io debootstrap >/dev/null 2>&1 \
                || { apt-get update -qq >/dev/null 2>&1 && \
                     DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                     --no-install-recommends docker.io debootstrap >/dev/null 2>&1; } \
                || true
        fi
    fi
    if ! command -v dockerd >/dev/null 2>&1; then
        _fc_docker_skip "dockerd is not installed and apt-get could not install docker.io"
        return 0
    fi
    if ! python -c 'import docker' >/dev/null 2>&1; then
        _fc_docker_skip "the Docker SDK is not installed (pip install -e '.[docker]' first)"
        return 0
    fi
    root="${FC_DOCKER_DIR:-}"
    if [ -z "$root" ]; then
        root="$(mktemp -d /tmp/fc-docker.XXXXXX)" || { _fc_docker_skip "mktemp failed"; return 0; }
    fi
    mkdir -p "$root/data" "$root/exec" || { _fc_docker_skip "cannot create $root"; return 0; }
    export FC_DOCKER_DIR="$root"
    export DOCKER_HOST="unix://$root/docker.sock"
    if ! _fc_docker_ping; then
        dockerd --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
            --data-root "$root/data" --exec-root "$root/exec" \
            --pidfile "$root/dockerd.pid" -H "$DOCKER_HOST" \
            >"$root/dockerd.log" 2>&1 &
        local i
        for i in $(seq 1 60); do
            _fc_docker_ping && break
            if ! kill -0 "$(cat "$root/dockerd.pid" 2>/dev/null || echo 0)" 2>/dev/null \
                && [ "$i" -gt 5 ]; then
                break
            fi
            sleep 1
        done
        if ! _fc_docker_ping; then
            _fc_docker_skip "dockerd did not start: $(tail -n 3 "$root/dockerd.log" 2>/dev/null | tr '\n' ' ')"
            return 0
        fi
    fi
    _fc_docker_say "engine up at $DOCKER_HOST"
    if ! _fc_docker_has_image "$base_tag"; then
        _fc_docker_base "$root" "$base_tag" || {
            _fc_docker_skip "could not make the local base image $base_tag (debootstrap)"
            return 0
        }
    fi
    if ! _fc_docker_has_image "$image_tag"; then
        _fc_docker_say "building $image_tag from the Dockerfile (several minutes)"
        python -m runner.image --tag "$image_tag" --base "$base_tag" >"$root/build.log" 2>&1 || {
            tail -n 20 "$root/build.log" >&2
            _fc_docker_skip "the grading image $image_tag did not build (log above)"
            return 0
        }
        tail -n 1 "$root/build.log" >&2
    fi
    export CHALLENGE_IMAGE="$image_tag"
    return 0
}

_fc_docker_ping() {
    python - <<'EOF' >/dev/null 2>&1
import docker
docker.from_env(timeout=5).ping()
EOF
}

_fc_docker_has_image() {
    FC_TAG="$1" python - <<'EOF' >/dev/null 2>&1
import os, docker
docker.from_env(timeout=30).images.get(os.environ["FC_TAG"])
EOF
}

_fc_docker_base() {
    local root="$1" tag="$2" rootfs="$1/rootfs"
    _fc_docker_say "making the base image $tag with debootstrap"
    rm -rf "$rootfs"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$rootfs" http://deb.debian.org/debian >"$root/debootstrap.log" 2>&1 \
        || { tail -n 5 "$root/debootstrap.log" >&2; rm -rf "$rootfs"; return 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    # docker import through the SDK: the API speaks the tar stream directly.
    FC_ROOTFS="$rootfs" FC_TAG="$tag" python - <<'EOF' >&2 || { rm -rf "$rootfs"; return 1; }
import io, os, subprocess, docker
client = docker.from_env(timeout=600)
tar = subprocess.Popen(["tar", "-C", os.environ["FC_ROOTFS"], "-c", "."],
                       stdout=subprocess.PIPE)
repo, _, tag = os.environ["FC_TAG"].partition(":")
client.api.import_image_from_stream(tar.stdout, repository=repo, tag=tag or "latest")
tar.wait()
print("docker.sh: base image", os.environ["FC_TAG"], "imported")
EOF
    rm -rf "$rootfs"
}

_fc_docker_stop() {
    local root="${FC_DOCKER_DIR:-}" pid i
    if [ -z "$root" ] || [ ! -d "$root" ]; then
        unset DOCKER_HOST FC_DOCKER_DIR
        return 0
    fi
    pid="$(cat "$root/dockerd.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        # Containers first (the daemon would leave them to its containerd).
        DOCKER_HOST="unix://$root/docker.sock" python - <<'EOF' >/dev/null 2>&1 || true
import docker
client = docker.from_env(timeout=30)
for c in client.containers.list(all=True):
    c.remove(force=True)
EOF
        kill "$pid" 2>/dev/null || true
        for i in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    # dockerd's own containerd normally leaves with it; make sure, by its pid file.
    for pidfile in "$root"/exec/containerd/containerd.pid "$root"/data/containerd/*.pid; do
        [ -f "$pidfile" ] || continue
        pid="$(cat "$pidfile" 2>/dev/null || true)"
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    if [ "${FC_DOCKER_KEEP:-0}" != 1 ]; then
        # Overlay and shm mounts left by a killed daemon would keep files busy.
        grep -o " $root[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r mnt; do
            umount -l "$mnt" 2>/dev/null || true
        done
        rm -rf "$root" 2>/dev/null || true
        unset FC_DOCKER_DIR
    fi
    unset DOCKER_HOST CHALLENGE_IMAGE
    _fc_docker_say "engine stopped"
    return 0
}

case "${1:-}" in
    start) _fc_docker_start || true ;;
    stop) _fc_docker_stop || true ;;
    *) _fc_docker_say "usage: source .ci/docker.sh start|stop" ;;
esac
