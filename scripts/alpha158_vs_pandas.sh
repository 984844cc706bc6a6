#!/bin/sh
# Times the Alpha158-style factor set (features.Alpha158) against the same
# factors written in pandas (scripts/alpha158_pandas.py), on the same CSV
# files, and prints the ratio. Both sides load the files first and time
# the factor computation only. Uses Debian's pandas: /usr/bin/python3.
#
# usage: scripts/alpha158_vs_pandas.sh [DIR]   (default ../shared/data/markets/sp500_5yr)
set -eu
cd "$(dirname "$0")/.."
dir=${1:-../shared/data/markets/sp500_5yr}
bin=$(mktemp -d)/alpha158bench
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./scripts/alpha158bench
goout=$("$bin" -repeat 3 "$dir")
echo "$goout" | head -1
pyout=$(/usr/bin/python3 scripts/alpha158_pandas.py "$dir")
echo "$pyout" | head -1
g1=$(echo "$goout" | sed -n 's/^GO_SECONDS_1=//p')
gn=$(echo "$goout" | sed -n 's/^GO_SECONDS_N=//p')
py=$(echo "$pyout" | sed -n 's/^PANDAS_SECONDS=//p')
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v g1="$g1" -v gn="$gn" -v py="$py" 'BEGIN {
	printf "pandas / go (1 goroutine): %.1fx\npandas / go (all cores):   %.1fx\n", py / g1, py / gn
}'
