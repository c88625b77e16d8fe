#!/usr/bin/env bash
# Builds the binaries of Ordinal's real test node from pinned Go modules, each into a folder of its own version under
# $ORDINAL_NODE_CACHE (default ~/.cache/ordinal/node/), outside the work tree:
#   kube-$KUBE_VERSION/        kubelet, kube-scheduler, kube-proxy       k8s.io/kubernetes            v$KUBE_VERSION
#   containerd-$CONTAINERD_VERSION/  containerd, containerd-shim-runc-v2, ctr   github.com/containerd/containerd/v2
#   coredns-$COREDNS_VERSION/  coredns (only the plugins in kube/node/coredns/main.go)   github.com/coredns/coredns
# A folder whose binaries are all there is left alone, so only a changed version is rebuilt. Arguments: --quiet (no
# line when nothing is built) and, optionally, the components to build (kube, containerd, coredns; default all). The Debian packages the
# node also needs (runc, containernetworking-plugins, iptables, conntrack) are installed by .ci/run, not here.
# Needs Go and the Go module proxy; prints one line saying what is missing otherwise. See docs/control-plane.md,
# "The node". kubelet and friends reuse the modules and build cache of kube/build-control-plane.sh: run that first.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-1.37.2}"
CONTAINERD_VERSION="${CONTAINERD_VERSION:-2.4.2}"
COREDNS_VERSION="${COREDNS_VERSION:-1.15.0}"
CACHE_ROOT="${ORDINAL_NODE_CACHE:-$HOME/.cache/ordinal/node}"
HERE="$(cd "$(dirname "$0")" && pwd)"

fail() { echo "build-node: $*" >&2; exit 1; }

# component folder and the binaries it must hold
declare -A WANT=(
  ["kube-$KUBE_VERSION"]="kubelet kube-scheduler kube-proxy"
  ["containerd-$CONTAINERD_VERSION"]="containerd containerd-shim-runc-v2 ctr"
  ["coredns-$COREDNS_VERSION"]="coredns"
)
ORDER=("kube-$KUBE_VERSION" "containerd-$CONTAINERD_VERSION" "coredns-$COREDNS_VERSION")

present() {
  local b
  for b in ${WANT[$1]}; do [ -x "$CACHE_ROOT/$1/$b" ] || return 1; done
}
missing() {
  local c out=()
  for c in "${ORDER[@]}"; do present "$c" || out+=("$c"); done
  echo "${out[@]:-}"
}

QUIET=""
if [ "${1:-}" = "--quiet" ]; then QUIET=1; shift; fi
if [ $# -gt 0 ]; then   # only the named components: kube, containerd, coredns
  chosen=()
  for c in "${ORDER[@]}"; do for a in "$@"; do [ "${c%-*}" = "$a" ] && chosen+=("$c"); done; done
  [ ${#chosen[@]} -gt 0 ] || fail "unknown component(s) $*: choose from kube, containerd, coredns"
  ORDER=("${chosen[@]}")
fi

todo="$(missing)"
if [ -z "$todo" ]; then
  [ -n "$QUIET" ] || echo "build-node: ${ORDER[*]} already in $CACHE_ROOT"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  todo="$(missing)"
  [ -n "$todo" ] || { echo "build-node: built meanwhile in $CACHE_ROOT"; exit 0; }
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || fail "Go is needed to build the node (kubelet, containerd, CoreDNS) and was not found on PATH: install Go 1.26 or newer (https://go.dev/doc/install), then run ./mvnw verify again."

export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
# shellcheck source=kube/lib/kube-module.sh
. "$HERE/lib/kube-module.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/ordinal-node-build.XXXXXX")"
STAGE=""
trap 'rm -rf "$work" ${STAGE:+"$STAGE"}' EXIT

# build_into COMPONENT PACKAGE BINARY [go build flags...]: go build PACKAGE (from the module in the current folder)
# into the staging folder as BINARY.
build_into() {
  local component="$1" pkg="$2" bin="$3"; shift 3
  local t0; t0=$(date +%s)
  go build -trimpath "$@" -o "$STAGE/$bin" "$pkg" >"$work/build-$bin.log" 2>&1 \
    || { tail -20 "$work/build-$bin.log" >&2; fail "go build of $bin ($component) failed (log above)"; }
  echo "build-node: $component: $bin built in $(( $(date +%s) - t0 )) s"
}

# publish COMPONENT: moves the staging folder into place and records the versions it was built with.
publish() {
  printf 'component=%s\ngo=%s\n' "$1" "$(go env GOVERSION)" > "$STAGE/VERSIONS"
  rm -rf "${CACHE_ROOT:?}/$1"
  mv -T "$STAGE" "$CACHE_ROOT/$1"
  chmod 755 "$CACHE_ROOT/$1"
  STAGE=""
}

started=$(date +%s)
for component in $todo; do
  STAGE="$(mktemp -d "$CACHE_ROOT/$component.tmp.XXXXXX")"
  mkdir -p "$work/$component"
  cd "$work/$component"
  case "$component" in
    kube-*)
      echo "build-node: building kubelet, kube-scheduler, kube-proxy v$KUBE_VERSION (about 1 min after the control plane's build; 6 min with an empty Go build cache)"
      kube_wrapper_module ordinal.dev/kube-node kubelet kube-scheduler kube-proxy
      flags="$(kube_version_flags)"
      for cmd in kubelet kube-scheduler kube-proxy; do
        build_into "$component" "k8s.io/kubernetes/cmd/$cmd" "$cmd" -ldflags "-s -w $flags"
      done
      ;;
    containerd-*)
      echo "build-node: building containerd v$CONTAINERD_VERSION (about 1-3 min)"
      printf 'module ordinal.dev/containerd\n\ngo 1.26\n\nrequire github.com/containerd/containerd/v2 v%s\n' \
        "$CONTAINERD_VERSION" > go.mod
      printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "github.com/containerd/containerd/v2/cmd/containerd"\n\t_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"\n\t_ "github.com/containerd/containerd/v2/cmd/ctr"\n)\n' > tools.go
      go mod tidy -e >tidy.log 2>&1 || fail "go mod tidy failed for containerd v$CONTAINERD_VERSION: $(tail -1 tidy.log)"
      # Static binaries: the snapshotters that need cgo (btrfs, devmapper, zfs) are left out; overlayfs is used.
      for cmd in containerd containerd-shim-runc-v2 ctr; do
        build_into "$component" "github.com/containerd/containerd/v2/cmd/$cmd" "$cmd" \
          -tags "no_btrfs no_devmapper no_zfs" \
          -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=v$CONTAINERD_VERSION"
      done
      ;;
    coredns-*)
      echo "build-node: building CoreDNS v$COREDNS_VERSION with the plugins of kube/node/coredns/main.go (about 2 min)"
      cp "$HERE/node/coredns/main.go" .
      printf 'module ordinal.dev/coredns\n\ngo 1.26\n\nrequire github.com/coredns/coredns v%s\n' "$COREDNS_VERSION" > go.mod
      go mod tidy >tidy.log 2>&1 || fail "go mod tidy failed for CoreDNS v$COREDNS_VERSION: $(tail -1 tidy.log)"
      build_into "$component" . coredns -ldflags "-s -w"
      ;;
  esac
  publish "$component"
done
echo "build-node: done in $(( $(date +%s) - started )) s: $(cd "$CACHE_ROOT" && echo "${ORDER[@]}")"
