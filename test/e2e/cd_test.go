package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shipkit-dev/shipkit/test/actrun"
	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/registry"
	"github.com/shipkit-dev/shipkit/test/standins"
)

// cdWorld is the example monorepo on the local GitHub with the test registry standing in for
// ghcr.io, and shipkit's CD workflow staged: the example's own caller (.github/workflows/cd.yml)
// runs as a user's repository runs it.
type cdWorld struct {
	*world
	head  string // the commit CD deploys
	repo  name.Repository
	local map[string]string // act's --local-repository entries
}

func newCDWorld(t *testing.T) *cdWorld {
	t.Helper()
	actrun.Require(t)
	tagImage := containers.BuildActionImage(t, "sha-tag-image")
	manifestImage := containers.BuildActionImage(t, "update-manifest")
	reg := registry.InProcess(t)
	w := newWorld(t)
	w.pushExampleBump(t)

	// The registry stands in for ghcr.io: the caller and the overlays name it instead.
	changes := map[string]string{}
	for _, f := range []string{".github/workflows/cd.yml", "infra/argocd/overlays/dev/kustomization.yaml", "infra/argocd/overlays/prod/kustomization.yaml"} {
		data, err := os.ReadFile(filepath.Join(w.dev.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		changes[f] = strings.ReplaceAll(string(data), "ghcr.io", reg.Host)
	}
	head := w.dev.Commit("chore: the test registry stands in for ghcr.io", changes)
	w.dev.Git("push", "-q", "origin", "main")
	repo, err := name.NewRepository(reg.Host + "/acme/acme-app")
	if err != nil {
		t.Fatal(err)
	}

	shipkit := stageShipkit(t, "sha-tag-image", tagImage)
	stageAction(t, shipkit, "update-manifest", manifestImage)
	stageWorkflow(t, shipkit, "cd.yml")
	local := standins.Stage(t)
	local["shipkit-dev/shipkit@main"] = shipkit
	return &cdWorld{world: w, head: head, repo: repo, local: local}
}

// completed records a completed run of each workflow for the head commit, with its conclusion.
func (c *cdWorld) completed(t *testing.T, conclusions map[string]string) {
	t.Helper()
	for _, wf := range []string{"ci", "security", "package-validation"} {
		_, err := c.api.AddWorkflowRun("acme", "mono", c.head, ghemu.WorkflowRun{
			Name: wf, Path: ".github/workflows/" + wf + ".yml", Event: "push", HeadBranch: "main",
			Status: "completed", Conclusion: conclusions[wf],
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// run runs the example's CD caller on the workflow_run event of the ci workflow's completion;
// env adds job variables (the Trivy stand-in's findings).
func (c *cdWorld) run(t *testing.T, env map[string]string) actrun.Result {
	t.Helper()
	event, err := json.Marshal(map[string]any{
		"action": "completed",
		"workflow_run": map[string]any{
			"name": "ci", "head_sha": c.head, "head_branch": "main", "event": "push",
			"status": "completed", "conclusion": "success",
		},
		"repository": map[string]any{"full_name": "acme/mono", "name": "mono", "default_branch": "main", "owner": map[string]any{"login": "acme"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": c.api.URL(), "GITHUB_SERVER_URL": c.server}
	for k, v := range env {
		vars[k] = v
	}
	res := actrun.Run(t, actrun.Options{
		Dir:               c.dev.Dir,
		Event:             "workflow_run",
		EventJSON:         string(event),
		Workflow:          ".github/workflows/cd.yml",
		Secrets:           map[string]string{"GITHUB_TOKEN": token},
		Env:               vars,
		LocalRepositories: c.local,
	})
	if strings.Contains(res.Output, token) {
		t.Error("the token appears in act's output")
	}
	return res
}

// tags lists the image's tags in the registry; none when the repository does not exist.
func (c *cdWorld) tags(t *testing.T) []string {
	t.Helper()
	tags, err := remote.List(c.repo, remote.WithContext(t.Context()))
	if err != nil {
		return nil
	}
	return tags
}

// prodOverlay is prod's overlay on main on the git server.
func (c *cdWorld) prodOverlay(t *testing.T) string {
	t.Helper()
	c.dev.Git("fetch", "-q", "origin")
	return c.dev.Git("show", "origin/main:infra/argocd/overlays/prod/kustomization.yaml")
}

// TestCDWorkflowDeploys runs the example's CD caller under act once ci, security and
// package-validation all succeeded for the commit, with main protected: the image is built and
// pushed as sha-<commit>, tagged latest and v1.4.0 after the scan, and, since main takes no
// direct push, the prod overlay change waits in a pull request ("pending manual approval").
func TestCDWorkflowDeploys(t *testing.T) {
	t.Parallel()
	c := newCDWorld(t)
	c.api.Protect("acme", "mono", "main", ghemu.Protection{RequirePullRequest: true})
	c.completed(t, map[string]string{"ci": "success", "security": "success", "package-validation": "success"})
	before := c.prodOverlay(t)

	res := c.run(t, nil)
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	shaTag := "sha-" + c.head[:8]
	if tags := c.tags(t); !containsAll(tags, shaTag, "latest", "v1.4.0") {
		t.Errorf("registry tags = %v, want %s, latest and v1.4.0\nact output:\n%s", tags, shaTag, res.Output)
	}
	if got := c.prodOverlay(t); got != before {
		t.Errorf("prod overlay on protected main changed:\n%s", got)
	}
	prs := c.api.PullRequests("acme", "mono")
	if len(prs) != 1 || !strings.Contains(prs[0].Title, shaTag) {
		t.Fatalf("pull requests = %+v, want one deploying %s\nact output:\n%s", prs, shaTag, res.Output)
	}
	if !strings.Contains(res.Output, "pending manual approval") {
		t.Errorf("act output does not report the pending approval:\n%s", res.Output)
	}
	if !strings.Contains(res.Output, "upload-sarif stand-in: trivy.sarif") {
		t.Errorf("the scan's SARIF was not handed to upload-sarif:\n%s", res.Output)
	}
}

// TestCDWorkflowCriticalFindingBlocks: a CRITICAL finding in the image scan stops the deploy. The
// image keeps only its immutable sha tag; latest is not moved and prod's overlay is unchanged.
func TestCDWorkflowCriticalFindingBlocks(t *testing.T) {
	t.Parallel()
	c := newCDWorld(t)
	c.completed(t, map[string]string{"ci": "success", "security": "success", "package-validation": "success"})
	before := c.prodOverlay(t)

	res := c.run(t, map[string]string{"SHIPKIT_STANDIN_TRIVY_FINDINGS": "CRITICAL=1,HIGH=2"})
	if res.ExitCode == 0 {
		t.Fatalf("act succeeded with a CRITICAL finding\n%s", res.Output)
	}
	if tags := c.tags(t); len(tags) != 1 || tags[0] != "sha-"+c.head[:8] {
		t.Errorf("registry tags = %v, want only sha-%s", tags, c.head[:8])
	}
	if got := c.prodOverlay(t); got != before {
		t.Errorf("prod overlay changed despite the CRITICAL finding:\n%s", got)
	}
	if len(c.api.PullRequests("acme", "mono")) != 0 {
		t.Error("a pull request was opened despite the CRITICAL finding")
	}
}

// TestCDWorkflowWaitsForFailedWorkflow: when a required workflow failed for the commit, CD
// fails at its gate, naming it, and builds nothing.
func TestCDWorkflowWaitsForFailedWorkflow(t *testing.T) {
	t.Parallel()
	c := newCDWorld(t)
	c.completed(t, map[string]string{"ci": "success", "security": "failure", "package-validation": "success"})

	res := c.run(t, nil)
	if res.ExitCode == 0 {
		t.Fatalf("act succeeded although security failed\n%s", res.Output)
	}
	if !strings.Contains(res.Output, "not deploying "+c.head[:8]+": security (failure) did not succeed") {
		t.Errorf("act output does not name the failed workflow:\n%s", res.Output)
	}
	if tags := c.tags(t); len(tags) != 0 {
		t.Errorf("registry tags = %v, want none: nothing may be built", tags)
	}
}
