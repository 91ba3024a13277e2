#!/usr/bin/env bash
# Check a shoko run with OpenSSL and standard shell tools only, without shoko.
#
#   usage: docs/verify-with-openssl.sh RUN_DIR PUBLIC_KEY.pem
#
# 1. Rebuilds the DSSE pre-authentication encoding (PAE) of statement.intoto.json:
#      "DSSEv1" SP len(payloadType) SP payloadType SP len(payload) SP payload
#    and checks the ed25519 signature over it with `openssl pkeyutl -verify -rawin`.
# 2. Checks the SHA-256 of every file the signed statement lists with sha256sum, and that the run
#    holds no other file.
# What it does not do is re-evaluate the controls: that is `shoko verify`'s replay.
# Needs: bash, jq, base64, stat, sha256sum, find, openssl 3 (ed25519 with -rawin).
set -euo pipefail
run=${1:?usage: $0 RUN_DIR PUBLIC_KEY.pem}
pub=${2:?usage: $0 RUN_DIR PUBLIC_KEY.pem}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

env="$run/statement.intoto.json"
jq -r '.payload' "$env" | base64 -d > "$work/payload.bin"
type=$(jq -r '.payloadType' "$env")
printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(stat -c %s "$work/payload.bin")" > "$work/pae.bin"
cat "$work/payload.bin" >> "$work/pae.bin"
jq -r '.signatures[0].sig' "$env" | base64 -d > "$work/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$work/pae.bin" -sigfile "$work/sig.bin"

# Every signed file has its digest, and nothing else is in the run.
jq -r '.subject[] | "\(.digest.sha256)  \(.name)"' "$work/payload.bin" > "$work/SHA256SUMS"
(cd "$run" && sha256sum --quiet --strict -c "$work/SHA256SUMS")
jq -r '.subject[].name' "$work/payload.bin" | sort > "$work/signed"
(cd "$run" && find . -type f ! -name statement.intoto.json -printf '%P\n' | LC_ALL=C sort) > "$work/present"
LC_ALL=C sort -o "$work/signed" "$work/signed"
if ! diff -u "$work/signed" "$work/present" > "$work/files.diff"; then
	echo "files differ from the signed statement (- signed but missing, + present but not signed):" >&2
	cat "$work/files.diff" >&2
	exit 1
fi
echo "All $(wc -l < "$work/signed") files match the signed statement."
jq -r '"run \(.predicate.run_id), previous \(.predicate.previous.run_id // "none") sha256:\(.predicate.previous.digest.sha256 // "-")"' "$work/payload.bin"
