#!/usr/bin/env bash
# kafka-server-start.sh server.properties [--override name=value ...]
# Starts a Kafka broker and/or KRaft controller (kafka.Kafka) in the foreground: 1 GiB heap and the broker's log4j
# configuration unless KAFKA_HEAP_OPTS / KAFKA_LOG4J_OPTS say otherwise, GC log under $LOG_DIR.
if (( $# < 1 )); then
  echo "usage: kafka-server-start.sh server.properties [--override property=value]*" >&2
  exit 1
fi
bin="$(dirname "${BASH_SOURCE[0]}")"
export KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$bin/../config/log4j.properties}"
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
exec "$bin/kafka-run-class.sh" -name kafkaServer -loggc kafka.Kafka "$@"
