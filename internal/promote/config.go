// Package promote promotes an environment by pull request: step 5 of shipkit's reference
// pipeline. In branch mode the pull request takes the commits of one branch (dev) into another
// (main); in image mode an image tag is written into an environment's overlay on a stable branch
// promote/{environment}-{tag} cut from the base branch, and the pull request proposes it. Reruns
// update the open pull request instead of opening another; auto-merge is armed through GraphQL
// and reported as it is, never as merged before GitHub merged.
package promote

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/manifest"
)

// Modes.
const (
	ModeBranch = "branch" // a pull request from head to base
	ModeImage  = "image"  // a tag written into an environment's overlay, by pull request
)

// Modes lists the valid modes.
var Modes = []string{ModeBranch, ModeImage}

// Merge methods, as the REST API names them.
const (
	MergeMerge  = "merge"
	MergeSquash = "squash"
	MergeRebase = "rebase"
)

// MergeMethods lists the valid merge methods.
var MergeMethods = []string{MergeMerge, MergeSquash, MergeRebase}

// What to do with a pull request that is already clean when auto-merge is asked for: GitHub
// refuses to arm auto-merge then ("Pull request is in clean status").
const (
	OnCleanMerge  = "merge"  // merge it now through REST
	OnCleanReport = "report" // leave it open and report it as pending
)

// OnCleanChoices lists the valid on-clean values.
var OnCleanChoices = []string{OnCleanMerge, OnCleanReport}

// DefaultPathTemplate is the overlay of an environment in the reference layout.
const DefaultPathTemplate = "infra/argocd/overlays/{environment}/kustomization.yaml"

// Config is promote-pr's validated input.
type Config struct {
	Mode        string
	Owner, Repo string
	// Head and Base are the branches: in branch mode head is promoted into base; in image mode
	// base is the branch the overlay lives on (head is not used).
	Head, Base string

	// Image mode.
	Image        string
	Tag          string
	Environment  string
	Files        []string // exact paths; empty means PathTemplate
	PathTemplate string
	VerifyImage  bool
	// Supersede closes older open promotions of the same environment, with a comment linking
	// the new one.
	Supersede bool

	Title, Body   Template // empty templates mean the generated defaults
	Labels        []string
	Reviewers     []string
	TeamReviewers []string
	Draft         bool
	AutoMerge     bool
	MergeMethod   string
	OnClean       string
	DryRun        bool
	// DefaultToken is true when the token is the job's GITHUB_TOKEN: pull requests it opens
	// start no workflows.
	DefaultToken bool
	// ServerURL is GitHub's web address (GITHUB_SERVER_URL), for compare links.
	ServerURL string
}

// Validate checks the inputs; every problem is reported, each an *actionio.InputError.
func (c *Config) Validate() error {
	var errs []error
	bad := func(input, format string, args ...any) {
		errs = append(errs, &actionio.InputError{Input: input, Err: fmt.Errorf(format, args...)})
	}
	if !slices.Contains(Modes, c.Mode) {
		bad("mode", "%q is not one of %s", c.Mode, strings.Join(Modes, ", "))
	}
	if c.Base == "" {
		bad("base", "empty: give the branch to promote into, such as main")
	}
	switch c.Mode {
	case ModeBranch:
		if c.Head == "" {
			bad("head", "empty: give the branch to promote, such as dev")
		} else if c.Head == c.Base {
			bad("head", "%q is also the base: give two different branches (head: dev, base: main)", c.Head)
		}
		if c.Image != "" || c.Tag != "" {
			bad("image", "image and tag are for mode: image; remove them or set mode: image")
		}
	case ModeImage:
		if err := manifest.ValidateName(c.Image); err != nil {
			bad("image", "%v", err)
		}
		if c.Tag == "" {
			bad("tag", "empty: give the tag to promote, such as sha-1a2b3c4d")
		} else if err := manifest.ValidateTag(c.Tag); err != nil {
			bad("tag", "%v", err)
		}
		if c.Environment == "" || strings.ContainsAny(c.Environment, "/\\ ") || c.Environment == "." || c.Environment == ".." {
			bad("environment", "%q must be a single name such as prod", c.Environment)
		}
		if len(c.Files) == 0 && !strings.Contains(c.PathTemplate, "{environment}") {
			bad("path-template", "%q has no {environment} placeholder: add it, or give files", c.PathTemplate)
		}
		for _, f := range c.Paths() {
			if err := checkPath(f); err != nil {
				bad("files", "%v", err)
			}
		}
	}
	if !slices.Contains(MergeMethods, c.MergeMethod) {
		bad("merge-method", "%q is not one of %s", c.MergeMethod, strings.Join(MergeMethods, ", "))
	}
	if !slices.Contains(OnCleanChoices, c.OnClean) {
		bad("on-clean", "%q is not one of %s", c.OnClean, strings.Join(OnCleanChoices, ", "))
	}
	if c.Draft && c.AutoMerge {
		bad("auto-merge", "a draft pull request cannot be merged: set draft: false, or auto-merge: false")
	}
	return errors.Join(errs...)
}

// Paths returns the files of image mode: Files, or the environment's path-template.
func (c *Config) Paths() []string {
	if len(c.Files) > 0 {
		return c.Files
	}
	return []string{strings.ReplaceAll(c.PathTemplate, "{environment}", c.Environment)}
}

// Branch returns the stable branch of an image promotion: promote/{environment}-{tag}.
func (c *Config) Branch() string { return BranchPrefix(c.Environment) + c.Tag }

// BranchPrefix is the start of the branches of every image promotion of environment.
func BranchPrefix(environment string) string { return "promote/" + environment + "-" }

// checkPath refuses paths that leave the repository, and globs (each file is read by name).
func checkPath(p string) error {
	switch {
	case p == "":
		return errors.New("an empty path")
	case strings.HasPrefix(p, "/") || strings.Contains(p, "\\"):
		return fmt.Errorf("%q must be relative to the repository root", p)
	case strings.ContainsAny(p, "*?["):
		return fmt.Errorf("%q is a glob: name each file", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." || part == "" {
			return fmt.Errorf("%q is not a clean path inside the repository: remove the %q part", p, part)
		}
	}
	return nil
}
