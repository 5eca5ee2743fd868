package versionbump

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/internal/pkgmeta"
	"github.com/shipkit-dev/shipkit/internal/runner"
	"github.com/shipkit-dev/shipkit/internal/tagname"
	"github.com/shipkit-dev/shipkit/internal/version"
)

// Deps are the parts Run talks to.
type Deps struct {
	// History reads the repository's past (local clone first, API when shallow).
	History history.Source
	// GitHub creates tags and releases; nil when no token was given (then creating fails).
	GitHub GitHub
	// Root is the working tree's top folder, where globs are matched.
	Root string
	// Logf receives progress lines; nil discards.
	Logf func(format string, args ...any)
}

// Run detects version bumps and, unless DryRun, creates the tags and releases asked for.
// Every package is checked before anything is created: a bad manifest or a tag at another
// commit fails the run with nothing written.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logf := deps.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if (cfg.CreateTag || cfg.CreateRelease) && !cfg.DryRun && deps.GitHub == nil {
		return nil, errors.New(`input "token": creating tags and releases needs a token; pass token: ${{ github.token }} and give the job permissions: contents: write`)
	}
	paths, err := ExpandFiles(deps.Root, cfg.Files)
	if err != nil {
		return nil, err
	}
	if len(paths) > 1 && !cfg.TagTemplate.UsesName() {
		return nil, fmt.Errorf(`input "tag-template": %q would give every one of the %d packages the same tags; use {name} or {dir}, for example {name}-v{version}`, cfg.TagTemplate.String(), len(paths))
	}
	head, base, err := revisions(ctx, cfg, deps)
	if err != nil {
		return nil, err
	}
	res := &Result{Head: head, Base: base, DryRun: cfg.DryRun}
	d := detector{cfg: cfg, deps: deps, head: head, logf: logf}
	var errs []error
	for _, p := range paths {
		pkg, err := d.detect(ctx, p, base)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		res.Packages = append(res.Packages, pkg)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := d.checkTags(ctx, res); err != nil {
		return nil, err
	}
	if cfg.DryRun || !(cfg.CreateTag || cfg.CreateRelease) {
		return res, nil
	}
	for i := range res.Packages {
		pkg := &res.Packages[i]
		if !pkg.Changed {
			continue
		}
		if err := d.publish(ctx, pkg); err != nil {
			return res, err
		}
	}
	return res, nil
}

// ExpandFiles matches the patterns against the working tree under root and returns slash
// paths relative to root, sorted. A pattern that matches nothing is an error; `**` matches any
// number of folders.
func ExpandFiles(root string, patterns []string) ([]string, error) {
	var all []string
	seen := map[string]bool{}
	var files []string
	walked := false
	for _, pat := range patterns {
		pat = path.Clean(strings.TrimPrefix(filepath.ToSlash(pat), "./"))
		if !strings.ContainsAny(pat, "*?[") {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(pat))); err != nil {
				return nil, fmt.Errorf(`input "files": %q matches nothing under %s: %w`, pat, root, err)
			}
			if _, ok := pkgmeta.KindOf(pat); !ok {
				return nil, fmt.Errorf(`input "files": %q is not a supported manifest; supported names are %s`, pat, strings.Join(pkgmeta.SupportedNames(), ", "))
			}
			if !seen[pat] {
				seen[pat] = true
				all = append(all, pat)
			}
			continue
		}
		if _, err := path.Match(strings.ReplaceAll(pat, "**", "*"), ""); err != nil {
			return nil, fmt.Errorf(`input "files": %q is not a valid glob: %w`, pat, err)
		}
		if !walked {
			var err error
			if files, err = listFiles(root); err != nil {
				return nil, err
			}
			walked = true
		}
		n := 0
		for _, f := range files {
			if _, ok := pkgmeta.KindOf(f); ok && matchGlob(pat, f) {
				n++
				if !seen[f] {
					seen[f] = true
					all = append(all, f)
				}
			}
		}
		if n == 0 {
			return nil, fmt.Errorf(`input "files": %q matches no manifest under %s (supported names are %s)`, pat, root, strings.Join(pkgmeta.SupportedNames(), ", "))
		}
	}
	sort.Strings(all)
	return all, nil
}

// listFiles lists the working tree's files as slash paths, skipping .git and dependency folders.
func listFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", ".venv", "target", "__pycache__":
				if p != root {
					return filepath.SkipDir
				}
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing files under %s: %w", root, err)
	}
	return files, nil
}

// matchGlob matches a slash path against a pattern where `**` stands for any folders.
func matchGlob(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// revisions picks head and the run-wide base from the inputs and the event. An empty base means
// each package compares with its latest tag.
func revisions(ctx context.Context, cfg Config, deps Deps) (head, base string, err error) {
	ev := cfg.Event
	head = cfg.Head
	if head == "" {
		switch {
		case ev.Name == "push" && ev.After != "":
			head = ev.After
		case ev.IsPullRequest() && ev.PRHead != "":
			head = ev.PRHead
		case ev.SHA != "":
			head = ev.SHA
		default:
			head = "HEAD"
		}
	}
	if head, err = deps.History.Resolve(ctx, head); err != nil {
		return "", "", fmt.Errorf(`input "head": %w`, err)
	}
	base = cfg.Base
	if base == "" {
		switch {
		case ev.Name == "push" && ev.Before != "" && ev.Before != runner.ZeroSHA:
			base = ev.Before
			if ev.Forced {
				ok, err := deps.History.IsAncestor(ctx, base, head)
				if err != nil {
					return "", "", fmt.Errorf("checking the force push: %w", err)
				}
				if !ok {
					base = "" // the old tip is gone from the branch: compare with tags
				}
			}
		case ev.IsPullRequest() && ev.PRBase != "":
			base = ev.PRBase
		}
	}
	if base != "" {
		if base, err = deps.History.Resolve(ctx, base); err != nil {
			return "", "", fmt.Errorf(`input "base": %w (the base commit was not found, even after fetching it)`, err)
		}
	}
	return head, base, nil
}

type detector struct {
	cfg  Config
	deps Deps
	head string
	logf func(string, ...any)
}

// readAt returns a pkgmeta.ReadFunc for one revision.
func (d *detector) readAt(ctx context.Context, rev string) pkgmeta.ReadFunc {
	return func(p string) ([]byte, error) { return d.deps.History.ReadFile(ctx, rev, p) }
}

// detect reads one manifest at head and at base and decides whether it was bumped.
func (d *detector) detect(ctx context.Context, p, base string) (Package, error) {
	data, err := d.deps.History.ReadFile(ctx, d.head, p)
	if errors.Is(err, fs.ErrNotExist) {
		return Package{}, &actionio.FileError{File: p, Err: fmt.Errorf("it is in the working tree but not in commit %s; commit it or check out the commit being compared", short(d.head))}
	}
	if err != nil {
		return Package{}, err
	}
	m, err := pkgmeta.Parse(p, data, d.readAt(ctx, d.head))
	if err != nil {
		return Package{}, err
	}
	dir := path.Base(path.Dir(p))
	if dir == "." || dir == "/" {
		dir = d.cfg.RootDir
	}
	pkg := Package{Name: m.Name, Path: p, Dir: dir, Ecosystem: m.Ecosystem}
	if pkg.Name == "" {
		pkg.Name = dir
	}
	if m.Dynamic {
		pkg.Reason = m.DynamicReason + "; version-bump-detect cannot see a dynamic version, so it reports the package unchanged"
		return pkg, nil
	}
	scheme := schemeFor(m.Ecosystem)
	v, err := version.Parse(scheme, m.Version)
	if err != nil {
		return Package{}, &actionio.FileError{File: m.VersionPath, Line: m.Line, Err: err}
	}
	pkg.Version = v.String()
	pkg.Prerelease = v.IsPrerelease()
	pkg.Tag = d.cfg.TagTemplate.Render(pkg.Name, pkg.Dir, pkg.Version)
	if err := tagname.Check(pkg.Tag); err != nil {
		return Package{}, fmt.Errorf(`input "tag-template": %w`, err)
	}
	prev, err := d.previous(ctx, &pkg, v, base)
	if err != nil {
		return Package{}, err
	}
	if prev == nil {
		pkg.Changed = true
		pkg.Reason = "first version: no earlier version of this manifest or tag was found"
		return pkg, nil
	}
	pkg.PreviousVersion = prev.String()
	switch c := v.Compare(prev); {
	case c > 0:
		pkg.Changed = true
		pkg.Reason = fmt.Sprintf("version %s -> %s", prev, v)
	case c == 0:
		pkg.Reason = fmt.Sprintf("version %s unchanged", v)
	default:
		return Package{}, &actionio.FileError{File: m.VersionPath, Line: m.Line, Err: fmt.Errorf("version decreased from %s to %s (compared with %s); a release version may only go up", prev, v, pkg.BaseRef)}
	}
	return pkg, nil
}

// previous finds the version before head: in the manifest at base, or, with no base, in the
// package's latest tag. nil means none (a new package).
func (d *detector) previous(ctx context.Context, pkg *Package, cur version.Version, base string) (version.Version, error) {
	scheme := cur.Scheme()
	tags, err := d.packageTags(ctx, *pkg, scheme)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		if t.Name == pkg.Tag {
			pkg.existingTagCommit = t.Commit
			continue
		}
		if pkg.PreviousTag == "" && t.version.Compare(cur) < 0 {
			pkg.PreviousTag, pkg.previousTagCommit = t.Name, t.Commit
		}
	}
	if base == "" {
		if len(tags) == 0 {
			return nil, nil
		}
		// The highest tagged version is the last release, even when it is the current one.
		pkg.BaseRef = tags[0].Name
		return tags[0].version, nil
	}
	pkg.BaseRef = short(base)
	data, err := d.deps.History.ReadFile(ctx, base, pkg.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	old, err := pkgmeta.Parse(pkg.Path, data, d.readAt(ctx, base))
	if err != nil || old.Dynamic {
		d.logf("%s at %s cannot be read as a version (%v); treating the package as new", pkg.Path, short(base), err)
		return nil, nil
	}
	ov, err := version.Parse(scheme, old.Version)
	if err != nil {
		d.logf("%s at %s has an invalid version (%v); treating the package as new", pkg.Path, short(base), err)
		return nil, nil
	}
	return ov, nil
}

type versionTag struct {
	gitrepo.Tag
	version version.Version
}

// packageTags lists the package's tags with valid versions, highest version first.
func (d *detector) packageTags(ctx context.Context, pkg Package, scheme version.Scheme) ([]versionTag, error) {
	tags, err := d.deps.History.Tags(ctx, d.cfg.TagTemplate.Prefix(pkg.Name, pkg.Dir))
	if err != nil {
		return nil, err
	}
	var out []versionTag
	for _, t := range tags {
		raw, ok := d.cfg.TagTemplate.Match(t.Name, pkg.Name, pkg.Dir)
		if !ok {
			continue
		}
		v, err := version.Parse(scheme, raw)
		if err != nil {
			continue // another scheme's or a hand-made tag: not ours
		}
		out = append(out, versionTag{Tag: t, version: v})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].version.Compare(out[j].version) > 0 })
	return out, nil
}

// schemeFor picks the version scheme of an ecosystem: PEP 440 for Python, SemVer elsewhere.
func schemeFor(ecosystem string) version.Scheme {
	if ecosystem == "python" {
		return version.PEP440
	}
	return version.SemVer
}

func short(sha string) string {
	if len(sha) == 40 {
		return sha[:8]
	}
	return sha
}
