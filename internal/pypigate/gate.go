package pypigate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/pkgmeta"
	"github.com/shipkit-dev/shipkit/internal/version"
)

// History is what Run reads from the repository. *history.Layered implements it: the clone
// first (fetching a missing tag's commit by SHA), GitHub's API when the clone cannot answer.
type History interface {
	// Tags lists tags starting with prefix, peeled to commits.
	Tags(ctx context.Context, prefix string) ([]gitrepo.Tag, error)
	// Resolve turns a revision into a full commit SHA.
	Resolve(ctx context.Context, rev string) (string, error)
	// ReadFile returns path at rev; a missing path wraps fs.ErrNotExist.
	ReadFile(ctx context.Context, rev, path string) ([]byte, error)
	// TreeHash returns the hash of the folder p at rev, "" when absent.
	TreeHash(ctx context.Context, rev, p string) (string, error)
}

// Deps are the parts Run talks to.
type Deps struct {
	History History
	// PyPI and TestPyPI answer "already published?"; nil skips that check (check-index: false).
	PyPI, TestPyPI Index
	// Logf receives progress lines; nil discards.
	Logf func(format string, args ...any)
}

// Run decides whether cfg.Tag's package goes to TestPyPI and PyPI.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logf := deps.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	matches, err := MatchTag(cfg.TagTemplate, cfg.Tag)
	if err != nil {
		return nil, fmt.Errorf(`input "tag": %w`, err)
	}
	g := gate{cfg: cfg, deps: deps, logf: logf}
	return g.run(ctx, matches)
}

type gate struct {
	cfg  Config
	deps Deps
	logf func(string, ...any)
}

func (g *gate) run(ctx context.Context, matches []TagMatch) (*Result, error) {
	prefixName := matches[0].Name
	all, err := g.deps.History.Tags(ctx, g.cfg.TagTemplate.Prefix(prefixName, prefixName))
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", prefixName, err)
	}
	head, err := g.tagCommit(ctx, all, g.cfg.Tag)
	if err != nil {
		return nil, err
	}
	// The package part of the tag: the longest reading whose manifest exists at the tag.
	var (
		m     TagMatch
		man   pkgmeta.Manifest
		found bool
		first error
	)
	for _, cand := range matches {
		pkgPath := g.cfg.packagePath(cand.Name)
		manPath := g.cfg.pyprojectPath(cand.Name, pkgPath)
		data, err := g.deps.History.ReadFile(ctx, head, manPath)
		if err != nil {
			if first == nil {
				first = err
				if errors.Is(err, fs.ErrNotExist) {
					first = &actionio.FileError{File: manPath, Err: fmt.Errorf("it is not in tag %s (commit %s); set package-path or pyproject to where the package's manifest is", g.cfg.Tag, short(head))}
				}
			}
			continue
		}
		read := func(p string) ([]byte, error) { return g.deps.History.ReadFile(ctx, head, p) }
		if man, err = pkgmeta.Parse(manPath, data, read); err != nil {
			return nil, err
		}
		m, found = cand, true
		break
	}
	if !found {
		return nil, first
	}
	if man.Ecosystem != pkgmeta.EcosystemPython {
		return nil, &actionio.FileError{File: man.Path, Err: fmt.Errorf("it is a %s manifest; pypi-gate needs a Python one (pyproject.toml or setup.cfg)", man.Ecosystem)}
	}
	res := &Result{
		Name:        m.Name,
		Project:     man.Name,
		Tag:         g.cfg.Tag,
		Commit:      head,
		PackagePath: g.cfg.packagePath(m.Name),
		Manifest:    man.Path,
		Version:     m.Version.String(),
		Prerelease:  m.Version.IsPrerelease(),
	}
	if res.Project == "" {
		res.Project = m.Name
	}
	if man.Dynamic {
		res.DynamicVersion = true
		res.notes = append(res.notes, fmt.Sprintf("the version is dynamic (%s), so it was read from the tag", man.DynamicReason))
	} else {
		mv, err := version.ParsePEP440(man.Version)
		if err != nil {
			return nil, &actionio.FileError{File: man.VersionPath, Line: man.Line, Err: err}
		}
		if mv.String() != m.Version.String() {
			return nil, &actionio.FileError{File: man.VersionPath, Line: man.Line, Err: fmt.Errorf("version %s does not match tag %s (version %s); tag the commit whose manifest says %s, or fix the version", mv, g.cfg.Tag, m.Version, m.Version)}
		}
	}
	if strings.Contains(res.Version, "+") {
		return nil, fmt.Errorf("version %s has a local part (+...), which PyPI and TestPyPI refuse; release a version without it", res.Version)
	}
	res.TestPyPIVersion = res.Version
	if g.cfg.TestPyPIDevVersion {
		if res.TestPyPIVersion, err = DevVersion(m.Version, g.cfg.RunNumber, g.cfg.RunAttempt); err != nil {
			return nil, err
		}
	}

	base, ok := Baseline(m.Version, PackageTags(g.cfg.TagTemplate, m.Name, all))
	if !ok {
		res.Changed = true
		res.notes = append(res.notes, fmt.Sprintf("first release of %s: no earlier %s tag", m.Name, g.cfg.TagTemplate.Prefix(m.Name, m.Name)+"*"))
	} else {
		res.PreviousTag = base.Tag.Name
		if res.Changed, err = g.changed(ctx, res.PackagePath, base.Tag.Commit, head); err != nil {
			return nil, err
		}
	}
	if !res.Changed {
		res.Reason = fmt.Sprintf("skipped: no changes under %s/ since %s", res.PackagePath, res.PreviousTag)
		return res, nil
	}
	res.PublishTestPyPI = g.cfg.TestPyPI
	res.PublishPyPI = !res.Prerelease
	if err := g.checkIndexes(ctx, res); err != nil {
		return nil, err
	}
	res.Reason = res.decisionText()
	return res, nil
}

// tagCommit finds the commit of tag: in the listing when it is there, else by resolving it.
func (g *gate) tagCommit(ctx context.Context, tags []gitrepo.Tag, tag string) (string, error) {
	for _, t := range tags {
		if t.Name == tag {
			return t.Commit, nil
		}
	}
	sha, err := g.deps.History.Resolve(ctx, "refs/tags/"+tag)
	if err != nil {
		return "", fmt.Errorf(`input "tag": finding tag %q: %w (push the tag first, or check out with fetch-tags)`, tag, err)
	}
	return sha, nil
}

// changed compares the package folder's tree at the two commits: equal hashes mean equal
// content, whatever happened in between.
func (g *gate) changed(ctx context.Context, pkgPath, base, head string) (bool, error) {
	a, err := g.deps.History.TreeHash(ctx, base, pkgPath)
	if err != nil {
		return false, fmt.Errorf("reading %s/ at the previous tag: %w", pkgPath, err)
	}
	b, err := g.deps.History.TreeHash(ctx, head, pkgPath)
	if err != nil {
		return false, fmt.Errorf("reading %s/ at the tag: %w", pkgPath, err)
	}
	g.logf("%s/: tree %s at %s, %s at %s", pkgPath, short(a), short(base), short(b), short(head))
	return a != b, nil
}

// checkIndexes clears the publish flags for versions the indexes already have.
func (g *gate) checkIndexes(ctx context.Context, res *Result) error {
	if res.PublishPyPI && g.deps.PyPI != nil {
		on, err := g.deps.PyPI.Published(ctx, res.Project, res.Version)
		if err != nil {
			return fmt.Errorf("checking whether %s %s is on PyPI (%s): %w; rerun later, or set check-index: false to skip this check", res.Project, res.Version, g.cfg.IndexURL, err)
		}
		if on {
			res.OnPyPI = true
			res.PublishPyPI = false
			// PyPI has it: the trial upload that comes before it has no purpose either.
			res.PublishTestPyPI = false
			return nil
		}
	}
	if res.PublishTestPyPI && g.deps.TestPyPI != nil {
		on, err := g.deps.TestPyPI.Published(ctx, res.Project, res.TestPyPIVersion)
		if err != nil {
			return fmt.Errorf("checking whether %s %s is on TestPyPI (%s): %w; rerun later, or set check-index: false to skip this check", res.Project, res.TestPyPIVersion, g.cfg.TestPyPIIndexURL, err)
		}
		if on {
			res.OnTestPyPI = true
			res.PublishTestPyPI = false
		}
	}
	return nil
}

var devSuffix = regexp.MustCompile(`\.dev[0-9]+$`)

// DevVersion is v with .devN for TestPyPI, N made from the run number and attempt
// (run*100+attempt), so each run and rerun uploads a file name TestPyPI has not seen. An
// existing .devN is replaced.
func DevVersion(v version.Version, runNumber, runAttempt int64) (string, error) {
	s := devSuffix.ReplaceAllString(v.String(), "")
	dev, err := version.ParsePEP440(fmt.Sprintf("%s.dev%d", s, runNumber*100+runAttempt))
	if err != nil {
		return "", fmt.Errorf("making a TestPyPI dev version of %s: %w", v, err)
	}
	return dev.String(), nil
}

func short(sha string) string {
	if len(sha) >= 12 {
		return sha[:8]
	}
	return sha
}
