package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/hostrun"
)

// TestPromoteHost runs promote-pr on the host as the runner would: an image promotion to prod
// with the job's token (a warning that its pull requests start no checks), a rerun that
// changes nothing, and bad input that fails with one annotation and no API call.
func TestPromoteHost(t *testing.T) {
	t.Parallel()
	w := newManifestWorld(t)
	env := w.gh.Env("acme", "mono")
	run := func(inputs map[string]string) hostrun.Result {
		t.Helper()
		res, err := hostrun.Run(t.Context(), hostrun.Step{Action: "promote-pr", Workspace: t.TempDir(), Inputs: inputs, Env: env, EventName: "workflow_dispatch", Event: manifestEvent()})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	inputs := map[string]string{"mode": "image", "image": appImage, "tag": "sha-0badcafe", "verify-image": "false"}
	res := run(inputs)
	if res.ExitCode != 0 || res.Outputs["result"] != "opened" || res.Outputs["operation"] != "created" || res.Outputs["pull-request-number"] != "1" || res.Outputs["auto-merge"] != "off" {
		t.Fatalf("create: exit %d, outputs %v\n%s%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	if !strings.Contains(res.Stdout, "::warning") || !strings.Contains(res.Stdout, "GITHUB_TOKEN") {
		t.Errorf("no warning about the job's token:\n%s", res.Stdout)
	}
	if got := w.serverFile(t, "promote/prod-sha-0badcafe", prodOverlay); !strings.Contains(got, "newTag: sha-0badcafe # updated by shipkit") {
		t.Errorf("prod overlay on the promotion branch:\n%s", got)
	}
	if !strings.Contains(res.Summary, "#1") || !strings.Contains(res.Summary, "sha-3f2a9c1e") {
		t.Errorf("summary:\n%s", res.Summary)
	}

	res = run(inputs)
	if res.ExitCode != 0 || res.Outputs["result"] != "updated" || res.Outputs["operation"] != "unchanged" || res.Outputs["pull-request-number"] != "1" {
		t.Errorf("rerun: exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, res.Stdout)
	}

	before := w.gh.API.Total()
	for _, bad := range []map[string]string{
		{"mode": "tag"},
		{"mode": "branch", "head": "main"},
		{"mode": "image", "image": appImage, "tag": "sha-1", "title": "Promote {sha}"},
	} {
		res = run(bad)
		if res.ExitCode == 0 || res.Outputs["result"] != "failed" || strings.Count(res.Stdout, "::error") != 1 {
			t.Errorf("bad input %v: exit %d, outputs %v\n%s", bad, res.ExitCode, res.Outputs, res.Stdout)
		}
	}
	if n := w.gh.API.Total() - before; n != 0 {
		t.Errorf("bad input made %d API calls, want none", n)
	}
}

// TestPromoteImage runs the image under podman as GitHub's runner runs a container action: a
// branch promotion with auto-merge on a repository whose main requires a check (armed through
// GraphQL), then an image promotion.
func TestPromoteImage(t *testing.T) {
	t.Parallel()
	containers.Require(t)
	image := containers.BuildActionImage(t, "promote-pr")
	w := newManifestWorld(t)
	w.dev.Git("switch", "-q", "-c", "dev")
	w.dev.Commit("feat: discount", map[string]string{"src/acme_app/discount.py": "RATE = 5\n"})
	w.dev.Git("push", "-q", "origin", "dev")
	w.gh.API.AllowAutoMerge("acme", "mono", true)
	w.gh.API.Protect("acme", "mono", "main", ghemu.Protection{RequiredChecks: []string{"ci"}})

	action := filepath.Join(containers.RepoRoot(t), "actions", "promote-pr", "action.yml")
	env := map[string]string{
		"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.gh.API.URL(), "GITHUB_SERVER_URL": w.gh.Git.URL(),
		"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_REF": "refs/heads/main",
	}
	event := `{"ref":"refs/heads/main","repository":{"full_name":"acme/mono","default_branch":"main"}}`

	w.gh.API.ResetCounts()
	res := containers.RunAction(t, image, containers.RunOptions{
		Action: action, Env: env, EventJSON: event,
		Inputs: map[string]string{"mode": "branch", "auto-merge": "true", "labels": "promotion"},
	})
	if res.ExitCode != 0 || res.Outputs["result"] != "opened" || res.Outputs["auto-merge"] != "armed" {
		t.Fatalf("branch: exit %d, outputs %v\n%s\n%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	if n := w.gh.API.Count(ghemu.GraphQLOperation); n != 1 {
		t.Errorf("GraphQL requests = %d, want 1", n)
	}
	if _, ok := w.gh.API.AutoMerge("acme", "mono", 1); !ok {
		t.Errorf("auto-merge of #1 is not armed in the emulator")
	}
	logs := strings.ReplaceAll(res.Stdout+res.Stderr+res.Summary, "::add-mask::"+token, "")
	if strings.Contains(logs, token) {
		t.Errorf("the token appears in the step's logs:\n%s", logs)
	}

	res = containers.RunAction(t, image, containers.RunOptions{
		Action: action, Env: env, EventJSON: event,
		Inputs: map[string]string{"mode": "image", "image": appImage, "tag": "sha-0badcafe", "verify-image": "false"},
	})
	if res.ExitCode != 0 || res.Outputs["result"] != "opened" || res.Outputs["pull-request-number"] != "2" || res.Outputs["previous-tag"] != "sha-3f2a9c1e" {
		t.Fatalf("image: exit %d, outputs %v\n%s\n%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	if got := w.serverFile(t, "promote/prod-sha-0badcafe", prodOverlay); !strings.Contains(got, "newTag: sha-0badcafe") {
		t.Errorf("prod overlay on the promotion branch:\n%s", got)
	}
}
