package containers

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/imagebuild"
)

const echoAction = "./test/containers/testdata/echoaction"

func echoImage(t *testing.T) string {
	t.Helper()
	return BuildImage(t, echoAction, "echoaction")
}

func TestRunAction(t *testing.T) {
	t.Parallel()
	Require(t)
	image := echoImage(t)
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "kept.txt"), []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := RunAction(t, image, RunOptions{
		Workspace: ws,
		Action:    filepath.Join("testdata", "echoaction", "action.yml"),
		Inputs:    map[string]string{"My Input-x": "two\nlines", "write-file": "kept.txt"},
		Env:       map[string]string{"GITHUB_TOKEN": "tok", "GITHUB_REPOSITORY": "octo/repo"},
		EventJSON: `{"ref":"refs/heads/main"}`,
	})
	if res.ExitCode != 0 {
		t.Fatalf("RunAction() exit code = %d, want 0\nstderr: %s", res.ExitCode, res.Stderr)
	}
	want := map[string]string{
		"my_input-x":        "two\nlines", // INPUT_MY_INPUT-X
		"greeting":          "hello",      // default from action.yml
		"token":             "tok",        // ${{ github.token }}
		"write-file":        "kept.txt",
		"workdir":           "/github/workspace",
		"github_workspace":  "/github/workspace",
		"github_event_path": "/github/workflow/event.json",
		"home":              "/github/home",
		"ci":                "true",
		"github_actions":    "true",
		"runner_temp":       RunnerTemp,
		"uid":               "0",
		"workspace-owner":   "1001",
		"event":             `{"ref":"refs/heads/main"}`,
		"tempdir":           "/tmp",
	}
	for k, v := range want {
		if got := res.Outputs[k]; got != v {
			t.Errorf("RunAction().Outputs[%q] = %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(res.Summary, "### echoaction") {
		t.Errorf("RunAction().Summary = %q, want the action's summary", res.Summary)
	}
	data, err := os.ReadFile(filepath.Join(ws, "kept.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "written by echoaction\n" {
		t.Errorf("kept.txt = %q, want the action's text", data)
	}
	for _, p := range []string{ws, filepath.Join(ws, "kept.txt")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != RunnerUID {
			t.Errorf("owner of %s after the run = %d, want %d", p, uid, RunnerUID)
		}
	}
}

func TestRunActionExitCode(t *testing.T) {
	t.Parallel()
	Require(t)
	res := RunAction(t, echoImage(t), RunOptions{Inputs: map[string]string{"exit-code": "3"}})
	if res.ExitCode != 3 {
		t.Errorf("RunAction(exit-code=3).ExitCode = %d, want 3", res.ExitCode)
	}
	if res.Outputs["exit-code"] != "3" {
		t.Errorf("RunAction(exit-code=3).Outputs = %v, want the outputs written before the exit", res.Outputs)
	}
}

// TestLoadedImageIsTheRecipes: the image podman runs in the tests is the release recipe's
// (package imagebuild, which tests its own reproducibility): podman's image ID is the config
// digest imagebuild computes for the same binary.
func TestLoadedImageIsTheRecipes(t *testing.T) {
	t.Parallel()
	Require(t)
	ref := BuildImage(t, echoAction, "echoaction")
	platform := imagebuild.Platform{OS: "linux", Arch: runtime.GOARCH}
	bin, err := imagebuild.Compiler{Root: RepoRoot(t)}.Compile(t.Context(), echoAction, platform, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	img, err := imagebuild.Image(data, platform, imagebuild.Labels{Title: "shipkit echoaction", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), "podman", "image", "inspect", "--format", "{{.Id}}", ref).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != want.Hex {
		t.Errorf("podman's image ID of %s = %s, want the recipe's config digest %s", ref, got, want.Hex)
	}
}

// TestImageShape checks the image against the rules for an action image: one binary, an empty
// /tmp of mode 1777, no user, no working directory, OCI labels.
func TestImageShape(t *testing.T) {
	t.Parallel()
	Require(t)
	image := echoImage(t)
	out, err := exec.CommandContext(t.Context(), "podman", "image", "inspect", image).Output()
	if err != nil {
		t.Fatal(err)
	}
	var inspect []struct {
		Config struct {
			User       string
			WorkingDir string
			Entrypoint []string
			Labels     map[string]string
		}
		Created string
	}
	if err := json.Unmarshal(out, &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("parsing podman image inspect: %v", err)
	}
	c := inspect[0].Config
	if c.User != "" || c.WorkingDir != "" {
		t.Errorf("image user, workdir = %q, %q, want none", c.User, c.WorkingDir)
	}
	if strings.Join(c.Entrypoint, " ") != "/shipkit-action" {
		t.Errorf("image entrypoint = %q, want [/shipkit-action]", c.Entrypoint)
	}
	if c.Labels["org.opencontainers.image.source"] == "" || c.Labels["org.opencontainers.image.version"] == "" {
		t.Errorf("image labels = %v, want org.opencontainers.image.source and .version", c.Labels)
	}
	if !strings.HasPrefix(inspect[0].Created, "1970-01-01") {
		t.Errorf("image created = %s, want 1970-01-01 (imagebuild dates everything the epoch)", inspect[0].Created)
	}

	// The file tree, from an exported container.
	cid, err := exec.CommandContext(t.Context(), "podman", "create", image).Output()
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(string(cid))
	t.Cleanup(func() { exec.Command("podman", "rm", id).Run() })
	tar, err := exec.CommandContext(t.Context(), "sh", "-c", "podman export "+id+" | tar -tv").Output()
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, l := range strings.Split(strings.TrimSpace(string(tar)), "\n") {
		f := strings.Fields(l)
		entries = append(entries, f[0]+" "+f[len(f)-1])
	}
	got := strings.Join(entries, "\n")
	for _, want := range []string{"drwxrwxrwt tmp/", "-rwxr-xr-x shipkit-action"} {
		if !strings.Contains(got, want) {
			t.Errorf("image files:\n%s\nwant %q", got, want)
		}
	}
}
