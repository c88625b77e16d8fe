#!/usr/bin/env bash
# Builds the container images of Ordinal's local Kubernetes node from local files only (no registry is reachable):
#
#   image     ref (as containerd names it)                       built from
#   pause     ordinal.local/pause:3.10                           kube/images/pause/pause.c, gcc -static
#   busybox   ordinal.local/busybox:1.35                         the machine's Debian busybox-static, a link per applet
#   coredns   ordinal.local/coredns:1.15.0                       $ORDINAL_COREDNS_BIN (default
#                                                                ~/.cache/ordinal/node/coredns-1.15.0/coredns); skipped
#                                                                with a message when absent
#   jre       ordinal.local/jre:17-bookworm                      debian + openjdk-17-jre-headless (.debs from the mirror)
#   kafka     ordinal.local/kafka:3.9.0                          jre + Kafka 3.9.0 jars from Maven Central
#   operator  docker.io/ordinal/ordinal-operator:0.1.0-SNAPSHOT  src/main/docker/Dockerfile.jvm on temurin, from this
#                                                                work tree's target/quarkus-app (./mvnw package)
#   bases (not in images.tsv): debian = ordinal.local/debian:bookworm-minbase (debootstrap --variant=minbase);
#   temurin = ordinal.local/temurin:25-jre (debian + the machine's Temurin 25 JDK, $ORDINAL_TEMURIN_HOME)
# Each image's Containerfile and files are in kube/images/<image>/ (kube/images/README.md compares them with the
# images they stand in for); the operator's is src/main/docker/Dockerfile.jvm, with BASE_IMAGE set to temurin.
#
# usage: bash kube/build-images.sh [--quiet] [all|base|pause|busybox|coredns|jre|kafka|temurin|operator|debian]...
#   no image named: all. base = debian, jre, temurin. An image brings the bases it is built on.
#   --quiet: print only the images that were built (nothing when all were cached).
#
# Output, in $ORDINAL_IMAGE_CACHE (default ~/.cache/ordinal/images, outside the work tree, shared by clones):
#   <image>-<tag>-<key>.tar  one docker-archive tar per image (uncompressed layers, the ref in its manifest), which
#                            `ctr -n k8s.io images import <tar>` loads
#   images.tsv               "<ref><TAB><absolute tar path>" for each image a node imports (all but the two bases)
#   logs/<image>.log         the last build's output of each image
#   buildah/                 buildah's own storage (vfs driver), a scratch area: the tars are what counts
#   debs/                    the .debs debootstrap downloaded, reused by the next base build
# The operator is also written to <work tree>/target/images.tsv (the same lines, this tree's operator): clones that
# share the cache build different operators under one ref, and the shared index names the last one built.
# One line per image on stdout: ref, built or cached, tar size, seconds, tar path.
#
# Cache keys: an image is rebuilt only when its key changes. Each key is a hash of this script's FORMAT and of the
# image's build function here, of the image's directory under kube/images (Containerfile and files), and of what it
# is built from: the key of its base; the Debian suite, mirror and package; the busybox / CoreDNS binary; gcc's
# version; the Temurin release file and the size and time of its lib/modules; for the operator, Dockerfile.jvm and
# the content of every file of target/quarkus-app. So `./mvnw package` followed by `build-images.sh operator`
# rebuilds the operator image only when the application changed, in about 15 s (the bases stay cached), and checks
# in about 1 s otherwise. New package versions on the Debian mirror do not change any key.
#
# How: buildah (Debian's package) with its own storage and the vfs driver (nothing stays mounted), `--isolation
# chroot`, each build in a network namespace of its own holding only loopback: every input is fetched on the host
# first, by debootstrap (the Debian mirror) and Maven (Maven Central); nothing else reaches the network. One build at a
# time per cache (flock). Needs root, buildah, debootstrap, gcc with a static libc, busybox-static, unshare and ip;
# prints one line saying what is missing otherwise.
set -euo pipefail

FORMAT=1   # raise when this script changes how images are built: every key changes, every image is rebuilt
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="$ROOT/kube/images"
CACHE="${ORDINAL_IMAGE_CACHE:-$HOME/.cache/ordinal/images}"
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${ORDINAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
JRE_PACKAGE=openjdk-17-jre-headless
TEMURIN_HOME="${ORDINAL_TEMURIN_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
COREDNS_BIN="${ORDINAL_COREDNS_BIN:-$HOME/.cache/ordinal/node/coredns-1.15.0/coredns}"
KAFKA_VERSION="$(sed -n 's#.*<kafka.version>\(.*\)</kafka.version>.*#\1#p' "$IMAGES/kafka/pom.xml")"
OPERATOR_APP="$ROOT/target/quarkus-app"
OPERATOR_DOCKERFILE="$ROOT/src/main/docker/Dockerfile.jvm"
OPERATOR_KEEP=3   # operator tars kept (the newest), for clones that share the cache

declare -A REF=(
  [debian]="ordinal.local/debian:$DEBIAN_SUITE-minbase"
  [jre]="ordinal.local/jre:17-$DEBIAN_SUITE"
  [temurin]="ordinal.local/temurin:25-jre"
  [pause]="ordinal.local/pause:3.10"
  [busybox]="ordinal.local/busybox:1.35"
  [coredns]="ordinal.local/coredns:1.15.0"
  [kafka]="ordinal.local/kafka:$KAFKA_VERSION"
  [operator]="ordinal/ordinal-operator:0.1.0-SNAPSHOT"
)
# The refs as containerd names them after an import (docker.io/ before a name without a registry): buildah's storage
# gets these names too, so that each tar's manifest carries exactly one name (a short name there becomes localhost/...).
for img in "${!REF[@]}"; do
  case "${REF[$img]%%/*}" in
    *.*|*:*|localhost) ;;
    *) REF[$img]="docker.io/${REF[$img]}" ;;
  esac
done
declare -A BASE=([jre]=debian [temurin]=debian [kafka]=jre [operator]=temurin)
ORDER=(debian jre temurin pause busybox coredns kafka operator)   # every image after its base
NODE_IMAGES=(pause busybox coredns jre kafka operator)            # the ones images.tsv lists

fail() { echo "build-images: $*" >&2; exit 1; }
usage() {
  echo "usage: bash kube/build-images.sh [--quiet] [all|base|pause|busybox|coredns|jre|kafka|temurin|operator|debian]..."
  echo "  (the head of kube/build-images.sh says what each image is, where the tars go and how they are cached)"
}

QUIET=false
declare -A WANTED=()
EXPLICIT=()
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=true ;;
    -h|--help) usage; exit 0 ;;
    all) for i in "${ORDER[@]}"; do WANTED[$i]=1; done ;;
    base) WANTED[debian]=1; WANTED[jre]=1; WANTED[temurin]=1; EXPLICIT+=(debian jre temurin) ;;
    debian|jre|temurin|pause|busybox|coredns|kafka|operator) WANTED[$arg]=1; EXPLICIT+=("$arg") ;;
    *) fail "unknown image '$arg' (images: all base pause busybox coredns jre kafka temurin operator debian)" ;;
  esac
done
(( ${#WANTED[@]} > 0 )) || for i in "${ORDER[@]}"; do WANTED[$i]=1; done
is_explicit() { local e; for e in "${EXPLICIT[@]}"; do [ "$e" = "$1" ] && return 0; done; return 1; }

# --- helpers -----------------------------------------------------------------------------------------------------
sha() { sha256sum | cut -c1-64; }
# A hash of a directory's files: relative path, mode and content of each file, target of each link.
tree_hash() {
  (cd "$1" && find . \( -type f -o -type l \) -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
    if [ -L "$f" ]; then printf 'L %s %s\n' "$f" "$(readlink "$f")"
    else printf 'F %s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum < "$f" | cut -c1-64)"; fi
  done) | sha
}
tar_path() { local tag="${REF[$1]##*:}"; echo "$CACHE/$1-$tag-${KEY[$1]:0:12}.tar"; }
bah() { buildah --root "$CACHE/buildah/root" --runroot "$CACHE/buildah/run" --storage-driver vfs "$@"; }
# Runs a command in a new network namespace that holds only loopback: builds reach nothing else.
offline() { unshare --net -- bash -c 'ip link set lo up && exec "$@"' offline "$@"; }
log_of() { echo "$CACHE/logs/$1.log"; }
failed() { # image, what failed
  local last   # the last line that says something (buildah's closing "building at STEP" repeats the step)
  last="$(grep -v -e '^[[:space:]]*$' -e '^Error: building at STEP' "$(log_of "$1")" 2>/dev/null | tail -1 | cut -c1-300)"
  fail "$1: $2 failed${last:+: $last} (log: $(log_of "$1"))"
}
human_size() { du -h --apparent-size "$1" | cut -f1; }
report() { # image, built|cached, seconds
  [ "$2" = built ] || ! $QUIET || return 0
  printf '%-50s %-6s %6s %4s s  %s\n' "${REF[$1]}" "$2" "$(human_size "$(tar_path "$1")")" "$3" "$(tar_path "$1")"
}

# --- preconditions -----------------------------------------------------------------------------------------------
mkdir -p "$CACHE/logs" "$CACHE/tmp" "$CACHE/buildah" 2>/dev/null || fail "cannot create the image cache $CACHE (set ORDINAL_IMAGE_CACHE to a writable directory)"
exec 9>"$CACHE/.build.lock"
flock 9 || fail "cannot lock $CACHE/.build.lock"

WORK=""
cleanup() {
  local status=$?
  # buildah's working containers of an interrupted build, and anything left mounted below the cache (debootstrap
  # mounts /proc and /sys in its target; buildah's chroot isolation mounts below its run root)
  if [ -d "$CACHE/buildah/root" ] && command -v buildah >/dev/null 2>&1; then bah rm --all >/dev/null 2>&1 || true; fi
  local m
  for m in $(awk -v c="$CACHE/" 'index($2, c) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then rm -rf --one-file-system "$WORK" 2>/dev/null || true; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_tools() { # image, commands...
  local img="$1" c; shift
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || fail "$img: '$c' is needed and was not found on PATH (apt-get install -y buildah debootstrap busybox-static gcc libc6-dev util-linux iproute2)"
  done
  [ "$(id -u)" = 0 ] || fail "$img: building images needs root (debootstrap; buildah with its own storage under $CACHE)"
}

# --- keys --------------------------------------------------------------------------------------------------------
declare -A KEY=()
key_of() { # image (the key of its base first)
  local img="$1" base="${BASE[$1]:-}" inputs
  [ -n "${KEY[$img]:-}" ] && return 0
  [ -z "$base" ] || key_of "$base"
  inputs="format=$FORMAT image=$img ref=${REF[$img]} base=${base:+${KEY[$base]}} how=$(declare -f "build_$img" | sha)"
  [ ! -d "$IMAGES/$img" ] || inputs+=" dir=$(tree_hash "$IMAGES/$img")"
  case "$img" in
    debian) inputs+=" suite=$DEBIAN_SUITE mirror=$DEBIAN_MIRROR variant=minbase" ;;
    jre) inputs+=" package=$JRE_PACKAGE" ;;
    temurin)
      [ -f "$TEMURIN_HOME/release" ] && [ -f "$TEMURIN_HOME/lib/modules" ] \
        || fail "temurin: no Temurin 25 JDK at $TEMURIN_HOME (set ORDINAL_TEMURIN_HOME to the directory of a Temurin 25 JDK)"
      inputs+=" release=$(sha < "$TEMURIN_HOME/release") modules=$(stat -c '%s %Y' "$TEMURIN_HOME/lib/modules")" ;;
    pause) inputs+=" gcc=$(gcc --version 2>/dev/null | head -1)" ;;
    busybox) inputs+=" busybox=$(sha < "$(command -v busybox)")" ;;
    coredns) inputs+=" coredns=$(sha < "$COREDNS_BIN")" ;;
    operator) inputs+=" dockerfile=$(sha < "$OPERATOR_DOCKERFILE") app=$(tree_hash "$WORK/operator/target/quarkus-app")" ;;
  esac
  KEY[$img]="$(printf '%s' "$inputs" | sha)"
}

# --- building ----------------------------------------------------------------------------------------------------
# buildah bud of <context> (its Containerfile unless -f is given) into the ref, then the docker-archive tar.
bud_and_export() { # image, context, extra bud arguments...
  local img="$1" ctx="$2" tar tmp; shift 2
  tar="$(tar_path "$img")"
  tmp="$tar.tmp.$$"
  offline buildah --root "$CACHE/buildah/root" --runroot "$CACHE/buildah/run" --storage-driver vfs \
      bud --isolation chroot --pull=never --layers=false --format docker \
      --label "dev.ordinal.image.key=${KEY[$img]}" -t "${REF[$img]}" "$@" "$ctx" >>"$(log_of "$img")" 2>&1 \
    || failed "$img" "buildah bud"
  rm -f "$tmp"
  bah push "${REF[$img]}" "docker-archive:$tmp:${REF[$img]}" >>"$(log_of "$img")" 2>&1 || failed "$img" "buildah push"
  mv -f "$tmp" "$tar"
  # older tars of this image: gone (the operator keeps a few, for other clones' builds)
  local keep=1 old
  [ "$img" = operator ] && keep=$OPERATOR_KEEP
  for old in $(ls -t "$CACHE/$img"-*.tar 2>/dev/null | tail -n +$((keep + 1))); do rm -f "$old"; done
  # the node images leave buildah's storage (only the bases are built upon)
  case "$img" in debian|jre|temurin) ;; *) bah rmi "${REF[$img]}" >/dev/null 2>&1 || true ;; esac
  bah rmi --prune >/dev/null 2>&1 || true
}

# A base must be in buildah's storage, as the tar of its current key holds it, before an image is built FROM it.
ensure_in_storage() { # base image
  local img="$1" have
  have="$(bah inspect --type image --format '{{index .Docker.Config.Labels "dev.ordinal.image.key"}}' "${REF[$img]}" 2>/dev/null || true)"
  [ "$have" = "${KEY[$img]}" ] && return 0
  bah rmi -f "${REF[$img]}" >/dev/null 2>&1 || true
  bah pull "docker-archive:$(tar_path "$img")" >>"$(log_of "$img")" 2>&1 \
    || failed "$img" "loading $(tar_path "$img") into buildah's storage"
}

build_debian() {
  need_tools debian debootstrap buildah unshare ip tar
  local ctx="$WORK/debian" rootfs="$WORK/debian-rootfs"
  mkdir -p "$ctx" "$CACHE/debs"
  debootstrap --variant=minbase --cache-dir="$CACHE/debs" "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" \
    >>"$(log_of debian)" 2>&1 || failed debian "debootstrap $DEBIAN_SUITE from $DEBIAN_MIRROR"
  # what a container image has no use for, and what debootstrap took from this machine (resolver, host name)
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
         "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/lintian/* \
         "$rootfs"/var/log/bootstrap.log "$rootfs"/var/log/dpkg.log "$rootfs"/var/log/alternatives.log \
         "$rootfs"/var/log/apt/* "$rootfs"/etc/hostname
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  # the manual sections stay as empty directories: update-alternatives (the JRE's java.1.gz) links into man1
  mkdir -p "$rootfs"/usr/share/man/man{1,2,3,4,5,6,7,8}
  : > "$rootfs/etc/resolv.conf"
  install -m 644 "$IMAGES/debian/dpkg-slim.cfg" "$rootfs/etc/dpkg/dpkg.cfg.d/ordinal-slim"
  tar --numeric-owner -C "$rootfs" -cf "$ctx/rootfs.tar" . || failed debian "tar of the root file system"
  rm -rf --one-file-system "$rootfs"
  cp "$IMAGES/debian/Containerfile" "$ctx/"
  bud_and_export debian "$ctx"
}

build_jre() {
  need_tools jre debootstrap buildah unshare ip
  local ctx="$WORK/jre" dl="$WORK/jre-download"
  mkdir -p "$ctx/debs" "$CACHE/debs"
  # the JRE with every package it needs, resolved against minbase; the RUN step installs those minbase lacks
  debootstrap --variant=minbase --download-only --include="$JRE_PACKAGE" --cache-dir="$CACHE/debs" \
      "$DEBIAN_SUITE" "$dl" "$DEBIAN_MIRROR" >>"$(log_of jre)" 2>&1 \
    || failed jre "debootstrap --download-only of $JRE_PACKAGE from $DEBIAN_MIRROR"
  mv "$dl"/var/cache/apt/archives/*.deb "$ctx/debs/"
  rm -rf --one-file-system "$dl"
  cp "$IMAGES/jre/Containerfile" "$ctx/"
  ensure_in_storage debian
  bud_and_export jre "$ctx"
}

build_temurin() {
  need_tools temurin buildah unshare ip
  local ctx="$WORK/temurin"
  mkdir -p "$ctx"
  # the JDK as installed (cp -a keeps the file times an AOT cache is checked against), less what only a compiler or
  # a developer reads
  cp -a "$TEMURIN_HOME" "$ctx/jdk"
  rm -rf "$ctx/jdk/lib/src.zip" "$ctx/jdk/lib/ct.sym" "$ctx/jdk/include" "$ctx/jdk/man" "$ctx/jdk/jmods" "$ctx/jdk/demo"
  cp "$IMAGES/temurin/Containerfile" "$ctx/"
  ensure_in_storage debian
  bud_and_export temurin "$ctx"
}

build_pause() {
  need_tools pause gcc strip buildah unshare ip
  local ctx="$WORK/pause"
  mkdir -p "$ctx"
  gcc -Os -static -Wall -Wextra -o "$ctx/pause" "$IMAGES/pause/pause.c" >>"$(log_of pause)" 2>&1 \
    || failed pause "gcc -static (the static C library is in libc6-dev)"
  strip "$ctx/pause"
  cp "$IMAGES/pause/Containerfile" "$ctx/"
  bud_and_export pause "$ctx"
}

build_busybox() {
  need_tools busybox busybox buildah unshare ip tar
  local ctx="$WORK/busybox" rootfs="$WORK/busybox-rootfs" applet
  mkdir -p "$ctx" "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,var,proc,sys,dev,home}
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  # --list-full names each applet with its directory (bin/sh, usr/bin/wget ...): one link per applet
  for applet in $(busybox --list-full); do
    [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$rootfs/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  chmod 1777 "$rootfs/tmp"
  chmod 700 "$rootfs/root"
  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$ctx/rootfs.tar" . || failed busybox "tar"
  cp "$IMAGES/busybox/Containerfile" "$ctx/"
  bud_and_export busybox "$ctx"
}

build_coredns() {
  need_tools coredns buildah unshare ip
  local ctx="$WORK/coredns"
  mkdir -p "$ctx"
  cp "$COREDNS_BIN" "$ctx/coredns"
  chmod 755 "$ctx/coredns"
  cp "$IMAGES/coredns/Containerfile" "$ctx/"
  bud_and_export coredns "$ctx"
}

build_kafka() {
  need_tools kafka buildah unshare ip
  local ctx="$WORK/kafka"
  mkdir -p "$ctx"
  cp -r "$IMAGES/kafka/bin" "$IMAGES/kafka/docker" "$IMAGES/kafka/Containerfile" "$ctx/"
  # the jars, from Maven Central (or the local Maven repository)
  (cd "$ROOT" && ./mvnw -B -ntp -q -f kube/images/kafka/pom.xml dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$ctx/libs") >>"$(log_of kafka)" 2>&1 \
    || failed kafka "./mvnw dependency:copy-dependencies of kube/images/kafka/pom.xml (Kafka $KAFKA_VERSION jars from Maven Central)"
  [ -f "$ctx/libs/kafka_2.13-$KAFKA_VERSION.jar" ] || failed kafka "copy-dependencies gave no kafka_2.13-$KAFKA_VERSION.jar"
  ensure_in_storage jre
  bud_and_export kafka "$ctx"
}

build_operator() {
  need_tools operator buildah unshare ip
  ensure_in_storage temurin
  bud_and_export operator "$WORK/operator" -f "$OPERATOR_DOCKERFILE" --build-arg "BASE_IMAGE=${REF[temurin]}"
}

# --- main --------------------------------------------------------------------------------------------------------
WORK="$(mktemp -d "$CACHE/tmp/work.XXXXXX")"

# Which images to go through: the wanted ones and their bases; images whose input is missing are skipped (a named
# one is an error).
declare -A SKIP=()
if [ -n "${WANTED[coredns]:-}" ] && [ ! -f "$COREDNS_BIN" ]; then
  is_explicit coredns && fail "coredns: no CoreDNS binary at $COREDNS_BIN (the node build makes it; or set ORDINAL_COREDNS_BIN)"
  SKIP[coredns]="no CoreDNS binary at $COREDNS_BIN (set ORDINAL_COREDNS_BIN, or build the node first)"
fi
if [ -n "${WANTED[operator]:-}" ]; then
  if [ ! -f "$OPERATOR_APP/quarkus-run.jar" ]; then
    is_explicit operator && fail "operator: no $OPERATOR_APP/quarkus-run.jar (run ./mvnw -B -ntp package -DskipTests first)"
    SKIP[operator]="no $OPERATOR_APP (run ./mvnw package first)"
  else
    # a copy, so that the image holds exactly the files hashed, even if a build rewrites target/ meanwhile
    mkdir -p "$WORK/operator/target"
    cp -a "$OPERATOR_APP" "$WORK/operator/target/quarkus-app"
  fi
fi
for (( i = ${#ORDER[@]} - 1; i >= 0; i-- )); do   # ORDER backwards: a base's own base comes in too
  img="${ORDER[$i]}"
  if [ -n "${WANTED[$img]:-}" ] && [ -z "${SKIP[$img]:-}" ] && [ -n "${BASE[$img]:-}" ]; then
    WANTED[${BASE[$img]}]=1
  fi
done

BUILT=false
for img in "${ORDER[@]}"; do
  [ -n "${WANTED[$img]:-}" ] || continue
  if [ -n "${SKIP[$img]:-}" ]; then
    printf '%-50s %-6s %s\n' "${REF[$img]}" skipped "${SKIP[$img]}"
    continue
  fi
  key_of "$img"
  if [ -s "$(tar_path "$img")" ]; then
    report "$img" cached 0
    continue
  fi
  started=$(date +%s)
  : > "$(log_of "$img")"
  "build_$img"
  report "$img" built $(( $(date +%s) - started ))
  BUILT=true
done

# buildah's storage keeps the bases only (what an interrupted or older build left goes too)
if $BUILT && [ -d "$CACHE/buildah/root" ]; then
  for name in $(bah images --noheading --format '{{.Name}}:{{.Tag}}' 2>/dev/null); do
    case "$name" in "${REF[debian]}"|"${REF[jre]}"|"${REF[temurin]}") ;; *) bah rmi -f "$name" >/dev/null 2>&1 || true ;; esac
  done
  bah rmi --prune >/dev/null 2>&1 || true
fi

# images.tsv: this run's images replace their lines; lines of images not built here stay while their tar exists
index="$CACHE/images.tsv"
declare -A LINE=()
if [ -f "$index" ]; then
  while IFS=$'\t' read -r ref path; do
    [ -n "$ref" ] && [ -f "$path" ] && LINE[$ref]="$path"
  done < "$index"
fi
for img in "${NODE_IMAGES[@]}"; do
  [ -n "${KEY[$img]:-}" ] && [ -s "$(tar_path "$img")" ] && LINE[${REF[$img]}]="$(tar_path "$img")"
done
{
  for img in "${NODE_IMAGES[@]}"; do
    [ -n "${LINE[${REF[$img]}]:-}" ] && printf '%s\t%s\n' "${REF[$img]}" "${LINE[${REF[$img]}]}"
  done
} > "$index.tmp.$$"
mv -f "$index.tmp.$$" "$index"
if [ -n "${KEY[operator]:-}" ]; then
  cp "$index" "$ROOT/target/images.tsv.tmp.$$" && mv -f "$ROOT/target/images.tsv.tmp.$$" "$ROOT/target/images.tsv"
fi
