package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/gitfixture"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		change  func(*Config)
		wantErr string // "" for valid
	}{
		{name: "valid", change: func(*Config) {}},
		{name: "files and environment", change: func(c *Config) { c.Files = []string{"a.yaml"} }, wantErr: "give files or environment, not both"},
		{name: "neither", change: func(c *Config) { c.Environment = "" }, wantErr: "give the files to update"},
		{name: "path outside", change: func(c *Config) { c.Environment, c.Files = "", []string{"../other/k.yaml"} }, wantErr: "leaves the repository"},
		{name: "absolute path", change: func(c *Config) { c.Environment, c.Files = "", []string{"/etc/passwd"} }, wantErr: "must be relative"},
		{name: "environment with slash", change: func(c *Config) { c.Environment = "../prod" }, wantErr: "single name"},
		{name: "empty tag", change: func(c *Config) { c.Target.Tag = "" }, wantErr: `input "tag": empty`},
		{name: "bad tag", change: func(c *Config) { c.Target.Tag = "-x" }, wantErr: "not a valid image tag"},
		{name: "digest of the wrong form", change: func(c *Config) { c.Target.Digest = "sha256:abc" }, wantErr: "not of the form sha256:"},
		{name: "digest alone", change: func(c *Config) {
			c.Target.Tag, c.Target.Digest = "", "sha256:"+strings.Repeat("a", 64)
		}},
		{name: "image with tag", change: func(c *Config) { c.Target.Image = "ghcr.io/acme/app:v1" }, wantErr: "has a tag or digest"},
		{name: "image upper case", change: func(c *Config) { c.Target.Image = "ghcr.io/Acme/App" }, wantErr: "not a valid image name"},
		{name: "no image", change: func(c *Config) { c.Target.Image = "" }, wantErr: "image name is empty"},
		{name: "bad method", change: func(c *Config) { c.Method = "ssh" }, wantErr: `"ssh" is not one of api, git`},
		{name: "bad fallback", change: func(c *Config) { c.Fallback = []string{"email"} }, wantErr: "is not one of pull-request, issue"},
		{name: "none with others", change: func(c *Config) { c.Fallback = []string{"none", "issue"} }, wantErr: "none alone"},
		{name: "zero attempts", change: func(c *Config) { c.MaxAttempts = 0 }, wantErr: "give 1 or more"},
		{name: "rollback with tag", change: func(c *Config) { c.Rollback = true }, wantErr: "leave tag and digest empty"},
		{name: "rollback", change: func(c *Config) { c.Rollback, c.Target.Tag = true, "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig()
			tt.change(&cfg)
			err := cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"nginx", "nginx"},
		{"docker.io/library/nginx", "nginx"},
		{"index.docker.io/library/nginx", "nginx"},
		{"docker.io/acme/app", "acme/app"},
		{"GHCR.io/acme/app", "ghcr.io/acme/app"},
		{"localhost:5000/app", "localhost:5000/app"},
		{"docker://ghcr.io/acme/app", "ghcr.io/acme/app"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	refs := []struct{ in, name, tag, digest string }{
		{"localhost:5000/app:v1", "localhost:5000/app", "v1", ""},
		{"app@sha256:abc", "app", "", "sha256:abc"},
		{"ghcr.io/a/b:v1@sha256:abc", "ghcr.io/a/b", "v1", "sha256:abc"},
		{"localhost:5000/app", "localhost:5000/app", "", ""},
	}
	for _, tt := range refs {
		if r := ParseRef(tt.in); r.Name != tt.name || r.Tag != tt.tag || r.Digest != tt.digest || r.String() != tt.in {
			t.Errorf("ParseRef(%q) = %+v (%s), want %s %s %s", tt.in, r, r, tt.name, tt.tag, tt.digest)
		}
	}
}

// TestBadFilesWriteNothing runs whole writes whose files are at fault: each fails with the file
// (and line where there is one), and nothing reaches the branch.
func TestBadFilesWriteNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.dev.Commit("chore: add bad files", map[string]string{
		"bad/kustomization.yaml": "images:\n  - name: ghcr.io/acme/acme-app\n   newTag: v1\n",
		"bad/deploy.yaml":        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: nginx:1\n",
		"bad/values.yaml":        "image:\n  repository: ghcr.io/acme/acme-app\n",
	})
	w.dev.Git("push", "-q", "origin", "main")
	before := w.dev.Git("rev-parse", "HEAD")
	tests := []struct {
		name, file, valuePath, want string
	}{
		{name: "malformed YAML", file: "bad/kustomization.yaml", want: "bad/kustomization.yaml:2: malformed YAML"},
		{name: "image not in the manifest", file: "bad/deploy.yaml", want: "bad/deploy.yaml: image not found: no container or initContainer"},
		{name: "missing value path", file: "bad/values.yaml", valuePath: "image.tag", want: `bad/values.yaml:2: image not found: value-path "image.tag": image has no key "tag"`},
		{name: "missing file", file: "bad/none.yaml", want: "file does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := w.api(t)
			cfg := baseConfig()
			cfg.Environment, cfg.Files, cfg.Target.ValuePath = "", []string{tt.file}, tt.valuePath
			_, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run(%s) = %v, want an error containing %q", tt.file, err, tt.want)
			}
		})
	}
	t.Cleanup(func() {
		if w.gh.API.Count("repos/create-or-update-file-contents")+w.gh.API.Count("git/update-ref") > 0 {
			t.Errorf("bad files were written: %v", w.gh.API.Counts())
		}
		if got := w.dev.Git("ls-remote", "origin", "refs/heads/main"); !strings.HasPrefix(got, before) {
			t.Errorf("main moved to %s", got)
		}
	})
}

// TestGitRefusesSymlinks: a symbolic link leading out of the working tree is not followed.
func TestGitRefusesSymlinks(t *testing.T) {
	t.Parallel()
	repo := gitfixture.Init(t)
	repo.Commit("init", map[string]string{"k/kustomization.yaml": "images: []\n"})
	outside := filepath.Join(t.TempDir(), "kustomization.yaml")
	if err := os.WriteFile(outside, []byte("images:\n- name: x\n  newTag: v1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(repo.Dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("k/kustomization.yaml", filepath.Join(repo.Dir, "inside.yaml")); err != nil {
		t.Fatal(err)
	}
	g := &Git{Dir: repo.Dir}
	for p, want := range map[string]string{"link.yaml": "leads out of the repository", "inside.yaml": "is a symbolic link"} {
		_, err := g.Read(t.Context(), "main", []string{p}, false)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Read(%s) = %v, want an error containing %q", p, err, want)
		}
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	api := w.api(t)
	cfg := baseConfig()
	cfg.DryRun = true
	w.gh.API.ResetCounts()
	res, err := Run(t.Context(), cfg, Deps{Store: api, Forge: api})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != ResultUnchanged || !strings.Contains(res.Diff, "+    newTag: "+newTag) || !strings.HasPrefix(res.Headline(), "Dry run:") {
		t.Errorf("dry run = %s, %q, diff:\n%s", res.Outcome, res.Headline(), res.Diff)
	}
	if n := w.gh.API.Count("repos/create-or-update-file-contents"); n != 0 {
		t.Errorf("a dry run wrote %d times", n)
	}
}
