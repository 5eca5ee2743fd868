// Command version-bump-detect is shipkit's version-bump-detect action: it finds the packages
// whose manifest version went up and turns each bump into a tag and a GitHub release. It runs as
// a Docker container action (inputs from INPUT_*) or on a developer's machine with --flags; see
// --help and README.md.
package main

import (
	"context"
	_ "embed"
	"os"
	"path/filepath"

	_ "golang.org/x/crypto/x509roots/fallback" // CA roots for a scratch image

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/runner"
	"github.com/shipkit-dev/shipkit/internal/tagname"
	"github.com/shipkit-dev/shipkit/internal/versionbump"
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
	res, err := versionbump.Run(ctx, cfg, deps)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// connect opens the checkout and the API and reads the event into cfg.
func connect(ctx context.Context, a *actionio.Action, cfg *versionbump.Config) (versionbump.Deps, error) {
	gh, err := a.Context()
	if err != nil {
		return versionbump.Deps{}, err
	}
	cfg.Event = runner.ParseEvent(gh.EventName, gh.SHA, gh.Ref, gh.Event)
	token := a.Secret("token", "GITHUB_TOKEN")
	env, err := runner.Connect(ctx, runner.Options{Workspace: gh.Workspace, Repository: gh.Repository, APIURL: gh.APIURL, Token: token, Logf: a.Debugf})
	if err != nil {
		return versionbump.Deps{}, err
	}
	root, err := env.Repo.Root()
	if err != nil {
		return versionbump.Deps{}, err
	}
	cfg.RootDir = env.Name
	if cfg.RootDir == "" {
		cfg.RootDir = filepath.Base(root)
	}
	deps := versionbump.Deps{History: env.History, Root: root, Logf: a.Infof}
	if env.API != nil {
		deps.GitHub = &versionbump.RESTGitHub{Client: env.API.Client, Owner: env.Owner, Repo: env.Name}
	}
	return deps, nil
}

// config reads the inputs into a versionbump.Config.
func config(a *actionio.Action) (versionbump.Config, error) {
	var cfg versionbump.Config
	var err error
	if cfg.Files, err = a.List("files"); err != nil {
		return cfg, err
	}
	if cfg.TagTemplate, err = tagname.Parse(a.String("tag-template")); err != nil {
		return cfg, &actionio.InputError{Input: "tag-template", Err: err}
	}
	cfg.Base, cfg.Head = a.String("base"), a.String("head")
	if cfg.CreateTag, err = a.Bool("create-tag"); err != nil {
		return cfg, err
	}
	if cfg.CreateRelease, err = a.Bool("create-release"); err != nil {
		return cfg, err
	}
	if cfg.ReleaseNotes, err = a.Enum("release-notes", versionbump.NotesModes...); err != nil {
		return cfg, err
	}
	if cfg.Draft, err = a.Bool("draft"); err != nil {
		return cfg, err
	}
	if cfg.DryRun, err = a.Bool("dry-run"); err != nil {
		return cfg, err
	}
	return cfg, nil
}
