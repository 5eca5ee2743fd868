// Package hostrun runs a shipkit action's program on the host the way a GitHub runner runs a
// container action: inputs as INPUT_* variables, GITHUB_* variables, an event file, and
// file commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) read back afterwards. Tests use it to drive
// main.go end to end without a container engine; the local pipeline run uses it for each step.
package hostrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/shipkit-dev/shipkit/test/runnersim"
)

// Step is one action invocation.
type Step struct {
	// Action is the folder name under actions/, e.g. "version-bump-detect".
	Action string
	// Workspace is the checkout the step runs in (GITHUB_WORKSPACE and the working directory).
	Workspace string
	// Inputs are the action's inputs by name.
	Inputs map[string]string
	// Env adds or overrides environment variables (GITHUB_REPOSITORY, GITHUB_API_URL, ...).
	Env map[string]string
	// EventName and Event are the triggering event and its payload.
	EventName string
	Event     any
}

// Result is what the step did.
type Result struct {
	ExitCode int
	Outputs  map[string]string
	Summary  string
	Stdout   string
	Stderr   string
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// Build compiles actions/<action> once per process and returns the binary's path.
func Build(ctx context.Context, action string) (string, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if bin, ok := built[action]; ok {
		return bin, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "shipkit-hostrun-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, action)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./actions/"+action)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building actions/%s: %w\n%s", action, err, out)
	}
	built[action] = bin
	return bin, nil
}

// Cleanup removes the binaries Build made; the next Build compiles again.
func Cleanup() {
	buildMu.Lock()
	defer buildMu.Unlock()
	for action, bin := range built {
		os.RemoveAll(filepath.Dir(bin))
		delete(built, action)
	}
}

// ModuleRoot finds the folder of shipkit's go.mod from the current folder upwards.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte("module github.com/shipkit-dev/shipkit\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding shipkit's go.mod: run this from inside a clone of shipkit")
		}
		dir = parent
	}
}

// Run builds the action if needed and runs it.
func Run(ctx context.Context, step Step) (Result, error) {
	bin, err := Build(ctx, step.Action)
	if err != nil {
		return Result{}, err
	}
	tmp, err := os.MkdirTemp("", "shipkit-step-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp)
	files := map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"} {
		p := filepath.Join(tmp, strings.ToLower(name))
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return Result{}, err
		}
		files[name] = p
	}
	eventPath := filepath.Join(tmp, "event.json")
	event := step.Event
	if event == nil {
		event = map[string]any{}
	}
	data, err := json.Marshal(event)
	if err != nil {
		return Result{}, fmt.Errorf("encoding the event: %w", err)
	}
	if err := os.WriteFile(eventPath, data, 0o644); err != nil {
		return Result{}, err
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + tmp,
		"GITHUB_ACTIONS=true",
		"CI=true",
		"GITHUB_WORKSPACE=" + step.Workspace,
		"GITHUB_EVENT_PATH=" + eventPath,
		"GITHUB_EVENT_NAME=" + step.EventName,
		"RUNNER_TEMP=" + tmp,
	}
	for name, p := range files {
		env = append(env, name+"="+p)
	}
	root, err := ModuleRoot()
	if err != nil {
		return Result{}, err
	}
	action, err := runnersim.ReadAction(filepath.Join(root, "actions", step.Action, "action.yml"))
	if err != nil {
		return Result{}, err
	}
	inputs, err := action.StepInputs(step.Inputs, step.Env)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", step.Action, err)
	}
	for name, value := range inputs {
		env = append(env, runnersim.InputVar(name)+"="+value)
	}
	for k, v := range step.Env {
		env = append(env, k+"="+v)
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = step.Workspace
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	res := Result{}
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return Result{}, fmt.Errorf("running %s: %w", step.Action, err)
		}
		res.ExitCode = exit.ExitCode()
	}
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	out, err := os.ReadFile(files["GITHUB_OUTPUT"])
	if err != nil {
		return res, err
	}
	if res.Outputs, err = runnersim.ParseFileCommand(string(out)); err != nil {
		return res, fmt.Errorf("reading %s's outputs: %w", step.Action, err)
	}
	summary, err := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	res.Summary = string(summary)
	return res, err
}
