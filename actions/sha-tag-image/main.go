// Command sha-tag-image is shipkit's sha-tag-image action: it gives a pushed container image an
// immutable sha-<commit> tag, v<version> on the default branch, and moving tags that only go
// forward, copying manifests by digest; in compute mode it only outputs tags, labels and
// annotations for a build step. It runs as a Docker container action (inputs from INPUT_*) or on
// a developer's machine with --flags; see --help and README.md.
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/crypto/x509roots/fallback" // CA roots for a scratch image

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/internal/imagetag"
	"github.com/shipkit-dev/shipkit/internal/runner"
)

//go:embed action.yml
var actionYML []byte

func main() { os.Exit(actionio.Main(actionYML, run)) }

func run(ctx context.Context, a *actionio.Action) (actionio.Report, error) {
	cfg, creds, err := config(a)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err // each message names its input; nothing is written
	}
	deps := imagetag.Deps{Logf: a.Infof}
	if cfg.Mode == imagetag.ModeApply {
		deps.Keychain = imagetag.Keychain(creds.host, creds.username, creds.password)
		if cfg.Monotonic {
			deps.History = connectHistory(ctx, a, creds.token)
		}
	}
	res, err := imagetag.Run(ctx, cfg, deps)
	if res == nil {
		return nil, err
	}
	for _, w := range res.Warnings() {
		a.Warning(w, actionio.Annotation{Title: "sha-tag-image"})
	}
	rep := report{res: res, outcome: imagetag.ResultFailed}
	if err == nil {
		rep.outcome = res.Outcome()
	}
	return rep, err
}

// report renders a result with the outcome the run ended in: failed when it returned an error
// after tagging part of the way, so the outputs say what was written.
type report struct {
	res     *imagetag.Result
	outcome string
}

func (r report) Outputs() [][2]string { return r.res.Outputs(r.outcome) }
func (r report) Summary() string      { return r.res.Summary(r.outcome) }

// credentials are the registry credentials and the GitHub token, all masked.
type credentials struct {
	host, username, password, token string
}

// config reads the inputs and the run's context into an imagetag.Config.
func config(a *actionio.Action) (imagetag.Config, credentials, error) {
	var cfg imagetag.Config
	var creds credentials
	gh, err := a.Context()
	if err != nil {
		return cfg, creds, err
	}
	ev := runner.ParseEvent(gh.EventName, gh.SHA, gh.Ref, gh.Event)
	if cfg.Image, err = a.Required("image"); err != nil {
		return cfg, creds, err
	}
	cfg.Digest, cfg.Source = a.String("digest"), a.String("source")
	shaSource, err := a.Enum("sha-source", imagetag.SHASources...)
	if err != nil {
		return cfg, creds, err
	}
	if cfg.SHA = a.String("sha"); cfg.SHA == "" {
		cfg.SHA = imagetag.SelectSHA(ev, shaSource)
	}
	if cfg.SHALength, err = a.Int("sha-length", 4, 40); err != nil {
		return cfg, creds, err
	}
	cfg.Version = a.String("version")
	cfg.Ref, cfg.DefaultBranch = ev.Ref, ev.DefaultBranch
	moving, err := a.List("moving-tags")
	if err != nil {
		return cfg, creds, err
	}
	if cfg.MovingTags, err = imagetag.ParseMovingTags(moving); err != nil {
		return cfg, creds, &actionio.InputError{Input: "moving-tags", Err: err}
	}
	if cfg.ExtraTags, err = a.List("extra-tags"); err != nil {
		return cfg, creds, err
	}
	if cfg.Monotonic, err = a.Bool("monotonic"); err != nil {
		return cfg, creds, err
	}
	if cfg.Mode, err = a.Enum("mode", imagetag.Modes...); err != nil {
		return cfg, creds, err
	}
	if cfg.DryRun, err = a.Bool("dry-run"); err != nil {
		return cfg, creds, err
	}
	if gh.Repository != "" {
		cfg.Title = path.Base(gh.Repository)
		if gh.ServerURL != "" {
			cfg.SourceURL = gh.ServerURL + "/" + gh.Repository
		}
	}
	cfg.Created = time.Now()
	// Reproducible builds set SOURCE_DATE_EPOCH; the created label follows it.
	if s := a.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return cfg, creds, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a number of seconds", s)
		}
		cfg.Created = time.Unix(sec, 0)
	}

	creds.token = a.Secret("token", "GITHUB_TOKEN")
	creds.username, creds.password = a.String("username"), a.Secret("password", "")
	if (creds.username == "") != (creds.password == "") {
		return cfg, creds, &actionio.InputError{Input: "password", Err: errors.New("give `username` and `password` together, or neither")}
	}
	if repo, _, err := imagetag.ParseImage(cfg.Image); err == nil {
		creds.host = repo.RegistryStr()
		// The GitHub token is a ghcr.io credential only: never send it to another registry.
		if creds.host == "ghcr.io" && creds.username == "" && creds.token != "" {
			creds.username, creds.password = gh.Actor, creds.token
			if creds.username == "" {
				creds.username = "token" // ghcr.io checks only the token
			}
		}
	}
	return cfg, creds, nil
}

// connectHistory opens the checkout's history, with GitHub's compare API behind it when a token
// is given; without a checkout, the API alone. It returns nil when neither is there: Run then
// fails only if a moving tag needs the check.
func connectHistory(ctx context.Context, a *actionio.Action, token string) imagetag.Ancestry {
	gh, err := a.Context()
	if err != nil {
		return nil
	}
	env, err := runner.Connect(ctx, runner.Options{Workspace: gh.Workspace, Repository: gh.Repository, APIURL: gh.APIURL, Token: token, Logf: a.Debugf})
	if err == nil {
		return env.History
	}
	a.Debugf("no local history: %v", err)
	if token == "" || gh.Repository == "" {
		return nil
	}
	owner, name, ok := strings.Cut(gh.Repository, "/")
	if !ok {
		return nil
	}
	client, err := ghapi.New(ghapi.Options{Token: token, BaseURL: gh.APIURL, Logf: a.Debugf})
	if err != nil {
		a.Debugf("no API: %v", err)
		return nil
	}
	return &history.API{Client: client.Client, Owner: owner, Repo: name}
}
