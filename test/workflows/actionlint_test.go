package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/containers"
)

// actionlintBin finds actionlint: .bin/actionlint (built by .ci/tools), else PATH.
func actionlintBin(t *testing.T, root string) string {
	t.Helper()
	if bin := filepath.Join(root, ".bin", "actionlint"); fileExists(bin) {
		return bin
	}
	if bin, err := exec.LookPath("actionlint"); err == nil {
		return bin
	}
	containers.Skip(t, "actionlint is not installed (.ci/tools builds it into .bin)")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestActionlint lints every workflow with actionlint. It needs a .git folder beside
// .github/workflows, or it silently skips its local-action and reusable-workflow checks: the
// repository's own workflows are linted in place; the starter workflows (with $default-branch
// replaced by main, as GitHub does when a user copies one) and the example monorepo's callers are
// copied into a temporary repository.
func TestActionlint(t *testing.T) {
	t.Parallel()
	root := containers.RepoRoot(t)
	bin := actionlintBin(t, root)
	for _, dir := range workflowDirs {
		t.Run(strings.ReplaceAll(dir, "/", "_"), func(t *testing.T) {
			t.Parallel()
			files := workflowFiles(t, root, dir)
			if len(files) == 0 {
				t.Fatalf("%s holds no workflows", dir)
			}
			repo, args := root, files
			if dir != ".github/workflows" {
				repo, args = lintRepo(t, root, files)
			}
			cmd := exec.CommandContext(t.Context(), bin, append([]string{"-no-color"}, args...)...)
			cmd.Dir = repo
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("actionlint %s: %v\n%s", dir, err, out)
			}
		})
	}
}

// lintRepo copies files (relative to root) into .github/workflows of a new temporary repository
// with a .git folder, replacing $default-branch with main, and returns it with the copies' paths.
func lintRepo(t *testing.T, root string, files []string) (string, []string) {
	t.Helper()
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, ".github", "workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.ReplaceAll(string(data), "$default-branch", "main"))
		dst := filepath.Join(".github", "workflows", filepath.Base(f))
		if err := os.WriteFile(filepath.Join(repo, dst), data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, dst)
	}
	return repo, args
}

// TestActionlintCatches shows the lint set-up finds what it must: a call of a reusable workflow
// that does not exist (reported only with a .git folder present) and an unknown context.
func TestActionlintCatches(t *testing.T) {
	t.Parallel()
	root := containers.RepoRoot(t)
	bin := actionlintBin(t, root)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo, args := lintRepo(t, wd, []string{"testdata/actionlint/bad.yml"})
	cmd := exec.CommandContext(t.Context(), bin, append([]string{"-no-color"}, args...)...)
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("actionlint testdata/actionlint/bad.yml = success, want findings")
	}
	for _, want := range []string{"missing.yml", "undefined variable \"gihub\""} {
		if !strings.Contains(string(out), want) {
			t.Errorf("actionlint testdata/actionlint/bad.yml output lacks %q:\n%s", want, out)
		}
	}
}
