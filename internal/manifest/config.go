// Package manifest is shipkit's GitOps write-back, the update-manifest action: it writes an image
// tag or digest into kustomizations, Helm values, Kubernetes manifests and action.yml files of a
// branch, changing only the bytes of the value (package yamledit), and commits the change
// through GitHub's API or a git push. A lost race is retried on the fresh branch; a branch
// protection's denial becomes a pull request, or an issue when pull requests are not permitted,
// reported as pending approval, never as success.
package manifest

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/shipkit-dev/shipkit/internal/actionio"
)

// Write methods.
const (
	MethodAPI = "api" // GitHub's contents and Git Data APIs: verified commits, no checkout
	MethodGit = "git" // the working tree at working-directory, pushed to its remote
)

// Methods lists the write methods.
var Methods = []string{MethodAPI, MethodGit}

// Fallbacks, in the order a denied write tries them.
const (
	FallbackPullRequest = "pull-request"
	FallbackIssue       = "issue"
	FallbackNone        = "none"
)

// Defaults of the inputs.
const (
	DefaultPathTemplate  = "infra/argocd/overlays/{environment}/kustomization.yaml"
	DefaultCommitMessage = "chore: update {environment} image to {tag} [skip ci]"
	DefaultPRBranch      = "shipkit/update-{environment}-{tag}"
	DefaultMaxAttempts   = 10
)

// Person is a commit author.
type Person struct {
	Name, Email string
}

// DefaultAuthor is GitHub Actions' bot, as actions/checkout users configure it.
var DefaultAuthor = Person{Name: "github-actions[bot]", Email: "41898282+github-actions[bot]@users.noreply.github.com"}

// ParsePerson reads "Name <email>".
func ParsePerson(s string) (Person, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultAuthor, nil
	}
	name, rest, ok := strings.Cut(s, "<")
	email, tail, ok2 := strings.Cut(rest, ">")
	if !ok || !ok2 || strings.TrimSpace(name) == "" || !strings.Contains(email, "@") || strings.TrimSpace(tail) != "" {
		return Person{}, fmt.Errorf("%q is not of the form Name <email>", s)
	}
	return Person{Name: strings.TrimSpace(name), Email: strings.TrimSpace(email)}, nil
}

// Config is update-manifest's input.
type Config struct {
	Files        []string // paths or globs, slash separated, from the repository root
	Environment  string
	PathTemplate string
	Target       Target
	Owner, Repo  string
	Branch       string // empty: the repository's default branch
	Method       string
	// CommitMessage is a template: {environment}, {tag} (the tag, or the digest when no tag is
	// given), {image}, {digest}.
	CommitMessage string
	Author        Person
	Fallback      []string
	PRBranch      string // template, as CommitMessage
	PRLabels      []string
	PRReviewers   []string
	MaxAttempts   int
	Rollback      bool
	FailOnPending bool
	DryRun        bool
	// ServerURL is GitHub's web address (GITHUB_SERVER_URL), for the compare link of an issue.
	ServerURL string
	// Backoff is the least first wait window after a lost race (the attempt's own duration
	// when longer); the window doubles with every loss up to MaxBackoff, and each wait is drawn
	// at random from [window/2, window]. Zero means 100ms and 10s.
	Backoff, MaxBackoff time.Duration
}

// Validate checks the inputs. Every problem is reported, each an *actionio.InputError.
func (c *Config) Validate() error {
	var errs []error
	bad := func(input, format string, args ...any) {
		errs = append(errs, &actionio.InputError{Input: input, Err: fmt.Errorf(format, args...)})
	}
	switch {
	case len(c.Files) > 0 && c.Environment != "":
		bad("files", "give files or environment, not both")
	case len(c.Files) == 0 && c.Environment == "":
		bad("files", "give the files to update, or an environment (with path-template)")
	case c.Environment != "":
		if strings.ContainsAny(c.Environment, "/\\ ") || c.Environment == "." || c.Environment == ".." {
			bad("environment", "%q must be a single name such as dev or prod", c.Environment)
		}
		if !strings.Contains(c.PathTemplate, "{environment}") {
			bad("path-template", "%q has no {environment} placeholder", c.PathTemplate)
		}
	}
	for _, f := range c.Paths() {
		if err := checkPattern(f); err != nil {
			bad("files", "%v", err)
		}
	}
	if err := ValidateName(c.Target.Image); err != nil {
		bad("image", "%v", err)
	}
	switch {
	case c.Rollback && (c.Target.Tag != "" || c.Target.Digest != ""):
		bad("rollback", "rollback finds the tag itself: leave tag and digest empty")
	case c.Rollback:
	case c.Target.Tag == "" && c.Target.Digest == "":
		bad("tag", "empty: give the new tag (such as sha-1a2b3c4d), a digest, or both")
	}
	if c.Target.Tag != "" {
		if err := ValidateTag(c.Target.Tag); err != nil {
			bad("tag", "%v", err)
		}
	}
	if c.Target.Digest != "" {
		if err := ValidateDigest(c.Target.Digest); err != nil {
			bad("digest", "%v", err)
		}
	}
	if c.Method != MethodAPI && c.Method != MethodGit {
		bad("write-method", "%q is not one of %s", c.Method, strings.Join(Methods, ", "))
	}
	if c.MaxAttempts < 1 {
		bad("max-attempts", "%d: give 1 or more", c.MaxAttempts)
	}
	for i, f := range c.Fallback {
		switch {
		case f == FallbackNone && len(c.Fallback) == 1:
		case f == FallbackPullRequest || f == FallbackIssue:
			if i > 0 && c.Fallback[i-1] == f {
				bad("fallback", "%q is given twice", f)
			}
		default:
			bad("fallback", "%q is not one of pull-request, issue (in order), or none alone", f)
		}
	}
	if c.CommitMessage == "" {
		bad("commit-message", "empty: give a message such as %q", DefaultCommitMessage)
	}
	return errors.Join(errs...)
}

// Paths returns the files to update: Files, or the environment's path-template.
func (c *Config) Paths() []string {
	if c.Environment != "" && len(c.Files) == 0 {
		return []string{strings.ReplaceAll(c.PathTemplate, "{environment}", c.Environment)}
	}
	return c.Files
}

// checkPattern refuses paths that leave the repository.
func checkPattern(p string) error {
	if p == "" {
		return errors.New("an empty path")
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || (len(p) > 1 && p[1] == ':') {
		return fmt.Errorf("%q must be relative to the repository root", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return fmt.Errorf("%q leaves the repository: remove the ..", p)
		}
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("%q is not a valid glob: %v", p, err)
	}
	return nil
}

// isGlob reports a pattern with glob characters.
func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// matchGlob matches a slash-separated path against a pattern in which ** stands for any
// number of folders.
func matchGlob(pattern, name string) bool {
	pp, np := strings.Split(pattern, "/"), strings.Split(name, "/")
	var m func(i, j int) bool
	m = func(i, j int) bool {
		for i < len(pp) {
			if pp[i] == "**" {
				for k := j; k <= len(np); k++ {
					if m(i+1, k) {
						return true
					}
				}
				return false
			}
			if j >= len(np) {
				return false
			}
			if ok, _ := path.Match(pp[i], np[j]); !ok {
				return false
			}
			i, j = i+1, j+1
		}
		return j == len(np)
	}
	return m(0, 0)
}

// expand fills a template's placeholders.
func (c *Config) expand(tmpl string) string {
	env := c.Environment
	if env == "" {
		env = shortName(c.Target.Image)
	}
	tag := c.Target.Tag
	if tag == "" {
		tag = c.Target.Digest
	}
	return strings.NewReplacer("{environment}", env, "{tag}", tag, "{image}", c.Target.Image, "{digest}", c.Target.Digest).Replace(tmpl)
}
