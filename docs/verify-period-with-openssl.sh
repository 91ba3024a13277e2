#!/usr/bin/env bash
# Check a shoko period directory (written by `shoko history`) with OpenSSL and standard shell
# tools only, without shoko.
#
#   usage: docs/verify-period-with-openssl.sh PERIOD_DIR STORE_DIR PUBLIC_KEY.pem
#
# 1. Rebuilds the DSSE pre-authentication encoding (PAE) of PERIOD_DIR/statement.intoto.json and
#    checks the ed25519 signature over it with `openssl pkeyutl -verify -rawin`.
# 2. Checks the SHA-256 of every output file the statement lists (history.json, the period
#    reports) in PERIOD_DIR, and that the directory holds no other file.
# 3. Checks the SHA-256 of every covered run's statement (subjects runs/<id>/statement.intoto.json)
#    in STORE_DIR: a covered run removed or altered since the period was signed fails here.
# Each covered run can then be checked on its own with docs/verify-with-openssl.sh.
# Needs: bash, jq, base64, stat, sha256sum, find, openssl 3 (ed25519 with -rawin).
set -euo pipefail
usage="usage: $0 PERIOD_DIR STORE_DIR PUBLIC_KEY.pem"
dir=${1:?$usage}
store=${2:?$usage}
pub=${3:?$usage}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

env="$dir/statement.intoto.json"
jq -r '.payload' "$env" | base64 -d > "$work/payload.bin"
type=$(jq -r '.payloadType' "$env")
printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(stat -c %s "$work/payload.bin")" > "$work/pae.bin"
cat "$work/payload.bin" >> "$work/pae.bin"
jq -r '.signatures[0].sig' "$env" | base64 -d > "$work/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$work/pae.bin" -sigfile "$work/sig.bin"
predicate=$(jq -r '.predicateType' "$work/payload.bin")
if [ "$predicate" != "https://shoko.dev/history/v1" ]; then
	echo "not a period statement: predicateType $predicate" >&2
	exit 1
fi

# Every output file has its digest, and nothing else is in the period directory.
jq -r '.subject[] | select(.name | startswith("runs/") | not) | "\(.digest.sha256)  \(.name)"' "$work/payload.bin" > "$work/OUTPUTS"
(cd "$dir" && sha256sum --quiet --strict -c "$work/OUTPUTS")
cut -c67- "$work/OUTPUTS" | LC_ALL=C sort > "$work/signed"
(cd "$dir" && find . -type f ! -name statement.intoto.json -printf '%P\n' | LC_ALL=C sort) > "$work/present"
if ! diff -u "$work/signed" "$work/present" > "$work/files.diff"; then
	echo "files differ from the signed statement (- signed but missing, + present but not signed):" >&2
	cat "$work/files.diff" >&2
	exit 1
fi
echo "All $(wc -l < "$work/signed") output files match the signed statement."

# Every covered run's statement is in the store with the signed digest.
jq -r '.subject[] | select(.name | startswith("runs/")) | "\(.digest.sha256)  \(.name)"' "$work/payload.bin" > "$work/RUNS"
(cd "$store" && sha256sum --quiet --strict -c "$work/RUNS")
echo "All $(wc -l < "$work/RUNS") covered runs' statements match in $store."
jq -r '"period \(.predicate.period.start) .. \(.predicate.period.end), \(.predicate.runs) runs (\(.predicate.trusted_runs) trusted)"' "$work/payload.bin"
