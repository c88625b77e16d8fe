#!/usr/bin/env bash
# Builds the two images that Quarkus Dev Services for Kubernetes starts in its `api-only` flavor (the kindcontainer
# library's ApiServerContainer, -Pdevservices), from the control plane's own binaries (kube/build-control-plane.sh),
# with no registry:
#
#   ref                                          holds                                       named so because
#   ordinal.local/kube-apiserver:v<kube>         kube-apiserver of ~/.cache/ordinal/kube/<v>   application.properties
#                                                                                            (%devservices) names it
#                                                                                            in quarkus.kubernetes-
#                                                                                            client.devservices.image-name
#   registry.k8s.io/etcd:3.5.12-0                etcd of the same folder (etcd 3.6.x)        kindcontainer 2.0.0 starts
#                                                                                            exactly this ref beside the
#                                                                                            API server; Quarkus offers
#                                                                                            no setting for it
#
# Each image: the binary in /usr/local/bin on an empty file system with /tmp, /etc/passwd and /etc/group
# (kube/images/devservices/Containerfile). The library runs `kube-apiserver --...` and `etcd --...` as the command
# and copies its certificates in before the start, so nothing else is needed.
#
# usage: bash kube/build-devservices-images.sh [--load]
#   --load  also `docker load`s both tars into the engine DOCKER_HOST names (kube/devservices/engine.sh does that)
# Output, in ${ORDINAL_IMAGE_CACHE:-~/.cache/ordinal/images}/devservices/: <name>-<tag>-<key>.tar (docker-archive,
# the ref in its manifest) and images.tsv ("<ref><TAB><tar>"). The key hashes this script's FORMAT, the Containerfile
# and the binary: an image is built once per binary (~10 s each), then the script prints one line and builds
# nothing. Builds run in a network namespace that holds only loopback, with buildah (--pull=never, vfs storage under
# the cache). Needs root, buildah, unshare, ip, tar, and the control plane's binaries (built first when missing).
set -euo pipefail

FORMAT=1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KUBE_VERSION="${ORDINAL_KUBE_VERSION:-$(sed -n 's#.*<ordinal.kube.version>\(.*\)</ordinal.kube.version>.*#\1#p' "$ROOT/pom.xml" | head -1)}"
BIN="${ORDINAL_KUBE_BIN:-$HOME/.cache/ordinal/kube/$KUBE_VERSION}"
CACHE="${ORDINAL_IMAGE_CACHE:-$HOME/.cache/ordinal/images}/devservices"
CONTAINERFILE="$ROOT/kube/images/devservices/Containerfile"
declare -A REF=(
  [kube-apiserver]="ordinal.local/kube-apiserver:v$KUBE_VERSION"
  [etcd]="registry.k8s.io/etcd:3.5.12-0"
)
ORDER=(kube-apiserver etcd)

fail() { echo "build-devservices-images: $*" >&2; exit 1; }
LOAD=false
for arg in "$@"; do
  case "$arg" in
    --load) LOAD=true ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown argument '$arg' (usage: bash kube/build-devservices-images.sh [--load])" ;;
  esac
done

[ "$(id -u)" = 0 ] || fail "building images needs root (buildah with its own storage under $CACHE)"
for c in buildah unshare ip tar sha256sum; do
  command -v "$c" >/dev/null 2>&1 || fail "'$c' is needed and was not found on PATH (apt-get install -y buildah util-linux iproute2)"
done
if [ ! -x "$BIN/kube-apiserver" ] || [ ! -x "$BIN/etcd" ]; then
  bash "$ROOT/kube/build-control-plane.sh" >&2 || fail "no control-plane binaries in $BIN and kube/build-control-plane.sh failed"
fi

mkdir -p "$CACHE/logs" "$CACHE/tmp"
exec 9>"$CACHE/.build.lock"
flock 9 || fail "cannot lock $CACHE/.build.lock"

sha() { sha256sum | cut -c1-64; }
bah() { buildah --root "$CACHE/buildah/root" --runroot "$CACHE/buildah/run" --storage-driver vfs "$@"; }
WORK=""
cleanup() {
  local status=$? m
  if [ -d "$CACHE/buildah/root" ]; then bah rm --all >/dev/null 2>&1 || true; fi
  for m in $(awk -v c="$CACHE/" 'index($2, c) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  [ -z "$WORK" ] || rm -rf --one-file-system "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
WORK="$(mktemp -d "$CACHE/tmp/work.XXXXXX")"

key_of() { # image
  printf 'format=%s ref=%s containerfile=%s binary=%s how=%s' "$FORMAT" "${REF[$1]}" "$(sha < "$CONTAINERFILE")" \
    "$(sha < "$BIN/$1")" "$(declare -f build | sha)" | sha
}
tar_of() { # image, key
  local tag="${REF[$1]##*:}"
  echo "$CACHE/$1-$tag-${2:0:12}.tar"
}

build() { # image, tar
  local img="$1" tar="$2" ctx="$WORK/$1" rootfs="$WORK/$1-rootfs" log="$CACHE/logs/$1.log"
  : > "$log"
  mkdir -p "$ctx" "$rootfs"/{etc,tmp,var/lib,usr/bin,bin}
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$ctx/rootfs.tar" .
  cp "$BIN/$img" "$ctx/$img"
  chmod 755 "$ctx/$img"
  cp "$CONTAINERFILE" "$ctx/Containerfile"
  unshare --net -- bash -c 'ip link set lo up && exec "$@"' offline \
    buildah --root "$CACHE/buildah/root" --runroot "$CACHE/buildah/run" --storage-driver vfs \
      bud --isolation chroot --pull=never --layers=false --format docker --build-arg "BINARY=$img" \
      --label "dev.ordinal.image.key=$(key_of "$img")" -t "${REF[$img]}" "$ctx" >>"$log" 2>&1 \
    || fail "$img: buildah bud failed: $(tail -1 "$log") (log: $log)"
  rm -f "$tar.tmp"
  bah push "${REF[$img]}" "docker-archive:$tar.tmp:${REF[$img]}" >>"$log" 2>&1 \
    || fail "$img: buildah push failed: $(tail -1 "$log") (log: $log)"
  mv -f "$tar.tmp" "$tar"
  bah rmi -f "${REF[$img]}" >/dev/null 2>&1 || true
  bah rmi --prune >/dev/null 2>&1 || true
  local old
  for old in "$CACHE/$img"-*.tar; do [ "$old" = "$tar" ] || rm -f "$old"; done
}

index="$CACHE/images.tsv"
: > "$index.tmp"
for img in "${ORDER[@]}"; do
  key="$(key_of "$img")"
  tar="$(tar_of "$img" "$key")"
  started=$(date +%s)
  state=cached
  if [ ! -s "$tar" ]; then
    build "$img" "$tar"
    state=built
  fi
  printf '%-42s %-6s %5s %3s s  %s\n' "${REF[$img]}" "$state" "$(du -h --apparent-size "$tar" | cut -f1)" \
    "$(( $(date +%s) - started ))" "$tar"
  printf '%s\t%s\n' "${REF[$img]}" "$tar" >> "$index.tmp"
done
mv -f "$index.tmp" "$index"

if $LOAD; then
  command -v docker >/dev/null 2>&1 || fail "--load: no docker client on PATH"
  while IFS=$'\t' read -r ref tar; do
    docker load -q -i "$tar" >/dev/null || fail "docker load -i $tar failed (DOCKER_HOST=${DOCKER_HOST:-<default>})"
    echo "loaded $ref"
  done < "$index"
fi
