#!/usr/bin/env bash
# Measures the int8 dot-product peak of one core and of all cores at once (one process per core),
# three times each, and writes bench/results/engine-int8-peak.json. Needs gcc and AVX-512 VNNI.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(mktemp)
trap 'rm -f "$binary"' EXIT
gcc -O2 -mavx512f -mavx512bw -mavx512vnni -o "$binary" bench/engine/int8-peak.c
cores=$(nproc)
single=()
all=()
for _ in 1 2 3; do
  single+=("$("$binary")")
  run=$(for _ in $(seq "$cores"); do "$binary" & done; wait)
  all+=("[$(echo "$run" | paste -sd, -)]")
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
{
  echo "{\"benchmark\": \"engine-int8-peak\", \"date\": \"$(date -u +%FT%TZ)\", \"cpu\": \"$cpu\", \"cores\": $cores,"
  echo " \"loadAverageAtStart\": \"$(cut -d' ' -f1-3 /proc/loadavg)\","
  echo " \"oneCore\": [$(IFS=,; echo "${single[*]}")],"
  echo " \"allCoresAtOnce\": [$(IFS=,; echo "${all[*]}")]}"
} > bench/results/engine-int8-peak.json
cat bench/results/engine-int8-peak.json
