// Package actrun runs workflows of a repository with act (github.com/nektos/act, pinned in the
// test/tools module) in job-container mode against podman's Docker-compatible API: each job runs
// in a Debian runner image built locally (RunnerImage), Docker actions and `uses: docker://`
// steps run as sibling containers on the host network, so servers a test runs on 127.0.0.1 are
// reachable.
//
// Tests call Require first: it skips when podman, act or the runner image is unavailable, or
// fails when SHIPKIT_REQUIRE_CONTAINERS is 1.
package actrun

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/hostrun"
)

// RunnerImageRef is the image jobs run in for runs-on: ubuntu-latest (and ubuntu-24.04,
// ubuntu-22.04). Bump its tag when .ci/runner-image changes what it installs.
const RunnerImageRef = "localhost/shipkit-runner:bookworm-3"

// actModule is the module of act in test/tools/go.mod; its version keys the cached binary.
const actModule = "github.com/nektos/act"

// Options describe one act run.
type Options struct {
	// Dir is the repository: a git work tree with .github/workflows.
	Dir string
	// Event is the event name (push, pull_request, workflow_dispatch, ...); empty means push.
	Event string
	// EventJSON is the event payload; empty means act's default.
	EventJSON string
	// Workflow is the workflow file, relative to Dir; empty means all of .github/workflows.
	Workflow string
	// Job is the job ID to run; empty means every job of the event.
	Job string
	// Env, Secrets and Vars are the run's environment variables, secrets and configuration
	// variables. Secret values reach act through its environment, never its arguments.
	Env, Secrets, Vars map[string]string
	// LocalRepositories stand a folder in for a remote action or reusable workflow:
	// "owner/repo@ref" -> folder.
	LocalRepositories map[string]string
	// Network is the network of the job and step containers; empty means "host".
	Network string
	// Mounts bind host folders into every job container: host folder -> path in the container.
	Mounts map[string]string
}

// Result is what one act run produced.
type Result struct {
	// ExitCode is act's exit code: 0 when every job succeeded.
	ExitCode int
	// Output is act's combined log.
	Output string
}

var (
	actPath = sync.OnceValues(buildAct)
	runner  = sync.OnceValue(buildRunnerImage)
)

// Require skips t, or fails it when containers.RequireEnv is "1", unless podman, act and the
// runner image are available. It builds act and the runner image when they are missing.
func Require(t testing.TB) {
	t.Helper()
	containers.Require(t)
	if _, err := actPath(); err != nil {
		containers.Skip(t, err.Error())
	}
	if err := runner(); err != nil {
		containers.Skip(t, err.Error())
	}
}

// RunnerImage returns the runner image's reference, building it with .ci/runner-image
// (debootstrap of Debian bookworm with bash, git, CA certificates, Node.js, jq, Python 3 with
// build, hatchling, twine, mypy, pytest and venv, and Ruff as WebAssembly, then podman import)
// when it does not exist yet. The image is kept across runs.
func RunnerImage(t testing.TB) string {
	t.Helper()
	containers.Require(t)
	if err := runner(); err != nil {
		containers.Skip(t, err.Error())
	}
	return RunnerImageRef
}

func buildRunnerImage() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if exec.CommandContext(ctx, "podman", "image", "exists", RunnerImageRef).Run() == nil {
		return nil
	}
	root, err := hostrun.ModuleRoot()
	if err != nil {
		return err
	}
	unlock, err := lock("runner-image")
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return fmt.Errorf("building the runner image %s: debootstrap is not installed (apt-get install debootstrap)", RunnerImageRef)
	}
	out, err := exec.CommandContext(ctx, "bash", filepath.Join(root, ".ci", "runner-image"), RunnerImageRef).CombinedOutput()
	if err != nil {
		return fmt.Errorf("building the runner image %s: .ci/runner-image: %v\n%s", RunnerImageRef, err, out)
	}
	return nil
}

// buildAct returns the path of the act binary, building it from test/tools into the cache
// (the layout .ci/tools uses) when it is missing.
func buildAct() (string, error) {
	root, err := hostrun.ModuleRoot()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	list := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Version}}", actModule)
	list.Dir = filepath.Join(root, "test", "tools")
	v, err := list.Output()
	if err != nil {
		return "", fmt.Errorf("finding the version of act in test/tools/go.mod: %w", err)
	}
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "act-"+strings.TrimSpace(string(v)), "act")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	unlock, err := lock("act")
	if err != nil {
		return "", err
	}
	defer unlock()
	out, err := exec.CommandContext(ctx, "bash", filepath.Join(root, ".ci", "tools"), filepath.Join(dir, "bin"), "act").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building act: .ci/tools: %v\n%s", err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("building act: .ci/tools made no %s:\n%s", bin, out)
	}
	return bin, nil
}

// cacheDir is where .ci/tools caches the tools: $XDG_CACHE_HOME/shipkit-tools.
func cacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the cache folder for the test tools: %w", err)
	}
	dir = filepath.Join(dir, "shipkit-tools")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the cache folder for the test tools: %w", err)
	}
	return dir, nil
}

// lock takes an exclusive lock shared by all test processes (go test runs packages in parallel),
// so that one of them builds act or the runner image while the others wait.
func lock(name string) (unlock func(), err error) {
	dir, err := cacheDir()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, name+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", name, err)
	}
	return func() { f.Close() }, nil
}

// service is podman's Docker-compatible API, shared by the runs of a process.
var service struct {
	mu   sync.Mutex
	sock string // unix socket path
}

// DockerHost returns a DOCKER_HOST value (unix://...) of a podman API service that answers:
// DOCKER_HOST itself when it answers (CI starts one), else a service this process started. The
// service stops by itself after two idle minutes, or when the process ends, and is started again
// when needed.
func DockerHost(t testing.TB) string {
	t.Helper()
	containers.Require(t)
	service.mu.Lock()
	defer service.mu.Unlock()
	if host := os.Getenv("DOCKER_HOST"); strings.HasPrefix(host, "unix://") && ping(strings.TrimPrefix(host, "unix://")) == nil {
		return host
	}
	if service.sock != "" && ping(service.sock) == nil {
		return "unix://" + service.sock
	}
	dir, err := os.MkdirTemp("", "shipkit-podman-")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "podman.sock")
	// Not with --log-level=debug: every container wait then stalls for 20 s.
	cmd := exec.Command("podman", "system", "service", "--time=120", "unix://"+sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting podman system service: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		os.RemoveAll(dir)
		close(exited)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err = ping(sock); err == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("podman system service exited: %s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("podman system service did not answer on %s: %v", sock, err)
		}
	}
	service.sock = sock
	return "unix://" + sock
}

// ping calls GET /_ping on the Docker API at the unix socket sock.
func ping(sock string) error {
	client := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}},
	}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://podman/_ping")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /_ping: %s", resp.Status)
	}
	return nil
}

// Run runs a workflow of opts.Dir with act and returns act's exit code and log. It fails t only
// when act cannot be started; a failed job is an ExitCode other than 0.
func Run(t testing.TB, opts Options) Result {
	t.Helper()
	Require(t)
	act, _ := actPath()
	host := DockerHost(t)
	event := opts.Event
	if event == "" {
		event = "push"
	}
	network := opts.Network
	if network == "" {
		network = "host"
	}
	args := []string{event,
		"--pull=false",
		"--action-offline-mode",
		"--no-cache-server",
		"--rm",
		"--network", network,
		"--container-daemon-socket", host,
	}
	for _, p := range []string{"ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04"} {
		args = append(args, "-P", p+"="+RunnerImageRef)
	}
	if opts.Workflow != "" {
		args = append(args, "-W", opts.Workflow)
	}
	if opts.Job != "" {
		args = append(args, "-j", opts.Job)
	}
	if opts.EventJSON != "" {
		path := filepath.Join(t.TempDir(), "event.json")
		if err := os.WriteFile(path, []byte(opts.EventJSON), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--eventpath", path)
	}
	env := append(os.Environ(), "DOCKER_HOST="+host)
	for _, k := range sortedKeys(opts.Env) {
		args = append(args, "--env", k+"="+opts.Env[k])
	}
	for _, k := range sortedKeys(opts.Vars) {
		args = append(args, "--var", k+"="+opts.Vars[k])
	}
	for _, k := range sortedKeys(opts.Secrets) {
		// "-s NAME" makes act read the value from its environment.
		args = append(args, "--secret", k)
		env = append(env, k+"="+opts.Secrets[k])
	}
	for _, k := range sortedKeys(opts.LocalRepositories) {
		args = append(args, "--local-repository", k+"="+opts.LocalRepositories[k])
	}
	if len(opts.Mounts) > 0 {
		var mounts []string
		for _, k := range sortedKeys(opts.Mounts) {
			mounts = append(mounts, "--volume="+k+":"+opts.Mounts[k])
		}
		args = append(args, "--container-options", strings.Join(mounts, " "))
	}

	// act names a job's container and volumes after the workflow's and the job's names only:
	// two runs of one workflow at the same time, from any process, would share them.
	unlock, err := lockWorkflows(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	cmd := exec.CommandContext(t.Context(), act, args...)
	cmd.Dir = opts.Dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	res := Result{Output: out.String()}
	t.Logf("act %s (%v)\n%s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond), res.Output)
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running act: %v", err)
	}
	return res
}

// reusableCall matches `uses: owner/repo/.github/workflows/file.yml@ref`.
var reusableCall = regexp.MustCompile(`uses:\s*([\w.-]+/[\w.-]+)/\.github/workflows/([\w.-]+)@([^\s#]+)`)

// lockWorkflows takes, in a fixed order, the lock of every workflow name the run may start.
func lockWorkflows(opts Options) (unlock func(), err error) {
	target := filepath.Join(opts.Dir, ".github", "workflows")
	if opts.Workflow != "" {
		target = filepath.Join(opts.Dir, opts.Workflow)
	}
	files := []string{target}
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		files, _ = filepath.Glob(filepath.Join(target, "*.y*ml"))
	}
	// The reusable workflows the run calls name their jobs' containers too: follow them
	// through the local repositories.
	var keys []string
	seen := map[string]bool{}
	for len(files) > 0 {
		f := files[0]
		files = files[1:]
		if seen[f] {
			continue
		}
		seen[f] = true
		name := filepath.Base(f)
		if data, err := os.ReadFile(f); err == nil {
			var wf struct {
				Name string `yaml:"name"`
			}
			if yaml.Unmarshal(data, &wf) == nil && wf.Name != "" {
				name = wf.Name
			}
			for _, m := range reusableCall.FindAllStringSubmatch(string(data), -1) {
				if dir, ok := opts.LocalRepositories[m[1]+"@"+m[3]]; ok {
					files = append(files, filepath.Join(dir, ".github", "workflows", m[2]))
				}
			}
		}
		sum := sha256.Sum256([]byte(name))
		keys = append(keys, "act-run-"+hex.EncodeToString(sum[:6]))
	}
	sort.Strings(keys)
	keys = slices.Compact(keys)
	var unlocks []func()
	release := func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	for _, k := range keys {
		u, err := lock(k)
		if err != nil {
			release()
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	return release, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
