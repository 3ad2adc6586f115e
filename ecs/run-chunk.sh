#!/bin/bash
# The Cloud Assistant script dispatch sends with RunCommand (EnableParameter=true). It runs as root
# with Cloud Assistant's bare environment (no profile, HOME=/root, PATH=/usr/local/sbin:...).
#
# Cloud Assistant replaces each double-brace placeholder with the raw parameter text before bash sees the script,
# so a value is never placed where bash would parse it: each one lands inside a quoted heredoc
# (taken literally: no expansion, no command substitution) and must then match a strict pattern.
# Anything else - `$(reboot)`, `; rm -rf /`, quotes, spaces, a second line - stops the script with
# exit code 64 before it does anything. The dispatcher checks the same patterns before sending,
# which also keeps out the one value a heredoc cannot hold: a line equal to its end marker.
#
# Exit codes: 0 chunk done, 1 chunk failed (the worker said so), 64 bad parameter, 65 bad bundle,
# 66 settings file missing or readable by others, 69 download failed, other codes from the worker.
set -euo pipefail
umask 077

read_param() {
  # $1 name, $2 pattern; the value arrives on stdin from a quoted heredoc.
  local value
  IFS= read -r value || true
  if [ -n "$(cat)" ] || ! [[ "$value" =~ $2 ]]; then
    printf '{"level":"error","message":"invalid parameter","parameter":"%s"}\n' "$1" >&2
    exit 64
  fi
  printf '%s' "$value"
}

RUN_ID=$(read_param runId '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' <<'VECTOR_SYNC_PARAMETER_END'
{{runId}}
VECTOR_SYNC_PARAMETER_END
)
CHUNK_NO=$(read_param chunkNo '^(0|[1-9][0-9]{0,5})$' <<'VECTOR_SYNC_PARAMETER_END'
{{chunkNo}}
VECTOR_SYNC_PARAMETER_END
)
WORKER_VERSION=$(read_param workerVersion '^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$' <<'VECTOR_SYNC_PARAMETER_END'
{{workerVersion}}
VECTOR_SYNC_PARAMETER_END
)
BUNDLE_SHA256=$(read_param bundleSha256 '^[0-9a-f]{64}$' <<'VECTOR_SYNC_PARAMETER_END'
{{bundleSha256}}
VECTOR_SYNC_PARAMETER_END
)
BUNDLE_URL=$(read_param bundleUrl '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._~/%?&=+-]*$' <<'VECTOR_SYNC_PARAMETER_END'
{{bundleUrl}}
VECTOR_SYNC_PARAMETER_END
)

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

exec "$NODE" "$BUNDLE" chunk --run-id "$RUN_ID" --chunk-no "$CHUNK_NO" --settings "$SETTINGS_FILE"
