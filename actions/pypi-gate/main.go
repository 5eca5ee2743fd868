// Command pypi-gate is shipkit's pypi-gate action: it decides whether a Python package release
// goes to TestPyPI and PyPI. It runs as a Docker container action (inputs from INPUT_*) or on a
// developer's machine with --flags; see --help and README.md.
package main

import (
	"context"
	_ "embed"
	"os"
	"strings"

	_ "golang.org/x/crypto/x509roots/fallback" // CA roots for a scratch image

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/internal/pypigate"
	"github.com/shipkit-dev/shipkit/internal/runner"
	"github.com/shipkit-dev/shipkit/internal/tagname"
)

//go:embed action.yml
var actionYML []byte

func main() { os.Exit(actionio.Main(actionYML, run)) }

func run(ctx context.Context, a *actionio.Action) (actionio.Report, error) {
	cfg, err := config(a)
	if err != nil {
		return nil, err
	}
	deps, err := connect(ctx, a, &cfg)
	if err != nil {
		return nil, err
	}
	res, err := pypigate.Run(ctx, cfg, deps)
	if err != nil {
		return nil, err
	}
	for _, n := range res.Notes() {
		a.Infof("note: %s", n)
	}
	if n := res.Notice(); n != "" {
		a.Notice(n, actionio.Annotation{})
	} else {
		a.Infof("%s", res.Reason)
	}
	return res, nil
}

// connect opens the checkout, the API and the indexes, and takes the tag from the event.
func connect(ctx context.Context, a *actionio.Action, cfg *pypigate.Config) (pypigate.Deps, error) {
	gh, err := a.Context()
	if err != nil {
		return pypigate.Deps{}, err
	}
	if cfg.Tag == "" {
		cfg.Tag = eventTag(gh.Ref, gh.Event)
	}
	cfg.RunNumber, cfg.RunAttempt = gh.RunNumber, gh.RunAttempt
	token := a.Secret("token", "GITHUB_TOKEN")
	env, err := runner.Connect(ctx, runner.Options{Workspace: gh.Workspace, Repository: gh.Repository, APIURL: gh.APIURL, Token: token, Logf: a.Debugf})
	if err != nil {
		return pypigate.Deps{}, err
	}
	// Built here rather than taken from env.History: the gate also needs TreeHash.
	hist := &history.Layered{Primary: &history.Git{Repo: env.Repo}, Logf: a.Debugf}
	if env.API != nil {
		hist.Fallback = &history.API{Client: env.API.Client, Owner: env.Owner, Repo: env.Name}
	}
	deps := pypigate.Deps{History: hist, Logf: a.Debugf}
	if cfg.CheckIndex {
		deps.PyPI = &pypigate.JSONIndex{URL: cfg.IndexURL}
		if cfg.TestPyPI {
			deps.TestPyPI = &pypigate.JSONIndex{URL: cfg.TestPyPIIndexURL}
		}
	}
	return deps, nil
}

// eventTag is the tag a push of a tag or a release event names, "" for other events.
func eventTag(ref string, payload map[string]any) string {
	if rel, ok := payload["release"].(map[string]any); ok {
		if t, ok := rel["tag_name"].(string); ok && t != "" {
			return t
		}
	}
	if t, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		return t
	}
	return ""
}

// config reads the inputs into a pypigate.Config.
func config(a *actionio.Action) (pypigate.Config, error) {
	var cfg pypigate.Config
	var err error
	cfg.Tag = strings.TrimPrefix(a.String("tag"), "refs/tags/")
	if cfg.TagTemplate, err = tagname.Parse(a.String("tag-template")); err != nil {
		return cfg, &actionio.InputError{Input: "tag-template", Err: err}
	}
	cfg.PackagePath, cfg.Pyproject = a.String("package-path"), a.String("pyproject")
	if cfg.TestPyPI, err = a.Bool("testpypi"); err != nil {
		return cfg, err
	}
	if cfg.TestPyPIDevVersion, err = a.Bool("testpypi-dev-version"); err != nil {
		return cfg, err
	}
	if cfg.CheckIndex, err = a.Bool("check-index"); err != nil {
		return cfg, err
	}
	cfg.IndexURL, cfg.TestPyPIIndexURL = a.String("index-url"), a.String("testpypi-index-url")
	return cfg, nil
}
