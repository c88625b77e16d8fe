#!/usr/bin/env bash
# Host-side plumbing of Ordinal's real test node (dev.ordinal.devcluster.RealNode runs it; so does its watchdog,
# after the JVM is gone). Needs root, iproute2 and iptables.
#
#   node.sh net-up      the node's address and guard rules: bridge ordnode0 holding 198.18.255.1/32 (the kernel has
#                       no dummy driver), DROP rules so that nothing from 198.18.0.0/15 leaves through the uplink and
#                       nothing is forwarded to or from it, net.ipv4.ip_forward=1 (its old value is kept to restore)
#   node.sh teardown    stops every process of the node, kills its containers, runs kube-proxy --cleanup, unmounts
#                       everything under the state and run folders, deletes the bridges, the guard rules and every
#                       KUBE-/CNI- chain, restores ip_forward and removes empty kubepods cgroups. Idempotent.
#   node.sh leftovers   prints what a node left on this machine (processes, links, addresses, mounts, network
#                       namespaces, iptables rules, ip_forward) and exits 1 when anything is left.
#
# Environment: ORDINAL_NODE_RUN (runtime folder: sockets, pids, containerd state; default /run/ordinal-node),
# ORDINAL_NODE_STATE (state folder: containerd root, kubelet root, volumes; read from $ORDINAL_NODE_RUN/state-dir when
# unset), ORDINAL_NODE_BIN (folder of kube-proxy and the containerd shim, for --cleanup and to find leftover shims).
# Addresses: docs/control-plane.md, "The node". Nothing here touches an address outside 198.18.0.0/15.
set -uo pipefail

RUN="${ORDINAL_NODE_RUN:-/run/ordinal-node}"
STATE="${ORDINAL_NODE_STATE:-$(cat "$RUN/state-dir" 2>/dev/null || true)}"
BIN="${ORDINAL_NODE_BIN:-$(cat "$RUN/bin-dir" 2>/dev/null || true)}"
NODE_IP=198.18.255.1
TEST_NET=198.18.0.0/15
NODE_BRIDGE=ordnode0
POD_BRIDGE=ordcni0
GUARD=ordinal-node-guard

log() { echo "node.sh: $*"; }

uplink() { ip route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}'; }

net_up() {
  mkdir -p "$RUN"
  [ -f "$RUN/ip_forward.saved" ] || cat /proc/sys/net/ipv4/ip_forward > "$RUN/ip_forward.saved"
  # the runc shims put their sockets under /run/containerd/s whatever containerd's state folder is
  [ -e /run/containerd ] || touch "$RUN/made-run-containerd"
  if ! ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then
    ip link add "$NODE_BRIDGE" type bridge || return 1
  fi
  ip addr replace "$NODE_IP/32" dev "$NODE_BRIDGE" || return 1
  ip link set "$NODE_BRIDGE" up || return 1
  # Guards, in raw and mangle so that kube-proxy's filter rules cannot come first: a packet from the test network to
  # an address outside it is dropped before routing, and nothing forwarded may use the uplink.
  iptables -t raw -C PREROUTING -s "$TEST_NET" ! -d "$TEST_NET" -m comment --comment "$GUARD" -j DROP 2>/dev/null \
    || iptables -t raw -I PREROUTING 1 -s "$TEST_NET" ! -d "$TEST_NET" -m comment --comment "$GUARD" -j DROP || return 1
  local up; up="$(uplink)"
  if [ -n "$up" ]; then
    iptables -t mangle -I FORWARD 1 -o "$up" -m comment --comment "$GUARD" -j DROP || return 1
    iptables -t mangle -I FORWARD 1 -i "$up" -m comment --comment "$GUARD" -j DROP || return 1
    iptables -t mangle -I POSTROUTING 1 -o "$up" -s "$TEST_NET" -m comment --comment "$GUARD" -j DROP || return 1
  fi
  sysctl -qw net.ipv4.ip_forward=1 || return 1
  log "network up: $NODE_BRIDGE $NODE_IP/32, guards against ${up:-no uplink}, ip_forward=1"
}

# Every process of ours: the recorded pids, then anything still running one of our binaries or inside our state.
stop_processes() {
  local f pid
  for f in "$RUN"/pids/*; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    kill -TERM "$pid" 2>/dev/null
  done
  for _ in $(seq 50); do
    local alive=0
    for f in "$RUN"/pids/*; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.2
  done
  for f in "$RUN"/pids/*; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
}

kill_containers() {
  local root="$RUN/runc/k8s.io" id
  if [ -d "$root" ] && command -v runc >/dev/null 2>&1; then
    for id in $(runc --root "$root" list -q 2>/dev/null); do
      runc --root "$root" kill "$id" KILL >/dev/null 2>&1
    done
    sleep 0.5
    for id in $(runc --root "$root" list -q 2>/dev/null); do
      runc --root "$root" delete -f "$id" >/dev/null 2>&1
    done
  fi
  # shims (reparented to init when containerd stops) and anything else started from our binaries or state
  local p exe
  for p in /proc/[0-9]*; do
    exe="$(readlink "$p/exe" 2>/dev/null)" || continue
    case "$exe" in
      "$BIN"/*|"$STATE"/*) [ -n "$BIN$STATE" ] && kill -KILL "${p#/proc/}" 2>/dev/null ;;
    esac
  done
}

unmount_all() {
  local m
  for root in "$STATE" "$RUN"; do
    [ -n "$root" ] || continue
    # deepest first; the kubelet bind-mounts its own root onto itself, so a path may be mounted twice
    for _ in 1 2 3; do
      awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts | sort -r | uniq \
        | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    done
  done
}

delete_links() {
  local l
  for l in $(ip -o link show master "$POD_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$l" 2>/dev/null
  done
  ip link del "$POD_BRIDGE" 2>/dev/null
  ip link del "$NODE_BRIDGE" 2>/dev/null
}

delete_rules() {
  local t rule
  if [ -n "$BIN" ] && [ -x "$BIN/kube-proxy" ]; then
    "$BIN/kube-proxy" --cleanup >/dev/null 2>&1
  fi
  for t in raw mangle nat filter; do
    # our guard rules, and every rule that jumps to a KUBE- or CNI- chain (kubelet, kube-proxy, CNI plugins)
    iptables-save -t "$t" 2>/dev/null | grep -E "^-A .*(--comment \"?$GUARD\"?|-j (KUBE-|CNI-))" | sed 's/^-A //' \
      | while read -r rule; do eval "iptables -t $t -D $rule" 2>/dev/null; done
    for chain in $(iptables-save -t "$t" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
      iptables -t "$t" -F "$chain" 2>/dev/null
    done
    for chain in $(iptables-save -t "$t" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
      iptables -t "$t" -X "$chain" 2>/dev/null
    done
  done
}

restore_forwarding() {
  if [ -f "$RUN/ip_forward.saved" ]; then
    sysctl -qw "net.ipv4.ip_forward=$(cat "$RUN/ip_forward.saved")"
  fi
}

remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/kubepods.slice; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
}

teardown() {
  stop_processes
  kill_containers
  delete_rules
  unmount_all
  delete_links
  restore_forwarding
  remove_cgroups
  if [ -f "$RUN/made-run-containerd" ]; then rm -rf /run/containerd; fi
  rm -rf "${RUN:?}/runc" "$RUN/containerd" "$RUN/netns" "$RUN/pids" "$RUN/made-run-containerd"
  rm -f "$RUN/ip_forward.saved" "$RUN/state-dir" "$RUN/bin-dir"
  rmdir "$RUN" 2>/dev/null
  # a killed process may take a moment to leave /proc, a lazily unmounted file system to go: look again for a while
  local left=""
  for _ in $(seq 20); do
    left="$(leftovers)" && { log "teardown done"; return 0; }
    sleep 0.5
    kill_containers
    unmount_all
    delete_links
  done
  log "teardown left: $left"
  return 1
}

leftovers() {
  local out=""
  local procs
  procs="$(pgrep -a -x 'kubelet|kube-proxy|kube-scheduler|containerd|containerd-shim-runc-v2|coredns' 2>/dev/null | cut -c1-150)"
  [ -n "$procs" ] && out+="processes:"$'\n'"$procs"$'\n'
  local links
  links="$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^($NODE_BRIDGE|$POD_BRIDGE)$")"
  [ -n "$links" ] && out+="links: $(echo $links)"$'\n'
  local addrs
  addrs="$(ip -o -4 addr show 2>/dev/null | awk '$4 ~ /^198\.1[89]\./ {print $2, $4}')"
  [ -n "$addrs" ] && out+="addresses: $(echo $addrs)"$'\n'
  local mounts=""
  for root in "$STATE" "$RUN"; do
    [ -n "$root" ] || continue
    mounts+="$(awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts)"
  done
  [ -n "$mounts" ] && out+="mounts: $(echo "$mounts" | wc -l) under ${STATE:-?} and $RUN"$'\n'
  local rules
  rules="$(for t in raw mangle nat filter; do iptables-save -t "$t" 2>/dev/null; done | grep -cE "^:(KUBE-|CNI-)|$GUARD")"
  [ "${rules:-0}" -gt 0 ] && out+="iptables: $rules KUBE-/CNI- chains or guard rules"$'\n'
  if [ -f "$RUN/made-run-containerd" ] && [ -e /run/containerd ]; then
    out+="/run/containerd (shim sockets) made by the node"$'\n'
  fi
  if [ -f "$RUN/ip_forward.saved" ] && [ "$(cat /proc/sys/net/ipv4/ip_forward)" != "$(cat "$RUN/ip_forward.saved")" ]; then
    out+="ip_forward: $(cat /proc/sys/net/ipv4/ip_forward), was $(cat "$RUN/ip_forward.saved")"$'\n'
  fi
  if [ -n "$out" ]; then
    printf '%s' "$out"
    return 1
  fi
  echo "nothing left"
}

case "${1:-}" in
  net-up) net_up ;;
  teardown) teardown ;;
  leftovers) leftovers ;;
  *) echo "usage: node.sh net-up|teardown|leftovers" >&2; exit 2 ;;
esac
