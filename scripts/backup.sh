#!/usr/bin/env bash
# Back up Kinerja: the database (pg_dump custom format) and the stored files (MEDIA_ROOT: signed
# PDFs, job results), with SHA-256 sums. See docs/operations.md, "Cadangan dan pemulihan".
#
#   DATABASE_URL=postgres://... DJANGO_MEDIA_ROOT=/srv/kinerja/media scripts/backup.sh [DEST_DIR]
#
# PG_DUMP picks the binary (its major version must match the server's).
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL (the same URL the app uses)}"
dest="${1:-backups}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$dest/kinerja-$stamp"
media="${DJANGO_MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/.data/media}"
mkdir -p "$out"

# One consistent snapshot of the database (pg_dump runs in a single repeatable-read transaction).
"${PG_DUMP:-pg_dump}" --format=custom --compress=6 --file="$out/database.dump" --dbname="$DATABASE_URL"

# Files are write-once (documents never change), so copying after the dump cannot miss a file the
# dump refers to; files newer than the dump are harmless extras.
if [ -d "$media" ]; then
  tar -C "$media" -czf "$out/media.tar.gz" .
else
  echo "warning: MEDIA_ROOT $media does not exist; no files backed up" >&2
fi

(cd "$out" && sha256sum ./* > SHA256SUMS)
echo "$out"
