// The attestation stand-ins' common program (see action.yml): checks the subject and the
// registry, and writes the unsigned in-toto statement. KIND is provenance or sbom.
"use strict";
const fs = require("fs");
const path = require("path");

function fail(msg) {
  console.log(`::error::attest-${process.env.KIND} stand-in: ${msg}`);
  process.exit(1);
}

async function main() {
  const env = process.env;
  const name = env.SUBJECT_NAME, digest = env.SUBJECT_DIGEST;
  if (env.SUBJECT_PATH) fail("subject-path is not supported by the stand-in; give subject-name and subject-digest");
  if (!name) fail("subject-name is required with subject-digest");
  if (!/^sha256:[0-9a-f]{64}$/.test(digest || "")) fail(`subject-digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>`);
  if (/[:@]/.test(name.split("/").slice(1).join("/"))) fail(`subject-name ${name} must have no tag or digest`);

  if (env.PUSH === "true") {
    const slash = name.indexOf("/");
    const host = name.slice(0, slash), repo = name.slice(slash + 1);
    const scheme = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host) ? "http" : "https";
    const res = await fetch(`${scheme}://${host}/v2/${repo}/manifests/${digest}`, {
      method: "HEAD",
      headers: { Accept: "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json" },
    });
    if (res.status !== 200) fail(`${name}@${digest} is not in the registry (HEAD answered ${res.status}): push the image first`);
  }

  let predicateType, predicate;
  if (env.KIND === "sbom") {
    let sbom;
    try {
      sbom = JSON.parse(fs.readFileSync(env.SBOM_PATH, "utf8"));
    } catch (e) {
      fail(`sbom-path ${env.SBOM_PATH}: ${e.message}`);
    }
    if (typeof sbom.spdxVersion === "string") predicateType = "https://spdx.dev/Document/v2.3";
    else if (sbom.bomFormat === "CycloneDX") predicateType = "https://cyclonedx.org/bom";
    else fail(`sbom-path ${env.SBOM_PATH} is neither SPDX nor CycloneDX JSON`);
    if (fs.statSync(env.SBOM_PATH).size > 16 * 1024 * 1024) fail(`sbom-path ${env.SBOM_PATH} is over 16 MiB`);
    predicate = sbom;
  } else {
    const server = env.GITHUB_SERVER_URL, repo = env.GITHUB_REPOSITORY;
    predicateType = "https://slsa.dev/provenance/v1";
    predicate = {
      buildDefinition: {
        buildType: "https://actions.github.io/buildtypes/workflow/v1",
        externalParameters: { workflow: { ref: env.GITHUB_REF, repository: `${server}/${repo}`, path: env.GITHUB_WORKFLOW_REF || env.GITHUB_WORKFLOW } },
        internalParameters: { github: { event_name: env.GITHUB_EVENT_NAME, repository_id: env.GITHUB_REPOSITORY_ID || "" } },
        resolvedDependencies: [{ uri: `git+${server}/${repo}@${env.GITHUB_REF}`, digest: { gitCommit: env.GITHUB_SHA } }],
      },
      runDetails: {
        builder: { id: `${server}/${repo}/.github/workflows` },
        metadata: { invocationId: `${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT || 1}` },
      },
    };
  }
  const statement = {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name, digest: { sha256: digest.slice(7) } }],
    predicateType,
    predicate,
  };
  const dir = "/shipkit-artifacts/attestations";
  if (!fs.existsSync("/shipkit-artifacts")) fail("/shipkit-artifacts is not mounted (act --container-options)");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^A-Za-z0-9.-]+/g, "_")}-${digest.slice(7, 19)}.${env.KIND}.json`);
  fs.writeFileSync(file, JSON.stringify(statement, null, 2) + "\n");
  fs.appendFileSync(env.GITHUB_OUTPUT, `bundle-path=${file}\n`);
  console.log(`attest-${env.KIND} stand-in: ${name}@${digest}: ${predicateType} statement written (unsigned, not uploaded)`);
}

main().catch((e) => fail(e.stack || String(e)));
