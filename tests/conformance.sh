#!/bin/sh
# Real-world traces from Zeek's test suite (see its README in DIR):
#  1. wirestate reads every trace without crashing and exits 0 (link types or
#     encapsulations it does not decode are counted, not fatal);
#  2. for every trace not marked `tunnel` in INDEX.tsv, every TCP 4-tuple of
#     Zeek's conn.log rows (<trace>.conn.tsv) is one of wirestate's
#     connections, in either orientation.
# Orientation agreement with Zeek is printed for information.
#   sh tests/conformance.sh WIRESTATE DIR     (exit 77 = skipped: DIR absent)
set -eu
bin=$1 dir=$2
if [ ! -f "$dir/INDEX.tsv" ]; then
    echo "SKIP: no conformance traces at $dir"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 traces=0 tuples=0 same_dir=0

# Endpoint text as wirestate writes it: a.b.c.d:port or [v6]:port.
endpoint() {
    case $1 in
        *:*) printf '[%s]:%s' "$1" "$2" ;;
        *) printf '%s:%s' "$1" "$2" ;;
    esac
}

tail -n +2 "$dir/INDEX.tsv" | while IFS='	' read -r trace conn_tsv _ _ _ _ _ _ features _; do
    echo "$trace" >>"$tmp/seen"
    out="$tmp/out.json"
    rc=0
    "$bin" --format json -r "$dir/$trace" >"$out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $trace: exit status $rc ($(cat "$tmp/err"))"
        echo x >>"$tmp/failed"
        continue
    fi
    case ",$features," in *,tunnel,*) echo "ok   $trace (tunnel: read only)"; continue ;; esac
    # "client":"A","server":"B" -> "A B"
    # (anchored: anomalies carry "client" and "server" keys of their own)
    sed -n 's/^{"type":"conn","id":[0-9]*,"client":"\([^"]*\)","server":"\([^"]*\)".*/\1 \2/p' "$out" >"$tmp/pairs"
    missing=0 n=0 same=0
    tail -n +2 "$dir/$conn_tsv" | {
        while IFS='	' read -r _ oh op rh rp _; do
            a=$(endpoint "$oh" "$op") b=$(endpoint "$rh" "$rp")
            n=$((n + 1))
            if grep -qxF "$a $b" "$tmp/pairs"; then
                same=$((same + 1))
            elif ! grep -qxF "$b $a" "$tmp/pairs"; then
                echo "FAIL $trace: no connection $a <-> $b"
                missing=$((missing + 1))
            fi
        done
        echo "$n $same" >>"$tmp/tuples"
        if [ "$missing" -gt 0 ]; then
            echo x >>"$tmp/failed"
        else
            echo "ok   $trace ($n tuples, $same oriented as Zeek)"
        fi
    }
done

traces=$(wc -l <"$tmp/seen")
tuples=$(awk '{n += $1} END {print n + 0}' "$tmp/tuples")
same_dir=$(awk '{s += $2} END {print s + 0}' "$tmp/tuples")
echo "$traces traces, $tuples tuples checked, $same_dir oriented as Zeek"
if [ -s "$tmp/failed" ] 2>/dev/null; then
    echo "conformance: $(wc -l <"$tmp/failed") trace(s) failed"
    exit 1
fi
[ "$traces" -gt 0 ] || { echo "no traces listed in INDEX.tsv"; exit 1; }
