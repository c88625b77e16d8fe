#!/usr/bin/env bash
# Builds the kubectl plugin `kubectl ordinal` (the Go module plugin/kubectl-ordinal/, docs/kubectl-plugin.md):
#   $ORDINAL_PLUGIN_CACHE/<version>-<source hash>/kubectl-ordinal   (default ~/.cache/ordinal/plugin/), outside the tree
# and copies it to target/kubectl-ordinal, where the tests (dev.ordinal.plugin) and users find it. The folder name
# carries the project version and a hash of the module's sources, so an unchanged plugin is not built again and a
# changed one is. Before it publishes a new build it runs the module's go test.
#
# Arguments: --quiet (no line when nothing is built); --release additionally cross-builds the krew archives
# (linux/darwin, amd64/arm64) into target/krew/ and renders plugin/krew/ordinal.yaml with their sha256 there.
# Environment: PLUGIN_VERSION (default: the project version from pom.xml); KREW_BASE_URL (--release: where the
# archives will be published; default file://<target/krew>). Needs Go and the Go module proxy (the first
# build fetches client-go and cobra, about 1 min; later ones take seconds); prints one line saying so otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
MODULE="$ROOT/plugin/kubectl-ordinal"
CACHE_ROOT="${ORDINAL_PLUGIN_CACHE:-$HOME/.cache/ordinal/plugin}"
TARGET="$ROOT/target"

fail() { echo "build-plugin: $*" >&2; exit 1; }

QUIET="" RELEASE=""
for a in "$@"; do
  case "$a" in
    --quiet) QUIET=1 ;;
    --release) RELEASE=1 ;;
    *) fail "unknown argument $a: use --quiet and/or --release" ;;
  esac
done

if [ -z "${PLUGIN_VERSION:-}" ]; then
  PLUGIN_VERSION="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -1)"
  [ -n "$PLUGIN_VERSION" ] || fail "could not read the project version from pom.xml: set PLUGIN_VERSION"
fi

# the sources that make the binary: every file of the module but its tests, in a stable order
hash="$(cd "$MODULE" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) ! -name '*_test.go' \
  | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)"
OUT="$CACHE_ROOT/$PLUGIN_VERSION-$hash"

publish_to_target() {
  mkdir -p "$TARGET"
  cp -f "$OUT/kubectl-ordinal" "$TARGET/kubectl-ordinal.tmp" && mv -f "$TARGET/kubectl-ordinal.tmp" "$TARGET/kubectl-ordinal"
}

need_go() {
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
    export PATH="$PATH:/usr/local/go/bin"
  fi
  command -v go >/dev/null 2>&1 || fail "Go is needed to build the kubectl plugin (kubectl-ordinal) and was not found on PATH: install Go 1.26 or newer (https://go.dev/doc/install), then run ./mvnw verify again."
  export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
}

LDFLAGS="-s -w -X ordinal.dev/kubectl-ordinal/internal/cli.Version=$PLUGIN_VERSION"

if [ ! -x "$OUT/kubectl-ordinal" ]; then
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/.build.lock"
  command -v flock >/dev/null 2>&1 && flock 9
fi
if [ -x "$OUT/kubectl-ordinal" ]; then
  [ -n "$QUIET" ] || echo "build-plugin: kubectl-ordinal $PLUGIN_VERSION ($hash) already in $OUT"
else
  need_go
  started=$(date +%s)
  STAGE="$(mktemp -d "$CACHE_ROOT/.stage.XXXXXX")"
  log="$STAGE/build.log"
  trap 'rm -rf "$STAGE"' EXIT
  cd "$MODULE"
  go test ./... >"$log" 2>&1 || { tail -30 "$log" >&2; fail "go test of plugin/kubectl-ordinal failed (output above)"; }
  go build -trimpath -ldflags "$LDFLAGS" -o "$STAGE/kubectl-ordinal" . >"$log" 2>&1 \
    || { tail -30 "$log" >&2; fail "go build of kubectl-ordinal failed (output above)"; }
  printf 'version=%s\nsources=%s\ngo=%s\n' "$PLUGIN_VERSION" "$hash" "$(go env GOVERSION)" > "$STAGE/VERSIONS"
  rm -f "$log"
  rm -rf "$OUT"
  mv -T "$STAGE" "$OUT"
  chmod 755 "$OUT"
  trap - EXIT
  echo "build-plugin: kubectl-ordinal $PLUGIN_VERSION built and tested in $(( $(date +%s) - started )) s: $OUT ($(du -k "$OUT/kubectl-ordinal" | cut -f1) KiB)"
fi
publish_to_target

if [ -n "$RELEASE" ]; then
  need_go
  cd "$MODULE"
  krew="$TARGET/krew"
  rm -rf "$krew" && mkdir -p "$krew/bin"
  manifest="$(grep -v '^#' "$ROOT/plugin/krew/ordinal.yaml")"   # the template's own comments name the placeholders
  manifest="${manifest//\{\{VERSION\}\}/$PLUGIN_VERSION}"
  manifest="${manifest//\{\{BASE_URL\}\}/${KREW_BASE_URL:-file://$krew}}"
  for platform in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64; do
    os="${platform%/*}" arch="${platform#*/}"
    dir="$krew/bin/$os-$arch"
    mkdir -p "$dir"
    GOOS="$os" GOARCH="$arch" go build -trimpath -ldflags "$LDFLAGS" -o "$dir/kubectl-ordinal" . \
      || fail "go build of kubectl-ordinal for $platform failed"
    archive="kubectl-ordinal_${PLUGIN_VERSION}_${os}_${arch}.tar.gz"
    tar -C "$dir" --owner=0 --group=0 --mtime='2000-01-01' -czf "$krew/$archive" .
    sum="$(sha256sum "$krew/$archive" | cut -d' ' -f1)"
    key="SHA256_$(echo "${os}_${arch}" | tr '[:lower:]' '[:upper:]')"
    manifest="${manifest//\{\{$key\}\}/$sum}"
  done
  printf '%s\n' "$manifest" > "$krew/ordinal.yaml"
  grep -q '{{' "$krew/ordinal.yaml" && fail "plugin/krew/ordinal.yaml has a placeholder this script does not fill: $(grep -o '{{[A-Z_0-9]*}}' "$krew/ordinal.yaml" | head -1)"
  echo "build-plugin: krew archives and manifest in $krew (install: kubectl krew install --manifest=$krew/ordinal.yaml --archive=$krew/kubectl-ordinal_${PLUGIN_VERSION}_linux_amd64.tar.gz)"
fi
