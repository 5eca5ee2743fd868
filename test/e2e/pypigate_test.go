package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/hostrun"
	"github.com/shipkit-dev/shipkit/test/pypiindex"
)

// pushReleaseTags pushes the example with acme-lib-v0.3.0 and its bump tagged acme-lib-v0.4.0.
func (w *world) pushReleaseTags(t *testing.T) (after string) {
	t.Helper()
	_, after = w.pushExampleBump(t)
	w.dev.Git("tag", "acme-lib-v0.4.0", after)
	w.dev.Git("push", "-q", "origin", "acme-lib-v0.4.0")
	return after
}

func tagPushEnv(w *world, after string) map[string]string {
	return map[string]string{
		"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL(),
		"GITHUB_EVENT_NAME": "push", "GITHUB_SHA": after, "GITHUB_REF": "refs/tags/acme-lib-v0.4.0",
		"GITHUB_RUN_NUMBER": "7", "GITHUB_RUN_ATTEMPT": "1",
	}
}

// TestPyPIGateImage runs the image as the runner runs a container action, on a shallow clone of
// the tag (as actions/checkout makes on a tag push), against a local package index: first a
// release, then the rerun after PyPI got it.
func TestPyPIGateImage(t *testing.T) {
	t.Parallel()
	containers.Require(t)
	image := containers.BuildActionImage(t, "pypi-gate")
	w := newWorld(t)
	after := w.pushReleaseTags(t)
	checkout := gitfixture.Clone(t, w.url, "--depth", "1", "--branch", "acme-lib-v0.4.0")
	index, testIndex := pypiindex.Start(), pypiindex.Start()
	t.Cleanup(index.Close)
	t.Cleanup(testIndex.Close)
	inputs := map[string]string{"index-url": index.URL(), "testpypi-index-url": testIndex.URL()}
	event := `{"ref": "refs/tags/acme-lib-v0.4.0", "repository": {"full_name": "acme/mono"}}`
	run := func() containers.Result {
		return containers.RunAction(t, image, containers.RunOptions{
			Workspace: checkout.Dir,
			Action:    filepath.Join(containers.RepoRoot(t), "actions", "pypi-gate", "action.yml"),
			Inputs:    inputs, Env: tagPushEnv(w, after), EventJSON: event,
		})
	}
	res := run()
	if res.ExitCode != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	want := map[string]string{"result": "publish", "publish": "true", "publish-testpypi": "true", "publish-pypi": "true",
		"name": "acme-lib", "version": "0.4.0", "previous-tag": "acme-lib-v0.3.0", "prerelease": "false", "testpypi-version": "0.4.0"}
	for k, v := range want {
		if res.Outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, res.Outputs[k], v)
		}
	}
	if !strings.Contains(res.Summary, "acme-lib-v0.3.0") {
		t.Errorf("summary lacks the previous tag:\n%s", res.Summary)
	}

	index.Publish("acme-lib", "0.4.0")
	res = run()
	if res.ExitCode != 0 || res.Outputs["result"] != "skip" || res.Outputs["publish-pypi"] != "false" || !strings.Contains(res.Outputs["reason"], "already published") {
		t.Errorf("rerun: exit %d, outputs %v, want result=skip, publish-pypi=false, already published\n%s", res.ExitCode, res.Outputs, res.Stdout)
	}
}

// TestPyPIGateDrivesARealBuild builds the example package's wheel and sdist with Debian's
// python3-build (--no-isolation; --skip-dependency-check, since Debian's hatchling lacks the
// "editables" metadata it declares for editable builds), checks them with twine, and runs the gate on the host for its release tag: the
// outputs that drive the upload jobs name the version the files carry.
func TestPyPIGateDrivesARealBuild(t *testing.T) {
	t.Parallel()
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		containers.Skip(t, "no /usr/bin/python3 (apt-get install python3-build python3-hatchling twine)")
	}
	if out, err := exec.Command(python, "-c", "import build, hatchling, twine").CombinedOutput(); err != nil {
		containers.Skip(t, "python3-build, python3-hatchling or twine is missing (apt-get install python3-build python3-hatchling twine): "+strings.TrimSpace(string(out)))
	}
	w := newWorld(t)
	after := w.pushReleaseTags(t)
	checkout := gitfixture.Clone(t, w.url, "--depth", "1", "--branch", "acme-lib-v0.4.0")

	index, testIndex := pypiindex.Start(), pypiindex.Start()
	t.Cleanup(index.Close)
	t.Cleanup(testIndex.Close)
	res, err := hostrun.Run(t.Context(), hostrun.Step{
		Action: "pypi-gate", Workspace: checkout.Dir,
		Inputs:    map[string]string{"index-url": index.URL(), "testpypi-index-url": testIndex.URL(), "token": token},
		Env:       tagPushEnv(w, after),
		EventName: "push", Event: map[string]any{"ref": "refs/tags/acme-lib-v0.4.0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || res.Outputs["publish"] != "true" {
		t.Fatalf("gate: exit %d, outputs %v\n%s%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}

	// The build job: once, from the package-path the gate output, in a copy (build writes files).
	src := filepath.Join(checkout.Dir, filepath.FromSlash(res.Outputs["package-path"]))
	dist := t.TempDir()
	cmd := exec.CommandContext(t.Context(), python, "-m", "build", "--no-isolation", "--skip-dependency-check", "--outdir", dist, src)
	cmd.Env = append(os.Environ(), "PIP_NO_INDEX=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python3 -m build: %v\n%s", err, out)
	}
	files, err := filepath.Glob(filepath.Join(dist, "*"))
	if err != nil {
		t.Fatal(err)
	}
	version := res.Outputs["version"]
	var wheel, sdist bool
	for _, f := range files {
		base := filepath.Base(f)
		wheel = wheel || base == "acme_lib-"+version+"-py3-none-any.whl"
		sdist = sdist || base == "acme_lib-"+version+".tar.gz"
	}
	if !wheel || !sdist {
		t.Fatalf("dist = %v, want acme_lib-%s-py3-none-any.whl and acme_lib-%s.tar.gz", files, version, version)
	}
	twine := exec.CommandContext(t.Context(), python, append([]string{"-m", "twine", "check", "--strict"}, files...)...)
	if out, err := twine.CombinedOutput(); err != nil {
		t.Fatalf("twine check: %v\n%s", err, out)
	} else if strings.Count(string(out), "PASSED") != 2 {
		t.Errorf("twine check did not pass both files:\n%s", out)
	}
}
