// Runs the real Ruff, compiled to WebAssembly (@astral-sh/ruff-wasm-nodejs in the runner image),
// for the setup-uv stand-in's `uvx ruff`. Reads one JSON request on stdin:
//   {"mode": "check" | "format", "settings": {...Ruff options, kebab-case...}, "files": [path, ...]}
// and writes one JSON answer on stdout: for check, {"files": {path: [diagnostic, ...]}}; for
// format, {"files": {path: {"changed": bool}}}; a file that cannot be parsed by the formatter
// gets {"error": message}. Settings Ruff rejects end with exit code 2 and Ruff's message.
"use strict";
const fs = require("fs");

const modulePath = process.env.RUFF_WASM || "/opt/ruff-wasm-nodejs/ruff_wasm.js";
let ruff;
try {
  ruff = require(modulePath);
} catch (e) {
  process.stderr.write(`ruff stand-in: cannot load Ruff's WebAssembly build from ${modulePath}: ${e.message}\n`);
  process.exit(2);
}

const request = JSON.parse(fs.readFileSync(0, "utf8"));
let workspace;
try {
  // Utf32 columns count characters, as the Ruff CLI reports them.
  workspace = new ruff.Workspace(request.settings, ruff.PositionEncoding.Utf32);
} catch (e) {
  process.stderr.write(`ruff failed\n  Cause: ${String(e).replace(/^(Error: )+/, "")}\n`);
  process.exit(2);
}
const answer = { version: ruff.Workspace.version(), files: {} };
for (const file of request.files) {
  const source = fs.readFileSync(file, "utf8");
  if (request.mode === "check") {
    answer.files[file] = workspace.check(source).map((d) => ({
      code: d.code,
      message: d.message,
      start: d.start_location,
      end: d.end_location,
      fix: d.fix ? d.fix.message || "" : null,
    }));
  } else if (request.mode === "format") {
    try {
      answer.files[file] = { changed: workspace.format(source) !== source };
    } catch (e) {
      answer.files[file] = { error: String(e).replace(/^(Error: )+/, "") };
    }
  } else {
    process.stderr.write(`ruff stand-in: unknown mode ${request.mode}\n`);
    process.exit(2);
  }
}
process.stdout.write(JSON.stringify(answer));
