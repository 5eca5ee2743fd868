package pypigate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/tagname"
	"github.com/shipkit-dev/shipkit/internal/version"
)

// TagMatch is one way to read a tag with a template: the package part ({name}, or {dir}:
// pypi-gate gives both the same value) and its PEP 440 version.
type TagMatch struct {
	Name    string
	Version version.Version
}

// MatchTag reads tag with tmpl and returns every reading whose version is valid PEP 440, the
// longest package name first. Several readings are rare (a name that itself looks like
// "<x>-v<version>"); callers take the first whose package exists. With none, the error says
// why: the tag does not fit the template, or its version is not PEP 440.
func MatchTag(tmpl tagname.Template, tag string) ([]TagMatch, error) {
	if len(tag) > maxTagLen {
		return nil, fmt.Errorf("tag %q is longer than %d characters", tag[:40]+"...", maxTagLen)
	}
	var out []TagMatch
	var firstErr error
	try := func(name string) {
		raw, ok := tmpl.Match(tag, name, name)
		if !ok {
			return
		}
		v, err := version.ParsePEP440(raw)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return
		}
		out = append(out, TagMatch{Name: name, Version: v})
	}
	if !tmpl.UsesName() {
		try("")
	} else {
		// The package part starts where the template's fixed prefix ends when the template
		// opens with it ({name}-v{version}); otherwise anywhere.
		starts := []int{}
		if at, ok := nameStart(tmpl); ok {
			if lit := tmpl.Prefix("a", "a")[:at]; strings.HasPrefix(tag, lit) {
				starts = append(starts, at)
			}
		} else {
			for i := range len(tag) {
				starts = append(starts, i)
			}
		}
		seen := map[string]bool{}
		for _, i := range starts {
			for j := len(tag); j > i; j-- {
				if name := tag[i:j]; !seen[name] {
					seen[name] = true
					try(name)
				}
			}
		}
	}
	if len(out) == 0 {
		if firstErr != nil {
			return nil, fmt.Errorf("tag %q fits tag-template %q but its version is not PEP 440: %w", tag, tmpl.String(), firstErr)
		}
		return nil, fmt.Errorf("tag %q does not fit tag-template %q; pass the release tag (for example %q) or the template your tags use", tag, tmpl.String(), tmpl.Render("acme-lib", "acme-lib", "1.2.0"))
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Name) > len(out[j].Name) })
	return out, nil
}

// nameStart is where the package part begins in every tag, when the template puts {name} or
// {dir} before {version}: two names render prefixes that first differ there.
func nameStart(tmpl tagname.Template) (int, bool) {
	a, b := tmpl.Prefix("a", "a"), tmpl.Prefix("b", "b")
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i, true
		}
	}
	return 0, false
}

// Candidate is one earlier release tag of the package.
type Candidate struct {
	Tag     gitrepo.Tag
	Version version.Version
}

// PackageTags keeps the tags of package name among tags (a prefix listing may hold another
// package's tags, such as acme-v... for acme and acme-v2) whose version is valid PEP 440.
func PackageTags(tmpl tagname.Template, name string, tags []gitrepo.Tag) []Candidate {
	var out []Candidate
	for _, t := range tags {
		raw, ok := tmpl.Match(t.Name, name, name)
		if !ok {
			continue
		}
		v, err := version.ParsePEP440(raw)
		if err != nil {
			continue // a hand-made tag or another package's: not a release of this one
		}
		if tmpl.UsesName() {
			// The tag belongs to the package with the longest name that reads it.
			if ms, err := MatchTag(tmpl, t.Name); err != nil || ms[0].Name != name {
				continue
			}
		}
		out = append(out, Candidate{Tag: t, Version: v})
	}
	return out
}

// Baseline picks the tag a release is compared with, among the package's own tags, in PEP 440
// order (never by date or string order):
//   - for a final release (post-releases included), the highest final release below it: what
//     PyPI last received, so 2.0.0 after 2.0.0rc1 is compared with 1.x, not with the rc;
//   - for a pre-release or dev release, the highest version of any kind below it.
//
// ok is false when there is none: a first release.
func Baseline(cur version.Version, tags []Candidate) (Candidate, bool) {
	var best Candidate
	found := false
	for _, c := range tags {
		if c.Version.Compare(cur) >= 0 {
			continue
		}
		if !cur.IsPrerelease() && c.Version.IsPrerelease() {
			continue
		}
		if !found {
			best, found = c, true
			continue
		}
		switch cmp := c.Version.Compare(best.Version); {
		case cmp > 0, cmp == 0 && c.Tag.Name < best.Tag.Name:
			best = c
		}
	}
	return best, found
}
