package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/shipkit-dev/shipkit/test/hostrun"
	"github.com/shipkit-dev/shipkit/test/pypiindex"
)

// stepPyPIGate runs pypi-gate on the acme-lib-v0.4.0 tag that the release step created, the way
// a workflow triggered by that tag would (a shallow clone of the tag), against a local package
// index on 127.0.0.1 that stands in for PyPI and TestPyPI. It then marks 0.4.0 as published and
// runs again, as a rerun of the job would, to show that nothing is uploaded twice.
func stepPyPIGate(ctx context.Context, w *world, p *printer) error {
	const tag = "acme-lib-v0.4.0"
	p.title("Step: pypi-gate (publish acme-lib only if it changed)")
	pypi, testpypi := pypiindex.Start(), pypiindex.Start()
	defer pypi.Close()
	defer testpypi.Close()
	p.line("package index    %s (PyPI's JSON API shape; stands in for PyPI), %s (for TestPyPI)", pypi.URL(), testpypi.URL())
	checkout := filepath.Join(w.tmp, "runner-checkout-"+tag)
	if _, err := git(w.tmp, "clone", "-q", "--depth", "1", "--branch", tag, w.repoURL, checkout); err != nil {
		return err
	}
	sha, err := git(checkout, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	p.line("checkout: a shallow clone of tag %s (%s), as actions/checkout makes on a tag push", tag, sha[:8])
	env := w.Env(owner, name)
	env["GITHUB_SHA"], env["GITHUB_REF"] = sha, "refs/tags/"+tag
	env["GITHUB_RUN_NUMBER"], env["GITHUB_RUN_ATTEMPT"] = "1", "1"
	step := hostrun.Step{
		Action: "pypi-gate", Workspace: checkout, EventName: "push",
		Inputs: map[string]string{"token": token, "index-url": pypi.URL(), "testpypi-index-url": testpypi.URL()},
		Env:    env,
		Event:  map[string]any{"ref": "refs/tags/" + tag, "repository": map[string]any{"full_name": owner + "/" + name}},
	}
	w.API.ResetCounts()
	res, err := hostrun.Run(ctx, step)
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("pypi-gate failed (exit %d):\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	p.outputs(res.Outputs, "result", "previous-tag", "version", "prerelease", "publish-testpypi", "publish-pypi", "reason")
	p.line("GitHub API calls: %d; index requests: %d", w.API.Total(), pypi.Requests()+testpypi.Requests())

	p.title("Step: pypi-gate again (a rerun after the upload jobs published 0.4.0)")
	pypi.Publish("acme-lib", "0.4.0")
	testpypi.Publish("acme-lib", "0.4.0")
	res, err = hostrun.Run(ctx, step)
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("the rerun of pypi-gate failed (exit %d):\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	p.outputs(res.Outputs, "result", "publish-testpypi", "publish-pypi", "reason")
	return nil
}
