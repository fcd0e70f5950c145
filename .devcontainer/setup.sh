#!/usr/bin/env bash
# Run once when the dev container is made (devcontainer.json's postCreateCommand). The Debian
# packages are those .ci/run installs (a test in xtask/src/dev/devcontainer.rs keeps it so):
# curl, OpenBSD's nc and python3 for the book's commands, Chromium for the browser tests.
# (The export copies this folder, for the students' Codespaces.)
set -euo pipefail

packages=(curl netcat-openbsd python3)
# The browser tests are the workbook's own: the repository students fork has none.
if [ -d tests/browser ]; then
  packages+=(chromium)
fi
sudo apt-get update -qq
sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"

# The workspace is edition 2024: Rust 1.85 or later, whatever the image brought.
rustup update stable --no-self-update

# The first builds of the README's two commands, so that running them is quick.
cargo test -p step1 --no-run
cargo build -p xtask --no-default-features
