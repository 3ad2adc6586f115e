#!/usr/bin/env bash
# Installs what the real-PostgreSQL target needs (docs/postgres.md), idempotently:
#   - PostgreSQL 15 server, pg_cron 1.4 and pgTAP from Debian's packages;
#   - pgvector, built from Debian's source tarball (sha256 checked) against postgresql-server-dev-15;
#   - pgmq, pure SQL, copied from the extension files inside @electric-sql/pglite-pgmq (run npm ci first).
# Needs root (apt, and PostgreSQL reads extensions from its system share directory).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_MAJOR=15
PGVECTOR_VERSION=0.8.0
PGVECTOR_SHA256=867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0
PGVECTOR_URL="http://deb.debian.org/debian/pool/main/p/pgvector/pgvector_${PGVECTOR_VERSION}.orig.tar.gz"
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"

log() { printf '{"component":"pg-install","msg":"%s"}\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "pg-install: run as root (it installs Debian packages and extension files)" >&2
  exit 1
fi

packages=()
[ -x "$PG_BIN/postgres" ] || packages+=("postgresql-${PG_MAJOR}")
dpkg -s "postgresql-${PG_MAJOR}-cron" >/dev/null 2>&1 || packages+=("postgresql-${PG_MAJOR}-cron")
dpkg -s "postgresql-${PG_MAJOR}-pgtap" >/dev/null 2>&1 || packages+=("postgresql-${PG_MAJOR}-pgtap")
dpkg -s "postgresql-server-dev-${PG_MAJOR}" >/dev/null 2>&1 || packages+=("postgresql-server-dev-${PG_MAJOR}")
command -v make >/dev/null 2>&1 || packages+=(make)
command -v gcc >/dev/null 2>&1 || packages+=(gcc)
if [ "${#packages[@]}" -gt 0 ]; then
  log "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null || {
    apt-get update >/dev/null
    apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null
  }
fi

PG_CONFIG="$PG_BIN/pg_config"
[ -x "$PG_CONFIG" ] || PG_CONFIG=pg_config
SHARE="$("$PG_CONFIG" --sharedir)/extension"

if [ ! -f "$SHARE/vector--${PGVECTOR_VERSION}.sql" ]; then
  log "building pgvector ${PGVECTOR_VERSION}"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  curl -fsSL --retry 3 -o "$work/pgvector.tar.gz" "$PGVECTOR_URL"
  echo "${PGVECTOR_SHA256}  $work/pgvector.tar.gz" | sha256sum --check --quiet
  tar -xzf "$work/pgvector.tar.gz" -C "$work"
  # with_llvm=no: no JIT bitcode, so clang/llvm need not be installed.
  make -s -C "$work/pgvector-${PGVECTOR_VERSION}" PG_CONFIG="$PG_CONFIG" with_llvm=no OPTFLAGS="" >/dev/null
  make -s -C "$work/pgvector-${PGVECTOR_VERSION}" PG_CONFIG="$PG_CONFIG" with_llvm=no install >/dev/null
fi

PGMQ_TAR=node_modules/@electric-sql/pglite-pgmq/dist/pgmq.tar.gz
if [ ! -f "$SHARE/pgmq.control" ]; then
  [ -f "$PGMQ_TAR" ] || { echo "pg-install: $PGMQ_TAR is missing: run npm ci first" >&2; exit 1; }
  log "installing pgmq from $PGMQ_TAR"
  tar -xzf "$PGMQ_TAR" -C "$SHARE" --strip-components=3 --wildcards 'share/postgresql/extension/pgmq*'
fi

log "ready: $("$PG_BIN/postgres" --version), extensions in $SHARE"
