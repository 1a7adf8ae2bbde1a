"""Cross-checks wirestate's connection records against tcpdump's decoding.

    python3 tests/oracle_tcpdump.py WIRESTATE PCAP...

For every capture, tcpdump (an independent decoder) lists the TCP segments;
per connection and direction this script adds up packets, payload bytes and
flags, and requires wirestate's JSON records to say the same: the same set
of connections, and for each the same counts and flags in each direction.
A 4-tuple that a new connection took over (end_reason "reused") has a record
per connection where tcpdump sees one 4-tuple: those records are added up.
Exits 77 (skipped) when tcpdump is not installed.
"""
import json
import re
import shutil
import subprocess
import sys

FLAG_NAMES = {"S": "SYN", ".": "ACK", "P": "PSH", "U": "URG", "F": "FIN", "R": "RST", "E": "ECE", "W": "CWR"}

# "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S.], ... length 0"  (IP6: v6 addresses)
SEGMENT = re.compile(
    r"\bIP6? (?P<src>[0-9a-fA-F:.]+)\.(?P<sport>\d+) > (?P<dst>[0-9a-fA-F:.]+)\.(?P<dport>\d+): "
    r"Flags \[(?P<flags>[^\]]*)\].*?length (?P<len>\d+)"
)


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def tcpdump_view(pcap):
    out = subprocess.run(
        ["tcpdump", "-nn", "-tt", "-r", pcap],
        check=True, capture_output=True, text=True,
    ).stdout
    conns = {}
    for line in out.splitlines():
        m = SEGMENT.search(line)
        if not m:
            continue
        src = endpoint(m["src"], m["sport"])
        dst = endpoint(m["dst"], m["dport"])
        key = tuple(sorted((src, dst)))
        per_dir = conns.setdefault(key, {})
        d = per_dir.setdefault(src, {"packets": 0, "bytes": 0, "flags": set()})
        d["packets"] += 1
        d["bytes"] += int(m["len"])
        d["flags"].update(FLAG_NAMES[f] for f in m["flags"] if f in FLAG_NAMES)
    return conns


def wirestate_view(binary, pcap):
    out = subprocess.run(
        [binary, "--format", "json", "-r", pcap], check=True, capture_output=True, text=True
    ).stdout
    conns = {}
    reused = set()  # 4-tuples whose last record a new connection took over
    for line in out.splitlines():
        rec = json.loads(line)
        if rec["type"] != "conn":
            continue
        key = tuple(sorted((rec["client"], rec["server"])))
        if key in conns and key not in reused:
            sys.exit(f"{pcap}: two records for {key}; compare with --vlan-key")
        reused.discard(key)
        if rec["end_reason"] == "reused":
            reused.add(key)
        per_dir = conns.setdefault(key, {})
        for who in ("client", "server"):
            if not rec[f"{who}_packets"]:
                continue
            d = per_dir.setdefault(rec[who], {"packets": 0, "bytes": 0, "flags": set()})
            d["packets"] += rec[f"{who}_packets"]
            d["bytes"] += rec[f"{who}_bytes"]
            d["flags"].update(rec[f"{who}_flags"])
    return conns


def main(argv):
    if shutil.which("tcpdump") is None:
        print("SKIP: tcpdump is not installed")
        sys.exit(77)
    binary, pcaps = argv[1], argv[2:]
    segments = 0
    for pcap in pcaps:
        want = tcpdump_view(pcap)
        got = wirestate_view(binary, pcap)
        if set(want) != set(got):
            sys.exit(f"{pcap}: connections differ:\n  tcpdump only {sorted(set(want) - set(got))}\n"
                     f"  wirestate only {sorted(set(got) - set(want))}")
        for key in want:
            if want[key] != got[key]:
                sys.exit(f"{pcap}: {key[0]} <-> {key[1]}:\n  tcpdump   {want[key]}\n  wirestate {got[key]}")
            segments += sum(d["packets"] for d in want[key].values())
    print(f"{len(pcaps)} captures, {segments} segments: wirestate agrees with tcpdump")


if __name__ == "__main__":
    main(sys.argv)
