#!/bin/sh
# fsm_mutation.sh - shows that the state machine's tests notice a changed
# transition table: for every row of the table in src/fsm.c it builds the
# fsm suite against a copy of fsm.c with one cell of that row changed, runs
# it, and requires it to fail.
#
#   sh tests/fsm_mutation.sh BUILD_DIR [--all]
#
# BUILD_DIR is a configured build tree (e.g. build-test). The copy goes to
# BUILD_DIR/tests/fsm_mutant/fsm.c and is built as the target
# check_fsm_mutant (tests/CMakeLists.txt), which links the same suites as
# check_wirestate; only that file is recompiled for each mutant.
#
# Which cell, and into what: by default one cell per row, the row's k-th
# state column for the k-th row (0-based, modulo the 12 states), so that
# the rows together touch every column. --all changes every cell of every
# row, each in two ways. The ways:
#  1. A cell that moves its endpoint (names a state other than its
#     column's) becomes sNC (it no longer moves); a cell that leaves it
#     where it is (sNC, sIV, or its column's own state) becomes a state
#     that moves it (sCL, or sES in the CLOSED column).
#  2. (--all) sNC becomes sIV and sIV becomes sNC (the same state either
#     way: only the table comparison sees it); a moving cell moves to
#     another state (sLA, or sF1 where that is the cell or the column).
#
# Prints one line per mutant: the row, the column, the change, and the
# first failing test (or SURVIVED), then how many rows were caught. Exit
# status 0 when every mutant made the suite fail, 1 otherwise.
set -eu

usage() {
    echo "usage: sh $0 BUILD_DIR [--all]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
build=$1
all=0
if [ $# -eq 2 ]; then
    [ "$2" = --all ] || usage
    all=1
elif [ $# -gt 2 ]; then
    usage
fi
here=$(cd "$(dirname "$0")" && pwd)
src="$(dirname "$here")/src/fsm.c"
[ -f "$build/CMakeCache.txt" ] || { echo "$0: $build is not a build tree" >&2; exit 2; }
mutant="$build/tests/fsm_mutant/fsm.c"
runner="$build/tests/check_fsm_mutant"
log=$(mktemp)

restore() {
    status=$?
    trap - EXIT
    cp "$src" "$mutant" 2>/dev/null || true
    rm -f "$log"
    exit "$status"
}
trap restore EXIT
trap 'exit 130' INT TERM HUP

build_mutant() {
    cmake --build "$build" --target check_fsm_mutant >"$log" 2>&1
}

# The unchanged copy must build and pass, or nothing below means anything.
cp "$src" "$mutant"
build_mutant || { cat "$log" >&2; echo "$0: the unchanged copy does not build" >&2; exit 1; }
CK_RUN_SUITE=fsm CK_FORK=no "$runner" >"$log" 2>&1 ||
    { cat "$log" >&2; echo "$0: the fsm suite fails on the unchanged table" >&2; exit 1; }

# The table's rows: "ROW TOKEN TOKEN ..." (12 state columns, UNKNOWN first).
rows=$(awk '
    /^static const uint8_t transitions\[/ { on = 1; next }
    on && /^};/ { exit }
    on && /^\[WST_EV_[A-Z_]+\][ \t]*=[ \t]*\{0,/ {
        name = $0; sub(/^\[WST_EV_/, "", name); sub(/\].*/, "", name)
        cells = $0; sub(/.*\{0,/, "", cells); sub(/\}.*/, "", cells)
        gsub(/[ \t]/, "", cells); gsub(/,/, " ", cells)
        print name, cells
    }' "$src")
[ -n "$rows" ] || { echo "$0: no table rows found in $src" >&2; exit 1; }

states="UN CL LI SS SR ES F1 F2 CG TW CW LA"

# nth N WORD...: the N-th word (1-based).
nth() {
    _n=$1
    shift
    eval "echo \${$_n}"
}

# changes COLUMN TOKEN: the replacement tokens for one cell (rules 1, 2).
changes() {
    _col=s$1 _tok=$2
    if [ "$_tok" = sNC ] || [ "$_tok" = sIV ] || [ "$_tok" = "$_col" ]; then
        if [ "$_col" = sCL ]; then first=sES; else first=sCL; fi
    else
        first=sNC
    fi
    echo "$first"
    [ "$all" -eq 1 ] || return 0
    case $_tok in
    sNC) echo sIV ;;
    sIV) echo sNC ;;
    "$_col") ;;
    *)
        if [ "$_tok" = sLA ] || [ "$_col" = sLA ]; then echo sF1; else echo sLA; fi
        ;;
    esac
}

# try ROW COLUMN_INDEX NEW: builds and runs one mutant; prints its line and
# returns 0 when the suite failed (the mutant was caught).
try() {
    awk -v row="$1" -v col="$2" -v new="$3" '
        /^static const uint8_t transitions\[/ { on = 1 }
        on && /^};/ { on = 0 }
        on && index($0, "[WST_EV_" row "]") == 1 {
            head = $0; sub(/\{0,.*/, "", head)
            cells = $0; sub(/.*\{0,/, "", cells)
            tail = cells; sub(/[^}]*/, "", tail)
            sub(/\}.*/, "", cells)
            n = split(cells, c, ",")
            c[col] = " " new
            out = "{0,"
            for (i = 1; i <= n; i++) out = out c[i] (i < n ? "," : "")
            $0 = head out tail
        }
        { print }' "$src" >"$mutant"
    if cmp -s "$src" "$mutant"; then
        echo "$0: could not change row $1 column $2" >&2
        exit 1
    fi
    _label=$(printf '%-17s %-3s %s -> %s' "$(echo "$1" | tr 'A-Z' 'a-z')" \
        "$(nth "$2" $states)" "$4" "$3")
    if ! build_mutant; then
        echo "$_label  does not build"
        cat "$log" >&2
        exit 1
    fi
    if CK_RUN_SUITE=fsm CK_FORK=no "$runner" >"$log" 2>&1; then
        echo "$_label  SURVIVED"
        return 1
    fi
    # Check prints a failure as FILE:LINE:F:TCASE:TEST:ITERATION: MESSAGE.
    _by=$(awk -F: '$3 == "F" || $3 == "E" { print $5 "(" $6 ")"; exit }' "$log")
    echo "$_label  caught by ${_by:-a crash}"
}

n_rows=0 n_caught=0 n_mutants=0 n_survived=0 r=0
survived_rows=""
echo "$rows" | {
    while read -r name cells; do
        # shellcheck disable=SC2086 # one word per cell
        set -- $cells
        [ $# -eq 12 ] || { echo "$0: row $name has $# cells, expected 12" >&2; exit 1; }
        if [ "$all" -eq 1 ]; then cols="1 2 3 4 5 6 7 8 9 10 11 12"; else cols=$((r % 12 + 1)); fi
        row_ok=1
        for k in $cols; do
            tok=$(nth "$k" "$@")
            for new in $(changes "$(nth "$k" $states)" "$tok"); do
                n_mutants=$((n_mutants + 1))
                if ! try "$name" "$k" "$new" "$tok"; then
                    n_survived=$((n_survived + 1))
                    row_ok=0
                fi
            done
        done
        n_rows=$((n_rows + 1))
        if [ "$row_ok" -eq 1 ]; then
            n_caught=$((n_caught + 1))
        else
            survived_rows="$survived_rows $name"
        fi
        r=$((r + 1))
    done
    echo "fsm_mutation: $n_caught of $n_rows rows caught ($n_mutants mutants, $n_survived survived)"
    [ -z "$survived_rows" ] || echo "fsm_mutation: rows with a surviving mutant:$survived_rows"
    [ "$n_survived" -eq 0 ]
}
