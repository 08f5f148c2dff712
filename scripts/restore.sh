#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW database (never over a live one).
#
#   ADMIN_DATABASE_URL=postgres://postgres@host:5432/postgres \
#   scripts/restore.sh BACKUP_DIR NEW_DB_NAME [MEDIA_DIR]
#
# Then point DATABASE_URL at NEW_DB_NAME and run `python manage.py migrate` (a no-op for the schema;
# it re-applies the kinerja_app role, grants and row-level security, see kinerja/rls.py).
# PG_RESTORE picks the binary (its major version must match the server's).
set -euo pipefail

backup="${1:?backup directory}"
newdb="${2:?name of the new database}"
media_dir="${3:-}"
: "${ADMIN_DATABASE_URL:?set ADMIN_DATABASE_URL (a maintenance database, e.g. .../postgres)}"

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

psql_admin() { "${PSQL:-psql}" --no-psqlrc --quiet --set ON_ERROR_STOP=1 --dbname="$ADMIN_DATABASE_URL" "$@"; }
exists="$(psql_admin --tuples-only --no-align --command "SELECT 1 FROM pg_database WHERE datname = '$newdb'")"
if [ -n "$exists" ]; then
  echo "database $newdb already exists; refusing to restore over it" >&2
  exit 1
fi
psql_admin --command "CREATE DATABASE \"$newdb\" TEMPLATE template0"

# Privileges are re-created by `manage.py migrate` (the role may not exist on a new server).
target="$(python3 - "$ADMIN_DATABASE_URL" "$newdb" <<'PY'
import sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
)"
"${PG_RESTORE:-pg_restore}" --exit-on-error --no-owner --no-privileges --dbname="$target" "$backup/database.dump"

if [ -n "$media_dir" ] && [ -f "$backup/media.tar.gz" ]; then
  mkdir -p "$media_dir"
  tar -C "$media_dir" -xzf "$backup/media.tar.gz"
fi
echo "restored into $newdb"
