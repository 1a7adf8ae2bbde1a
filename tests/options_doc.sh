#!/bin/sh
# options_doc.sh - the documented options are the option table's.
#
#   sh tests/options_doc.sh OPTIONS_MD README [DOC ...]           check
#   sh tests/options_doc.sh --update OPTIONS_MD README [DOC ...]  rewrite README's table
#
# README's option table, between the two marker lines below, must be exactly
# what options_md (tests/gen/options_md.c) writes from src/options.c. And
# wherever README or a DOC names an option and, just after it, its default
# ("`--msl`, default 30", "`--linger SECONDS` (default 5"), that default must
# be the table's. After changing a row: run with --update, then review the
# diff of README.md like code.
set -eu

begin='<!-- options: generated from src/options.c by tests/options_doc.sh --update; do not edit -->'
end='<!-- end of options -->'

update=no
if [ "${1:-}" = "--update" ]; then
    update=yes
    shift
fi
if [ $# -lt 2 ]; then
    echo "usage: sh $0 [--update] OPTIONS_MD README [DOC ...]" >&2
    exit 2
fi
gen=$1
readme=$2
shift 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wst-options-doc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$gen" >"$tmp/table.md"
"$gen" --defaults >"$tmp/defaults"

[ "$(grep -cxF -- "$begin" "$readme")" -eq 1 ] || { echo "options_doc.sh: $readme: no single line '$begin'" >&2; exit 1; }
[ "$(grep -cxF -- "$end" "$readme")" -eq 1 ] || { echo "options_doc.sh: $readme: no single line '$end'" >&2; exit 1; }

# The README's lines between the markers; and the README with the table replaced.
awk -v b="$begin" -v e="$end" '$0 == e { inside = 0 } inside { print } $0 == b { inside = 1 }' "$readme" >"$tmp/current.md"
awk -v b="$begin" -v e="$end" -v table="$tmp/table.md" '
    $0 == e { inside = 0 }
    !inside { print }
    $0 == b { inside = 1; while ((getline line < table) > 0) print line }
' "$readme" >"$tmp/readme.new"

if [ "$update" = yes ]; then
    if cmp -s "$tmp/readme.new" "$readme"; then
        echo "options_doc.sh: $readme is up to date"
    else
        cat "$tmp/readme.new" >"$readme"
        echo "options_doc.sh: updated the option table of $readme; review the diff"
    fi
    exit 0
fi

status=0
if ! cmp -s "$tmp/current.md" "$tmp/table.md"; then
    echo "options_doc.sh: FAIL: the option table of $readme differs from src/options.c's:" >&2
    diff -u "$tmp/current.md" "$tmp/table.md" | sed 's/^/    /' >&2 || true
    echo "options_doc.sh: regenerate it: sh tests/options_doc.sh --update $gen $readme" >&2
    status=1
fi

# Defaults the prose states next to an option's name, outside the generated
# table (blanked, so that line numbers stay those of the file).
for doc in "$readme" "$@"; do
    awk -v b="$begin" -v e="$end" '$0 == e { inside = 0 } inside { print ""; next } { print } $0 == b { inside = 1 }' \
        "$doc" >"$tmp/prose"
    while read -r name def; do
        grep -noE "\`--$name( [^\`]*)?\`[^\`]{0,20}default [^ ,;)]+" "$tmp/prose" >"$tmp/mentions" || true
        while IFS=: read -r line mention; do
            said=${mention##*default }
            if [ "$said" != "$def" ]; then
                echo "options_doc.sh: FAIL: $doc:$line: says '$mention', but the default of --$name is $def" >&2
                status=1
            fi
        done <"$tmp/mentions"
    done <"$tmp/defaults"
done

[ "$status" -eq 0 ] && echo "options_doc.sh: the documented options match the option table"
exit "$status"
