// Package e2e runs shipkit's actions the three ways users meet them: the program on the host
// (main.go's input handling), the image under podman as GitHub's runner starts a container
// action, and a workflow under act. The git server and the API emulator on 127.0.0.1 stand in
// for GitHub.
package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
)

const token = localghtest.Token

// world is a repository on the local GitHub with a developer's clone of it.
type world struct {
	api    *ghemu.Server
	dev    *gitfixture.Repo
	url    string // clone URL with credentials
	server string // the git server's base URL, GITHUB_SERVER_URL
}

func newWorld(t *testing.T) *world {
	t.Helper()
	gh := localghtest.New(t, "acme", "mono")
	url := gh.CloneURL("acme", "mono")
	dev := gitfixture.Init(t)
	dev.Git("remote", "add", "origin", url)
	return &world{api: gh.API, dev: dev, url: url, server: gh.Git.URL()}
}

// pushExampleBump pushes the example monorepo with its released tags, then a bump of acme-lib to
// 0.4.0, and returns the push event's before and after.
func (w *world) pushExampleBump(t *testing.T) (before, after string) {
	t.Helper()
	w.dev.CopyTree(filepath.Join(containers.RepoRoot(t), "examples", "monorepo"))
	before = w.dev.Commit("chore: import the example", nil)
	w.dev.Git("tag", "acme-lib-v0.3.0")
	w.dev.Git("tag", "acme-app-v1.4.0")
	w.dev.Git("push", "-q", "origin", "main", "--tags")
	p := filepath.Join(w.dev.Dir, "packages", "acme-lib", "pyproject.toml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	after = w.dev.Commit("chore(acme-lib): release 0.4.0", map[string]string{
		"packages/acme-lib/pyproject.toml": strings.Replace(string(data), `version = "0.3.0"`, `version = "0.4.0"`, 1),
	})
	w.dev.Git("push", "-q", "origin", "main")
	return before, after
}

func pushEvent(t *testing.T, before, after string) string {
	t.Helper()
	data, err := json.Marshal(map[string]any{
		"ref": "refs/heads/main", "before": before, "after": after, "forced": false,
		"repository": map[string]any{"full_name": "acme/mono", "name": "mono", "default_branch": "main", "owner": map[string]any{"login": "acme"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// stageShipkit writes a copy of shipkit's action.yml for action into a new folder laid out like
// the shipkit repository, with runs.image pointed at the locally built image, and returns it.
func stageShipkit(t *testing.T, action, image string) string {
	t.Helper()
	dir := t.TempDir()
	stageAction(t, dir, action, image)
	return dir
}

// stageAction adds action's action.yml, with runs.image pointed at image, to the staged folder.
func stageAction(t *testing.T, dir, action, image string) {
	t.Helper()
	src := filepath.Join(containers.RepoRoot(t), "actions", action, "action.yml")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	replaced := false
	for i, l := range lines {
		if strings.HasPrefix(l, "  image: ") {
			lines[i], replaced = "  image: docker://"+image, true
		}
	}
	if !replaced {
		t.Fatalf("%s has no runs.image line", src)
	}
	dst := filepath.Join(dir, "actions", action, "action.yml")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}
