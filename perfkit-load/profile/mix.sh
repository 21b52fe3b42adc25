#!/usr/bin/env bash
# mix.sh name users seconds warmup jfrseconds
name=$1 users=$2 secs=$3 warm=$4 jfrs=$5
out=${PW:-/tmp/pw}/mix-$name; rm -rf $out; mkdir -p $out
cd "$(dirname "$0")/../.."
LOAD_OUT=$out LOAD_RUN_ID=$name-$(date +%s) LOAD_LEVELS=$users LOAD_LEVEL_SECONDS=$secs LOAD_WARMUP=$warm \
 LOAD_TARGETS="on=http://127.0.0.1:18981,off=http://127.0.0.1:18982" \
 mvn -q -pl perfkit-load gatling:test -Dgatling.simulationClass=dev.perfkit.load.MixSimulation > $out/gatling.log 2>&1 &
g=$!
until [[ -n $(find $out -name started 2>/dev/null) ]]; do sleep 0.5; done
sleep $((warm + 5))
t0=$(date +%s%3N); for s in on-18981 off-18982; do echo "${s%%-*} $(awk "{print \$14+\$15}" /proc/$(cat ${PW:-/tmp/pw}/$s.pid)/stat)"; done > $out/cpu0
for s in on-18981 off-18982; do jcmd $(cat ${PW:-/tmp/pw}/$s.pid) JFR.start name=m settings=profile filename=$out/${s%%-*}.jfr >/dev/null; done
echo "jfr start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
sleep $jfrs
t1=$(date +%s%3N); echo "$t0 $t1" > $out/window; for s in on-18981 off-18982; do echo "${s%%-*} $(awk "{print \$14+\$15}" /proc/$(cat ${PW:-/tmp/pw}/$s.pid)/stat)"; done > $out/cpu1
for s in on-18981 off-18982; do jcmd $(cat ${PW:-/tmp/pw}/$s.pid) JFR.stop name=m >/dev/null; done
echo "jfr stop $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
wait $g; echo gatling rc $?
