package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/hostrun"
	"github.com/shipkit-dev/shipkit/test/registry"
)

const (
	registryUser     = "ci-bot"
	registryPassword = "registry-s3cret-pw"
)

// shaTagWorld is a checkout with two commits on main and an authenticated distribution registry
// holding one image per commit, pushed by digest.
type shaTagWorld struct {
	reg      *registry.Registry
	checkout *gitfixture.Repo
	c1, c2   string // commits, c1 <- c2
	d1, d2   string // image digests built from them
	image    string
}

func newShaTagWorld(t *testing.T) *shaTagWorld {
	t.Helper()
	w := &shaTagWorld{reg: registry.Start(t, registry.Options{Users: map[string]string{registryUser: registryPassword}})}
	w.checkout = gitfixture.Init(t)
	w.c1 = w.checkout.Commit("feat: one", map[string]string{"app.py": "print(1)\n"})
	w.c2 = w.checkout.Commit("feat: two", map[string]string{"app.py": "print(2)\n"})
	w.image = w.reg.Host + "/acme/app"
	repo, err := name.NewRepository(w.image)
	if err != nil {
		t.Fatal(err)
	}
	auth := remote.WithAuth(&authn.Basic{Username: registryUser, Password: registryPassword})
	for _, c := range []struct {
		rev    string
		digest *string
	}{{w.c1, &w.d1}, {w.c2, &w.d2}} {
		img, err := registry.Image(c.rev, 1, 2048, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		*c.digest = d.String()
		if err := remote.Write(repo.Digest(d.String()), img, auth, remote.WithContext(t.Context())); err != nil {
			t.Fatalf("pushing the image of %s: %v", c.rev, err)
		}
	}
	return w
}

func (w *shaTagWorld) inputs(digest string) map[string]string {
	return map[string]string{"image": w.image, "digest": digest, "version": "1.4.0", "username": registryUser, "password": registryPassword}
}

func shaTagEnv(sha string) map[string]string {
	return map[string]string{"GITHUB_SHA": sha, "GITHUB_REF": "refs/heads/main", "GITHUB_REPOSITORY": "acme/app",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_ACTOR": "ada", "SOURCE_DATE_EPOCH": "1700000000"}
}

func mainPush(sha string) map[string]any {
	return map[string]any{"ref": "refs/heads/main", "after": sha, "repository": map[string]any{"full_name": "acme/app", "default_branch": "main"}}
}

// TestShaTagImageHost runs the program on the host as the runner would: the newer build tags,
// the older build that finishes late leaves latest alone (result stale), a rerun is unchanged.
func TestShaTagImageHost(t *testing.T) {
	t.Parallel()
	w := newShaTagWorld(t)
	run := func(sha, digest string) hostrun.Result {
		t.Helper()
		res, err := hostrun.Run(t.Context(), hostrun.Step{Action: "sha-tag-image", Workspace: w.checkout.Dir,
			Inputs: w.inputs(digest), Env: shaTagEnv(sha), EventName: "push", Event: mainPush(sha)})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ReplaceAll(res.Stdout+res.Stderr+res.Summary, "::add-mask::"+registryPassword, ""), registryPassword) {
			t.Errorf("the registry password appears in the step's logs")
		}
		return res
	}
	res := run(w.c2, w.d2)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	want := map[string]string{
		"result": "tagged", "sha-tag": "sha-" + w.c2[:8], "digest": w.d2, "image-ref": w.image + "@" + w.d2,
		"tag-names": "sha-" + w.c2[:8] + "\nv1.4.0\nlatest",
	}
	for k, v := range want {
		if res.Outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, res.Outputs[k], v)
		}
	}
	for _, l := range []string{"org.opencontainers.image.revision=" + w.c2, "org.opencontainers.image.source=https://github.com/acme/app", "org.opencontainers.image.created=2023-11-14T22:13:20Z"} {
		if !strings.Contains(res.Outputs["labels"], l) {
			t.Errorf("labels lack %q:\n%s", l, res.Outputs["labels"])
		}
	}
	if !strings.Contains(res.Summary, w.image+":latest") || !strings.Contains(res.Summary, "created") {
		t.Errorf("summary lacks the tags:\n%s", res.Summary)
	}

	res = run(w.c1, w.d1)
	if res.ExitCode != 0 || res.Outputs["result"] != "stale" {
		t.Fatalf("older build: exit %d, result %q, want 0 and stale\n%s%s", res.ExitCode, res.Outputs["result"], res.Stdout, res.Stderr)
	}
	if !strings.Contains(res.Stdout, "::warning") || strings.Contains(res.Outputs["tag-names"], "latest") {
		t.Errorf("older build: want a warning and no latest in tag-names, got %q\n%s", res.Outputs["tag-names"], res.Stdout)
	}

	res = run(w.c2, w.d2)
	if res.ExitCode != 0 || res.Outputs["result"] != "unchanged" {
		t.Errorf("rerun: exit %d, result %q, want 0 and unchanged", res.ExitCode, res.Outputs["result"])
	}

	// A different image for the same commit fails, naming both digests, in one annotation.
	res = run(w.c2, w.d1)
	if res.ExitCode != 1 || res.Outputs["result"] != "failed" || strings.Count(res.Stdout, "::error") != 1 ||
		!strings.Contains(res.Stdout, w.d1) || !strings.Contains(res.Stdout, w.d2) {
		t.Errorf("sha conflict: exit %d, result %q\n%s", res.ExitCode, res.Outputs["result"], res.Stdout)
	}
}

// TestShaTagImageBadInputs checks that each bad input fails with one annotation naming it and
// writes nothing.
func TestShaTagImageBadInputs(t *testing.T) {
	t.Parallel()
	w := newShaTagWorld(t)
	tests := []struct {
		name, input, value, want string
	}{
		{name: "image with a tag", input: "image", value: "ghcr.io/acme/app:1", want: `input "image"`},
		{name: "invalid image", input: "image", value: "ghcr.io/acme//app", want: "empty path component"},
		{name: "digest of the wrong form", input: "digest", value: "sha256:1234", want: `input "digest"`},
		{name: "source that does not exist", input: "digest", value: "sha256:" + strings.Repeat("0", 64), want: "does not exist"},
		{name: "tag over 128 characters", input: "extra-tags", value: strings.Repeat("t", 129), want: "at most 128"},
		{name: "mode outside its choices", input: "mode", value: "push", want: `input "mode"`},
		{name: "moving-tags line without =", input: "moving-tags", value: "main", want: `input "moving-tags"`},
		{name: "wrong password", input: "password", value: "nope", want: "refused the credentials (401)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := w.inputs(w.d2)
			in[tt.input] = tt.value
			res, err := hostrun.Run(t.Context(), hostrun.Step{Action: "sha-tag-image", Workspace: w.checkout.Dir,
				Inputs: in, Env: shaTagEnv(w.c2), EventName: "push", Event: mainPush(w.c2)})
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode == 0 || res.Outputs["result"] != "failed" {
				t.Fatalf("exit %d, result %q, want a failure", res.ExitCode, res.Outputs["result"])
			}
			if n := strings.Count(res.Stdout, "::error"); n != 1 || !strings.Contains(res.Stdout, tt.want) {
				t.Errorf("%d ::error annotations, want 1 containing %q:\n%s", n, tt.want, res.Stdout)
			}
		})
	}
	// Nothing was written by any of them.
	repo, _ := name.NewRepository(w.image)
	if _, err := remote.Head(repo.Tag("latest"), remote.WithAuth(&authn.Basic{Username: registryUser, Password: registryPassword}), remote.WithContext(t.Context())); err == nil {
		t.Error("a failed run wrote the latest tag")
	}
}

// TestShaTagImageImage runs the image under podman as GitHub's runner runs a container action,
// against the registry with basic auth on 127.0.0.1 (host network).
func TestShaTagImageImage(t *testing.T) {
	t.Parallel()
	containers.Require(t)
	image := containers.BuildActionImage(t, "sha-tag-image")
	w := newShaTagWorld(t)
	event := `{"ref":"refs/heads/main","after":"` + w.c2 + `","repository":{"full_name":"acme/app","default_branch":"main"}}`
	res := containers.RunAction(t, image, containers.RunOptions{
		Workspace: w.checkout.Dir,
		Action:    filepath.Join(containers.RepoRoot(t), "actions", "sha-tag-image", "action.yml"),
		Inputs:    w.inputs(w.d2),
		Env: map[string]string{"GITHUB_TOKEN": "ghs_unused", "GITHUB_EVENT_NAME": "push", "GITHUB_SHA": w.c2, "GITHUB_REF": "refs/heads/main",
			"GITHUB_REPOSITORY": "acme/app", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_ACTOR": "ada"},
		EventJSON: event,
	})
	if res.ExitCode != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Outputs["result"] != "tagged" || res.Outputs["digest"] != w.d2 || res.Outputs["sha-tag"] != "sha-"+w.c2[:8] {
		t.Errorf("outputs = %v", res.Outputs)
	}
	if !strings.Contains(res.Summary, "latest") {
		t.Errorf("summary lacks latest:\n%s", res.Summary)
	}
	logs := strings.ReplaceAll(res.Stdout+res.Stderr+res.Summary, "::add-mask::"+registryPassword, "")
	if strings.Contains(logs, registryPassword) {
		t.Errorf("the registry password appears in the step's logs")
	}
}
