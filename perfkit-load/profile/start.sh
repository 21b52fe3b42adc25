#!/usr/bin/env bash
# Start one sample instance for the paired profile (docs/load-testing.md#where-the-mixs-time-goes-perfkit-on-against-off):
# start.sh on|off|<label> port [more arguments]; "off" is perfkit.enabled=false with Boot's Caffeine cache.
# PostgreSQL database h_profile, Redis on 6451 (started beforehand).
side=$1 port=$2; shift 2
APP=${APP:-${PW:-/tmp/pw}/app}
extra=()
if [[ $side == off ]]; then extra+=(--perfkit.enabled=false --spring.cache.type=caffeine '--spring.cache.caffeine.spec=maximumSize=10000,expireAfterWrite=10s'); fi
PERFKIT_REDIS_PORT=6451 PERFKIT_PG_DB=h_profile setsid java -Xms256m -Xmx512m -XX:+ExitOnOutOfMemoryError \
  -cp "$APP/BOOT-INF/classes:$APP/BOOT-INF/lib/*" dev.perfkit.sample.SampleApplication \
  --server.port=$port --spring.profiles.active=postgres,load "${extra[@]}" "$@" > ${PW:-/tmp/pw}/$side-$port.log 2>&1 &
echo $! > ${PW:-/tmp/pw}/$side-$port.pid
