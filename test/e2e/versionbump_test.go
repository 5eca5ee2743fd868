package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/actrun"
	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/hostrun"
)

var bumpInputs = map[string]string{
	"files":          "pyproject.toml\npackages/*/pyproject.toml",
	"tag-template":   "{name}-v{version}",
	"create-release": "true",
}

// TestVersionBumpDetectImage runs the image as GitHub's runner runs a container action: the
// workspace is a shallow clone owned by uid 1001, inputs come as INPUT_* variables.
func TestVersionBumpDetectImage(t *testing.T) {
	t.Parallel()
	containers.Require(t)
	image := containers.BuildActionImage(t, "version-bump-detect")
	w := newWorld(t)
	before, after := w.pushExampleBump(t)
	checkout := gitfixture.Clone(t, w.url, "--depth", "1")

	res := containers.RunAction(t, image, containers.RunOptions{
		Workspace: checkout.Dir,
		Action:    filepath.Join(containers.RepoRoot(t), "actions", "version-bump-detect", "action.yml"),
		Inputs:    bumpInputs,
		Env: map[string]string{
			"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL(),
			"GITHUB_EVENT_NAME": "push", "GITHUB_SHA": after, "GITHUB_REF": "refs/heads/main",
		},
		EventJSON: pushEvent(t, before, after),
	})
	if res.ExitCode != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	want := map[string]string{"result": "bumped", "changed": "true", "name": "acme-lib", "version": "0.4.0", "previous-version": "0.3.0", "tag": "acme-lib-v0.4.0", "tag-created": "true"}
	for k, v := range want {
		if res.Outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, res.Outputs[k], v)
		}
	}
	if !strings.Contains(res.Summary, "acme-lib-v0.4.0") || !strings.Contains(res.Summary, "start no workflow runs") {
		t.Errorf("summary lacks the tag or the GITHUB_TOKEN note:\n%s", res.Summary)
	}
	// The runner hides a value once ::add-mask:: names it; anywhere else the token is a leak.
	logs := strings.ReplaceAll(res.Stdout+res.Stderr+res.Summary, "::add-mask::"+token, "")
	if strings.Contains(logs, token) {
		t.Errorf("the token appears in the step's logs:\n%s", logs)
	}
	if !strings.Contains(res.Stdout, "::add-mask::"+token) {
		t.Error("the token was not masked before the step logged anything")
	}
	tags, err := w.api.Tags("acme", "mono")
	if err != nil {
		t.Fatal(err)
	}
	if tags["acme-lib-v0.4.0"] != after {
		t.Errorf("tag acme-lib-v0.4.0 at %q, want %s", tags["acme-lib-v0.4.0"], after)
	}
	if rels := w.api.Releases("acme", "mono"); len(rels) != 1 || rels[0].Draft {
		t.Errorf("releases = %+v, want one published", rels)
	}
}

// TestVersionBumpDetectWorkflow runs a release workflow that uses the action by its published
// name (shipkit-dev/shipkit/actions/version-bump-detect@main, staged locally) under act.
func TestVersionBumpDetectWorkflow(t *testing.T) {
	t.Parallel()
	actrun.Require(t)
	image := containers.BuildActionImage(t, "version-bump-detect")
	w := newWorld(t)
	before, after := w.pushExampleBump(t)
	workflow := `name: release
on: push
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: bump
        uses: shipkit-dev/shipkit/actions/version-bump-detect@main
        with:
          files: |
            pyproject.toml
            packages/*/pyproject.toml
          tag-template: "{name}-v{version}"
          create-release: true
      - name: check outputs
        env:
          TAG: ${{ steps.bump.outputs.tag }}
          PACKAGES: ${{ steps.bump.outputs.packages }}
        run: |
          echo "tag=$TAG packages=$PACKAGES"
          test "$TAG" = "acme-lib-v0.4.0"
`
	if err := os.MkdirAll(filepath.Join(w.dev.Dir, ".github", "workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.dev.Dir, ".github", "workflows", "release.yml"), []byte(workflow), 0o644); err != nil {
		t.Fatal(err)
	}
	res := actrun.Run(t, actrun.Options{
		Dir:       w.dev.Dir,
		Event:     "push",
		EventJSON: pushEvent(t, before, after),
		Workflow:  ".github/workflows/release.yml",
		Job:       "release",
		Secrets:   map[string]string{"GITHUB_TOKEN": token},
		// act derives these from the git remote and github.com; the emulator stands in for both.
		Env:               map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL()},
		LocalRepositories: map[string]string{"shipkit-dev/shipkit@main": stageShipkit(t, "version-bump-detect", image)},
	})
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	if !strings.Contains(res.Output, "tag=acme-lib-v0.4.0") {
		t.Errorf("act output lacks the step output:\n%s", res.Output)
	}
	tags, err := w.api.Tags("acme", "mono")
	if err != nil {
		t.Fatal(err)
	}
	if tags["acme-lib-v0.4.0"] != after {
		t.Errorf("tag acme-lib-v0.4.0 at %q, want %s\nact output:\n%s", tags["acme-lib-v0.4.0"], after, res.Output)
	}
}

// TestVersionBumpDetectBadInput drives main.go on the host: each bad input is one ::error
// annotation naming the input or the file and line, a non-zero exit, and nothing created.
func TestVersionBumpDetectBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	before, after := w.pushExampleBump(t)
	tests := []struct {
		name   string
		inputs map[string]string
		broken bool // commit a malformed manifest in the checkout
		want   string
	}{
		{name: "unknown placeholder", inputs: map[string]string{"tag-template": "{pkg}-v{version}"}, want: `::error::input "tag-template"`},
		{name: "glob matches nothing", inputs: map[string]string{"files": "charts/*/Chart.yaml"}, want: `matches no manifest`},
		{name: "bad boolean", inputs: map[string]string{"create-tag": "yes"}, want: `create-tag`},
		{name: "bad enum", inputs: map[string]string{"release-notes": "changelog"}, want: `github, commits, none`},
		{name: "malformed toml", broken: true, want: `file=packages/broken/pyproject.toml,line=3`},
		{name: "no token to create", inputs: map[string]string{"token": ""}, want: `needs a token`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inputs := map[string]string{"token": token}
			for k, v := range bumpInputs {
				inputs[k] = v
			}
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			checkout := gitfixture.Clone(t, w.url)
			checkout.Git("checkout", "-q", after)
			if tt.broken {
				checkout.Commit("broken manifest", map[string]string{"packages/broken/pyproject.toml": "[project]\nname = \"broken\"\nversion = \"1.0\n"})
				inputs["head"] = checkout.Head()
			}
			res, err := hostrun.Run(t.Context(), hostrun.Step{
				Action: "version-bump-detect", Workspace: checkout.Dir, Inputs: inputs,
				Env:       map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL(), "GITHUB_SHA": after},
				EventName: "push", Event: map[string]any{"before": before, "after": after},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode == 0 {
				t.Fatalf("exit code 0, want a failure\n%s", res.Stdout)
			}
			if !strings.Contains(res.Stdout+res.Stderr, tt.want) {
				t.Errorf("output lacks %q:\nstdout:\n%s\nstderr:\n%s", tt.want, res.Stdout, res.Stderr)
			}
			if n := strings.Count(res.Stdout+res.Stderr, "::error"); n != 1 {
				t.Errorf("%d ::error annotations, want exactly 1", n)
			}
		})
	}
	if rels := w.api.Releases("acme", "mono"); len(rels) != 0 {
		t.Errorf("releases = %d, want none after bad input", len(rels))
	}
}
