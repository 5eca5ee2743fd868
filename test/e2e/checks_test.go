package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/actrun"
	"github.com/shipkit-dev/shipkit/test/standins"
)

// checksWorld is the example monorepo on the local GitHub (pushed with a bump of acme-lib) with
// one of shipkit's check workflows staged, so that the example's own caller of it runs as a
// user's repository runs it.
type checksWorld struct {
	*world
	before, after string            // the bump push
	local         map[string]string // act's --local-repository entries
}

func newChecksWorld(t *testing.T, workflow string) *checksWorld {
	t.Helper()
	actrun.Require(t)
	w := newWorld(t)
	before, after := w.pushExampleBump(t)
	shipkit := t.TempDir()
	stageWorkflow(t, shipkit, workflow)
	local := standins.Stage(t)
	local["shipkit-dev/shipkit@main"] = shipkit
	return &checksWorld{world: w, before: before, after: after, local: local}
}

// commit commits changes (path -> content; "" deletes) on main, pushes it and returns the push
// event's before and after.
func (c *checksWorld) commit(t *testing.T, message string, changes map[string]string) (before, after string) {
	t.Helper()
	before = strings.TrimSpace(c.dev.Git("rev-parse", "HEAD"))
	for path, content := range changes {
		if content == "" {
			c.dev.Git("rm", "-q", path)
			delete(changes, path)
		}
	}
	after = c.dev.Commit(message, changes)
	c.dev.Git("push", "-q", "origin", "main")
	return before, after
}

// edit returns the content of path in the developer's clone with each old replaced by its new.
func (c *checksWorld) edit(t *testing.T, path string, oldNew ...string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(c.dev.Dir, path))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(text, oldNew[i]) {
			t.Fatalf("%s no longer holds %q", path, oldNew[i])
		}
		text = strings.Replace(text, oldNew[i], oldNew[i+1], 1)
	}
	return text
}

// run runs the example's caller .github/workflows/<workflow> on event with payload.
func (c *checksWorld) run(t *testing.T, workflow, event, payload string, env map[string]string) actrun.Result {
	t.Helper()
	vars := map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": c.api.URL(), "GITHUB_SERVER_URL": c.server}
	for k, v := range env {
		vars[k] = v
	}
	return actrun.Run(t, actrun.Options{
		Dir:               c.dev.Dir,
		Event:             event,
		EventJSON:         payload,
		Workflow:          ".github/workflows/" + workflow,
		Secrets:           map[string]string{"GITHUB_TOKEN": token},
		Env:               vars,
		LocalRepositories: c.local,
	})
}

// dispatchEvent is a workflow_dispatch payload on main.
const dispatchEvent = `{"ref": "refs/heads/main", "inputs": {},
  "repository": {"full_name": "acme/mono", "name": "mono", "default_branch": "main", "owner": {"login": "acme"}}}`

// jobLog returns the lines act logged for the job whose ID (in the called reusable workflow) is
// job, and the job's outcome: "succeeded", "failed", or "" when it did not run.
func jobLog(out, job string) (lines, outcome string) {
	prefix := regexp.MustCompile(`^\[[^\]]*/` + regexp.QuoteMeta(job) + `(-\d+)? *\]`)
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if !prefix.MatchString(l) {
			continue
		}
		b.WriteString(l + "\n")
		if m := regexp.MustCompile(`🏁  Job (succeeded|failed)`).FindStringSubmatch(l); m != nil {
			outcome = m[1]
		}
	}
	return b.String(), outcome
}

// wantJobs fails t unless each job ended with its wanted outcome.
func wantJobs(t *testing.T, out string, want map[string]string) {
	t.Helper()
	for job, w := range want {
		if _, got := jobLog(out, job); got != w {
			t.Errorf("job %s: %q, want %q", job, got, w)
		}
	}
}

// TestPythonCIWorkflowPasses runs the example's ci.yml caller → python-ci.yml on
// workflow_dispatch: lint (the real Ruff, as WebAssembly), type-check (Debian's mypy over the
// uv workspace, acme-lib installed from packages/acme-lib), tests and the integration job
// (Debian's pytest) all run and succeed, each showing its tool's own result.
func TestPythonCIWorkflowPasses(t *testing.T) {
	t.Parallel()
	c := newChecksWorld(t, "python-ci.yml")
	res := c.run(t, "ci.yml", "workflow_dispatch", dispatchEvent, nil)
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	wantJobs(t, res.Output, map[string]string{"lint": "succeeded", "type-check": "succeeded", "tests": "succeeded", "integration": "succeeded"})
	lint, _ := jobLog(res.Output, "lint")
	if !strings.Contains(lint, "| 4 files already formatted") || strings.Contains(lint, "title=Ruff") {
		t.Errorf("lint: want Ruff's format check over the example's files and no finding:\n%s", lint)
	}
	if typeCheck, _ := jobLog(res.Output, "type-check"); !strings.Contains(typeCheck, "Success: no issues found in 3 source files") {
		t.Errorf("type-check: mypy did not report success:\n%s", typeCheck)
	}
	for _, job := range []string{"tests", "integration"} {
		if log, _ := jobLog(res.Output, job); !regexp.MustCompile(`\| =+ 1 passed in `).MatchString(log) {
			t.Errorf("%s: pytest did not report the example's test passed:\n%s", job, log)
		}
	}
}

// TestPythonCIWorkflowFindsProblems pushes an unused import, a badly formatted line and a
// failing test: the run fails; lint names the file, rule and line (Ruff's GitHub annotations)
// and the format check the file; pytest reports the failed test; type-check still succeeds,
// because the code is still well typed.
func TestPythonCIWorkflowFindsProblems(t *testing.T) {
	t.Parallel()
	c := newChecksWorld(t, "python-ci.yml")
	before, after := c.commit(t, "feat: port variable, a new test", map[string]string{
		"src/acme_app/main.py": c.edit(t, "src/acme_app/main.py",
			"from http.server import", "import os\nfrom http.server import",
			"def main() -> None:\n", "def main() -> None:\n    port   =  8080\n",
			`("0.0.0.0", 8080)`, `("0.0.0.0", port)`),
		"tests/test_total.py": c.edit(t, "tests/test_total.py", "", "") +
			"\n\ndef test_total_adds_up() -> None:\n    assert total([0.1, 0.7]) == 0.9\n",
	})
	res := c.run(t, "ci.yml", "push", pushEvent(t, before, after), nil)
	if res.ExitCode == 0 {
		t.Fatalf("act succeeded with an unused import, a badly formatted line and a failing test\n%s", res.Output)
	}
	wantJobs(t, res.Output, map[string]string{"lint": "failed", "type-check": "succeeded", "tests": "failed"})
	lint, _ := jobLog(res.Output, "lint")
	if !regexp.MustCompile(`title=Ruff \(F401\),file=\S*/src/acme_app/main\.py,line=3,col=8,.*src/acme_app/main\.py:3:8: F401 .os. imported but unused`).MatchString(lint) {
		t.Errorf("lint: Ruff did not annotate the unused import on line 3 of src/acme_app/main.py:\n%s", lint)
	}
	if !strings.Contains(lint, "Would reformat: src/acme_app/main.py") {
		t.Errorf("lint: the format check did not name src/acme_app/main.py:\n%s", lint)
	}
	tests, _ := jobLog(res.Output, "tests")
	if !strings.Contains(tests, "FAILED tests/test_total.py::test_total_adds_up") || !strings.Contains(tests, "1 failed, 1 passed") {
		t.Errorf("tests: pytest did not report the failing test:\n%s", tests)
	}
}

// TestSecurityWorkflow runs the example's security.yml caller → security.yml on a push: CodeQL
// (init and analyze stand-ins) and Semgrep (the setup-uv stand-in's pinned uvx semgrep) both
// hand their SARIF to code scanning. Then, with Semgrep reporting two findings, the semgrep job
// fails, after its SARIF went to upload-sarif.
func TestSecurityWorkflow(t *testing.T) {
	t.Parallel()
	c := newChecksWorld(t, "security.yml")
	event := pushEvent(t, c.before, c.after)

	res := c.run(t, "security.yml", "push", event, nil)
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	wantJobs(t, res.Output, map[string]string{"codeql": "succeeded", "semgrep": "succeeded"})
	if !regexp.MustCompile(`analyze stand-in: \S+/results/python\.sarif \(category codeql, CodeQL\): 0 result\(s\), not uploaded`).MatchString(res.Output) {
		t.Errorf("CodeQL's SARIF for python did not reach code scanning:\n%s", res.Output)
	}
	if !strings.Contains(res.Output, "upload-sarif stand-in: semgrep.sarif (category semgrep, Semgrep): 0 result(s), not uploaded") {
		t.Errorf("Semgrep's SARIF did not reach upload-sarif:\n%s", res.Output)
	}

	res = c.run(t, "security.yml", "push", event, map[string]string{"SHIPKIT_STANDIN_SEMGREP_FINDINGS": "2"})
	if res.ExitCode == 0 {
		t.Fatalf("act succeeded with two Semgrep findings\n%s", res.Output)
	}
	wantJobs(t, res.Output, map[string]string{"codeql": "succeeded", "semgrep": "failed"})
	semgrep, _ := jobLog(res.Output, "semgrep")
	uploaded := strings.Index(semgrep, "upload-sarif stand-in: semgrep.sarif (category semgrep, Semgrep): 2 result(s)")
	failed := strings.Index(semgrep, "❗  ::error::Semgrep reported findings")
	if uploaded < 0 || failed < uploaded {
		t.Errorf("semgrep: want the SARIF with 2 results handed to upload-sarif, then \"Semgrep reported findings\":\n%s", semgrep)
	}
}

// TestPackageValidationWorkflow runs the example's package-validation.yml caller on the push that
// bumps acme-lib: only packages/acme-lib changed, and its wheel and sdist, built with uv build,
// pass twine check --strict. Then a push whose acme-lib lost its readme fails: its
// distributions have no long description.
func TestPackageValidationWorkflow(t *testing.T) {
	t.Parallel()
	c := newChecksWorld(t, "package-validation.yml")

	res := c.run(t, "package-validation.yml", "push", pushEvent(t, c.before, c.after), nil)
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	wantJobs(t, res.Output, map[string]string{"changes": "succeeded", "validate": "succeeded"})
	changes, _ := jobLog(res.Output, "changes")
	if !strings.Contains(changes, `::set-output:: packages=["packages/acme-lib"]`) {
		t.Errorf("changes: want packages=[\"packages/acme-lib\"]:\n%s", changes)
	}
	validate, _ := jobLog(res.Output, "validate")
	for _, dist := range []string{"acme_lib-0.4.0-py3-none-any.whl", "acme_lib-0.4.0.tar.gz"} {
		if !regexp.MustCompile(`Checking \S+/` + regexp.QuoteMeta(dist) + `: .*PASSED`).MatchString(validate) {
			t.Errorf("validate: %s did not pass twine check:\n%s", dist, validate)
		}
	}

	before, after := c.commit(t, "chore(acme-lib): drop the readme", map[string]string{
		"packages/acme-lib/pyproject.toml": c.edit(t, "packages/acme-lib/pyproject.toml", "readme = \"README.md\"\n", ""),
		"packages/acme-lib/README.md":      "",
	})
	res = c.run(t, "package-validation.yml", "push", pushEvent(t, before, after), nil)
	if res.ExitCode == 0 {
		t.Fatalf("act succeeded for a package without a long description\n%s", res.Output)
	}
	wantJobs(t, res.Output, map[string]string{"changes": "succeeded", "validate": "failed"})
	validate, _ = jobLog(res.Output, "validate")
	if !regexp.MustCompile("acme_lib-0\\.4\\.0\\.tar\\.gz: \\S*FAILED due to warnings").MatchString(validate) || !strings.Contains(validate, "`long_description` missing") {
		t.Errorf("validate: twine check --strict did not fail on the missing long description:\n%s", validate)
	}
}
