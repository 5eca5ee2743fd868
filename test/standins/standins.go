// Package standins holds small local stand-ins for the third-party actions shipkit's workflows
// use that cannot run offline (building with BuildKit, scanning with Trivy, CodeQL and Semgrep,
// uploading SARIF, installing uv, the artifact service), and stages them for act's
// --local-repository.
//
// Each stand-in lives in actions/<owner>/<repo>[/<path>]/action.yml and keeps the inputs and
// outputs shipkit's workflows use; test/README.md lists what each one leaves unverified. The
// docker/build-push-action stand-in is a Go program (its folder's main.go) run as a Docker action
// built from the repository's Dockerfile; the others are composite actions over the runner
// image's bash, Node.js and Python, some with a program next to their action.yml (setup-uv's
// uv.py and ruff.js, which runs the real Ruff as WebAssembly; codeql-action's standin.js).
package standins

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/containers"
)

// ArtifactStore is where the artifact stand-ins keep artifacts inside a job container; Stage's
// caller mounts a host folder there (actrun.Options.ContainerOptions).
const ArtifactStore = "/shipkit-artifacts"

// usesLine matches a remote `uses: owner/repo[/path]@ref` in a workflow.
var usesLine = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/[^@\s]*)?@([^\s#]+)`)

// workflowDirs are the folders of workflows users run: shipkit's reusable workflows, the
// starter workflows and the example monorepo's callers.
var workflowDirs = []string{".github/workflows", "workflows-templates", "examples/monorepo/.github/workflows"}

// Stage copies every stand-in into a temporary folder, the build-push-action stand-in pointed at
// its image built from this checkout, and returns act's --local-repository entries
// ("owner/repo@ref" -> folder) for each ref of a stood-in repository that shipkit's workflows,
// starter workflows and example callers use. It fails t when a stood-in repository is used by
// none of them, so a stand-in never outlives the action it replaces.
func Stage(t testing.TB) map[string]string {
	t.Helper()
	root := containers.RepoRoot(t)
	src := filepath.Join(root, "test", "standins", "actions")
	dirs := make([]string, len(workflowDirs))
	for i, d := range workflowDirs {
		dirs[i] = filepath.Join(root, filepath.FromSlash(d))
	}
	repos, err := standInRepos(src)
	if err != nil {
		t.Fatal(err)
	}
	used, err := usedRefs(dirs)
	if err != nil {
		t.Fatal(err)
	}
	buildPush := ""
	dst := t.TempDir()
	out := map[string]string{}
	for _, repo := range repos {
		refs := used[repo]
		if len(refs) == 0 {
			t.Fatalf("the stand-in for %s is used by no workflow under %v: remove it or the workflows lost a step", repo, dirs)
		}
		dir := filepath.Join(dst, filepath.FromSlash(repo))
		if err := copyActions(filepath.Join(src, filepath.FromSlash(repo)), dir, func() string {
			if buildPush == "" {
				buildPush = containers.BuildImage(t, "./test/standins/actions/docker/build-push-action", "build-push-standin")
			}
			return buildPush
		}); err != nil {
			t.Fatal(err)
		}
		for _, ref := range refs {
			out[repo+"@"+ref] = dir
		}
	}
	return out
}

// standInRepos lists the owner/repo folders under src.
func standInRepos(src string) ([]string, error) {
	owners, err := os.ReadDir(src)
	if err != nil {
		return nil, err
	}
	var repos []string
	for _, o := range owners {
		if !o.IsDir() {
			continue
		}
		names, err := os.ReadDir(filepath.Join(src, o.Name()))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if n.IsDir() {
				repos = append(repos, o.Name()+"/"+n.Name())
			}
		}
	}
	sort.Strings(repos)
	return repos, nil
}

// usedRefs returns, by owner/repo, the refs the workflow files under dirs use.
func usedRefs(dirs []string) (map[string][]string, error) {
	used := map[string][]string{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.y*ml"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			for _, m := range usesLine.FindAllStringSubmatch(string(data), -1) {
				repo := m[1] + "/" + m[2]
				if !slices.Contains(used[repo], m[4]) {
					used[repo] = append(used[repo], m[4])
				}
			}
		}
	}
	return used, nil
}

// copyActions copies every file under src to dst (action.yml and the programs and scripts a
// stand-in runs, with their modes), replacing a Docker action's
// `image: docker://localhost/shipkit/build-push-standin:...` with image() in action.yml.
func copyActions(src, dst string, image func() string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("staging %s: not a regular file", p)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if d.Name() == "action.yml" {
			const placeholder = "docker://localhost/shipkit/build-push-standin:replaced-by-the-test"
			if text := string(data); strings.Contains(text, placeholder) {
				data = []byte(strings.Replace(text, placeholder, "docker://"+image(), 1))
			}
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(out, data, info.Mode().Perm()|0o444); err != nil {
			return fmt.Errorf("staging %s: %w", rel, err)
		}
		return nil
	})
}
