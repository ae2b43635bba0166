#!/bin/sh
# Two generator "hosts" and a server host, each a network namespace joined through a bridge by
# veth pairs, with no loopback where robotbench runs: one rank of `robotbench load` in each
# generator namespace, the server in the third, to show that nothing assumes loopback
# (docs/distributed.md, docs/testing.md).
#
#   usage: veth_test.sh ROBOTBENCH MPIRUN PYTHON3
#
# Exits 77 (ctest's SKIP_RETURN_CODE) when it cannot create network namespaces (not root, no
# `ip`, no CAP_SYS_ADMIN) or mpirun is not Open MPI's. Every namespace (and with it every link)
# is removed on exit, failure or not; the names carry this shell's pid so that parallel runs do
# not collide.
set -u

robotbench=$1 mpirun=$2 python3=$3

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to create network namespaces"
command -v ip >/dev/null 2>&1 || skip "needs ip (Debian: iproute2)"
command -v unshare >/dev/null 2>&1 || skip "needs unshare (Debian: util-linux)"
# The PMIx and transport settings below are Open MPI's.
"$mpirun" --version 2>&1 | grep -q "Open MPI" || skip "written for Open MPI's mpirun"

id=rb$$
switch=$id-sw server_ns=$id-srv host_a=$id-a host_b=$id-b
server_pid=
out=$(mktemp -d "${TMPDIR:-/tmp}/robotbench-veth.XXXXXX")

cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    for ns in $host_a $host_b $server_ns $switch; do ip netns delete "$ns" 2>/dev/null; done
    rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$switch" 2>"$out/err" || skip "cannot create a network namespace: $(cat "$out/err")"
# Some containers allow the namespace but not entering it (ip netns exec remounts /sys).
ip netns exec "$switch" true 2>"$out/err" ||
    skip "cannot enter a network namespace: $(cat "$out/err")"
fail() { echo "FAILED: $*"; exit 1; }
for ns in $server_ns $host_a $host_b; do ip netns add "$ns" || fail "ip netns add $ns"; done

# The switch: a bridge with one port per host. Each host: eth0, the other end of its port.
# A kernel without bridges or veth pairs (a container without the modules) cannot run the test.
ip -n "$switch" link add br0 type bridge 2>"$out/err" ||
    skip "cannot create a bridge: $(cat "$out/err")"
ip -n "$switch" link set br0 up || fail "bridge"
i=1
for ns in $server_ns $host_a $host_b; do
    ip -n "$ns" link add eth0 type veth peer name port$i netns "$switch" 2>"$out/err" ||
        skip "cannot create a veth pair: $(cat "$out/err")"
    ip -n "$switch" link set port$i master br0 up &&
        ip -n "$ns" addr add 10.77.0.$i/24 dev eth0 &&
        ip -n "$ns" link set eth0 up || fail "veth pair of $ns"
    i=$((i + 1))
done
# Host A also runs mpirun, which talks to itself over loopback; the ranks do not need it.
ip -n "$host_a" link set lo up || fail "lo of $host_a"
server=10.77.0.1:7000

ip netns exec "$server_ns" "$robotbench" serve --backend epoll --host 10.77.0.1 --port 7000 \
    >"$out/server.log" 2>&1 &
server_pid=$!
# The server is up once host B can connect to it over the bridge.
up=
for _ in $(seq 100); do
    if ip netns exec "$host_b" "$python3" -c \
        "import socket; socket.create_connection(('10.77.0.1', 7000), timeout=1).close()" \
        2>/dev/null; then up=1; break; fi
    sleep 0.1
done
[ -n "$up" ] || fail "the server in $server_ns did not answer on $server: $(cat "$out/server.log")"

# Rank 0 in host A, rank 1 in host B under its own host name. MPI's own traffic goes over the
# bridge too: PMIx (rank to mpirun) and the TCP transport (the merge) on eth0.
load="load --target $server -c 4 -d 2s --warmup 200ms --no-csv --json $out/runs.json"
timeout 60 ip netns exec "$host_a" env PMIX_MCA_ptl_tcp_remote_connections=1 \
    PMIX_MCA_ptl_tcp_if_include=eth0 \
    "$mpirun" --allow-run-as-root --oversubscribe --mca btl self,tcp \
    --mca btl_tcp_if_include eth0 \
    -np 1 "$robotbench" $load \
    : -np 1 ip netns exec "$host_b" unshare --uts sh -c 'hostname host-b && exec "$0" "$@"' \
    "$robotbench" $load >"$out/mpirun.log" 2>&1
status=$?
cat "$out/mpirun.log"
[ "$status" = 0 ] || fail "mpirun exited with $status"

"$python3" - "$out/runs.json" <<'PY' || fail "the results are not those of two hosts"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
ranks = run["generator_ranks"]
assert run["ranks"] == 2, run["ranks"]
assert [r["connections"] for r in ranks] == [2, 2], ranks
assert all(r["requests"] > 0 for r in ranks), "a rank drove nothing: %s" % ranks
assert sum(r["requests"] for r in ranks) == run["requests"], (ranks, run["requests"])
assert ranks[1]["host"] == "host-b" and ranks[0]["host"] != "host-b", ranks
assert run["errors"] == 0 and run["presence"] == "passed", (run["errors"], run["presence"])
print("requests by rank: %s, merged: %d, presence %s" % (
    " / ".join(str(r["requests"]) for r in ranks), run["requests"], run["presence"]))
PY
echo "PASSED"
