// Command update-manifest is shipkit's update-manifest action: GitOps write-back of an image tag
// into kustomizations, Helm values, Kubernetes manifests and action.yml files, committed through
// GitHub's API or a git push, with a pull request (or issue) when the branch is protected. It
// runs as a Docker container action (inputs from INPUT_*) or on a developer's machine with
// --flags; see --help and README.md.
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "golang.org/x/crypto/x509roots/fallback" // CA roots for a scratch image

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/internal/manifest"
)

//go:embed action.yml
var actionYML []byte

func main() { os.Exit(actionio.Main(actionYML, run)) }

func run(ctx context.Context, a *actionio.Action) (actionio.Report, error) {
	cfg, err := config(a)
	if err != nil {
		return nil, err
	}
	deps, err := connect(a, &cfg)
	if err != nil {
		return nil, err
	}
	res, err := manifest.Run(ctx, cfg, deps)
	if err != nil {
		return nil, err
	}
	if res.Diff != "" {
		if err := a.SetOutputFile("diff", "update-manifest.diff", []byte(res.Diff)); err != nil {
			return nil, err
		}
	}
	if cfg.DryRun && res.Diff != "" {
		a.Infof("dry run: the change that would be written:\n%s", res.Diff)
	}
	a.Infof("%s", res.Headline())
	if res.PendingApproval() {
		if cfg.FailOnPending {
			return res, fmt.Errorf("%s (fail-on-pending is true)", res.Headline())
		}
		a.Warning(res.Headline(), actionio.Annotation{Title: "pending manual approval"})
	}
	return res, nil
}

// connect builds the API client and the store the write method names.
func connect(a *actionio.Action, cfg *manifest.Config) (manifest.Deps, error) {
	gh, err := a.Context()
	if err != nil {
		return manifest.Deps{}, err
	}
	token := a.Secret("token", "GITHUB_TOKEN")
	repository := a.String("repository")
	if repository == "" {
		repository = gh.Repository
	}
	if repository != "" {
		owner, name, ok := strings.Cut(repository, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return manifest.Deps{}, &actionio.InputError{Input: "repository", Err: fmt.Errorf("%q is not owner/name", repository)}
		}
		cfg.Owner, cfg.Repo = owner, name
	}
	// The event names the default branch of the workflow's repository: one API call saved.
	if cfg.Branch == "" && repository == gh.Repository {
		if r, ok := gh.Event["repository"].(map[string]any); ok {
			cfg.Branch, _ = r["default_branch"].(string)
		}
	}
	cfg.ServerURL = gh.ServerURL
	if cfg.ServerURL == "" {
		cfg.ServerURL = "https://github.com"
	}
	deps := manifest.Deps{Logf: a.Infof}
	var api *manifest.API
	if token != "" && cfg.Owner != "" {
		opts := ghapi.FromEnv(a.Getenv, token)
		opts.Logf = a.Debugf
		client, err := ghapi.New(opts)
		if err != nil {
			return deps, err
		}
		api = &manifest.API{Client: client.Client, Owner: cfg.Owner, Repo: cfg.Repo}
		deps.Forge = api
	}
	switch cfg.Method {
	case manifest.MethodGit:
		dir := a.String("working-directory")
		if !filepath.IsAbs(dir) {
			ws := gh.Workspace
			if ws == "" {
				if ws, err = os.Getwd(); err != nil {
					return deps, err
				}
			}
			dir = filepath.Join(ws, dir)
		}
		deps.Store = &manifest.Git{Dir: dir, Token: token}
	default:
		if api == nil {
			return deps, &actionio.InputError{Input: "token", Err: errors.New("write-method api needs a token and the repository (GITHUB_REPOSITORY or repository): pass token, or use write-method: git")}
		}
		deps.Store = api
	}
	return deps, nil
}

// config reads the inputs into a manifest.Config.
func config(a *actionio.Action) (manifest.Config, error) {
	var cfg manifest.Config
	var err error
	if cfg.Files, err = a.List("files"); err != nil {
		return cfg, err
	}
	cfg.Environment = a.String("environment")
	cfg.PathTemplate = a.String("path-template")
	if cfg.Target.Image, err = a.Required("image"); err != nil {
		return cfg, err
	}
	cfg.Target.Tag = a.String("tag")
	cfg.Target.Digest = a.String("digest")
	cfg.Target.ValuePath = a.String("value-path")
	cfg.Branch = strings.TrimPrefix(a.String("branch"), "refs/heads/")
	if cfg.Method, err = a.Enum("write-method", manifest.Methods...); err != nil {
		return cfg, err
	}
	cfg.CommitMessage = a.String("commit-message")
	if cfg.Author, err = manifest.ParsePerson(a.String("author")); err != nil {
		return cfg, &actionio.InputError{Input: "author", Err: err}
	}
	if cfg.Fallback, err = a.List("fallback"); err != nil {
		return cfg, err
	}
	cfg.PRBranch = a.String("pr-branch")
	if cfg.PRLabels, err = a.List("pr-labels"); err != nil {
		return cfg, err
	}
	if cfg.PRReviewers, err = a.List("pr-reviewers"); err != nil {
		return cfg, err
	}
	if cfg.MaxAttempts, err = a.Int("max-attempts", 1, 100); err != nil {
		return cfg, err
	}
	if cfg.Rollback, err = a.Bool("rollback"); err != nil {
		return cfg, err
	}
	if cfg.FailOnPending, err = a.Bool("fail-on-pending"); err != nil {
		return cfg, err
	}
	if cfg.DryRun, err = a.Bool("dry-run"); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}
