package workflows

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/containers"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.out expectation files")

// workflowDirs are the folders of workflow files the policy covers, relative to the root.
var workflowDirs = []string{".github/workflows", "workflows-templates", "examples/monorepo/.github/workflows"}

func loadPolicy(t *testing.T) (*Policy, string) {
	t.Helper()
	root := containers.RepoRoot(t)
	p, err := LoadPolicy(root)
	if err != nil {
		t.Fatalf("LoadPolicy(%q) = %v", root, err)
	}
	return p, root
}

// workflowFiles lists the .yml and .yaml files of dir (relative to root), sorted.
func workflowFiles(t *testing.T, root, dir string) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(root, dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			rel, _ := filepath.Rel(root, f)
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}

// TestRepositoryWorkflows holds every workflow of the repository to the policy.
func TestRepositoryWorkflows(t *testing.T) {
	t.Parallel()
	p, root := loadPolicy(t)
	for _, dir := range workflowDirs {
		files := workflowFiles(t, root, dir)
		if len(files) == 0 {
			t.Errorf("%s holds no workflows", dir)
		}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(root, f))
			if err != nil {
				t.Fatal(err)
			}
			for _, finding := range p.Check(f, data) {
				t.Error(finding)
			}
		}
	}
}

// TestReusableWorkflowsDocumented checks docs/workflows.md against every reusable workflow.
func TestReusableWorkflowsDocumented(t *testing.T) {
	t.Parallel()
	p, root := loadPolicy(t)
	if len(p.Workflows) < 8 {
		t.Errorf("LoadPolicy found %d reusable workflows (%v), want at least 8", len(p.Workflows), keys(p.Workflows))
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "workflows.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range CheckDocs("docs/workflows.md", string(doc), p.Workflows) {
		t.Error(f)
	}
}

// TestRulesFail runs the checks on the small bad workflows of testdata and compares the findings
// with the X.out beside each X.yml (go test -update rewrites them). Every rule must fail at least
// one fixture, and good.yml must pass.
func TestRulesFail(t *testing.T) {
	t.Parallel()
	// A small stand-in for shipkit (one action, one reusable workflow) keeps the expectations
	// independent of the real actions' inputs.
	p, err := LoadPolicy("testdata/shipkit")
	if err != nil {
		t.Fatalf("LoadPolicy(testdata/shipkit) = %v", err)
	}
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		findings := p.Check(filepath.ToSlash(f), data)
		for _, fd := range findings {
			seen[fd.Rule] = true
		}
		checkGolden(t, strings.TrimSuffix(f, ".yml")+".out", findings)
		if got := len(findings); (got == 0) != (filepath.Base(f) == "good.yml") {
			t.Errorf("Check(%s) = %d findings, want %s", f, got, map[bool]string{true: "none", false: "at least one"}[filepath.Base(f) == "good.yml"])
		}
	}

	// The docs rule, on a reusable workflow and a document that misses parts of it.
	data, err := os.ReadFile("testdata/docs/reusable.yml")
	if err != nil {
		t.Fatal(err)
	}
	wf, ok, err := Reusable(data)
	if err != nil || !ok {
		t.Fatalf("Reusable(testdata/docs/reusable.yml) = %v, %v, want a reusable workflow", ok, err)
	}
	doc, err := os.ReadFile("testdata/docs/workflows.md")
	if err != nil {
		t.Fatal(err)
	}
	findings := CheckDocs("testdata/docs/workflows.md", string(doc), map[string]*Interface{
		"testdata/docs/reusable.yml": wf,
		"testdata/docs/absent.yml":   {},
	})
	for _, fd := range findings {
		seen[fd.Rule] = true
	}
	checkGolden(t, "testdata/docs/docs.out", findings)

	for _, rule := range []string{"yaml", "permissions", "description", "default", "permission-comment", "local-uses", "unpinned", "version-comment", "shipkit-ref", "shipkit-input", "secrets-inherit", "run-interpolation", "docs"} {
		if !seen[rule] {
			t.Errorf("no fixture in testdata fails rule %q: add one", rule)
		}
	}
}

func checkGolden(t *testing.T, file string, findings []Finding) {
	t.Helper()
	var b strings.Builder
	for _, f := range findings {
		b.WriteString(f.String() + "\n")
	}
	if *update {
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading %s (go test -update writes it): %v", file, err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("findings for %s:\n%s\nwant (%s):\n%s", strings.TrimSuffix(file, ".out"), got, file, want)
	}
}

// FuzzCheck feeds arbitrary YAML to the checks: they never panic and every finding has a line.
func FuzzCheck(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("on: workflow_call\njobs: {a: {steps: [{run: '${{ github.event.x }}'}]}}\n"))
	f.Add([]byte("- a\n"))
	p := &Policy{Actions: map[string]*Interface{"actions/x": {Inputs: []Input{{Name: "a", Required: true}}}}, Workflows: map[string]*Interface{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fd := range p.Check("w.yml", data) {
			if fd.Line < 1 {
				t.Errorf("Check(%q) gave %v, want a line number", data, fd)
			}
		}
		if wf, ok, err := Reusable(data); err == nil && ok {
			CheckDocs("d.md", string(data), map[string]*Interface{"w.yml": wf})
		}
	})
}

// TestLocalActionsInOwnWorkflows: `./actions/<name>` is shipkit's checkout only in a workflow of
// shipkit's own .github/workflows that is not reusable; its inputs are still checked.
func TestLocalActionsInOwnWorkflows(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy("testdata/shipkit")
	if err != nil {
		t.Fatal(err)
	}
	own := "on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./actions/deploy\n        with:\n          image: x\n"
	if f := p.Check(".github/workflows/own.yml", []byte(own)); len(f) != 0 {
		t.Errorf("own workflow: %v, want no findings", f)
	}
	missing := strings.Replace(own, "          image: x\n", "          tag: x\n", 1)
	if f := p.Check(".github/workflows/own.yml", []byte(missing)); len(f) != 1 || f[0].Rule != "shipkit-input" {
		t.Errorf("own workflow without the required input: %v, want one shipkit-input finding", f)
	}
	reusable := strings.Replace(own, "on: push\n", "on:\n  workflow_call: {}\n", 1)
	for file, data := range map[string]string{"workflows-templates/own.yml": own, ".github/workflows/reusable.yml": reusable} {
		f := p.Check(file, []byte(data))
		if len(f) != 1 || f[0].Rule != "local-uses" {
			t.Errorf("%s: %v, want one local-uses finding", file, f)
		}
	}
}

// TestReadmeListsReusableWorkflows: README.md's table names every reusable workflow, linked to
// its section of docs/workflows.md.
func TestReadmeListsReusableWorkflows(t *testing.T) {
	t.Parallel()
	p, root := loadPolicy(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, wf := range keys(p.Workflows) {
		base := filepath.Base(wf)
		anchor := strings.ReplaceAll(base, ".", "") // GitHub's heading anchor: dots dropped
		if link := "[`" + base + "`](docs/workflows.md#" + anchor + ")"; !strings.Contains(string(readme), link) {
			t.Errorf("README.md does not list %s: add a row with %s to the workflows table", wf, link)
		}
	}
}
