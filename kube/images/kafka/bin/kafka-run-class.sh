#!/usr/bin/env bash
# kafka-run-class.sh [-name NAME] [-loggc] CLASS [ARG...]
#
# Runs a Java class of the local Kafka image (/opt/kafka/libs/*.jar, from Maven Central) with the JVM options the
# Kafka distribution's script of the same name reads from the environment, so that the image's entry point and its
# tools behave as in the official image:
#   KAFKA_HEAP_OPTS             heap; default -Xmx256M (kafka-server-start.sh sets -Xmx1G -Xms1G when unset)
#   KAFKA_JVM_PERFORMANCE_OPTS  GC and JIT options; default G1 with the distribution's pause settings
#   KAFKA_GC_LOG_OPTS           GC logging; with -loggc and unset, a rotated GC log in $LOG_DIR/<NAME>-gc.log
#   KAFKA_JMX_OPTS, JMX_PORT    JMX agent options; JMX_PORT adds the remote port (and the RMI port, same number)
#   KAFKA_LOG4J_OPTS            log4j configuration; default $base/config/tools-log4j.properties (messages on stderr)
#   KAFKA_OPTS                  anything else for the JVM
#   LOG_DIR                     where GC logs go (default /opt/kafka/logs); also the log4j property kafka.logs.dir
#   CLASSPATH, JAVA_HOME        extra class path entries; the JVM to use (default: java on PATH)
# Not supported: -daemon (a container runs its process in the foreground).
base="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

name=""
loggc=false
while (( $# > 0 )); do
  case "$1" in
    -name) name="$2"; shift 2 ;;
    -loggc) loggc=true; shift ;;
    -daemon) echo "kafka-run-class.sh: -daemon is not supported in this image; run in the foreground" >&2; exit 2 ;;
    *) break ;;
  esac
done
if (( $# == 0 )); then
  echo "usage: kafka-run-class.sh [-name NAME] [-loggc] CLASS [ARG...]" >&2
  exit 2
fi

java="java"
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java="$JAVA_HOME/bin/java"

LOG_DIR="${LOG_DIR:-$base/logs}"
heap="${KAFKA_HEAP_OPTS:--Xmx256M}"
performance="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
jmx="${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote=true -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false}"
if [ -n "${JMX_PORT:-}" ]; then
  jmx="$jmx -Dcom.sun.management.jmxremote.port=$JMX_PORT"
  case "$jmx" in
    *-Dcom.sun.management.jmxremote.rmi.port=*) ;;
    *) jmx="$jmx -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT" ;;
  esac
fi
log4j="${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$base/config/tools-log4j.properties}"
gclog="${KAFKA_GC_LOG_OPTS:-}"
if $loggc && [ -z "$gclog" ] && [ -n "$name" ]; then
  mkdir -p "$LOG_DIR" 2>/dev/null
  gclog="-Xlog:gc*:file=$LOG_DIR/$name-gc.log:time,tags:filecount=10,filesize=100M"
fi
classpath="$base/libs/*${CLASSPATH:+:$CLASSPATH}"

# Word splitting of the option variables is wanted: each holds several JVM options, as in the distribution's script.
# shellcheck disable=SC2086
exec "$java" $heap $performance $gclog $jmx $log4j "-Dkafka.logs.dir=$LOG_DIR" -cp "$classpath" ${KAFKA_OPTS:-} "$@"
