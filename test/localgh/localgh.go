// Package localgh is a local stand-in for GitHub on 127.0.0.1: the smart-HTTP git server and the
// REST API emulator over the same bare repositories, so a push and an API call see one truth.
// Tests, the end-to-end suites and the local pipeline run all start it the same way.
package localgh

import (
	"errors"
	"strings"

	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/gitserver"
)

// Options configures Start.
type Options struct {
	// Token is the only credential both servers accept (git: basic auth password; API: bearer).
	Token string
	// Root holds the bare repositories; a temporary folder when empty.
	Root string
}

// GitHub is a running git server and API emulator.
type GitHub struct {
	Git   *gitserver.Server
	API   *ghemu.Server
	Token string
}

// Start starts both servers.
func Start(opts Options) (*GitHub, error) {
	if opts.Token == "" {
		return nil, errors.New("starting the local GitHub: a token is required")
	}
	gs, err := gitserver.New(gitserver.Options{Root: opts.Root, Password: opts.Token})
	if err != nil {
		return nil, err
	}
	api, err := ghemu.New(ghemu.Options{Token: opts.Token, GitURL: gs.URL()})
	if err != nil {
		gs.Close()
		return nil, err
	}
	return &GitHub{Git: gs, API: api, Token: opts.Token}, nil
}

// Close stops both servers.
func (g *GitHub) Close() {
	g.API.Close()
	g.Git.Close()
}

// CreateRepo creates owner/name on the git server and registers it with the API.
func (g *GitHub) CreateRepo(owner, name, defaultBranch string) error {
	gitDir, err := g.Git.CreateRepo(owner, name, defaultBranch)
	if err != nil {
		return err
	}
	return g.API.AddRepo(owner, name, gitDir, defaultBranch)
}

// CloneURL is the repository's clone URL with the token in it, as actions/checkout's
// credentials would make it work.
func (g *GitHub) CloneURL(owner, name string) string {
	return strings.Replace(g.Git.RepoURL(owner, name), "http://", "http://x-access-token:"+g.Token+"@", 1)
}

// Env is what a runner sets for a step of owner/name that talks to this GitHub.
func (g *GitHub) Env(owner, name string) map[string]string {
	return map[string]string{
		"GITHUB_REPOSITORY": owner + "/" + name,
		"GITHUB_API_URL":    g.API.URL(),
		"GITHUB_SERVER_URL": g.Git.URL(),
		"GITHUB_TOKEN":      g.Token,
	}
}
