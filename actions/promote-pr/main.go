// Command promote-pr is shipkit's promote-pr action: promotion of an environment by pull
// request, a branch into another or an image tag into an environment's overlay, idempotent, with
// auto-merge reported as it is. It runs as a Docker container action (inputs from INPUT_*) or on
// a developer's machine with --flags; see --help and README.md.
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"strings"

	_ "golang.org/x/crypto/x509roots/fallback" // CA roots for a scratch image

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/internal/imagetag"
	"github.com/shipkit-dev/shipkit/internal/promote"
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
	res, err := promote.Run(ctx, cfg, deps)
	if res == nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		a.Warning(w, actionio.Annotation{Title: "promote-pr"})
	}
	a.Infof("%s", res.Headline())
	if err == nil && res.Result == promote.ResultPendingApproval {
		a.Warning(res.Headline(), actionio.Annotation{Title: "pending manual approval"})
	}
	return res, err
}

// connect builds the API client and the registry client.
func connect(a *actionio.Action, cfg *promote.Config) (promote.Deps, error) {
	gh, err := a.Context()
	if err != nil {
		return promote.Deps{}, err
	}
	token := a.Secret("token", "GITHUB_TOKEN")
	jobToken := a.Secret("job-token", "")
	cfg.DefaultToken = !a.Local() && token != "" && token == jobToken
	if token == "" {
		return promote.Deps{}, &actionio.InputError{Input: "token", Err: errors.New("empty: pass a token with contents and pull-requests write")}
	}
	owner, repo, ok := strings.Cut(gh.Repository, "/")
	if !ok || owner == "" || repo == "" {
		return promote.Deps{}, fmt.Errorf("GITHUB_REPOSITORY %q is not owner/name: set it to the repository to promote in", gh.Repository)
	}
	cfg.Owner, cfg.Repo = owner, repo
	cfg.ServerURL = gh.ServerURL
	if cfg.ServerURL == "" {
		cfg.ServerURL = "https://github.com"
	}
	opts := ghapi.FromEnv(a.Getenv, token)
	opts.Logf = a.Debugf
	client, err := ghapi.New(opts)
	if err != nil {
		return promote.Deps{}, err
	}
	// GITHUB_GRAPHQL_URL as the runner sets it; else beside the REST root (go-githubactions'
	// context would default to api.github.com even when GITHUB_API_URL names another host).
	api := &promote.API{Client: client.Client, Owner: owner, Repo: repo, GraphQLURL: strings.TrimSpace(a.Getenv("GITHUB_GRAPHQL_URL"))}
	if api.GraphQLURL == "" {
		api.GraphQLURL = promote.GraphQLURL(client.BaseURL.String())
	}
	deps := promote.Deps{GitHub: api, Logf: a.Infof}
	if cfg.VerifyImage {
		user, pass := a.String("registry-username"), a.Secret("registry-password", "")
		host := ""
		if r, err := name.NewRepository(cfg.Image); err == nil {
			host = r.RegistryStr()
		}
		deps.Registry = &promote.OCIRegistry{Keychain: imagetag.Keychain(host, user, pass)}
	}
	return deps, nil
}

// config reads the inputs into a promote.Config.
func config(a *actionio.Action) (promote.Config, error) {
	var cfg promote.Config
	var err error
	if cfg.Mode, err = a.Enum("mode", promote.Modes...); err != nil {
		return cfg, err
	}
	cfg.Base = strings.TrimPrefix(a.String("base"), "refs/heads/")
	if cfg.Mode == promote.ModeBranch {
		cfg.Head = strings.TrimPrefix(a.String("head"), "refs/heads/")
	}
	cfg.Image, cfg.Tag = a.String("image"), a.String("tag")
	cfg.Environment = a.String("environment")
	if cfg.Files, err = a.List("files"); err != nil {
		return cfg, err
	}
	cfg.PathTemplate = a.String("path-template")
	bools := []struct {
		input string
		dst   *bool
	}{
		{"verify-image", &cfg.VerifyImage}, {"supersede", &cfg.Supersede}, {"draft", &cfg.Draft},
		{"auto-merge", &cfg.AutoMerge}, {"dry-run", &cfg.DryRun},
	}
	for _, b := range bools {
		if *b.dst, err = a.Bool(b.input); err != nil {
			return cfg, err
		}
	}
	if cfg.Mode == promote.ModeBranch {
		cfg.VerifyImage, cfg.Supersede = false, false
	}
	if cfg.Title, err = promote.ParseTemplate(a.String("title")); err != nil {
		return cfg, &actionio.InputError{Input: "title", Err: err}
	}
	if cfg.Body, err = promote.ParseTemplate(a.String("body")); err != nil {
		return cfg, &actionio.InputError{Input: "body", Err: err}
	}
	if cfg.Labels, err = a.List("labels"); err != nil {
		return cfg, err
	}
	if cfg.Reviewers, err = a.List("reviewers"); err != nil {
		return cfg, err
	}
	if cfg.TeamReviewers, err = a.List("team-reviewers"); err != nil {
		return cfg, err
	}
	if cfg.MergeMethod, err = a.Enum("merge-method", promote.MergeMethods...); err != nil {
		return cfg, err
	}
	if cfg.OnClean, err = a.Enum("on-clean", promote.OnCleanChoices...); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}
