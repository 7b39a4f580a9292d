#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The PostgreSQL walk-through of docs/CRASH-TESTING.md, as one script (root, Debian 12 with
# `apt-get install -y postgresql`; not part of CTest: it needs the server package).
#
# usage: tests/crash/pg_crash_example.sh SYSGATE SCOPE [ZAP-OPTIONS...]
#   SCOPE: process | tree | cgroup
#   e.g.   tests/crash/pg_crash_example.sh build/sysgate cgroup --before
#
# A throw-away cluster in /tmp/pgcrash (port 5499) runs in a cgroup v2 of its own; psql
# inserts rows 1..20, one autocommit INSERT each (each "INSERT 0 1" it prints is an
# acknowledged commit); sysgate zaps at a backend's 5th fdatasync with SIGKILL and the given
# scope. Then the script restarts the server if it is down, waits for recovery, and prints
# acked, rows, and the result of pg_amcheck.
set -u -o pipefail
SG=$(realpath "$1")
SCOPE=$2
shift 2
PGB=/usr/lib/postgresql/15/bin
D=/tmp/pgcrash
CG=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)/pgcrash
PORT=5499
P=(psql -X -h "$D" -p "$PORT" -U postgres)
pg() { su postgres -c "$*"; }

[ -x "$PGB/pg_ctl" ] || { echo "no $PGB/pg_ctl: apt-get install -y postgresql" >&2; exit 1; }
cd /tmp || exit 1
# a fresh cluster, started inside the cgroup (its processes inherit it)
[ -f "$D/data/postmaster.pid" ] && pg "$PGB/pg_ctl -D $D/data -m immediate -w stop" >/dev/null 2>&1
rm -rf "$D" && mkdir -p "$D" && chown postgres: "$D"
pg "$PGB/initdb -D $D/data -A trust -U postgres" >/dev/null || exit 1
mkdir -p "$CG"
start() {
  sh -c "echo \$\$ > $CG/cgroup.procs; exec su postgres -c \"$PGB/pg_ctl -D $D/data -o '-p $PORT -k $D' -l $D/log -w start\"" >/dev/null
}
start || exit 1
"${P[@]}" -qc "CREATE TABLE acks(id int PRIMARY KEY); CREATE EXTENSION amcheck" || exit 1
PM=$(head -1 "$D/data/postmaster.pid")
echo "# server: postmaster $PM, processes in $CG: $(wc -l <"$CG/cgroup.procs")"

case $SCOPE in
  process) TARGET=(-n postgres) ;;
  tree) TARGET=(-p "$PM" -f) ;;
  cgroup) TARGET=(-n postgres) ;;
  *) echo "scope: process, tree or cgroup" >&2; exit 2 ;;
esac
CMD=("$SG" zap "${TARGET[@]}" --on fdatasync --nth 5 --signal KILL --scope "$SCOPE" -y "$@")
echo "\$ ${CMD[*]}"
"${CMD[@]}" >"$D/zap.txt" 2>&1 &
ZAP=$!
sleep 2
seq 1 20 | sed 's/.*/INSERT INTO acks VALUES (&);/' | "${P[@]}" -v ON_ERROR_STOP=1 >"$D/acks.out" 2>"$D/acks.err"
echo "# psql exit status $?: $(tr '\n' ' ' <"$D/acks.err")"
for _ in $(seq 50); do kill -0 "$ZAP" 2>/dev/null || break; sleep 0.1; done
kill -INT "$ZAP" 2>/dev/null
wait "$ZAP"
cat "$D/zap.txt"
echo "# postgres processes left in the cgroup: $(wc -l <"$CG/cgroup.procs")"
ACKED=$(grep -c 'INSERT 0 1' "$D/acks.out")
# a killed postmaster may be a zombie for a moment (its parent reaps it): give it 2 s
for _ in $(seq 20); do kill -0 "$PM" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$PM" 2>/dev/null; then
  echo "# server down: restarting"
  start || { tail -20 "$D/log"; exit 1; }
fi
for _ in $(seq 100); do "${P[@]}" -qAtc "select 1" >/dev/null 2>&1 && break; sleep 0.1; done
ROWS=$("${P[@]}" -Atc "select count(*) from acks")
MAXID=$("${P[@]}" -Atc "select coalesce(max(id), 0) from acks")
echo "# acked $ACKED, rows $ROWS (max id $MAXID)"
echo "\$ $PGB/pg_amcheck -h $D -p $PORT -U postgres --heapallindexed postgres"
su postgres -c "$PGB/pg_amcheck -h $D -p $PORT -U postgres --heapallindexed postgres" && echo "# pg_amcheck: no corruption"
echo "# server log from the kill on:"
grep -E 'starting PostgreSQL|terminated by signal|not properly shut down|interrupted|redo |ready to accept|invalid record' "$D/log" | sed 's/^[0-9-]* [0-9:.]* UTC //'
