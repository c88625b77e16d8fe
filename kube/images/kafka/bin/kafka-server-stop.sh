#!/usr/bin/env bash
# kafka-server-stop.sh: sends SIGTERM to every kafka.Kafka JVM of this container (found through /proc; the image has
# no ps), which shuts the broker or controller down cleanly. Exits 1 when none is running.
found=0
for dir in /proc/[0-9]*; do
  [ "${dir#/proc/}" = "$$" ] && continue
  if tr '\0' ' ' < "$dir/cmdline" 2>/dev/null | grep -q ' kafka\.Kafka '; then
    kill -TERM "${dir#/proc/}" 2>/dev/null && found=1
  fi
done
if [ "$found" = 0 ]; then
  echo "No kafka server to stop"
  exit 1
fi
