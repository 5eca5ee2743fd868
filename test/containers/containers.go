// Package containers builds shipkit's action images (package imagebuild) into podman and runs them the way GitHub's
// runner runs a Docker container action: the workspace bind-mounted at /github/workspace and
// owned by another uid, inputs as INPUT_* variables, file commands in /github/file_commands.
//
// Tests call Require first: it skips when podman is missing or unusable, or fails when the
// environment variable SHIPKIT_REQUIRE_CONTAINERS is 1 (CI sets it).
package containers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	gcrname "github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/shipkit-dev/shipkit/internal/imagebuild"
	"github.com/shipkit-dev/shipkit/test/hostrun"
	"github.com/shipkit-dev/shipkit/test/runnersim"
)

// RequireEnv names the environment variable that turns skips for a missing container engine or
// tool into failures when it is "1".
const RequireEnv = "SHIPKIT_REQUIRE_CONTAINERS"

// RunnerUID is the uid that owns the workspace on GitHub's hosted runners (user "runner"). The
// action's root user sees the workspace owned by it.
const RunnerUID = 1001

// Skip skips t, saying why, or fails it when RequireEnv is "1".
func Skip(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s (%s=1 requires it)", reason, RequireEnv)
	}
	t.Skip(reason)
}

var podmanCheck = sync.OnceValue(func() error {
	if _, err := exec.LookPath("podman"); err != nil {
		return errors.New("podman is not installed (apt-get install podman runc)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "podman", "info", "--format", "{{.Host.OCIRuntime.Name}}").CombinedOutput()
	if err != nil {
		return fmt.Errorf("podman is unusable: podman info: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
})

// Require skips t, or fails it when RequireEnv is "1", unless podman is installed and usable.
func Require(t testing.TB) {
	t.Helper()
	if err := podmanCheck(); err != nil {
		Skip(t, err.Error())
	}
}

// RepoRoot returns the root of the shipkit checkout: the nearest folder above the working
// directory that holds a go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := hostrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type buildResult struct {
	once sync.Once
	ref  string
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*buildResult{}
)

// BuildActionImage builds the image of the action in actions/<action> (see BuildImage) and
// returns its reference.
func BuildActionImage(t testing.TB, action string) string {
	t.Helper()
	return BuildImage(t, "./actions/"+action, action)
}

// BuildImage builds the Go main package pkg (a path relative to the repository root, such as
// "./actions/pypi-gate") for linux and the host's architecture with the release's recipe
// (package imagebuild: the same binary, layer and config a release pushes, one platform of its
// index), and loads it into podman with `podman load`. The image is tagged
// localhost/shipkit/<name>:test-<first 12 hex digits of its digest> and built once per
// process; an image with that tag loaded by another process is reused.
func BuildImage(t testing.TB, pkg, name string) string {
	t.Helper()
	Require(t)
	buildsMu.Lock()
	b, ok := builds[pkg+"\x00"+name]
	if !ok {
		b = &buildResult{}
		builds[pkg+"\x00"+name] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		start := time.Now()
		b.ref, b.err = buildImage(pkg, name)
		if b.err == nil {
			t.Logf("built image %s in %v", b.ref, time.Since(start).Round(time.Millisecond))
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.ref
}

func buildImage(pkg, name string) (string, error) {
	root, err := hostrun.ModuleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "shipkit-image-")
	if err != nil {
		return "", fmt.Errorf("building image %q: %w", name, err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	platform := imagebuild.Platform{OS: "linux", Arch: runtime.GOARCH}
	bin, err := imagebuild.Compiler{Root: root}.Compile(ctx, pkg, platform, dir)
	if err != nil {
		return "", fmt.Errorf("building image %q: %w", name, err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return "", fmt.Errorf("building image %q: %w", name, err)
	}
	img, err := imagebuild.Image(data, platform, imagebuild.Labels{Title: "shipkit " + name, Version: "test"})
	if err != nil {
		return "", fmt.Errorf("building image %q: %w", name, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("building image %q: %w", name, err)
	}
	ref := fmt.Sprintf("localhost/shipkit/%s:test-%s", name, digest.Hex[:12])
	if exec.CommandContext(ctx, "podman", "image", "exists", ref).Run() == nil {
		return ref, nil
	}
	tag, err := gcrname.NewTag(ref)
	if err != nil {
		return "", err
	}
	archive := filepath.Join(dir, "image.tar")
	if err := tarball.WriteToFile(archive, tag, img); err != nil {
		return "", fmt.Errorf("building image %q: writing %s: %w", ref, archive, err)
	}
	if out, err := exec.CommandContext(ctx, "podman", "load", "--quiet", "--input", archive).CombinedOutput(); err != nil {
		return "", fmt.Errorf("loading image %q: podman load: %v\n%s", ref, err, out)
	}
	return ref, nil
}

// RunOptions describe one run of an action's container.
type RunOptions struct {
	// Workspace is the host folder mounted at /github/workspace, usually a checkout. RunAction
	// gives it and everything in it to RunnerUID first. Empty means a new empty folder.
	Workspace string
	// Action is the path of the action's action.yml, or empty. When set, its inputs' defaults
	// fill the inputs not given (a default of ${{ github.token }} takes Env["GITHUB_TOKEN"];
	// other expressions fail the test) and runs.entrypoint, runs.args and runs.env are applied.
	Action string
	// Inputs become INPUT_<NAME> variables: the name upper-cased, spaces replaced by "_".
	Inputs map[string]string
	// Env adds or overrides variables of the step (GITHUB_REPOSITORY, GITHUB_TOKEN, ...).
	Env map[string]string
	// EventJSON is the webhook payload at GITHUB_EVENT_PATH; empty means "{}".
	EventJSON string
	// Network is the container's network; empty means "host", so that servers the test runs on
	// 127.0.0.1 are reachable.
	Network string
	// Entrypoint and Args override the image's; Action's runs.entrypoint and runs.args are used
	// when these are empty.
	Entrypoint string
	Args       []string
}

// Result is what one run of an action's container produced.
type Result struct {
	// ExitCode is the container's exit code.
	ExitCode int
	// Stdout and Stderr are the container's output streams.
	Stdout, Stderr string
	// Outputs are the step outputs the action wrote to GITHUB_OUTPUT.
	Outputs map[string]string
	// Env holds the variables the action wrote to GITHUB_ENV.
	Env map[string]string
	// Summary is the Markdown the action wrote to GITHUB_STEP_SUMMARY.
	Summary string
}

// Paths inside the container, as GitHub's runner mounts them (ContainerActionHandler).
const (
	containerWorkspace    = "/github/workspace"
	containerHome         = "/github/home"
	containerWorkflow     = "/github/workflow"
	containerFileCommands = "/github/file_commands"
	// RunnerTemp is RUNNER_TEMP on a hosted runner. The runner passes it to container actions
	// unchanged and does not mount it: it does not exist inside the container.
	RunnerTemp = "/home/runner/work/_temp"
)

// RunAction runs image as GitHub's runner runs a Docker container action and returns what it
// did. It fails t when podman cannot start the container (exit code 125), never for the
// action's own exit code.
func RunAction(t testing.TB, image string, opts RunOptions) Result {
	t.Helper()
	Require(t)
	ws := opts.Workspace
	if ws == "" {
		ws = t.TempDir()
	}
	if err := chownTree(ws, RunnerUID); err != nil {
		t.Fatal(err)
	}
	temp := t.TempDir()
	dirs := map[string]string{}
	for _, d := range []string{"_github_home", "_github_workflow", "_runner_file_commands"} {
		dirs[d] = filepath.Join(temp, d)
		if err := os.Mkdir(dirs[d], 0o777); err != nil {
			t.Fatal(err)
		}
	}
	id := randomID(t)
	files := map[string]string{ // variable -> file name in _runner_file_commands
		"GITHUB_OUTPUT":       "set_output_" + id,
		"GITHUB_STEP_SUMMARY": "step_summary_" + id,
		"GITHUB_ENV":          "set_env_" + id,
		"GITHUB_PATH":         "add_path_" + id,
		"GITHUB_STATE":        "save_state_" + id,
	}
	for _, name := range files {
		if err := os.WriteFile(filepath.Join(dirs["_runner_file_commands"], name), nil, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	event := opts.EventJSON
	if event == "" {
		event = "{}"
	}
	if err := os.WriteFile(filepath.Join(dirs["_github_workflow"], "event.json"), []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}

	env := map[string]string{
		"HOME":               containerHome,
		"GITHUB_WORKSPACE":   containerWorkspace,
		"GITHUB_EVENT_PATH":  containerWorkflow + "/event.json",
		"RUNNER_TEMP":        RunnerTemp,
		"RUNNER_OS":          "Linux",
		"RUNNER_ARCH":        map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH],
		"RUNNER_ENVIRONMENT": "github-hosted",
	}
	for v, name := range files {
		env[v] = containerFileCommands + "/" + name
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	entrypoint, args := opts.Entrypoint, opts.Args
	inputs := map[string]string{}
	if opts.Action != "" {
		spec, err := runnersim.ReadAction(opts.Action)
		if err != nil {
			t.Fatal(err)
		}
		for name, in := range spec.Inputs {
			if _, given := opts.Inputs[name]; given || in.Default == nil {
				continue
			}
			v, err := runnersim.EvalDefault(*in.Default, env)
			if err != nil {
				t.Fatalf("RunAction: input %q: %v", name, err)
			}
			inputs[name] = v
		}
		if entrypoint == "" {
			entrypoint = spec.Runs.Entrypoint
		}
		if args == nil {
			args = spec.Runs.Args
		}
		for k, v := range spec.Runs.Env {
			if _, set := env[k]; !set {
				env[k] = v
			}
		}
	}
	for name, v := range opts.Inputs {
		inputs[name] = v
	}
	for name, v := range inputs {
		env[runnersim.InputVar(name)] = v
	}
	network := opts.Network
	if network == "" {
		network = "host"
	}

	// The flags of the runner's DockerCommandManager.DockerRun, in its order. Values travel in
	// podman's environment (-e NAME), as the runner does, so that secrets stay out of argv.
	cmdArgs := []string{"run",
		"--name", "shipkit-test-" + id,
		"--label", "shipkit-test",
		"--workdir", containerWorkspace,
		"--rm",
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cmdEnv := os.Environ()
	for _, k := range keys {
		cmdArgs = append(cmdArgs, "-e", k)
		cmdEnv = append(cmdEnv, k+"="+env[k])
	}
	cmdArgs = append(cmdArgs, "-e", "GITHUB_ACTIONS=true")
	if _, set := env["CI"]; !set {
		cmdArgs = append(cmdArgs, "-e", "CI=true")
	}
	if entrypoint != "" {
		cmdArgs = append(cmdArgs, "--entrypoint", entrypoint)
	}
	cmdArgs = append(cmdArgs, "--network", network,
		"-v", dirs["_github_home"]+":"+containerHome,
		"-v", dirs["_github_workflow"]+":"+containerWorkflow,
		"-v", dirs["_runner_file_commands"]+":"+containerFileCommands,
		"-v", ws+":"+containerWorkspace,
		image)
	cmdArgs = append(cmdArgs, args...)

	cmd := exec.CommandContext(t.Context(), "podman", cmdArgs...)
	cmd.Env = cmdEnv
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	t.Logf("podman %s (%v)\nstdout:\n%s\nstderr:\n%s", strings.Join(cmdArgs, " "),
		time.Since(start).Round(time.Millisecond), res.Stdout, res.Stderr)
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running podman: %v", err)
	}
	if res.ExitCode == 125 {
		t.Fatalf("podman could not run %s: %s", image, res.Stderr)
	}

	read := func(v string) string {
		data, err := os.ReadFile(filepath.Join(dirs["_runner_file_commands"], files[v]))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if res.Outputs, err = runnersim.ParseFileCommand(read("GITHUB_OUTPUT")); err != nil {
		t.Errorf("reading GITHUB_OUTPUT: %v", err)
	}
	if res.Env, err = runnersim.ParseFileCommand(read("GITHUB_ENV")); err != nil {
		t.Errorf("reading GITHUB_ENV: %v", err)
	}
	res.Summary = read("GITHUB_STEP_SUMMARY")
	return res
}

// chownTree gives dir and everything in it to uid, as a checkout on a hosted runner is owned by
// the runner user, not by the container's root.
func chownTree(dir string, uid int) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("changing the owner of %q to uid %d: the tests need root (podman runs as root in CI)", dir, uid)
	}
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, uid)
	})
}

func randomID(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
