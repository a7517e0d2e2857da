#!/usr/bin/env bash
# Checks a serial transcript of the Linux benchmark guest against the reference results
# (reference_results.txt, a copy of the guest README's table from a native run): every result the
# chosen workloads print must appear exactly once with exactly the reference value, no other
# result line may appear, and the guest must have booted (@@PEER BOOT-OK), run each workload as a
# BEGIN/END pair in the order bench.sh runs them, and finished (@@PEER DONE). Used by the ctest
# (run_cd.sh) and by benchmarks/linux_bench.sh, so a benchmark run and a test are judged alike.
#
# Which steps run follows the guest's bench.sh: sha256 hashes dd's file, so sha256 also runs dd;
# gunzip decompresses gzip's output, so gunzip also runs gzip (and prints gzip_bytes).
#
# Usage: check_results.sh [--benches LIST] TRANSCRIPT
#   LIST: the guest's peer.benches (comma-separated, default dd,sha256,gzip,gunzip,cbench; none).
# Prints one line per check and exits 0 when all pass, 1 otherwise (2: bad usage).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
benches=dd,sha256,gzip,gunzip,cbench
if [ "${1:-}" = "--benches" ]; then benches="$2"; shift 2; fi
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: check_results.sh [--benches LIST] TRANSCRIPT" >&2; exit 2; }

# The workloads in bench.sh's order, with the ones a chosen workload implies.
run=()
has() { case ",$benches," in *",$1,"*) return 0 ;; esac; return 1; }
for w in dd sha256 gzip gunzip cbench; do
  case "$w" in
    dd) has dd || has sha256 ;;
    gzip) has gzip || has gunzip ;;
    *) has "$w" ;;
  esac && run+=("$w")
done
for w in ${benches//,/ }; do
  case "$w" in dd | sha256 | gzip | gunzip | cbench | none) ;; *) echo "check_results: unknown workload '$w'" >&2; exit 2 ;; esac
done

# Serial lines end in CR LF; kernel messages may share a line with a marker, so markers are found
# anywhere in a line rather than only at its start.
tr -d '\r' < "$1" | awk -v steps="${run[*]}" '
  FNR == NR {
    if ($0 ~ /^#/ || NF < 4) next
    key = $2 " " $3
    order[++nref] = key; workload[key] = $1; want[key] = $4
    next
  }
  {
    if (match($0, /@@PEER RESULT [^ ]+ [^ ]*/)) {
      split(substr($0, RSTART, RLENGTH), f, " ")
      note("RESULT " f[3], f[4])
    }
    if (match($0, /CBENCH [^ ]+ ms=[^ ]+ chk=[^ ]*/)) {
      split(substr($0, RSTART, RLENGTH), f, " ")
      sub(/^chk=/, "", f[4])
      note("CBENCH " f[2], f[4])
    }
    if (index($0, "@@PEER BOOT-OK")) booted++
    if (index($0, "@@PEER DONE")) { done_++; if (open != "") bad("@@PEER DONE inside step " open) }
    if (match($0, /@@PEER BEGIN [^ ]+/)) {
      split(substr($0, RSTART, RLENGTH), f, " ")
      if (open != "") bad("BEGIN " f[3] " while step " open " has not ended")
      open = f[3]
    }
    if (match($0, /@@PEER END [^ ]+/)) {
      split(substr($0, RSTART, RLENGTH), f, " ")
      if (f[3] != open) bad("END " f[3] " without its BEGIN")
      else ended = ended (ended == "" ? "" : " ") f[3]
      open = ""
    }
  }
  function note(key, value) {
    seen[key]++
    if (seen[key] == 1) got[key] = value
    else if (got[key] != value) got[key] = got[key] "|" value
  }
  function bad(msg) { print "FAIL: " msg; failed = 1 }
  END {
    n = split(steps, s, " ")
    for (i = 1; i <= n; i++) expect_step[s[i]] = 1
    if (booted != 1) bad("@@PEER BOOT-OK printed " booted + 0 " times, not once")
    if (done_ != 1) bad("@@PEER DONE printed " done_ + 0 " times, not once (the guest did not finish)")
    if (ended != steps) bad("steps run: \"" ended "\", expected \"" steps "\"")
    checked = 0
    for (i = 1; i <= nref; i++) {
      key = order[i]
      if (!(workload[key] in expect_step)) {
        if (seen[key]) bad(key " printed, but its workload " workload[key] " was not chosen")
        continue
      }
      checked++
      if (seen[key] == 0) bad(key " missing (reference " want[key] ")")
      else if (seen[key] > 1) bad(key " printed " seen[key] " times: " got[key])
      else if (got[key] != want[key]) bad(key " = " got[key] ", reference " want[key])
      else print "ok   " key " " got[key]
    }
    for (key in seen)
      if (!(key in want)) bad("unknown result line " key " " got[key])
    if (failed) exit 1
    print "PASS: all " checked " reference results, steps: " (steps == "" ? "none" : steps)
  }
' "$here/reference_results.txt" -
