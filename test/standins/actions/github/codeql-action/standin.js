// The github/codeql-action stand-ins (init, analyze, upload-sarif) under act: code scanning is
// not emulated and CodeQL cannot be downloaded offline. One program, run by each action.yml with
// its inputs in the environment:
//   node standin.js init      checks `languages` and `queries` as CodeQL does, records them
//   node standin.js analyze   needs init's record; writes one SARIF 2.1.0 file per language
//                             with zero results into `output`, and reports each as upload-sarif
//   node standin.js report    (upload-sarif) checks each SARIF file and uploads nothing
// A bad input is one ::error line and exit code 1.
"use strict";
const fs = require("fs");
const path = require("path");

function fail(action, message) {
  console.log(`::error::${action} stand-in: ${message}`);
  process.exit(1);
}

// CodeQL's languages and the aliases it accepts for them (`codeql resolve languages`).
const LANGUAGES = ["actions", "cpp", "csharp", "go", "java", "javascript", "python", "ruby", "rust", "swift"];
const ALIASES = {
  c: "cpp", "c++": "cpp", "c-c++": "cpp", "c-cpp": "cpp", "c#": "csharp",
  "java-kotlin": "java", kotlin: "java", "javascript-typescript": "javascript", typescript: "javascript",
};
// The query suites the `queries` input names by their short name.
const SUITES = ["security-extended", "security-and-quality"];

function configPath() {
  if (!process.env.RUNNER_TEMP) fail("codeql-action", "RUNNER_TEMP is not set");
  return path.join(process.env.RUNNER_TEMP, "codeql-standin", "config.json");
}

function init() {
  const raw = process.env.INPUT_LANGUAGES || "";
  const given = raw.split(",").map((l) => l.trim().toLowerCase()).filter((l) => l !== "");
  if (given.length === 0) {
    fail("init", "input languages is empty: the stand-in does not detect the repository's languages through the API; name them");
  }
  const unknown = given.filter((l) => !LANGUAGES.includes(l) && !(l in ALIASES));
  if (unknown.length > 0) {
    fail("init", `Did not recognize the following languages: ${unknown.join(", ")} (CodeQL's: ${LANGUAGES.join(", ")}; aliases: ${Object.keys(ALIASES).join(", ")})`);
  }
  const languages = [...new Set(given.map((l) => ALIASES[l] || l))];
  let q = (process.env.INPUT_QUERIES || "").trim();
  if (q.startsWith("+")) q = q.slice(1);
  const queries = q.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const s of queries) {
    if (SUITES.includes(s)) continue;
    if (s.startsWith("./")) {
      const p = path.resolve(process.env.GITHUB_WORKSPACE || ".", s);
      if (!fs.existsSync(p)) fail("init", `queries: ${s}: no such query, suite or folder in the checkout`);
      continue;
    }
    if (/^[\w.-]+\/[\w.-]+(\/[^@\s]+)?@[^@\s]+$/.test(s)) {
      console.log(`init stand-in: queries from ${s} are not fetched (offline)`);
      continue;
    }
    fail("init", `queries: "${s}" is not a built-in suite (${SUITES.join(", ")}), a local path (./...) or a repository (owner/repo[/path]@ref)`);
  }
  const file = configPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ languages, queries }, null, 1) + "\n");
  console.log(`init stand-in: CodeQL for ${languages.join(", ")} with ${queries.length ? queries.join(", ") : "the default suite"} (no database is created; recorded in ${file})`);
}

function analyze() {
  const file = configPath();
  if (!fs.existsSync(file)) fail("analyze", "github/codeql-action/init did not run in this job");
  const { languages, queries } = JSON.parse(fs.readFileSync(file, "utf8"));
  const upload = process.env.INPUT_UPLOAD || "always";
  if (!["always", "failure-only", "never", "true", "false"].includes(upload)) {
    fail("analyze", `input upload: "${upload}" is not always, failure-only or never`);
  }
  const out = path.resolve(process.env.INPUT_CHECKOUT_PATH || process.env.GITHUB_WORKSPACE || ".", process.env.INPUT_OUTPUT || "../results");
  fs.mkdirSync(out, { recursive: true });
  const category = process.env.INPUT_CATEGORY || "";
  const files = [];
  for (const lang of languages) {
    let id = category || `/language:${lang}`;
    if (!id.endsWith("/")) id += "/";
    const sarif = {
      version: "2.1.0",
      $schema: "https://json.schemastore.org/sarif-2.1.0.json",
      runs: [{
        tool: { driver: { name: "CodeQL", informationUri: "https://github.com/github/codeql", rules: [] } },
        automationDetails: { id },
        properties: { "shipkit-standin": { language: lang, queries } },
        results: [],
      }],
    };
    const f = path.join(out, `${lang}.sarif`);
    fs.writeFileSync(f, JSON.stringify(sarif, null, 1) + "\n");
    files.push(f);
  }
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `sarif-output=${out}\n`);
  for (const f of files) {
    if (upload === "always" || upload === "true") report("analyze", f, category || "none");
  }
}

// report checks that file (or each .sarif file of a folder) is SARIF 2.1.0 with a run and says
// it would be uploaded.
function report(action, file, category) {
  let files = [file];
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    files = fs.readdirSync(file).filter((f) => f.endsWith(".sarif")).sort().map((f) => path.join(file, f));
    if (files.length === 0) fail(action, `${file}: no .sarif file in the folder`);
  }
  for (const f of files) {
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(f, "utf8"));
    } catch (e) {
      fail(action, `${f}: ${e.message}`);
    }
    if (doc.version !== "2.1.0" || !Array.isArray(doc.runs) || doc.runs.length === 0) {
      fail(action, `${f} is not SARIF 2.1.0 with a run`);
    }
    const n = doc.runs.reduce((sum, r) => sum + (r.results || []).length, 0);
    const tool = doc.runs.map((r) => (r.tool && r.tool.driver && r.tool.driver.name) || "?").join(", ");
    console.log(`${action} stand-in: ${f} (category ${category}, ${tool}): ${n} result(s), not uploaded`);
  }
}

const command = process.argv[2];
if (command === "init") init();
else if (command === "analyze") analyze();
else if (command === "report") report("upload-sarif", process.env.SARIF_FILE, process.env.CATEGORY || "none");
else fail("codeql-action", `unknown command ${command}`);
