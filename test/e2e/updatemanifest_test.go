package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/gitserver"
	"github.com/shipkit-dev/shipkit/test/hostrun"
	"github.com/shipkit-dev/shipkit/test/localgh"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
)

const (
	devOverlay  = "infra/argocd/overlays/dev/kustomization.yaml"
	prodOverlay = "infra/argocd/overlays/prod/kustomization.yaml"
	appImage    = "ghcr.io/acme/acme-app"
)

// manifestWorld is the example monorepo on a local GitHub, and a developer's clone.
type manifestWorld struct {
	gh  *localgh.GitHub
	dev *gitfixture.Repo
}

func newManifestWorld(t *testing.T) *manifestWorld {
	t.Helper()
	gh := localghtest.New(t, "acme", "mono")
	dev := gitfixture.Init(t)
	dev.Git("remote", "add", "origin", gh.CloneURL("acme", "mono"))
	dev.CopyTree(filepath.Join(containers.RepoRoot(t), "examples", "monorepo"))
	dev.Commit("chore: import the example", nil)
	dev.Git("push", "-q", "origin", "main")
	return &manifestWorld{gh: gh, dev: dev}
}

func (w *manifestWorld) serverFile(t *testing.T, branch, p string) string {
	t.Helper()
	w.dev.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	return w.dev.Git("show", "origin/"+branch+":"+p)
}

func manifestEvent() map[string]any {
	return map[string]any{"ref": "refs/heads/main", "repository": map[string]any{"full_name": "acme/mono", "default_branch": "main"}}
}

// TestUpdateManifestHost runs the program as the runner would, on the host: a push to the dev
// overlay, then a protected prod branch that falls back to a pull request.
func TestUpdateManifestHost(t *testing.T) {
	t.Parallel()
	w := newManifestWorld(t)
	env := w.gh.Env("acme", "mono")
	run := func(inputs map[string]string) hostrun.Result {
		t.Helper()
		inputs["token"] = token
		res, err := hostrun.Run(t.Context(), hostrun.Step{Action: "update-manifest", Workspace: t.TempDir(), Inputs: inputs, Env: env, EventName: "push", Event: manifestEvent()})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(map[string]string{"environment": "dev", "image": appImage, "tag": "sha-0badcafe"})
	if res.ExitCode != 0 || res.Outputs["result"] != "pushed" || res.Outputs["pending-approval"] != "false" || res.Outputs["previous-tag"] != "sha-3f2a9c1e" {
		t.Fatalf("dev: exit %d, outputs %v\n%s%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	// hostrun removes RUNNER_TEMP with the step: the diff is read from the summary, which has it too.
	if !strings.HasSuffix(res.Outputs["diff"], "/update-manifest.diff") || !strings.Contains(res.Summary, "+    newTag: sha-0badcafe # updated by shipkit") {
		t.Errorf("diff output %q, summary:\n%s", res.Outputs["diff"], res.Summary)
	}
	if got := w.serverFile(t, "main", devOverlay); !strings.Contains(got, "sha-0badcafe") {
		t.Errorf("dev overlay on the server:\n%s", got)
	}

	w.gh.API.Protect("acme", "mono", "main", ghemu.Protection{RequirePullRequest: true})
	res = run(map[string]string{"environment": "prod", "image": appImage, "tag": "sha-0badcafe"})
	if res.ExitCode != 0 || res.Outputs["result"] != "pull-request" || res.Outputs["pending-approval"] != "true" || res.Outputs["pull-request-number"] != "1" {
		t.Fatalf("prod: exit %d, outputs %v\n%s%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	if !strings.Contains(res.Stdout, "::warning") || !strings.Contains(res.Summary, "Pending manual approval") {
		t.Errorf("no warning or pending note:\n%s\n%s", res.Stdout, res.Summary)
	}
	res = run(map[string]string{"environment": "prod", "image": appImage, "tag": "sha-0badcafe", "fail-on-pending": "true"})
	if res.ExitCode == 0 || res.Outputs["result"] != "pull-request" {
		t.Errorf("fail-on-pending: exit %d, result %q; want non-zero, pull-request", res.ExitCode, res.Outputs["result"])
	}

	// Bad input fails with one error annotation and writes nothing.
	before := w.gh.API.Total()
	res = run(map[string]string{"environment": "dev", "files": devOverlay, "image": appImage, "tag": ""})
	if res.ExitCode != 2 || res.Outputs["result"] != "failed" || strings.Count(res.Stdout, "::error") != 1 {
		t.Errorf("bad input: exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, res.Stdout)
	}
	if w.gh.API.Total() != before {
		t.Errorf("bad input made %d API calls", w.gh.API.Total()-before)
	}
}

// TestUpdateManifestImage runs the image under podman as GitHub's runner runs a container
// action, with both write methods: the git method pushes from a shallow checkout owned by
// another user to the git server, and must keep the file's owner.
func TestUpdateManifestImage(t *testing.T) {
	t.Parallel()
	containers.Require(t)
	image := containers.BuildActionImage(t, "update-manifest")
	w := newManifestWorld(t)
	action := filepath.Join(containers.RepoRoot(t), "actions", "update-manifest", "action.yml")
	env := map[string]string{
		"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.gh.API.URL(), "GITHUB_SERVER_URL": w.gh.Git.URL(),
		"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main",
	}
	event := `{"ref":"refs/heads/main","repository":{"full_name":"acme/mono","default_branch":"main"}}`

	res := containers.RunAction(t, image, containers.RunOptions{
		Action: action, Env: env, EventJSON: event,
		Inputs: map[string]string{"environment": "dev", "image": appImage, "tag": "sha-11111111", "token": token},
	})
	if res.ExitCode != 0 || res.Outputs["result"] != "pushed" {
		t.Fatalf("api: exit %d, outputs %v\n%s\n%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	if got := w.serverFile(t, "main", devOverlay); !strings.Contains(got, "newTag: sha-11111111 # updated by shipkit") {
		t.Errorf("api: dev overlay on the server:\n%s", got)
	}
	if !strings.HasPrefix(res.Outputs["diff"], containers.RunnerTemp+"/_github_home/shipkit-") {
		t.Errorf("diff output %q is not a runner path under RUNNER_TEMP/_github_home", res.Outputs["diff"])
	}
	logs := strings.ReplaceAll(res.Stdout+res.Stderr+res.Summary, "::add-mask::"+token, "")
	if strings.Contains(logs, token) {
		t.Errorf("the token appears in the step's logs:\n%s", logs)
	}

	checkout := gitfixture.Clone(t, w.gh.CloneURL("acme", "mono"), "--depth", "1")
	res = containers.RunAction(t, image, containers.RunOptions{
		Workspace: checkout.Dir, Action: action, Env: env, EventJSON: event,
		Inputs: map[string]string{"environment": "prod", "image": appImage, "tag": "sha-22222222", "write-method": "git", "token": token},
	})
	if res.ExitCode != 0 || res.Outputs["result"] != "pushed" {
		t.Fatalf("git: exit %d, outputs %v\n%s\n%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	if got := w.serverFile(t, "main", prodOverlay); !strings.Contains(got, "newTag: sha-22222222 # updated by shipkit") {
		t.Errorf("git: prod overlay on the server:\n%s", got)
	}
	if fi, err := os.Stat(filepath.Join(checkout.Dir, prodOverlay)); err != nil {
		t.Error(err)
	} else if st := fi.Sys().(*syscall.Stat_t); os.Geteuid() == 0 && st.Uid != containers.RunnerUID {
		t.Errorf("the written file is owned by uid %d, want the workspace's %d", st.Uid, containers.RunnerUID)
	}

	// The git server refuses the push with GH006: the change becomes a pull request.
	if err := w.gh.Git.Protect("acme", "mono", "main", gitserver.RequirePullRequest); err != nil {
		t.Fatal(err)
	}
	res = containers.RunAction(t, image, containers.RunOptions{
		Workspace: checkout.Dir, Action: action, Env: env, EventJSON: event,
		Inputs: map[string]string{"environment": "prod", "image": appImage, "tag": "sha-33333333", "write-method": "git", "token": token},
	})
	if res.ExitCode != 0 || res.Outputs["result"] != "pull-request" || res.Outputs["pending-approval"] != "true" {
		t.Fatalf("git, protected: exit %d, outputs %v\n%s\n%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	if prs := w.gh.API.PullRequests("acme", "mono"); len(prs) != 1 || prs[0].Head != "shipkit/update-prod-sha-33333333" {
		t.Errorf("pull requests = %+v", prs)
	}
}
