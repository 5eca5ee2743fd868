package actrun

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/containers"
)

// copyRepo copies testdata/repo into a new git repository, replacing ECHO_IMAGE with image.
func copyRepo(t *testing.T, image string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "repo")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, []byte(strings.ReplaceAll(string(data), "ECHO_IMAGE", image)), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"remote", "add", "origin", "https://github.com/octo/echo.git"},
		{"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"},
	} {
		if out, err := exec.CommandContext(t.Context(), "git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return dir
}

func TestRun(t *testing.T) {
	t.Parallel()
	Require(t)
	image := containers.BuildImage(t, "./test/containers/testdata/echoaction", "echoaction")
	dir := copyRepo(t, image)
	res := Run(t, Options{
		Dir:      dir,
		Workflow: ".github/workflows/echo.yml",
		Job:      "echo",
		Vars:     map[string]string{"GREETING": "hi from vars"},
		Secrets:  map[string]string{"SHIPKIT_SECRET": "s3cret"},
	})
	if res.ExitCode != 0 {
		t.Fatalf("Run(echo.yml) exit code = %d, want 0", res.ExitCode)
	}
	for _, want := range []string{"direct=hi from act local=hi from vars", "secret-length=6"} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("Run(echo.yml) output lacks %q", want)
		}
	}
	if strings.Contains(res.Output, "s3cret") {
		t.Errorf("Run(echo.yml) output shows the secret's value, want it masked")
	}
}

func TestRunFailingJob(t *testing.T) {
	t.Parallel()
	Require(t)
	image := containers.BuildImage(t, "./test/containers/testdata/echoaction", "echoaction")
	dir := copyRepo(t, image)
	// Without the variable the local step's greeting is empty and the check fails.
	res := Run(t, Options{Dir: dir, Workflow: ".github/workflows/echo.yml", Secrets: map[string]string{"SHIPKIT_SECRET": "s3cret"}})
	if res.ExitCode == 0 {
		t.Errorf("Run(echo.yml without vars) exit code = 0, want a failure")
	}
}
