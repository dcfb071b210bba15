#!/usr/bin/env bash
# Side-by-side write benchmark: Prometheus vs VictoriaMetrics vs Mnemo on this machine.
# Usage: bench/write-compare.sh [--series 100000 --rounds 20 --concurrency 4]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v prometheus >/dev/null || ! command -v victoria-metrics >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq prometheus victoria-metrics >/dev/null
fi
exec bench/run io.mnemo.bench.WriteCompare "$@"
