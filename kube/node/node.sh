#!/usr/bin/env bash
# Host-side plumbing of Ordinal's real test node (dev.ordinal.devcluster.RealNode runs it; so does its watchdog,
# after the JVM is gone). Needs root, iproute2 and iptables.
#
#   node.sh net-up      the node's address and guard rules: bridge ordnode0 holding 198.18.255.1/32 (the kernel may
#                       have no dummy driver), a route for the Service range over it and a blackhole route for the rest
#                       of 198.18.0.0/15 (no packet to a test address ever takes the default route), DROP rules so that
#                       nothing from or to 198.18.0.0/15 leaves through the uplink and nothing is forwarded to or from
#                       it, net.ipv4.ip_forward=1 and bridged traffic through iptables. Every sysctl it or the kubelet
#                       changes is saved first, to be restored.
#   node.sh teardown    stops every process of the node, kills its containers (runc, then whatever is left in the
#                       kubepods cgroups), runs kube-proxy --cleanup, unmounts everything under the state and run
#                       folders (containerd keeps the pods' network namespaces there), deletes the bridges, routes,
#                       guard rules and KUBE-/CNI- chains, restores the sysctls, removes empty kubepods cgroups, then
#                       checks that nothing is left. Idempotent.
#   node.sh leftovers   prints what a node left on this machine and exits 1 when anything is left.
#
# Environment: ORDINAL_NODE_RUN (runtime folder: sockets, pids, containerd state; default /run/ordinal-node);
# ORDINAL_NODE_STATE (state folder: containerd root, kubelet root, volumes) and ORDINAL_NODE_BIN (the folders of the
# node's binaries, ':'-separated), each read from the run folder when unset; ORDINAL_NODE_OWNER (the pid of the JVM
# the teardown is for: a node another, newer run owns is left alone). net-up and teardown take a lock, so that the
# watchdog of a killed run and the next run never interleave. Addresses: docs/control-plane.md, "The node".
set -uo pipefail

RUN="${ORDINAL_NODE_RUN:-/run/ordinal-node}"
STATE="${ORDINAL_NODE_STATE:-$(cat "$RUN/state-dir" 2>/dev/null || true)}"
BIN="${ORDINAL_NODE_BIN:-$(cat "$RUN/bin-dir" 2>/dev/null || true)}"
NODE_IP=198.18.255.1
TEST_NET=198.18.0.0/15
SERVICE_NET=198.19.0.0/16
NODE_BRIDGE=ordnode0
POD_BRIDGE=ordcni0
GUARD=ordinal-node-guard
# sysctls the kubelet sets (protectKernelDefaults is off) or net-up sets; their values before are kept to restore
SYSCTLS="net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables kernel.panic kernel.panic_on_oops vm.overcommit_memory kernel.keys.root_maxkeys kernel.keys.root_maxbytes"

log() { echo "node.sh: $*"; }

uplink() { ip route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}'; }

# is_ours PID: the process runs a binary from one of the node's binary folders
is_ours() {
  local pid="$1" exe dir
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  local IFS=:
  for dir in $BIN; do
    [ -n "$dir" ] && [[ "$exe" == "$dir"/* ]] && return 0
  done
  return 1
}

kube_proxy() {
  local IFS=: dir
  for dir in $BIN; do [ -x "$dir/kube-proxy" ] && { echo "$dir/kube-proxy"; return; }; done
}

net_up() {
  mkdir -p "$RUN"
  if iptables-save 2>/dev/null | grep -q '^:KUBE-' && [ ! -f "$RUN/net-up" ]; then
    log "this machine's iptables already hold KUBE- chains of another Kubernetes node: the real node would share them and remove them afterwards; stop that node first"
    return 1
  fi
  if [ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
    command -v modprobe >/dev/null 2>&1 && modprobe br_netfilter 2>/dev/null
    [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || {
      log "bridged traffic cannot pass iptables (no br_netfilter): pods could not reach Services; load the module (modprobe br_netfilter)"
      return 1
    }
  fi
  if [ ! -f "$RUN/sysctl.saved" ]; then
    for key in $SYSCTLS; do echo "$key=$(sysctl -n "$key" 2>/dev/null)"; done > "$RUN/sysctl.saved"
  fi
  # the runc shims put their sockets under /run/containerd/s whatever containerd's state folder is
  [ -e /run/containerd ] || touch "$RUN/made-run-containerd"
  touch "$RUN/net-up"
  if ! ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then
    ip link add "$NODE_BRIDGE" type bridge || return 1
  fi
  ip addr replace "$NODE_IP/32" dev "$NODE_BRIDGE" || return 1
  ip link set "$NODE_BRIDGE" up || return 1
  # A connection from the host to a ClusterIP is routed over the node's bridge, where kube-proxy's DNAT turns it to
  # a pod; to any other test address that no interface holds, it goes nowhere: never by the default route.
  ip route replace "$SERVICE_NET" dev "$NODE_BRIDGE" src "$NODE_IP" || return 1
  ip route replace blackhole "$TEST_NET" || return 1
  # Guards, in raw and mangle so that kube-proxy's filter rules cannot come first: a packet from the test network to
  # an address outside it is dropped before routing, and nothing to or from the test network, or forwarded, may use
  # the uplink.
  iptables -t raw -C PREROUTING -s "$TEST_NET" ! -d "$TEST_NET" -m comment --comment "$GUARD" -j DROP 2>/dev/null \
    || iptables -t raw -I PREROUTING 1 -s "$TEST_NET" ! -d "$TEST_NET" -m comment --comment "$GUARD" -j DROP || return 1
  local up; up="$(uplink)"
  if [ -n "$up" ]; then
    iptables -t mangle -I FORWARD 1 -o "$up" -m comment --comment "$GUARD" -j DROP || return 1
    iptables -t mangle -I FORWARD 1 -i "$up" -m comment --comment "$GUARD" -j DROP || return 1
    iptables -t mangle -I OUTPUT 1 -o "$up" -d "$TEST_NET" -m comment --comment "$GUARD" -j DROP || return 1
    iptables -t mangle -I POSTROUTING 1 -o "$up" -s "$TEST_NET" -m comment --comment "$GUARD" -j DROP || return 1
    iptables -t mangle -I POSTROUTING 1 -o "$up" -d "$TEST_NET" -m comment --comment "$GUARD" -j DROP || return 1
  fi
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 || return 1
  log "network up: $NODE_BRIDGE $NODE_IP/32, $SERVICE_NET over it, blackhole $TEST_NET, guards against ${up:-no uplink}, ip_forward=1"
}

# Every process of ours: the recorded pids (only if they still run one of our binaries), then any other process that
# does (the runc shims, reparented to init once containerd stops).
stop_processes() {
  local f pid p
  for f in "$RUN"/pids/*; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    is_ours "$pid" && kill -TERM "$pid" 2>/dev/null
  done
  for _ in $(seq 50); do
    local alive=0
    for f in "$RUN"/pids/*; do [ -f "$f" ] && is_ours "$(cat "$f")" && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.2
  done
  for f in "$RUN"/pids/*; do [ -f "$f" ] && is_ours "$(cat "$f")" && kill -KILL "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
}

# processes in the pods' cgroups (cgroup v1: one tree per controller; v2: one tree); only where this node set the
# network up, since kubepods is the cgroup every kubelet with the cgroupfs driver uses
kubepods_procs() {
  [ -f "$RUN/net-up" ] || return 0
  find /sys/fs/cgroup -path '*kubepods*' -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u
}

kill_containers() {
  local root="$RUN/runc/k8s.io" id p
  if [ -d "$root" ] && command -v runc >/dev/null 2>&1; then
    for id in $(runc --root "$root" list -q 2>/dev/null); do
      runc --root "$root" kill "$id" KILL >/dev/null 2>&1
    done
    sleep 0.5
    for id in $(runc --root "$root" list -q 2>/dev/null); do
      runc --root "$root" delete -f "$id" >/dev/null 2>&1
    done
  fi
  # whatever still runs in a pod's cgroup, and the shims
  for p in $(kubepods_procs); do kill -KILL "$p" 2>/dev/null; done
  for p in /proc/[0-9]*; do
    is_ours "${p#/proc/}" && kill -KILL "${p#/proc/}" 2>/dev/null
  done
}

# mount points under the state and run folders, deepest first (/proc/self/mounts writes a space as \040)
our_mounts() {
  local root
  for root in "$STATE" "$RUN"; do
    [ -n "$root" ] || continue
    R="${root// /\\040}" awk '$2 == ENVIRON["R"] || index($2, ENVIRON["R"] "/") == 1 {print $2}' /proc/self/mounts
  done | sort -r | uniq | sed 's/\\040/ /g'
}

unmount_all() {
  local m
  # the kubelet bind-mounts its own root onto itself, so a path may be mounted twice
  for _ in 1 2 3; do
    our_mounts | while IFS= read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  done
}

delete_links() {
  local l
  for l in $(ip -o link show master "$POD_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$l" 2>/dev/null
  done
  ip link del "$POD_BRIDGE" 2>/dev/null
  ip link del "$NODE_BRIDGE" 2>/dev/null
  ip route del blackhole "$TEST_NET" 2>/dev/null
  ip route del "$SERVICE_NET" 2>/dev/null
}

# Our guard rules, and (only where this node set the network up) every KUBE-/CNI- chain and each rule jumping to
# one: the kubelet's, kube-proxy's and the CNI plugins' chains carry fixed names.
delete_rules() {
  local t chain rule cmd proxy
  proxy="$(kube_proxy)"
  if [ -f "$RUN/net-up" ] && [ -n "$proxy" ]; then
    "$proxy" --cleanup >/dev/null 2>&1
  fi
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null 2>&1 || continue
    for t in raw mangle nat filter; do
      "$cmd-save" -t "$t" 2>/dev/null | grep -E "^-A .*--comment \"?$GUARD\"?" | sed 's/^-A //' \
        | while read -r rule; do eval "$cmd -t $t -D $rule" 2>/dev/null; done
      [ -f "$RUN/net-up" ] || continue
      "$cmd-save" -t "$t" 2>/dev/null | grep -E "^-A .*-j (KUBE-|CNI-)" | sed 's/^-A //' \
        | while read -r rule; do eval "$cmd -t $t -D $rule" 2>/dev/null; done
      for chain in $("$cmd-save" -t "$t" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
        "$cmd" -t "$t" -F "$chain" 2>/dev/null
      done
      for chain in $("$cmd-save" -t "$t" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
        "$cmd" -t "$t" -X "$chain" 2>/dev/null
      done
    done
  done
}

restore_sysctls() {
  [ -f "$RUN/sysctl.saved" ] || return 0
  local line
  while IFS= read -r line; do
    [ -n "${line#*=}" ] && sysctl -qw "$line" 2>/dev/null
  done < "$RUN/sysctl.saved"
}

remove_cgroups() {
  [ -f "$RUN/net-up" ] || return 0
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/kubepods.slice /sys/fs/cgroup/kubepods /sys/fs/cgroup/kubepods.slice; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
}

teardown() {
  if [ -n "${ORDINAL_NODE_OWNER:-}" ] && [ -f "$RUN/owner" ]; then
    local owner; owner="$(cat "$RUN/owner")"
    if [ "$owner" != "$ORDINAL_NODE_OWNER" ] && kill -0 "$owner" 2>/dev/null; then
      log "the node now belongs to run $owner: left alone"
      return 0
    fi
  fi
  stop_processes
  kill_containers
  delete_rules
  unmount_all
  delete_links
  restore_sysctls
  remove_cgroups
  if [ -f "$RUN/made-run-containerd" ]; then rm -rf /run/containerd; fi
  # a killed process may take a moment to leave /proc, a lazily unmounted file system to go: look again for a while
  local left=""
  for _ in $(seq 20); do
    if left="$(leftovers)"; then
      rm -rf "${RUN:?}/runc" "$RUN/containerd" "$RUN/netns" "$RUN/pids"
      rm -f "$RUN/sysctl.saved" "$RUN/made-run-containerd" "$RUN/net-up" "$RUN/state-dir" "$RUN/bin-dir" "$RUN/owner"
      rmdir "$RUN" 2>/dev/null
      log "teardown done"
      return 0
    fi
    sleep 0.5
    kill_containers
    unmount_all
    delete_links
    remove_cgroups
    if [ -f "$RUN/made-run-containerd" ]; then rm -rf /run/containerd; fi
  done
  log "teardown left: $left"
  return 1
}

leftovers() {
  local out="" p procs="" links addrs mounts rules routes line key want have
  for p in /proc/[0-9]*; do
    is_ours "${p#/proc/}" && procs+="${p#/proc/} $(readlink "$p/exe")"$'\n'
  done
  procs+="$(kubepods_procs | while read -r p; do [ -n "$p" ] && echo "$p in a kubepods cgroup: $(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-100)"; done)"
  [ -n "${procs//$'\n'/}" ] && out+="processes:"$'\n'"$procs"$'\n'
  links="$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^($NODE_BRIDGE|$POD_BRIDGE)$")"
  [ -n "$links" ] && out+="links: $(echo $links)"$'\n'
  addrs="$(ip -o -4 addr show 2>/dev/null | awk '$4 ~ /^198\.1[89]\./ {print $2, $4}')"
  [ -n "$addrs" ] && out+="addresses: $(echo $addrs)"$'\n'
  routes="$(ip route show 2>/dev/null | grep -E '^(blackhole )?198\.1[89]\.')"
  [ -n "$routes" ] && out+="routes: $(echo $routes)"$'\n'
  mounts="$(our_mounts)"
  [ -n "$mounts" ] && out+="mounts: $(echo "$mounts" | wc -l) under ${STATE:-?} and $RUN"$'\n'
  rules=0
  for cmd in iptables ip6tables; do
    command -v "$cmd-save" >/dev/null 2>&1 || continue
    [ -f "$RUN/net-up" ] && rules=$((rules + $("$cmd-save" 2>/dev/null | grep -cE "^:(KUBE-|CNI-)")))
    rules=$((rules + $("$cmd-save" 2>/dev/null | grep -c "$GUARD")))
  done
  [ "$rules" -gt 0 ] && out+="iptables: $rules KUBE-/CNI- chains or guard rules"$'\n'
  if [ -f "$RUN/made-run-containerd" ] && [ -e /run/containerd ]; then
    out+="/run/containerd (shim sockets) made by the node"$'\n'
  fi
  if [ -f "$RUN/sysctl.saved" ]; then
    while IFS= read -r line; do
      key="${line%%=*}"; want="${line#*=}"; have="$(sysctl -n "$key" 2>/dev/null)"
      [ -n "$want" ] && [ "$have" != "$want" ] && out+="sysctl $key: $have, was $want"$'\n'
    done < "$RUN/sysctl.saved"
  fi
  if [ -n "$out" ]; then
    printf '%s' "$out"
    return 1
  fi
  echo "nothing left"
}

# net-up and teardown never run at once (a killed run's watchdog and the next run)
with_lock() {
  exec 8>"$RUN.script.lock"
  command -v flock >/dev/null 2>&1 && flock 8
  "$@"
}

case "${1:-}" in
  net-up) with_lock net_up ;;
  teardown) with_lock teardown ;;
  leftovers) leftovers ;;
  *) echo "usage: node.sh net-up|teardown|leftovers" >&2; exit 2 ;;
esac
