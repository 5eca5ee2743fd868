package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/actrun"
	"github.com/shipkit-dev/shipkit/test/containers"
)

// TestPromotionWorkflow runs shipkit's reusable promotion workflow, called the way a user's
// workflow calls it (shipkit-dev/shipkit/.github/workflows/promotion.yml@main, staged locally with
// promote-pr's image built from this checkout), under act: the promotion pull request must
// appear in the emulator.
func TestPromotionWorkflow(t *testing.T) {
	t.Parallel()
	actrun.Require(t)
	image := containers.BuildActionImage(t, "promote-pr")
	w := newWorld(t)
	w.pushExampleBump(t)
	shipkit := stageShipkit(t, "promote-pr", image)
	stageWorkflow(t, shipkit, "promotion.yml")

	caller := `name: promote
on: workflow_dispatch
permissions:
  contents: read
jobs:
  promote:
    uses: shipkit-dev/shipkit/.github/workflows/promotion.yml@main
    permissions:
      contents: write
      pull-requests: write
      issues: write
      packages: read
    with:
      image: ghcr.io/acme/acme-app
      tag: sha-0123abcd
      verify-image: false
    secrets:
      promote-token: ${{ secrets.PROMOTE_TOKEN }}
`
	dir := filepath.Join(w.dev.Dir, ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "promote-test.yml"), []byte(caller), 0o644); err != nil {
		t.Fatal(err)
	}
	res := actrun.Run(t, actrun.Options{
		Dir:               w.dev.Dir,
		Event:             "workflow_dispatch",
		EventJSON:         `{"inputs":{}}`,
		Workflow:          ".github/workflows/promote-test.yml",
		Secrets:           map[string]string{"PROMOTE_TOKEN": token, "GITHUB_TOKEN": token},
		Env:               map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL()},
		LocalRepositories: map[string]string{"shipkit-dev/shipkit@main": shipkit},
	})
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	prs := w.api.PullRequests("acme", "mono")
	if len(prs) != 1 || !strings.Contains(prs[0].Title, "sha-0123abcd") {
		t.Fatalf("pull requests = %+v, want one promoting sha-0123abcd\nact output:\n%s", prs, res.Output)
	}
	if strings.Contains(res.Output, token) {
		t.Error("the token appears in act's output")
	}
}

// stageWorkflow copies shipkit's reusable workflow name into the staged shipkit folder.
func stageWorkflow(t *testing.T, shipkit, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(containers.RepoRoot(t), ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(shipkit, ".github", "workflows", name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRollbackWorkflow runs the reusable rollback workflow under act after a bad deployment: with
// no tag given, prod's overlay goes back to the tag it had before its latest change.
func TestRollbackWorkflow(t *testing.T) {
	t.Parallel()
	actrun.Require(t)
	image := containers.BuildActionImage(t, "update-manifest")
	w := newWorld(t)
	w.pushExampleBump(t)
	const overlay = "infra/argocd/overlays/prod/kustomization.yaml"
	data, err := os.ReadFile(filepath.Join(w.dev.Dir, overlay))
	if err != nil {
		t.Fatal(err)
	}
	good := "sha-3f2a9c1e"
	if !strings.Contains(string(data), good) {
		t.Fatalf("the example's prod overlay no longer holds %s", good)
	}
	w.dev.Commit("chore: update prod image to sha-bbbbbbbb [skip ci]", map[string]string{
		overlay: strings.Replace(string(data), good, "sha-bbbbbbbb", 1),
	})
	w.dev.Git("push", "-q", "origin", "main")
	shipkit := stageShipkit(t, "update-manifest", image)
	stageWorkflow(t, shipkit, "rollback.yml")

	caller := `name: rollback
on: workflow_dispatch
permissions:
  contents: read
jobs:
  rollback:
    uses: shipkit-dev/shipkit/.github/workflows/rollback.yml@main
    permissions:
      contents: write
      pull-requests: write
      issues: write
    with:
      image: ghcr.io/acme/acme-app
      environment: prod
`
	dir := filepath.Join(w.dev.Dir, ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rollback-test.yml"), []byte(caller), 0o644); err != nil {
		t.Fatal(err)
	}
	res := actrun.Run(t, actrun.Options{
		Dir:               w.dev.Dir,
		Event:             "workflow_dispatch",
		EventJSON:         `{"inputs":{}}`,
		Workflow:          ".github/workflows/rollback-test.yml",
		Secrets:           map[string]string{"GITHUB_TOKEN": token},
		Env:               map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL()},
		LocalRepositories: map[string]string{"shipkit-dev/shipkit@main": shipkit},
	})
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	w.dev.Git("fetch", "-q", "origin")
	got := w.dev.Git("show", "origin/main:"+overlay)
	if !strings.Contains(got, "newTag: "+good) || strings.Contains(got, "sha-bbbbbbbb") {
		t.Fatalf("prod overlay after the rollback:\n%s\nwant newTag %s\nact output:\n%s", got, good, res.Output)
	}
}

// TestReleaseWorkflow runs the reusable release workflow under act on a push that bumps
// acme-lib: the tag and the GitHub release must appear in the emulator. The PyPI half is
// switched off (`pypi: false`): its build and upload steps use actions that need the internet.
func TestReleaseWorkflow(t *testing.T) {
	t.Parallel()
	actrun.Require(t)
	image := containers.BuildActionImage(t, "version-bump-detect")
	w := newWorld(t)
	before, after := w.pushExampleBump(t)
	shipkit := stageShipkit(t, "version-bump-detect", image)
	stageWorkflow(t, shipkit, "release.yml")
	stageWorkflow(t, shipkit, "pypi-release.yml")

	caller := `name: release-test
on: push
permissions:
  contents: read
jobs:
  release:
    uses: shipkit-dev/shipkit/.github/workflows/release.yml@main
    permissions:
      contents: write
      id-token: write
    with:
      pypi: false
`
	dir := filepath.Join(w.dev.Dir, ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "release-test.yml"), []byte(caller), 0o644); err != nil {
		t.Fatal(err)
	}
	res := actrun.Run(t, actrun.Options{
		Dir:               w.dev.Dir,
		Event:             "push",
		EventJSON:         pushEvent(t, before, after),
		Workflow:          ".github/workflows/release-test.yml",
		Secrets:           map[string]string{"GITHUB_TOKEN": token},
		Env:               map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL()},
		LocalRepositories: map[string]string{"shipkit-dev/shipkit@main": shipkit},
	})
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	tags, err := w.api.Tags("acme", "mono")
	if err != nil {
		t.Fatal(err)
	}
	if tags["acme-lib-v0.4.0"] != after {
		t.Fatalf("tag acme-lib-v0.4.0 at %q, want %s\nact output:\n%s", tags["acme-lib-v0.4.0"], after, res.Output)
	}
	if rels := w.api.Releases("acme", "mono"); len(rels) != 1 || rels[0].TagName != "acme-lib-v0.4.0" || rels[0].Draft {
		t.Errorf("releases = %+v, want the published release acme-lib-v0.4.0", rels)
	}
}
