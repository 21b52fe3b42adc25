#!/usr/bin/env bash
# mix3.sh name users seconds warmup window  (targets: on onfix off)
name=$1 users=$2 secs=$3 warm=$4 win=$5
out=${PW:-/tmp/pw}/mix-$name; rm -rf $out; mkdir -p $out
declare -A port=([on]=18981 [off]=18982 [onfix]=18983)
cpu() { awk '{print $14+$15}' /proc/$(cat ${PW:-/tmp/pw}/$1-${port[$1]}.pid)/stat; }
cd "$(dirname "$0")/../.."
LOAD_OUT=$out LOAD_RUN_ID=$name-$(date +%s) LOAD_LEVELS=$users LOAD_LEVEL_SECONDS=$secs LOAD_WARMUP=$warm \
 LOAD_TARGETS="on=http://127.0.0.1:18981,onfix=http://127.0.0.1:18983,off=http://127.0.0.1:18982" \
 mvn -q -pl perfkit-load gatling:test -Dgatling.simulationClass=dev.perfkit.load.MixSimulation > $out/gatling.log 2>&1 &
g=$!
until [[ -n $(find $out -name started 2>/dev/null) ]]; do sleep 0.5; done
sleep $((warm + 5))
t0=$(date +%s%3N); for s in on onfix off; do echo "$s $(cpu $s)"; done > $out/cpu0
echo "window start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
sleep $win
t1=$(date +%s%3N); for s in on onfix off; do echo "$s $(cpu $s)"; done > $out/cpu1
echo "window end $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
echo "$t0 $t1" > $out/window
wait $g; echo gatling rc $?
