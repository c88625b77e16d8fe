#!/usr/bin/env bash
# A quick check of the images kube/build-images.sh built, without a Kubernetes node:
#   kafka     a single KRaft node (broker and controller in one, set up only through KAFKA_* variables as the example's
#             pods do) comes up ("Kafka Server started"), takes a topic and 100 records and gives them back; started
#             again on the same data directory it keeps it ("already formatted"); a controller given
#             KAFKA_ADVERTISED_LISTENERS refuses to start; the tool wrappers answer
#   operator  java -version in the image, its user (185) and its AOT cache
#   pause, busybox, coredns   their binary runs in the image
#   import    with containerd's binaries at hand ($ORDINAL_CONTAINERD_DIR, default
#             ~/.cache/ordinal/node/containerd-2.4.2): a throwaway containerd (own root, state and socket under a
#             temporary directory) imports every tar images.tsv lists into namespace k8s.io and names each ref
# Every container runs with buildah (`buildah from` + `run --isolation chroot`) on the builder's storage, in a network
# namespace of its own that holds only loopback. Everything started is stopped by its process id and everything made
# is removed at the end (containers, containerd's directories, mounts), also on failure or Ctrl-C.
#
# usage: bash kube/images/selfcheck.sh [kafka|operator|small|import]...   (none: all four; small = pause, busybox,
#        coredns). Prints one line per check, PASS or FAIL; exits 1 when one failed. ORDINAL_SELFCHECK_KEEP=1 keeps
#        the Kafka logs (in /tmp/ordinal-selfcheck.*).
set -euo pipefail

CACHE="${ORDINAL_IMAGE_CACHE:-$HOME/.cache/ordinal/images}"
CONTAINERD_DIR="${ORDINAL_CONTAINERD_DIR:-$HOME/.cache/ordinal/node/containerd-2.4.2}"
INDEX="$CACHE/images.tsv"
[ -f "$INDEX" ] || { echo "selfcheck: no $INDEX: run bash kube/build-images.sh first" >&2; exit 1; }
ref_of() { awk -F'\t' -v want="$1" '$1 ~ want {print $1; exit}' "$INDEX"; }

bah() { buildah --root "$CACHE/buildah/root" --runroot "$CACHE/buildah/run" --storage-driver vfs "$@"; }
offline() { unshare --net -- bash -c 'ip link set lo up && exec "$@"' offline "$@"; }

# The build's lock, held to the end: kube/build-images.sh removes every working container of its storage and every
# image but the bases, so the two must not run at once on one cache.
exec 9>"$CACHE/.build.lock"
flock 9
SCRATCH="$(mktemp -d /tmp/ordinal-selfcheck.XXXXXX)"
CONTAINERS=()
PULLED=()   # images this check loaded into buildah's storage (removed at the end; the build keeps only its bases)
PIDS=()
FAILED=0
cleanup() {
  local pid c m
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for c in "${CONTAINERS[@]}"; do bah rm "$c" >/dev/null 2>&1 || true; done
  for c in "${PULLED[@]}"; do bah rmi "$c" >/dev/null 2>&1 || true; done
  for m in $(awk -v d="$SCRATCH/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  if [ -n "${ORDINAL_SELFCHECK_KEEP:-}" ]; then
    rm -rf --one-file-system "$SCRATCH/containerd"; echo "logs kept in $SCRATCH"
  else
    rm -rf --one-file-system "$SCRATCH"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # name, then a command: PASS when it succeeds
  local name="$1"; shift
  if "$@" >"$SCRATCH/check.out" 2>&1; then
    echo "PASS  $name"
  else
    echo "FAIL  $name"
    sed 's/^/      /' "$SCRATCH/check.out" | tail -15
    FAILED=1
  fi
}

# A working container from the ref, from its tar when buildah's storage no longer has it.
container_of() { # ref, name
  local tar
  if ! bah inspect --type image "$1" >/dev/null 2>&1; then
    tar="$(awk -F'\t' -v r="$1" '$1 == r {print $2}' "$INDEX")"
    bah pull "docker-archive:$tar" >/dev/null 2>&1
    PULLED+=("$1")
  fi
  bah rm "$2" >/dev/null 2>&1 || true
  bah from --pull=never --name "$2" "$1" >/dev/null
  CONTAINERS+=("$2")
}
in_container() { offline buildah --root "$CACHE/buildah/root" --runroot "$CACHE/buildah/run" --storage-driver vfs \
  run --isolation chroot "$@"; }

# --- kafka -------------------------------------------------------------------------------------------------------
KAFKA_ENV=(
  CLUSTER_ID=sCfRUcy7Q8m5cK2jLd0x1w
  KAFKA_NODE_ID=1
  KAFKA_PROCESS_ROLES=broker,controller
  KAFKA_LISTENERS=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
  KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://127.0.0.1:9092
  KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
  KAFKA_CONTROLLER_QUORUM_VOTERS=1@127.0.0.1:9093
  KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1
  KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1
  KAFKA_LOG_DIRS=/var/lib/kafka/data/logs
  "KAFKA_HEAP_OPTS=-Xms256m -Xmx256m"
)
KAFKA_PID=""
start_kafka() { # log file: the image's CMD in the container kafka-selfcheck, in its own session and network namespace
  setsid bash -c 'exec unshare --net -- bash -c '\''ip link set lo up && exec "$@"'\'' offline "$@"' start \
    buildah --root "$CACHE/buildah/root" --runroot "$CACHE/buildah/run" --storage-driver vfs \
    run --isolation chroot kafka-selfcheck -- env "${KAFKA_ENV[@]}" /etc/kafka/docker/run >"$1" 2>&1 &
  KAFKA_PID=$!
  PIDS+=("$KAFKA_PID")
}
wait_started() { # log file, seconds
  local i
  for i in $(seq "$2"); do
    grep -q 'Kafka Server started' "$1" && { echo "started after ${i} s"; return 0; }
    kill -0 "$KAFKA_PID" 2>/dev/null || { tail -20 "$1"; return 1; }
    sleep 1
  done
  tail -20 "$1"; return 1
}
stop_kafka() { # SIGTERM to the broker's JVM (its clean shutdown), then wait for buildah run to end
  local java
  java="$(ps -o pid=,comm= -s "$KAFKA_PID" | awk '$2 == "java" {print $1}')"
  [ -z "$java" ] || kill -TERM $java
  for _ in $(seq 60); do kill -0 "$KAFKA_PID" 2>/dev/null || return 0; sleep 0.5; done
  echo "kafka did not stop within 30 s"; return 1
}
in_kafka_netns() { nsenter --net="/proc/$KAFKA_PID/ns/net" buildah --root "$CACHE/buildah/root" \
  --runroot "$CACHE/buildah/run" --storage-driver vfs run --isolation chroot kafka-selfcheck -- "$@"; }
kafka_round_trip() {
  in_kafka_netns bash -c '
    set -e
    /opt/kafka/bin/kafka-topics.sh --bootstrap-server 127.0.0.1:9092 --create --topic selfcheck --partitions 3 \
      --replication-factor 1
    seq 1 100 | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server 127.0.0.1:9092 --topic selfcheck \
      --producer-property acks=all
    n=$(/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server 127.0.0.1:9092 --topic selfcheck \
      --from-beginning --max-messages 100 --timeout-ms 20000 2>/dev/null | sort -n | uniq | wc -l)
    echo "consumed $n distinct records"; [ "$n" = 100 ]
    /opt/kafka/bin/kafka-metadata-quorum.sh --bootstrap-server 127.0.0.1:9092 describe --status | grep -q "LeaderId: *1"'
}
kafka_config_from_env() {
  in_kafka_netns bash -c 'cat /opt/kafka/config/server.properties; echo; id -u; id -g' >"$SCRATCH/props"
  cat "$SCRATCH/props"
  grep -qx 'process.roles=broker,controller' "$SCRATCH/props" && grep -qx 'log.dirs=/var/lib/kafka/data/logs' "$SCRATCH/props" \
    && grep -qx 'transaction.state.log.min.isr=1' "$SCRATCH/props" && ! grep -q 'heap' "$SCRATCH/props" \
    && [ "$(tail -2 "$SCRATCH/props" | tr '\n' ' ')" = "1000 1000 " ]
}
restart_keeps_data() {
  start_kafka "$SCRATCH/kafka-2.log"
  wait_started "$SCRATCH/kafka-2.log" 90 || return 1
  grep -q 'already formatted' "$SCRATCH/kafka-2.log" || { echo "no 'already formatted' on the second start"; return 1; }
  in_kafka_netns bash -c '
    n=$(/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server 127.0.0.1:9092 --topic selfcheck \
      --from-beginning --max-messages 100 --timeout-ms 20000 2>/dev/null | wc -l)
    echo "consumed $n records after the restart"; [ "$n" = 100 ]'
  stop_kafka
}
controller_refuses_advertised() {
  local out rc=0
  out="$(in_container kafka-selfcheck -- env KAFKA_PROCESS_ROLES=controller KAFKA_NODE_ID=3 \
      KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://x:9092 /etc/kafka/docker/run 2>&1)" || rc=$?
  echo "$out" | tail -3
  [ "$rc" != 0 ] && echo "$out" | grep -q 'KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller.'
}
tools_answer() {
  in_container kafka-selfcheck -- bash -c '
    set -e
    ls /opt/kafka/bin/kafka-topics.sh /opt/kafka/bin/kafka-console-producer.sh /opt/kafka/bin/kafka-console-consumer.sh \
       /opt/kafka/bin/kafka-metadata-quorum.sh /opt/kafka/bin/kafka-storage.sh >/dev/null
    /opt/kafka/bin/kafka-storage.sh random-uuid
    /opt/kafka/bin/kafka-topics.sh --version'
}
check_kafka() {
  local ref; ref="$(ref_of '/kafka:')"
  container_of "$ref" kafka-selfcheck
  start_kafka "$SCRATCH/kafka-1.log"
  check "kafka: single KRaft node from KAFKA_* variables is up ($ref)" wait_started "$SCRATCH/kafka-1.log" 90
  check "kafka: server.properties from the environment, runs as 1000:1000" kafka_config_from_env
  check "kafka: topic, 100 records in (acks=all) and out, quorum leader 1" kafka_round_trip
  check "kafka: clean stop on SIGTERM" stop_kafka
  grep -q 'Formatting metadata directory /var/lib/kafka/data/logs' "$SCRATCH/kafka-1.log" \
    && echo "PASS  kafka: first start formatted the empty log directory with CLUSTER_ID" \
    || { echo "FAIL  kafka: no 'Formatting metadata directory' on the first start"; FAILED=1; }
  check "kafka: second start on the same data keeps it (already formatted, 100 records)" restart_keeps_data
  check "kafka: a controller with KAFKA_ADVERTISED_LISTENERS refuses to start" controller_refuses_advertised
  check "kafka: tool wrappers (kafka-storage.sh random-uuid, kafka-topics.sh --version)" tools_answer
  bah rm kafka-selfcheck >/dev/null 2>&1 || true
}

# --- operator and the small images -----------------------------------------------------------------------------
check_operator() {
  local ref; ref="$(ref_of 'ordinal-operator:')"
  container_of "$ref" operator-selfcheck
  check "operator: java -version, uid 185, app.aot in $ref" in_container operator-selfcheck -- sh -c \
    'java -version 2>&1 | grep -q "Temurin-25" && java -version 2>&1 | tail -2 && id && [ "$(id -u)" = 185 ] \
     && [ -s /deployments/app.aot ] && ! ls /usr/lib/jvm 2>/dev/null | grep -q openjdk-17'
  bah rm operator-selfcheck >/dev/null 2>&1 || true
}
pause_runs() {
  in_container pause-selfcheck -- /pause --version
  [ "$(bah inspect --format '{{.OCIv1.Config.User}}' pause-selfcheck)" = 65535:65535 ]
}
check_small() {
  local ref
  ref="$(ref_of '/pause:')"; container_of "$ref" pause-selfcheck
  check "pause: /pause answers --version, image user 65535 ($ref)" pause_runs
  ref="$(ref_of '/busybox:')"; container_of "$ref" busybox-selfcheck
  check "busybox: sh, wget, nslookup applets ($ref)" in_container busybox-selfcheck -- sh -c \
    'echo hello | grep -q hello && command -v wget && command -v nslookup && busybox | head -1'
  ref="$(ref_of '/coredns:')"
  if [ -n "$ref" ]; then
    container_of "$ref" coredns-selfcheck
    check "coredns: /coredns -version ($ref)" in_container coredns-selfcheck -- /coredns -version
  else
    echo "SKIP  coredns: not in $INDEX"
  fi
  for c in pause-selfcheck busybox-selfcheck coredns-selfcheck; do bah rm "$c" >/dev/null 2>&1 || true; done
}

# --- import into a throwaway containerd --------------------------------------------------------------------------
import_all() {
  local dir="$SCRATCH/containerd" sock pid ref tar
  sock="$dir/containerd.sock"
  mkdir -p "$dir"
  cat >"$dir/config.toml" <<EOF
version = 3
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.images", "io.containerd.cri.v1.runtime",
  "io.containerd.internal.v1.opt", "io.containerd.nri.v1.nri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.erofs",
  "io.containerd.snapshotter.v1.blockfile", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing",
  "io.containerd.server.v1.grpc-tcp"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  # its own network namespace too: an import needs no network
  unshare --net -- "$CONTAINERD_DIR/containerd" --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.2; done
  [ -S "$sock" ] || { tail -5 "$dir/containerd.log"; return 1; }
  ctr() { "$CONTAINERD_DIR/ctr" -a "$sock" -n k8s.io "$@" 2> >(grep -v 'DEPRECATION: The support for cgroup v1' >&2); }
  while IFS=$'\t' read -r ref tar; do
    local t0=$SECONDS
    ctr images import "$tar" >/dev/null || { echo "import of $tar failed"; return 1; }
    ctr images ls -q | grep -qx "$ref" || { echo "$ref missing after import"; return 1; }
    echo "imported $ref ($(du -h --apparent-size "$tar" | cut -f1), $((SECONDS - t0)) s)"
  done <"$INDEX"
  ctr images ls | awk 'NR > 1 {print $1, $4, $5}'
  du -sh "$dir/root" | awk '{print "containerd root: " $1}'
  kill -TERM "$pid"
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  echo "containerd did not stop"; return 1
}
check_import() {
  if [ ! -x "$CONTAINERD_DIR/containerd" ] || [ ! -x "$CONTAINERD_DIR/ctr" ]; then
    echo "SKIP  import: no containerd and ctr in $CONTAINERD_DIR (set ORDINAL_CONTAINERD_DIR)"
    return 0
  fi
  check "import: ctr -n k8s.io images import takes every tar of images.tsv, each ref listed" import_all
  [ "$FAILED" != 0 ] || sed 's/^/      /' "$SCRATCH/check.out"
}

[ "$(id -u)" = 0 ] || { echo "selfcheck: needs root (buildah's storage under $CACHE, network namespaces)" >&2; exit 1; }
what=("$@")
(( ${#what[@]} > 0 )) || what=(kafka operator small import)
for w in "${what[@]}"; do
  case "$w" in
    kafka) check_kafka ;;
    operator) check_operator ;;
    small) check_small ;;
    import) check_import ;;
    *) echo "selfcheck: unknown check '$w' (kafka operator small import)" >&2; exit 2 ;;
  esac
done
exit "$FAILED"
