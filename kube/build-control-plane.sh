#!/usr/bin/env bash
# Builds the real Kubernetes control plane Ordinal's tests, dev mode and benchmarks run on, from pinned Go modules:
#   kube-apiserver, kube-controller-manager, kubectl  from k8s.io/kubernetes        v$KUBE_VERSION
#   etcd                                              from go.etcd.io/etcd/server/v3 v$ETCD_VERSION
# into $ORDINAL_KUBE_CACHE/$KUBE_VERSION/ (default ~/.cache/ordinal/kube/<version>/), outside the work tree.
# Does nothing when all four binaries of these versions are already there. Needs Go (>= the release's go directive)
# and the Go module proxy; prints one line saying what is missing otherwise. See docs/control-plane.md.
#
# The wrapper module that makes k8s.io/kubernetes buildable from the module proxy is written by kube/lib/kube-module.sh
# (shared with kube/build-node.sh), which says why it is needed.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
CACHE_ROOT="${ORDINAL_KUBE_CACHE:-$HOME/.cache/ordinal/kube}"
OUT="$CACHE_ROOT/$KUBE_VERSION"
BINARIES=(kube-apiserver kube-controller-manager kubectl etcd)

fail() { echo "build-control-plane: $*" >&2; exit 1; }

all_present() {
  for b in "${BINARIES[@]}"; do [ -x "$OUT/$b" ] || return 1; done
  [ -f "$OUT/VERSIONS" ] && grep -qx "etcd=$ETCD_VERSION" "$OUT/VERSIONS"
}

if all_present; then
  [ "${1:-}" = "--quiet" ] || echo "build-control-plane: kube $KUBE_VERSION and etcd $ETCD_VERSION already in $OUT"
  exit 0
fi

# One build at a time per cache (several clones on one machine share it); the one that waited finds the binaries.
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  if all_present; then
    echo "build-control-plane: kube $KUBE_VERSION and etcd $ETCD_VERSION were built meanwhile in $OUT"
    exit 0
  fi
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"   # the usual place of a Go installed from go.dev, often not on PATH
fi
command -v go >/dev/null 2>&1 || fail "Go is needed to build the control plane (kube-apiserver, etcd) and was not found on PATH: install Go (1.26 or newer; an older Go >= 1.21 fetches the 1.26 toolchain itself through the module proxy) from https://go.dev/doc/install, then run ./mvnw verify again."

# shellcheck source=kube/lib/kube-module.sh
. "$(cd "$(dirname "$0")" && pwd)/lib/kube-module.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/ordinal-kube-build.XXXXXX")"
STAGE=""
trap 'rm -rf "$work" ${STAGE:+"$STAGE"}' EXIT
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
# Go's own toolchain switch only where the release asks for a newer Go than the machine has.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

started=$(date +%s)
echo "build-control-plane: building kube $KUBE_VERSION and etcd $ETCD_VERSION into $OUT (first time only; about 15-25 min on 2 cores)"

# --- Kubernetes --------------------------------------------------------------------------------------------------
mkdir -p "$work/kube"
cd "$work/kube"
kube_wrapper_module ordinal.dev/kube-control-plane kube-apiserver kube-controller-manager kubectl
version_flags="$(kube_version_flags)"
STAGE="$(mktemp -d "$OUT.tmp.XXXXXX")"
for cmd in kube-apiserver kube-controller-manager kubectl; do
  echo "build-control-plane: go build $cmd"
  go build -trimpath -ldflags "-s -w $version_flags" -o "$STAGE/$cmd" "k8s.io/kubernetes/cmd/$cmd" >"build-$cmd.log" 2>&1 \
    || { tail -20 "build-$cmd.log" >&2; fail "go build of $cmd v$KUBE_VERSION failed (log above)"; }
done

# --- etcd --------------------------------------------------------------------------------------------------------
# The server's package main is the module root of go.etcd.io/etcd/server/v3; its go.mod has replaces too, so it is
# built from a wrapper that requires it.
mkdir -p "$work/etcd"
cd "$work/etcd"
cat > go.mod <<MOD
module ordinal.dev/etcd-server

go $GO_DIRECTIVE

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
MOD
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
go mod tidy -e >tidy.log 2>&1 || fail "go mod tidy failed for etcd $ETCD_VERSION: $(tail -1 tidy.log)"
echo "build-control-plane: go build etcd"
go build -trimpath -ldflags "-s -w" -o "$STAGE/etcd" go.etcd.io/etcd/server/v3 >build-etcd.log 2>&1 \
  || { tail -20 build-etcd.log >&2; fail "go build of etcd v$ETCD_VERSION failed (log above)"; }

printf 'kube=%s\netcd=%s\ngo=%s\n' "$KUBE_VERSION" "$ETCD_VERSION" "$(go env GOVERSION)" > "$STAGE/VERSIONS"
rm -rf "$OUT"
mv -T "$STAGE" "$OUT"
chmod 755 "$OUT"
echo "build-control-plane: done in $(( $(date +%s) - started )) s: $(ls "$OUT" | tr '\n' ' ')"
