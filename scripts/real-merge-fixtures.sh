#!/usr/bin/env bash
# Regenerates test/fixtures/real-merges/: one hunk each from real HyperShift merges that add no violation but
# used to raise a false alarm in `sitroom check --diff` (one per class of false alarm), cut from a checkout.
# Usage: scripts/real-merge-fixtures.sh <hypershift checkout or bare mirror>
set -euo pipefail
repo=${1:?usage: scripts/real-merge-fixtures.sh <hypershift checkout>}
out=$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/real-merges
git_() { git -C "$repo" "$@"; }

# merge file marker name: keeps the diff header and the one hunk (of the first-parent diff) holding marker.
hunk() {
  local merge=$1 file=$2 marker=$3 name=$4
  git_ diff "$merge^1" "$merge" -- "$file" | awk -v marker="$marker" '
    done { next }
    /^@@/ { if (keep) { done = 1; next } hunk = $0 "\n"; inhunk = 1; next }
    !inhunk { header = header $0 "\n"; next }
    { hunk = hunk $0 "\n"; if (index($0, marker)) keep = 1 }
    END { if (keep) printf "%s%s", header, hunk }' |
    sed '/^index /d' > "$out/$name.diff"
  [ -s "$out/$name.diff" ] || { echo "marker \"$marker\" not found in $merge:$file" >&2; exit 1; }
}

# A test spelling the expected condition reason out literally (tests are out of the conventions' scope).
hunk 6daa9ce6f6b7828ac0f7e50b83dd5d55a05908df hypershift-operator/controllers/nodepool/nodepool_controller_test.go 'Reason:' test-literal-reason
# A constant whose name only starts like a reason (endOfReasons), not a condition reason.
hunk 6daa9ce6f6b7828ac0f7e50b83dd5d55a05908df hypershift-operator/controllers/nodepool/nodepool_controller.go 'endOfReasons ' not-a-reason-const
# A per-machine message line that already existed, edited (its arguments changed): no violation added.
hunk 9b3e234b2605b9df981822b656e7b54dfe9ed61d hypershift-operator/controllers/nodepool/conditions.go 'collides with cluster-network' edited-existing-line
# A message joining a list filled from components, not machines.
hunk 1dbec3ef5d17279846f676042ded548922dd8b29 hypershift-operator/controllers/hostedcluster/karpenter.go 'strings.Join(notReady' joins-components
wc -l "$out"/*.diff
