#!/usr/bin/env bash
# Builds the pinned Helm that lints, renders and installs charts/ordinal (docs/install.md "Helm"), from its Go module
#   helm  from helm.sh/helm/v4 v$HELM_VERSION (cmd/helm)
# into $ORDINAL_HELM_CACHE/$HELM_VERSION/helm (default ~/.cache/ordinal/helm/<version>/helm), outside the work tree.
# Does nothing when that binary is already there. Needs Go (>= the go directive of Helm's go.mod, 1.26 for v4.3) and
# the Go module proxy; prints one line saying what is missing otherwise. Prints the binary's path as its last line.
#
# Helm's go.mod has no replace directives, so `go install <module>/cmd/helm@<version>` builds it as released, checked
# against go.sum and the checksum database like any module; only the version string needs a linker flag (the module
# says "v4.3" in its source and Helm's Makefile stamps the full version at release time).
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-4.3.2}"
CACHE_ROOT="${ORDINAL_HELM_CACHE:-$HOME/.cache/ordinal/helm}"
OUT="$CACHE_ROOT/$HELM_VERSION"
HELM_MODULE="helm.sh/helm/v${HELM_VERSION%%.*}"

fail() { echo "build-helm: $*" >&2; exit 1; }

present() { [ -x "$OUT/helm" ] && "$OUT/helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "v$HELM_VERSION"; }

if present; then
  [ "${1:-}" = "--quiet" ] || echo "build-helm: helm $HELM_VERSION already in $OUT"
  echo "$OUT/helm"
  exit 0
fi

# One build at a time per cache (several clones on one machine share it); the one that waited finds the binary.
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  if present; then
    echo "build-helm: helm $HELM_VERSION was built meanwhile in $OUT"
    echo "$OUT/helm"
    exit 0
  fi
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || fail "Go is needed to build Helm and was not found on PATH: install Go (1.26 or newer) from https://go.dev/doc/install, then run ./mvnw verify again."

STAGE="$(mktemp -d "$OUT.tmp.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
started=$(date +%s)
echo "build-helm: building helm $HELM_VERSION into $OUT (first time only; a few minutes on 2 cores)"
GOBIN="$STAGE" go install -trimpath \
  -ldflags "-s -w -X $HELM_MODULE/internal/version.version=v$HELM_VERSION -X $HELM_MODULE/internal/version.gitTreeState=clean" \
  "$HELM_MODULE/cmd/helm@v$HELM_VERSION" >"$STAGE/build.log" 2>&1 \
  || { tail -20 "$STAGE/build.log" >&2; fail "go install of $HELM_MODULE/cmd/helm@v$HELM_VERSION failed (log above)"; }
rm -f "$STAGE/build.log"
"$STAGE/helm" version --template '{{.Version}}' | grep -qx "v$HELM_VERSION" \
  || fail "the built helm says $("$STAGE/helm" version --short 2>&1), not v$HELM_VERSION"
printf 'helm=%s\ngo=%s\n' "$HELM_VERSION" "$(go env GOVERSION)" > "$STAGE/VERSIONS"
rm -rf "$OUT"
mv -T "$STAGE" "$OUT"
trap - EXIT
chmod 755 "$OUT"
echo "build-helm: done in $(( $(date +%s) - started )) s"
echo "$OUT/helm"
