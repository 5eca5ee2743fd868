package versionbump_test

import (
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/internal/runner"
	"github.com/shipkit-dev/shipkit/internal/tagname"
	"github.com/shipkit-dev/shipkit/internal/versionbump"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
)

// TestManifestKinds runs a bump of every supported manifest kind through a real repository.
func TestManifestKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		base, head map[string]string
		files      string
		wantName   string
		wantPrev   string
		wantVer    string
		wantPre    bool
		wantChange bool
		wantReason string
	}{
		{name: "pep621", files: "lib/pyproject.toml",
			base:     map[string]string{"lib/pyproject.toml": "[project]\nname = \"lib\"\nversion = \"1.0\"\n"},
			head:     map[string]string{"lib/pyproject.toml": "[project]\nname = \"lib\"\nversion = \"1.0.post1\"\n"},
			wantName: "lib", wantPrev: "1.0", wantVer: "1.0.post1", wantChange: true},
		{name: "poetry", files: "pyproject.toml",
			base:     map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"app\"\nversion = \"0.9.0\"\n"},
			head:     map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"app\"\nversion = \"1.0.0a1\"\n"},
			wantName: "app", wantPrev: "0.9.0", wantVer: "1.0.0a1", wantPre: true, wantChange: true},
		{name: "dynamic", files: "pyproject.toml",
			base:     map[string]string{"pyproject.toml": "[project]\nname = \"dyn\"\ndynamic = [\"version\"]\n"},
			head:     map[string]string{"pyproject.toml": "[project]\nname = \"dyn\"\ndynamic = [\"version\"]\n# edit\n"},
			wantName: "dyn", wantReason: "dynamic"},
		{name: "package.json", files: "web/package.json",
			base:     map[string]string{"web/package.json": `{"name": "@acme/web", "version": "1.2.3"}`},
			head:     map[string]string{"web/package.json": `{"name": "@acme/web", "version": "1.3.0-beta.1"}`},
			wantName: "@acme/web", wantPrev: "1.2.3", wantVer: "1.3.0-beta.1", wantPre: true, wantChange: true},
		{name: "cargo workspace", files: "crates/*/Cargo.toml",
			base: map[string]string{
				"Cargo.toml":             "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"0.1.0\"\n",
				"crates/core/Cargo.toml": "[package]\nname = \"core\"\nversion.workspace = true\n",
			},
			head:     map[string]string{"Cargo.toml": "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"0.2.0\"\n"},
			wantName: "core", wantPrev: "0.1.0", wantVer: "0.2.0", wantChange: true},
		{name: "helm", files: "charts/*/Chart.yaml",
			base:     map[string]string{"charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: \"2\"\n"},
			head:     map[string]string{"charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: \"3\"\n"},
			wantName: "web", wantPrev: "1.0.0", wantVer: "1.0.0"},
		{name: "setup.cfg", files: "setup.cfg",
			base:     map[string]string{"setup.cfg": "[metadata]\nname = old\nversion = 2.0.0\n"},
			head:     map[string]string{"setup.cfg": "[metadata]\nname = old\nversion = 2.1.0.dev3\n"},
			wantName: "old", wantPrev: "2.0.0", wantVer: "2.1.0.dev3", wantPre: true, wantChange: true},
		{name: "VERSION file", files: "tools/VERSION",
			base:     map[string]string{"tools/VERSION": "3.0.0\n"},
			head:     map[string]string{"tools/VERSION": "3.0.1\n"},
			wantName: "tools", wantPrev: "3.0.0", wantVer: "3.0.1", wantChange: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := gitfixture.Init(t)
			base := r.Commit("base", tt.base)
			head := r.Commit("head", tt.head)
			repo, err := gitrepo.Open(r.Dir, gitrepo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tmpl, _ := tagname.Parse("{name}-v{version}")
			cfg := versionbump.Config{
				Files: []string{tt.files}, TagTemplate: tmpl, ReleaseNotes: versionbump.NotesNone,
				Event: runner.Event{Name: "push", Before: base, After: head}, RootDir: "repo",
			}
			res, err := versionbump.Run(t.Context(), cfg, versionbump.Deps{History: &history.Git{Repo: repo}, Root: r.Dir})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Packages) != 1 {
				t.Fatalf("packages = %+v, want 1", res.Packages)
			}
			p := res.Packages[0]
			if p.Name != tt.wantName || p.PreviousVersion != tt.wantPrev || p.Version != tt.wantVer || p.Prerelease != tt.wantPre || p.Changed != tt.wantChange {
				t.Errorf("package = %+v\nwant name %q, %q -> %q, prerelease %v, changed %v", p, tt.wantName, tt.wantPrev, tt.wantVer, tt.wantPre, tt.wantChange)
			}
			if tt.wantReason != "" && !strings.Contains(p.Reason, tt.wantReason) {
				t.Errorf("reason = %q, want it to mention %q", p.Reason, tt.wantReason)
			}
		})
	}
}
