#!/bin/bash
# The Cloud Assistant script dispatch sends with RunCommand (EnableParameter=true). It runs as root
# with Cloud Assistant's bare environment (no profile, HOME=/root, PATH=/usr/local/sbin:...).
#
# Cloud Assistant replaces each double-brace placeholder with the raw parameter text before bash
# sees the script. The placeholders sit in a block at the very end, after the last command (exec),
# so bash never reads them as code: a value can hold quotes, `$(...)`, a newline or any end marker
# and still never run. The script reads that block from its own file ($0, which Cloud Assistant
# writes to its work dir before running it): exactly one line per parameter, each matching a strict
# pattern. Anything else - `$(reboot)`, `; rm -rf /`, quotes, spaces, a line break - stops the
# script with exit code 64 before it does anything. The dispatcher checks the same patterns first.
#
# Exit codes: 0 chunk done, 1 chunk failed (the worker said so), 64 bad parameter, 65 bad bundle,
# 66 settings file missing or readable by others, 69 download failed, other codes from the worker.
set -euo pipefail
umask 077

PARAMETER_NAMES=(runId chunkNo workerVersion bundleSha256 bundleUrl)
PARAMETER_PATTERNS=(
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  '^(0|[1-9][0-9]{0,5})$'
  '^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$'
  '^[0-9a-f]{64}$'
  '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._~/%?&=+-]*$'
)

refuse_parameters() {
  printf '{"level":"error","message":"invalid parameter","parameter":"%s","detail":"%s"}\n' "$1" "$2" >&2
  exit 64
}

# The lines after the first marker line of this file: the filled-in parameter block.
if [ ! -r "$0" ]; then refuse_parameters '(all)' 'the script cannot read its own file'; fi
mapfile -t PARAMETERS < <(sed -n '/^#@vector-sync-parameters$/,$p' "$0" | tail -n +2)
if [ "${#PARAMETERS[@]}" -ne "${#PARAMETER_NAMES[@]}" ]; then
  refuse_parameters '(all)' "expected ${#PARAMETER_NAMES[@]} lines, got ${#PARAMETERS[@]}: a value holds a line break"
fi
for i in "${!PARAMETER_NAMES[@]}"; do
  if ! [[ "${PARAMETERS[$i]}" =~ ${PARAMETER_PATTERNS[$i]} ]]; then refuse_parameters "${PARAMETER_NAMES[$i]}" 'does not match its pattern'; fi
done
RUN_ID="${PARAMETERS[0]}"
CHUNK_NO="${PARAMETERS[1]}"
WORKER_VERSION="${PARAMETERS[2]}"
BUNDLE_SHA256="${PARAMETERS[3]}"
BUNDLE_URL="${PARAMETERS[4]}"

STATE_DIR="${HOME:-/root}/.vector-sync"
SETTINGS_FILE="$STATE_DIR/worker.env"
BUNDLE_DIR="$STATE_DIR/workers/$WORKER_VERSION"
BUNDLE="$BUNDLE_DIR/worker.js"

# Secrets (database URL, OSS Vectors keys) come from a root-only file on the instance, never from
# the parameters: DescribeInvocations shows parameters to anyone allowed to read invocations.
if [ ! -f "$SETTINGS_FILE" ] || [ "$(stat -c '%u %a' "$SETTINGS_FILE")" != "$(id -u) 600" ]; then
  printf '{"level":"error","message":"settings file missing, not owned by the script user or not mode 600","file":"%s"}\n' "$SETTINGS_FILE"
  exit 66
fi

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ ! -f "$BUNDLE" ] || [ "$(sha256_of "$BUNDLE")" != "$BUNDLE_SHA256" ]; then
  mkdir -p "$BUNDLE_DIR"
  # A file of this process's own: two chunks starting at once on a fresh instance both download,
  # and each renames its own checked copy into place (rename is atomic, so a reader never sees half).
  DOWNLOAD="$(mktemp "$BUNDLE_DIR/worker.js.download.XXXXXX")"
  trap 'rm -f "$DOWNLOAD"' EXIT
  # Bounded retries with backoff: 1, 2, 4, 8 s.
  if ! curl --fail --silent --show-error --location --max-time 60 --retry 4 --retry-delay 1 --retry-max-time 120 -o "$DOWNLOAD" "$BUNDLE_URL"; then
    printf '{"level":"error","message":"worker bundle download failed","workerVersion":"%s"}\n' "$WORKER_VERSION"
    exit 69
  fi
  if [ "$(sha256_of "$DOWNLOAD")" != "$BUNDLE_SHA256" ]; then
    printf '{"level":"error","message":"worker bundle sha256 mismatch","workerVersion":"%s"}\n' "$WORKER_VERSION"
    exit 65
  fi
  mv -f "$DOWNLOAD" "$BUNDLE"
  trap - EXIT
fi

NODE="$(command -v node || true)"
if [ -z "$NODE" ]; then
  printf '{"level":"error","message":"node is not installed on this instance"}\n'
  exit 69
fi

# A small heap: a chunk holds at most two pages, one partial batch per target and the batches in
# flight, so V8 is told to collect early instead of growing to its default limits (about 110 MB of
# RSS instead of 220 MB, flat however big the chunk; bench/worker-memory.bench.ts reads these flags).
exec "$NODE" --max-old-space-size=128 --max-semi-space-size=2 "$BUNDLE" chunk --run-id "$RUN_ID" --chunk-no "$CHUNK_NO" --settings "$SETTINGS_FILE"
# Never reached: exec above replaces this shell, and bash stops reading here. Cloud Assistant fills
# in the lines below (one per parameter, in PARAMETER_NAMES order); the script reads them from $0.
exit 64
#@vector-sync-parameters
{{runId}}
{{chunkNo}}
{{workerVersion}}
{{bundleSha256}}
{{bundleUrl}}
