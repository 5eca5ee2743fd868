// Package versionbump finds packages whose manifest version changed between two revisions and
// turns each bump into a tag and a GitHub release: step 3 of shipkit's reference pipeline.
package versionbump

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/runner"
	"github.com/shipkit-dev/shipkit/internal/tagname"
)

// Release-notes modes.
const (
	NotesGitHub  = "github"  // GitHub's generated notes, from the package's previous tag
	NotesCommits = "commits" // conventional commits touching the package's folder, grouped by type
	NotesNone    = "none"
)

// NotesModes lists the valid release-notes modes.
var NotesModes = []string{NotesGitHub, NotesCommits, NotesNone}

// Config is version-bump-detect's validated input.
type Config struct {
	Files         []string // manifest paths or globs, relative to the repository root
	TagTemplate   tagname.Template
	Base, Head    string // explicit revisions; empty means from the event
	CreateTag     bool
	CreateRelease bool
	ReleaseNotes  string
	Draft         bool
	DryRun        bool
	Event         runner.Event
	// RootDir stands for {dir} of a manifest at the repository root: the repository's name.
	RootDir string
}

// Validate checks the combination of inputs.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Files) == 0 {
		errs = append(errs, errors.New(`input "files": no manifest given; list paths or globs such as packages/*/pyproject.toml`))
	}
	for _, f := range c.Files {
		if strings.HasPrefix(f, "/") || strings.Contains("/"+f+"/", "/../") {
			errs = append(errs, fmt.Errorf(`input "files": %q must be relative to the repository root and stay inside it`, f))
		}
	}
	if c.TagTemplate.String() == "" {
		errs = append(errs, errors.New(`input "tag-template": it is empty`))
	}
	if !slices.Contains(NotesModes, c.ReleaseNotes) {
		errs = append(errs, fmt.Errorf(`input "release-notes": %q is not one of %s`, c.ReleaseNotes, strings.Join(NotesModes, ", ")))
	}
	if c.Draft && !c.CreateRelease {
		errs = append(errs, errors.New(`input "draft": it only applies with create-release: true`))
	}
	return errors.Join(errs...)
}
