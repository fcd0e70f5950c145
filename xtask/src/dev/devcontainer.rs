//! Checks of the dev container (`.devcontainer/`): it installs only what the project installs
//! elsewhere, so that a Codespace and CI test the same thing, and its setup prepares the
//! README's commands.

#[cfg(test)]
mod tests {
    use std::fs;

    fn read(path: &str) -> String {
        let path = crate::workspace_root().join(path);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The packages `script` puts in its `packages` array: `packages=(a b)`, `packages+=(c)`.
    fn apt_packages(script: &str) -> Vec<String> {
        script
            .lines()
            .map(str::trim)
            .filter_map(|line| {
                let list = line
                    .strip_prefix("packages=(")
                    .or(line.strip_prefix("packages+=("))?;
                list.strip_suffix(')')
            })
            .flat_map(str::split_whitespace)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_container_runs_its_setup_and_installs_only_what_ci_installs() {
        let container = read(".devcontainer/devcontainer.json");
        assert!(
            container.contains("\"postCreateCommand\": \"bash .devcontainer/setup.sh\""),
            "devcontainer.json runs setup.sh when the container is made"
        );
        let setup = read(".devcontainer/setup.sh");
        assert!(
            setup.contains("apt-get install -y -qq --no-install-recommends \"${packages[@]}\"")
        );
        let packages = apt_packages(&setup);
        assert!(packages.contains(&"chromium".to_string()), "{packages:?}");
        let ci = read(".ci/run");
        for package in &packages {
            let installed = ci
                .split(|c: char| c.is_whitespace() || c == ':')
                .any(|word| word == package);
            assert!(
                installed,
                "setup.sh installs {package}, which .ci/run does not"
            );
        }
    }

    #[test]
    fn the_setup_builds_what_the_readme_s_two_commands_run() {
        let readme = read("README.md");
        let setup = read(".devcontainer/setup.sh");
        let alias = read(".cargo/config.toml");
        for (command, build) in [
            ("cargo test -p step1", "cargo test -p step1 --no-run"),
            (
                "cargo xtask watch",
                "cargo build -p xtask --no-default-features",
            ),
        ] {
            assert!(
                readme.contains(&format!("```console\n{command}\n```")),
                "{command}"
            );
            assert!(setup.contains(&format!("\n{build}\n")), "setup.sh: {build}");
        }
        // The same build as the alias's, or `cargo xtask` would build again.
        assert!(alias.contains("xtask = \"run --quiet --package xtask --no-default-features --\""));
    }

    #[test]
    fn the_setup_s_packages_are_read_from_its_array() {
        let script = "packages=(curl nc)\nif x; then\n  packages+=(chromium)\nfi\n";
        assert_eq!(apt_packages(script), ["curl", "nc", "chromium"]);
    }
}
