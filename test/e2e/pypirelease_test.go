package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/test/actrun"
	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/pypiindex"
	"github.com/shipkit-dev/shipkit/test/standins"
)

// TestReleaseStarterBuildsForPyPI runs the release starter workflow
// (workflows-templates/release.yml, as a user copies it, with the test's two package indexes in
// place of TestPyPI and PyPI) under act on the push that bumps acme-lib: shipkit's release
// workflow tags and releases it and chains the PyPI gate and build (pypi-release.yml) with
// needs:, which builds the wheel and sdist once, checks them with twine and hands them over as
// the testpypi-dist and pypi-dist artifacts. act does not pass the outputs of a reusable
// workflow's own reusable-workflow job up to the caller (GitHub does), so the starter's upload
// jobs stay skipped here; test/README.md says so. Once the indexes have 0.4.0, a second run of
// the same push creates no tag or release and builds nothing.
func TestReleaseStarterBuildsForPyPI(t *testing.T) {
	t.Parallel()
	actrun.Require(t)
	bumpImage := containers.BuildActionImage(t, "version-bump-detect")
	gateImage := containers.BuildActionImage(t, "pypi-gate")
	w := newWorld(t)
	before, after := w.pushExampleBump(t)
	pypi, testpypi := pypiindex.Start(), pypiindex.Start()
	t.Cleanup(pypi.Close)
	t.Cleanup(testpypi.Close)
	pypi.Publish("acme-lib", "0.3.0")
	testpypi.Publish("acme-lib", "0.3.0")

	shipkit := stageShipkit(t, "version-bump-detect", bumpImage)
	stageAction(t, shipkit, "pypi-gate", gateImage)
	stageWorkflow(t, shipkit, "release.yml")
	stageWorkflow(t, shipkit, "pypi-release.yml")
	local := standins.Stage(t)
	local["shipkit-dev/shipkit@main"] = shipkit

	data, err := os.ReadFile(filepath.Join(containers.RepoRoot(t), "workflows-templates", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	starter := strings.NewReplacer(
		"$default-branch", "main",
		"https://test.pypi.org/legacy/", testpypi.URL()+"/legacy/",
		`      tag-template: "{name}-v{version}"`, `      tag-template: "{name}-v{version}"
      index-url: `+pypi.URL()+`
      testpypi-index-url: `+testpypi.URL(),
	).Replace(string(data))
	if strings.Count(starter, testpypi.URL()) != 2 {
		t.Fatal("the release starter no longer has the shape this test edits")
	}
	if err := os.WriteFile(filepath.Join(w.dev.Dir, ".github", "workflows", "release.yml"), []byte(starter), 0o644); err != nil {
		t.Fatal(err)
	}

	run := func() (actrun.Result, string) {
		store := t.TempDir()
		res := actrun.Run(t, actrun.Options{
			Dir:               w.dev.Dir,
			Event:             "push",
			EventJSON:         pushEvent(t, before, after),
			Workflow:          ".github/workflows/release.yml",
			Secrets:           map[string]string{"GITHUB_TOKEN": token},
			Env:               map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL(), "GITHUB_SERVER_URL": w.server},
			LocalRepositories: local,
			Mounts:            map[string]string{store: standins.ArtifactStore},
		})
		return res, store
	}
	res, store := run()
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	tags, err := w.api.Tags("acme", "mono")
	if err != nil {
		t.Fatal(err)
	}
	if tags["acme-lib-v0.4.0"] != after {
		t.Errorf("tag acme-lib-v0.4.0 at %q, want %s", tags["acme-lib-v0.4.0"], after)
	}
	want := []string{"acme_lib-0.4.0-py3-none-any.whl", "acme_lib-0.4.0.tar.gz"}
	for _, artifact := range []string{"testpypi-dist", "pypi-dist"} {
		if got := listFiles(t, filepath.Join(store, artifact)); !slices.Equal(got, want) {
			t.Errorf("artifact %s holds %v, want %v\nact output:\n%s", artifact, got, want, res.Output)
		}
	}
	if !strings.Contains(res.Output, "Checking") || !strings.Contains(res.Output, "PASSED") {
		t.Errorf("twine check did not pass the distributions:\n%s", res.Output)
	}
	releases := len(w.api.Releases("acme", "mono"))

	// On GitHub the starter's jobs upload now; the indexes then have 0.4.0.
	pypi.Publish("acme-lib", "0.4.0")
	testpypi.Publish("acme-lib", "0.4.0")
	res, store = run()
	if res.ExitCode != 0 {
		t.Fatalf("rerun: act exit code %d\n%s", res.ExitCode, res.Output)
	}
	if n := len(w.api.Releases("acme", "mono")); n != releases {
		t.Errorf("the rerun changed the number of releases from %d to %d", releases, n)
	}
	if got := listFiles(t, store); len(got) != 0 {
		t.Errorf("the rerun built %v, want nothing\nact output:\n%s", got, res.Output)
	}
}

// listFiles returns the names of the files under dir, sorted; none when dir does not exist.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, d.Name())
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}
