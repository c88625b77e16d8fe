#!/usr/bin/env bash
# A Docker engine for the test run of -Pdevservices only (docs/control-plane.md, "Quarkus Dev Services"): Debian's
# dockerd and containerd, started for one command and gone after it. Needs root, Debian's docker.io package (dockerd,
# containerd, runc, docker-proxy), iproute2 and util-linux (unshare), and builds its images first
# (kube/build-devservices-images.sh: buildah).
#
#   engine.sh run CMD...   runs CMD in a network namespace of its own (unshare --net: loopback and the engine's
#                          bridge, no link to the host's network at all), where it first starts containerd and dockerd
#                          and `docker load`s the images; CMD gets DOCKER_HOST (Testcontainers and the docker client
#                          use it). Afterwards, and on INT/TERM, the teardown; a watchdog outside this process group
#                          tears down if this script is killed. Exits with CMD's status. Where no engine can be
#                          started (no docker.io, not root), says so in one line and runs CMD without one (the
#                          profile then skips its tests in one line).
#   engine.sh teardown     removes the containers, stops dockerd and containerd (and any shim, proxy or container
#                          process of theirs: the namespace, its bridge and addresses go with the last of them),
#                          unmounts everything under the state and run folders, removes them, then checks that
#                          nothing is left. Idempotent.
#   engine.sh leftovers    prints what an engine left on this machine; exits 1 when anything is left.
#
# Network (nothing leaves the machine): the engine, its containers and CMD (the test JVM) share one network namespace
# that has no route out: loopback, and bridge orddev0 with 198.18.200.1/24 for the containers (a test range; the host's
# network, and the real node's ordnode0 / ordcni0 there, never see it). dockerd runs with --iptables=false,
# --ip-masq=false, --ip-forward=false (no rule, no NAT) and publishes ports on 198.18.200.1 only, where the tests
# connect (not 127.0.0.1: kube-apiserver refuses to advertise a loopback address, and kindcontainer advertises the
# address the tests use). No registry is reachable: the daemon's HTTP(S) proxy and docker.io mirror are 127.0.0.1:9 (closed),
# so a pull fails at once; the images come from local tars.
#
# Environment: ORDINAL_DEVSERVICES_RUN (runtime folder: sockets, pids, exec root; default /run/ordinal-devservices),
# ORDINAL_DEVSERVICES_STATE (data root of dockerd and containerd; default /var/lib/ordinal-devservices, removed by the
# teardown: the image tars in the cache are what is kept).
set -uo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="${ORDINAL_DEVSERVICES_RUN:-/run/ordinal-devservices}"
STATE="${ORDINAL_DEVSERVICES_STATE:-/var/lib/ordinal-devservices}"
[ -n "$RUN" ] && [ -n "$STATE" ] && [ "$RUN" != / ] && [ "$STATE" != / ] || { echo "engine.sh: empty or / run or state folder" >&2; exit 2; }
BRIDGE=orddev0
BRIDGE_ADDR=198.18.200.1/24
POOL=198.18.201.0/24
CLOSED=http://127.0.0.1:9
CGROUP=ordinal-devservices
SOCK="$RUN/docker.sock"
CONTAINERD_SOCK="$RUN/containerd/containerd.sock"
IMAGE_INDEX="${ORDINAL_IMAGE_CACHE:-$HOME/.cache/ordinal/images}/devservices/images.tsv"
# folders dockerd and the shims use whatever they are told; removed by the teardown when the engine made them
SHARED_DIRS=(/run/containerd /run/docker)
# the record of which of them the engine made lives beside the run folder (the run folder goes first)
MADE="$RUN.made"

log() { echo "engine.sh: $*"; }

missing_tools() {
  local c out=""
  for c in dockerd containerd containerd-shim-runc-v2 runc docker-proxy docker ip ss unshare setsid; do
    command -v "$c" >/dev/null 2>&1 || out+=" $c"
  done
  echo "${out# }"
}

# the pids of processes of ours: the daemons, shims and proxies (by the files they name), and whatever runs in our
# containers' cgroups
our_pids() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' 2>/dev/null < "$p/cmdline")" || continue
    case "$cmd" in
      *containerd-shim*"$CONTAINERD_SOCK"*|*docker-proxy*-container-ip\ 198.18.20[01].*|dockerd\ --config-file\ "$RUN/daemon.json"*|containerd\ --config\ "$RUN/containerd.toml"*)
        echo "${p#/proc/}" ;;
    esac
  done
  find /sys/fs/cgroup -path "*/$CGROUP/*" -name cgroup.procs -exec cat {} + 2>/dev/null
}

our_mounts() {
  local root
  for root in "$STATE" "$RUN" /run/docker; do
    R="${root// /\\040}" awk '$2 == ENVIRON["R"] || index($2, ENVIRON["R"] "/") == 1 {print $2}' /proc/self/mounts
  done | sort -r | uniq | sed 's/\\040/ /g'
}

kill_ours() {
  local p
  for p in $(our_pids | sort -u); do kill -KILL "$p" 2>/dev/null; done
}

# A folder the engine made that others may have come to use meanwhile (the real node's shims also put their sockets
# in /run/containerd/s): only sockets nobody listens on go, then the folder if it is empty.
remove_shared_dir() {
  local d="$1" f listening
  [ -d "$d" ] || return 0
  listening="$(ss -xlH 2>/dev/null | awk '{print $5}')"
  find "$d" -type s 2>/dev/null | while IFS= read -r f; do
    grep -qxF "$f" <<< "$listening" || rm -f "$f"
  done
  find "$d" -depth -type d -empty -delete 2>/dev/null
}

teardown() {
  if [ -n "${ORDINAL_DEVSERVICES_OWNER:-}" ] && [ -f "$RUN/owner" ]; then
    local owner; owner="$(cat "$RUN/owner")"
    if [ "$owner" != "$ORDINAL_DEVSERVICES_OWNER" ] && kill -0 "$owner" 2>/dev/null; then
      log "the engine now belongs to run $owner: left alone"
      return 0
    fi
  fi
  local p f m d
  # containers first, through the daemon, while it answers
  if [ -S "$SOCK" ]; then
    local ids; ids="$(timeout 10 docker -H "unix://$SOCK" ps -aq 2>/dev/null)"
    [ -z "$ids" ] || timeout 30 docker -H "unix://$SOCK" rm -f $ids >/dev/null 2>&1
  fi
  for f in "$RUN/dockerd.pid" "$RUN/containerd.pid"; do
    [ -f "$f" ] || continue
    p="$(cat "$f")"
    [[ "$p" =~ ^[1-9][0-9]*$ ]] || continue
    grep -qa -e "$RUN/daemon.json" -e "$RUN/containerd.toml" "/proc/$p/cmdline" 2>/dev/null || continue
    kill -TERM "$p" 2>/dev/null
    for _ in $(seq 75); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  done
  local left=""
  for _ in $(seq 20); do
    kill_ours
    for _ in 1 2 3; do
      our_mounts | while IFS= read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    done
    find /sys/fs/cgroup -depth -type d -path "*/$CGROUP*" -exec rmdir {} \; 2>/dev/null
    if [ -f "$MADE" ]; then
      while IFS= read -r d; do
        case " ${SHARED_DIRS[*]} " in *" $d "*) remove_shared_dir "$d" ;; esac
      done < "$MADE"
    fi
    if left="$(leftovers)"; then
      [ -d "$STATE" ] && rm -rf --one-file-system "$STATE"
      [ -d "$RUN" ] && rm -rf --one-file-system "$RUN"
      rm -f "$MADE"
      log "teardown done"
      return 0
    fi
    sleep 0.5
  done
  log "teardown left: $left"
  return 1
}

leftovers() {
  local out="" procs mounts cgroups d
  procs="$(for p in $(our_pids | sort -u); do [ -d "/proc/$p" ] && echo "$p $(tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" | cut -c1-100)"; done)"
  [ -n "$procs" ] && out+="processes:"$'\n'"$procs"$'\n'
  mounts="$(our_mounts)"
  [ -n "$mounts" ] && out+="mounts: $(echo "$mounts" | wc -l) under $STATE, $RUN and /run/docker"$'\n'
  cgroups="$(find /sys/fs/cgroup -type d -path "*/$CGROUP*" 2>/dev/null | head -3)"
  [ -n "$cgroups" ] && out+="cgroups: $(echo $cgroups)"$'\n'
  if [ -f "$MADE" ]; then
    local listening; listening="$(ss -xlH 2>/dev/null | awk '{print $5}')"
    while IFS= read -r d; do
      # what is left there must be someone else's: a socket that is listened on, or a folder holding one
      [ -e "$d" ] && [ -n "$(find "$d" ! -type d ! -type s 2>/dev/null | head -1)" ] && out+="$d, made by the engine"$'\n'
    done < "$MADE"
  fi
  if [ -n "$out" ]; then printf '%s' "$out"; return 1; fi
  echo "nothing left"
}

wait_for() { # what, seconds, command...
  local what="$1" secs="$2" i; shift 2
  for (( i = 0; i < secs * 5; i++ )); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$what did not come up in ${secs} s (logs: $RUN/*.log)"
  tail -5 "$RUN"/*.log 2>/dev/null | sed 's/^/  /'
  return 1
}

write_configs() {
  cat > "$RUN/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$RUN/containerd/ttrpc.sock"
EOF
  cat > "$RUN/daemon.json" <<EOF
{
  "hosts": ["unix://$SOCK"],
  "data-root": "$STATE/docker",
  "exec-root": "$RUN/docker",
  "pidfile": "$RUN/dockerd.pid",
  "containerd": "$CONTAINERD_SOCK",
  "bridge": "$BRIDGE",
  "iptables": false,
  "ip6tables": false,
  "ip-masq": false,
  "ip-forward": false,
  "ipv6": false,
  "ip": "${BRIDGE_ADDR%/*}",
  "userland-proxy": true,
  "default-address-pools": [{"base": "$POOL", "size": 28}],
  "registry-mirrors": ["$CLOSED"],
  "cgroup-parent": "/$CGROUP",
  "features": {"buildkit": false},
  "log-level": "warn"
}
EOF
}

# inside the namespace: the bridge, containerd, dockerd, the images, then CMD
inside() {
  [ -f "$RUN/owner" ] || { log "inside: no run folder $RUN (use engine.sh run)"; return 2; }
  ip link set lo up || return 1
  ip link add "$BRIDGE" type bridge || return 1
  ip addr add "$BRIDGE_ADDR" dev "$BRIDGE" || return 1
  ip link set "$BRIDGE" up || return 1
  containerd --config "$RUN/containerd.toml" >"$RUN/containerd.log" 2>&1 </dev/null 8>&- &
  echo $! > "$RUN/containerd.pid"
  wait_for containerd 20 test -S "$CONTAINERD_SOCK" || return 1
  HTTP_PROXY="$CLOSED" HTTPS_PROXY="$CLOSED" NO_PROXY="" http_proxy="$CLOSED" https_proxy="$CLOSED" no_proxy="" \
    dockerd --config-file "$RUN/daemon.json" >"$RUN/dockerd.log" 2>&1 </dev/null 8>&- &
  wait_for dockerd 30 docker -H "unix://$SOCK" version || return 1
  local ref tar
  while IFS=$'\t' read -r ref tar; do
    docker -H "unix://$SOCK" load -q -i "$tar" >/dev/null || { log "docker load -i $tar failed"; return 1; }
  done < "$IMAGE_INDEX"
  log "up: DOCKER_HOST=unix://$SOCK in a network namespace of its own (bridge $BRIDGE $BRIDGE_ADDR, no route out, no iptables, ports on ${BRIDGE_ADDR%/*}); images: $(cut -f1 "$IMAGE_INDEX" | tr '\n' ' ')"
  : > "$RUN/ready"
  # The published ports are on the bridge's address, and Testcontainers is told so: kindcontainer makes the engine's
  # host the API server's --advertise-address, which kube-apiserver 1.37 refuses on loopback ("cannot use public IP
  # 127.0.0.1 with endpoint reconciler"). Its reaper (Ryuk) is an image from a registry: off.
  DOCKER_HOST="unix://$SOCK" TESTCONTAINERS_HOST_OVERRIDE="${BRIDGE_ADDR%/*}" TESTCONTAINERS_RYUK_DISABLED=true "$@" 8>&-
}

run() {
  [ $# -gt 0 ] || { echo "usage: engine.sh run CMD..." >&2; return 2; }
  local missing d
  missing="$(missing_tools)"
  if [ "$(id -u)" != 0 ] || [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then log "no container engine: starting one needs root; running without: $*"
    else log "no container engine: $missing missing (apt-get install docker.io); running without: $*"; fi
    "$@"
    return $?
  fi
  teardown >/dev/null || { log "an earlier engine is still here and could not be removed: $(leftovers | tr '\n' ' ')"; return 1; }
  bash "$ROOT/kube/build-devservices-images.sh" | sed 's/^/engine.sh: /'
  [ "${PIPESTATUS[0]}" = 0 ] || { log "the Dev Services images could not be built"; return 1; }
  mkdir -p "$RUN/containerd" "$STATE"
  : > "$MADE"
  for d in "${SHARED_DIRS[@]}"; do [ -e "$d" ] || echo "$d" >> "$MADE"; done
  echo $$ > "$RUN/owner"
  write_configs
  # a watchdog outside our process group: once this script is gone, the teardown runs (a killed run leaves nothing)
  setsid bash -c 'while kill -0 "$0" 2>/dev/null; do sleep 1; done; ORDINAL_DEVSERVICES_OWNER="$0" exec bash "$1" teardown' \
    $$ "$SELF" </dev/null >/dev/null 2>&1 8>&- &
  trap 'teardown; exit 130' INT TERM
  local status=0
  unshare --net -- bash "$SELF" inside "$@" || status=$?
  trap - INT TERM
  if [ ! -f "$RUN/ready" ]; then
    log "the engine did not start (logs above); nothing ran"
    [ "$status" != 0 ] || status=1
  fi
  local out
  out="$(teardown)" || { [ "$status" != 0 ] || status=1; }
  [ "$out" = "engine.sh: teardown done" ] || echo "$out"
  return "$status"
}

# run and teardown never run at once (a killed run's watchdog and the next run); the daemons never hold the lock
with_lock() {
  mkdir -p "$(dirname "$RUN")"
  exec 8>"$RUN.lock"
  command -v flock >/dev/null 2>&1 && flock 8
  "$@"
}

case "${1:-}" in
  run) shift; with_lock run "$@" ;;
  inside) shift; inside "$@" ;;
  teardown) with_lock teardown ;;
  leftovers) leftovers ;;
  *) echo "usage: engine.sh run CMD...|teardown|leftovers" >&2; exit 2 ;;
esac
