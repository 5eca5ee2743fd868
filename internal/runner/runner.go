// Package runner gathers what a GitHub Actions runner gives a step: the event that triggered
// the run, the repository and its checkout, and an API client authenticated with the step's
// token. Every shipkit action starts from it; on a developer's machine the same values come
// from flags, environment variables and the current directory.
package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
)

// ZeroSHA is what a push event's `before` holds when the branch was just created.
const ZeroSHA = "0000000000000000000000000000000000000000"

// Event is what the triggering event says about the revisions involved.
type Event struct {
	Name   string // push, pull_request, workflow_dispatch, ...
	SHA    string // GITHUB_SHA: for pull_request the synthetic merge commit
	Ref    string // GITHUB_REF
	Before string // push: the branch tip before the push (ZeroSHA for a new branch)
	After  string // push: the tip after
	Forced bool   // push: a force push
	PRBase string // pull_request: base SHA
	PRHead string // pull_request: head SHA
	// DefaultBranch is the repository's default branch as the event payload states it.
	DefaultBranch string
}

// IsPullRequest reports whether the event is a pull_request or pull_request_target.
func (e Event) IsPullRequest() bool { return strings.HasPrefix(e.Name, "pull_request") }

// ParseEvent reads the fields shipkit uses from an event payload.
func ParseEvent(name, sha, ref string, payload map[string]any) Event {
	ev := Event{Name: name, SHA: sha, Ref: ref}
	str := func(m map[string]any, keys ...string) string {
		for i, k := range keys {
			v, ok := m[k]
			if !ok {
				return ""
			}
			if i == len(keys)-1 {
				s, _ := v.(string)
				return s
			}
			if m, ok = v.(map[string]any); !ok {
				return ""
			}
		}
		return ""
	}
	if payload == nil {
		return ev
	}
	ev.Before = str(payload, "before")
	ev.After = str(payload, "after")
	ev.Forced, _ = payload["forced"].(bool)
	ev.PRBase = str(payload, "pull_request", "base", "sha")
	ev.PRHead = str(payload, "pull_request", "head", "sha")
	ev.DefaultBranch = str(payload, "repository", "default_branch")
	return ev
}

// Options says how to connect.
type Options struct {
	// Workspace is the checkout (GITHUB_WORKSPACE, or the current folder).
	Workspace string
	// Repository is owner/name (GITHUB_REPOSITORY); may be empty on a developer's machine.
	Repository string
	// APIURL is GITHUB_API_URL; empty means api.github.com.
	APIURL string
	// Token authenticates API calls and fetches; empty disables the API.
	Token string
	// Logf receives debug lines.
	Logf func(format string, args ...any)
}

// Env is a connected run: the local clone, the API (nil without a token) and history that
// falls back from one to the other.
type Env struct {
	Repo    *gitrepo.Repo
	API     *ghapi.Client
	Owner   string
	Name    string
	History history.Source
}

// Connect opens the checkout and, when a token is given, the API client.
func Connect(ctx context.Context, opts Options) (*Env, error) {
	if opts.Workspace == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("finding the current folder: %w", err)
		}
		opts.Workspace = wd
	}
	repo, err := gitrepo.Open(opts.Workspace, gitrepo.Options{Token: opts.Token, Logf: opts.Logf})
	if err != nil {
		return nil, err
	}
	env := &Env{Repo: repo}
	if opts.Repository != "" {
		owner, name, ok := strings.Cut(opts.Repository, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return nil, fmt.Errorf("GITHUB_REPOSITORY %q is not owner/name", opts.Repository)
		}
		env.Owner, env.Name = owner, name
	}
	layered := &history.Layered{Primary: &history.Git{Repo: repo}, Logf: opts.Logf}
	env.History = layered
	if opts.Token == "" {
		return env, nil
	}
	if env.Owner == "" {
		return nil, errors.New("GITHUB_REPOSITORY is not set: set it to owner/name to use the GitHub API")
	}
	client, err := ghapi.New(ghapi.Options{Token: opts.Token, BaseURL: opts.APIURL, Logf: opts.Logf})
	if err != nil {
		return nil, err
	}
	env.API = client
	layered.Fallback = &history.API{Client: client.Client, Owner: env.Owner, Repo: env.Name}
	return env, nil
}
