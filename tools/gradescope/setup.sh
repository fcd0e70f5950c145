#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image from the zip
# (instructor guide, "Gradescope"). The zip is the course's workbook with this file and
# run_autograder at its root; Gradescope unpacks it in /autograder/source, the trusted checkout.
# It installs what the grade needs and builds it once with the course's own labs, so that a
# submission rebuilds only its labs.
set -euo pipefail
cd /autograder/source

# A C linker for cargo, curl for rustup; bubblewrap and setpriv for the sandbox, where the
# container lets it run (the grade says in its output whether it did).
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  build-essential ca-certificates curl git bubblewrap util-linux >/dev/null

if ! command -v cargo >/dev/null 2>&1; then
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
    sh -s -- -y --profile minimal --default-toolchain stable
fi
# shellcheck source=/dev/null
source "$HOME/.cargo/env"

cargo fetch --locked
# The course's own labs, graded once: their build is what a submission's build starts from.
# It exits 1 (the starters are not done), which is expected here.
cargo xtask grade --build-dir /autograder/build >/dev/null || true
