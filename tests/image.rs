//! The two ways to build the image agree: `deploy/Dockerfile` (for build
//! hosts that can pull base images) and `deploy/build-image` (buildah, FROM
//! scratch, offline) give the same user, entrypoint, command, ports and
//! environment, the binary at the same path, and the distroless
//! `cc-debian12:nonroot` layout. When the OCI archive that `build-image`
//! writes is there (always under CI=true, where `.ci/run` builds it before
//! the tests), its config and its layer's files are checked too; the dev
//! overlay deploys exactly that image.
//!
//! Reads the archive with `tar` (GNU tar, which also reads the gzip layer).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The image configuration both builds must produce.
#[derive(Debug, PartialEq)]
struct ImageConfig {
    user: String,
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    ports: BTreeSet<String>,
    env: BTreeMap<String, String>,
}

/// The instructions of the Dockerfile's last stage, continuation lines
/// joined, comments dropped: (base image, [(INSTRUCTION, arguments)]).
fn dockerfile_final_stage(text: &str) -> (String, Vec<(String, String)>) {
    let mut logical = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(trimmed);
            logical.push(std::mem::take(&mut current));
        }
    }
    let start = logical
        .iter()
        .rposition(|l| l.to_uppercase().starts_with("FROM "))
        .expect("a FROM line");
    let base = logical[start]
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    let instructions = logical[start + 1..]
        .iter()
        .map(|l| {
            let (op, args) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (op.to_uppercase(), args.trim().to_string())
        })
        .collect();
    (base, instructions)
}

fn json_list(args: &str) -> Vec<String> {
    serde_json::from_str(args).unwrap_or_else(|e| panic!("exec form expected: {args}: {e}"))
}

fn dockerfile_config(instructions: &[(String, String)]) -> ImageConfig {
    let one = |op: &str| -> &str {
        let found: Vec<_> = instructions.iter().filter(|(o, _)| o == op).collect();
        assert_eq!(found.len(), 1, "one {op} in the final stage");
        &found[0].1
    };
    let mut env = BTreeMap::new();
    for (_, args) in instructions.iter().filter(|(o, _)| o == "ENV") {
        for pair in args.split_whitespace() {
            let (k, v) = pair
                .split_once('=')
                .unwrap_or_else(|| panic!("ENV key=value expected: {pair}"));
            env.insert(k.to_string(), v.to_string());
        }
    }
    let ports = instructions
        .iter()
        .filter(|(o, _)| o == "EXPOSE")
        .flat_map(|(_, a)| a.split_whitespace().map(String::from))
        .collect();
    ImageConfig {
        user: one("USER").to_string(),
        entrypoint: json_list(one("ENTRYPOINT")),
        cmd: json_list(one("CMD")),
        ports,
        env,
    }
}

/// The `IMAGE_*=` lines of deploy/build-image, quotes removed.
fn script_settings() -> BTreeMap<String, String> {
    read("deploy/build-image")
        .lines()
        .filter_map(|l| l.strip_prefix("IMAGE_"))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

fn script_config() -> ImageConfig {
    let s = script_settings();
    let get = |k: &str| {
        s.get(k)
            .unwrap_or_else(|| panic!("IMAGE_{k} in deploy/build-image"))
    };
    ImageConfig {
        user: get("USER").clone(),
        entrypoint: vec![get("BINARY").clone()],
        cmd: get("CMD").split_whitespace().map(String::from).collect(),
        ports: get("PORTS").split_whitespace().map(String::from).collect(),
        env: get("ENV")
            .split_whitespace()
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect(),
    }
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[test]
fn the_dockerfile_and_the_build_script_give_the_same_image_config() {
    let (base, instructions) = dockerfile_final_stage(&read("deploy/Dockerfile"));
    // The layout build-image copies is this base image's.
    assert_eq!(base, "gcr.io/distroless/cc-debian12:nonroot");
    let docker = dockerfile_config(&instructions);
    let script = script_config();
    assert_eq!(docker, script);

    // The runtime settings the service needs are there, and it serves.
    assert_eq!(script.user, "65532:65532");
    assert_eq!(script.cmd, ["serve"]);
    assert_eq!(script.env["TZ"], "UTC");
    assert_eq!(
        script.ports,
        BTreeSet::from(["50051/tcp".to_string(), "9090/tcp".to_string()])
    );
    assert!(script.env["NEWSENRICH_LISTEN_ADDR"].ends_with(":50051"));
    assert!(script.env["NEWSENRICH_METRICS_ADDR"].ends_with(":9090"));

    // The Dockerfile copies the binary to the path both entrypoints name.
    let copies: Vec<&String> = instructions
        .iter()
        .filter(|(o, _)| o == "COPY")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(
        copies[0].split_whitespace().last().unwrap(),
        script.entrypoint[0]
    );
}

#[test]
fn the_build_script_writes_the_distroless_users() {
    // What distroless cc-debian12:nonroot has: nonroot 65532 with its home,
    // no login shell for anyone.
    let script = read("deploy/build-image");
    let user = "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin";
    assert!(script.lines().any(|l| l == user), "{user}");
    assert!(script.lines().any(|l| l == "nonroot:x:65532:"));
    assert!(script.contains("home/nonroot"));
    for line in script.lines().filter(|l| l.matches(':').count() == 6) {
        assert!(line.ends_with(":/sbin/nologin"), "a shell in {line}");
    }
}

#[test]
fn the_dev_overlay_deploys_the_image_the_script_builds() {
    let text = read("deploy/kubernetes/overlays/dev/kustomization.yaml");
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    let images = docs[0]["images"].as_vec().expect("images:");
    let image = images
        .iter()
        .find(|i| i["name"].as_str() == Some("newsenrich"))
        .expect("the newsenrich image");
    // build-image names it docker.io/library/newsenrich:<version>, which
    // is what a node's runtime calls `newsenrich:<version>`.
    assert_eq!(image["newName"].as_str(), Some("newsenrich"));
    assert_eq!(image["newTag"].as_str(), Some(version()));
    let script = read("deploy/build-image");
    assert!(
        script.contains("oci-archive:$archive:docker.io/library/newsenrich:$version"),
        "the archive's reference"
    );
}

fn tar_file(archive: &Path, member: &str) -> Vec<u8> {
    let out = Command::new("tar")
        .arg("-xOf")
        .arg(archive)
        .arg(member)
        .output()
        .expect("tar");
    assert!(out.status.success(), "tar -xOf {member}: {out:?}");
    out.stdout
}

fn blob(archive: &Path, digest: &str) -> Vec<u8> {
    let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
    tar_file(archive, &format!("blobs/sha256/{hex}"))
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

/// One entry of `tar -tv`'s listing.
#[derive(Debug)]
struct Entry {
    mode: String,
    owner: String,
    path: String,
}

#[test]
fn the_built_archive_has_that_config_and_layout() {
    let archive = root().join(format!("target/image/newsenrich-{}.oci.tar", version()));
    if !archive.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "under CI=true, .ci/run builds {} before the tests",
            archive.display()
        );
        eprintln!(
            "skipped: no {} (deploy/build-image writes it)",
            archive.display()
        );
        return;
    }
    let index = json(&tar_file(&archive, "index.json"));
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 1);
    assert_eq!(
        manifests[0]["annotations"]["org.opencontainers.image.ref.name"],
        format!("docker.io/library/newsenrich:{}", version())
    );
    let manifest = json(&blob(&archive, manifests[0]["digest"].as_str().unwrap()));
    let config = json(&blob(
        &archive,
        manifest["config"]["digest"].as_str().unwrap(),
    ));
    assert_eq!(config["os"], "linux");
    let c = &config["config"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let built = ImageConfig {
        user: c["User"].as_str().unwrap().to_string(),
        entrypoint: strings(&c["Entrypoint"]),
        cmd: strings(&c["Cmd"]),
        ports: c["ExposedPorts"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect(),
        env: strings(&c["Env"])
            .iter()
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect(),
    };
    let (_, instructions) = dockerfile_final_stage(&read("deploy/Dockerfile"));
    assert_eq!(built, dockerfile_config(&instructions));
    let labels = c["Labels"].as_object().unwrap();
    assert_eq!(labels["org.opencontainers.image.version"], version());
    assert_eq!(labels["org.opencontainers.image.licenses"], "Apache-2.0");
    assert_eq!(labels["org.opencontainers.image.title"], "newsenrich");

    // One layer; its files.
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    let layer_path =
        std::env::temp_dir().join(format!("newsenrich-layer-{}.tar", std::process::id()));
    std::fs::write(
        &layer_path,
        blob(&archive, layers[0]["digest"].as_str().unwrap()),
    )
    .unwrap();
    let listing = Command::new("tar")
        .args(["--numeric-owner", "-tvf"])
        .arg(&layer_path)
        .output()
        .expect("tar");
    assert!(listing.status.success(), "{listing:?}");
    let passwd = Command::new("tar")
        .arg("-xOf")
        .arg(&layer_path)
        .arg("etc/passwd")
        .output()
        .expect("tar");
    std::fs::remove_file(&layer_path).unwrap();
    let entries: Vec<Entry> = String::from_utf8(listing.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Entry {
                mode: f[0].to_string(),
                owner: f[1].to_string(),
                path: f[5]
                    .trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string(),
            }
        })
        .collect();
    let find = |path: &str| -> &Entry {
        entries
            .iter()
            .find(|e| e.path == path)
            .unwrap_or_else(|| panic!("{path} in the image"))
    };
    let binary = find("usr/local/bin/newsenrich");
    assert!(binary.mode.starts_with("-r-x"), "{binary:?}");
    for path in [
        "lib64/ld-linux-x86-64.so.2",
        "lib/x86_64-linux-gnu/libc.so.6",
        "lib/x86_64-linux-gnu/libgcc_s.so.1",
        "etc/passwd",
        "etc/group",
    ] {
        assert!(find(path).mode.starts_with('-'), "{path}");
    }
    assert!(find("home/nonroot").mode.starts_with('d'));
    // CA certificates and tzdata come from the build host when it has them.
    if Path::new("/etc/ssl/certs/ca-certificates.crt").exists() {
        find("etc/ssl/certs/ca-certificates.crt");
    }
    if Path::new("/usr/share/zoneinfo/UTC").exists() {
        find("usr/share/zoneinfo/UTC");
    }
    // No shell, and nothing the nonroot user (or anyone but root) may write.
    for e in &entries {
        assert!(
            !e.path.ends_with("bin/sh") && !e.path.ends_with("bin/bash"),
            "{e:?}"
        );
        assert!(e.owner.starts_with("0/0"), "owned by root: {e:?}");
        let perms: Vec<char> = e.mode.chars().collect();
        if perms[0] != 'l' {
            assert_eq!(perms[5], '-', "group-writable: {e:?}");
            assert_eq!(perms[8], '-', "world-writable: {e:?}");
        }
    }
    let passwd = String::from_utf8(passwd.stdout).unwrap();
    assert!(
        passwd
            .lines()
            .any(|l| l == "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin"),
        "{passwd}"
    );
}
