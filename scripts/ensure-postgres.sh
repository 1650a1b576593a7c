#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth for user postgres,
# and that the test database exists. Starts the local cluster if it is down.
set -euo pipefail
host=127.0.0.1
if ! pg_isready -q -h "$host" 2>/dev/null; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "PostgreSQL is not installed; run 'make deps-system' as root." >&2
    exit 1
  fi
  conf=/etc/postgresql/$version/main
  # A fresh cluster from Debian's package wants passwords on TCP: the tests use trust on loopback.
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf/pg_hba.conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$host" && break; sleep 1; done
fi
pg_isready -h "$host"
psql -h "$host" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'thidua_test'" | grep -q 1 \
  || psql -h "$host" -U postgres -c "CREATE DATABASE thidua_test" >/dev/null
