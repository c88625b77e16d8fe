#!/usr/bin/env bash
# Builds the real Kubernetes control plane Ordinal's tests, dev mode and benchmarks run on, from pinned Go modules:
#   kube-apiserver, kube-controller-manager, kubectl  from k8s.io/kubernetes        v$KUBE_VERSION
#   etcd                                              from go.etcd.io/etcd/server/v3 v$ETCD_VERSION
# into $ORDINAL_KUBE_CACHE/$KUBE_VERSION/ (default ~/.cache/ordinal/kube/<version>/), outside the work tree.
# Does nothing when all four binaries of these versions are already there. Needs Go (>= the release's go directive)
# and the Go module proxy; prints one line saying what is missing otherwise. See docs/control-plane.md.
#
# Why a wrapper module: k8s.io/kubernetes's go.mod requires its staging modules (k8s.io/api, apimachinery, ...) at
# v0.0.0 and replaces them with ./staging paths. A dependency's replace directives are ignored, so `go install
# k8s.io/kubernetes/cmd/kube-apiserver@vX` cannot resolve them. The wrapper requires k8s.io/kubernetes vX and replaces
# every module that the release's own go.mod points at ./staging with the published k8s.io/<name> v0.<minor>.<patch>.
# The list is read from the downloaded go.mod, not written here.
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

minor="${KUBE_VERSION#*.}"; minor="${minor%%.*}"
patch="${KUBE_VERSION##*.}"
staging_version="v0.$minor.$patch"

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
gomod_json="$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" 2>&1)" \
  || fail "cannot fetch k8s.io/kubernetes@v$KUBE_VERSION from the Go module proxy ($(go env GOPROXY)): $(echo "$gomod_json" | tail -1)"
kube_gomod="$(echo "$gomod_json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
[ -f "$kube_gomod" ] || fail "go mod download gave no go.mod for k8s.io/kubernetes@v$KUBE_VERSION"
go_directive="$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$kube_gomod" | head -1)"
staging="$(sed -n 's#^[[:space:]]*\(k8s.io/[A-Za-z0-9._-]*\) => ./staging/.*#\1#p' "$kube_gomod" | sort -u)"
[ -n "$staging" ] || fail "found no staging replace directives in k8s.io/kubernetes@v$KUBE_VERSION's go.mod"

{
  echo "module ordinal.dev/kube-control-plane"
  echo
  echo "go $go_directive"
  echo
  echo "require k8s.io/kubernetes v$KUBE_VERSION"
  echo
  for m in $staging; do echo "replace $m => $m $staging_version"; done
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go mod tidy -e >tidy.log 2>&1 || fail "go mod tidy failed for kube $KUBE_VERSION: $(tail -1 tidy.log)"

version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  version_flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
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

go $go_directive

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
