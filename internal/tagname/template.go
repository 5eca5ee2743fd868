// Package tagname renders and recognises release tags from templates such as `{name}-v{version}`,
// and checks tag names against git's ref rules. version-bump-detect creates tags with it;
// pypi-gate and sha-tag-image read them back with the same grammar.
package tagname

import (
	"fmt"
	"strings"
)

// placeholders are the names a tag template may use.
var placeholders = []string{"name", "version", "dir"}

// Template renders and recognises a package's tags, such as `{name}-v{version}`.
type Template struct {
	raw   string
	parts []templatePart
}

type templatePart struct {
	literal     string
	placeholder string // one of placeholders, or "" for a literal
}

// ParseTemplate parses a tag template. It must hold {version} exactly once; {name} and {dir}
// are optional. Any other {word} is an error that lists the placeholders.
func Parse(raw string) (Template, error) {
	t := Template{raw: raw}
	rest := raw
	versions := 0
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			t.parts = append(t.parts, templatePart{literal: rest})
			break
		}
		if open > 0 {
			t.parts = append(t.parts, templatePart{literal: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return Template{}, fmt.Errorf("tag template %q: %q is not closed by }", raw, rest[open:])
		}
		name := rest[open+1 : open+end]
		if !contains(placeholders, name) {
			return Template{}, fmt.Errorf("tag template %q: unknown placeholder {%s}; available placeholders are {name}, {version}, {dir}", raw, name)
		}
		if name == "version" {
			versions++
		}
		t.parts = append(t.parts, templatePart{placeholder: name})
		rest = rest[open+end+1:]
	}
	if strings.Contains(t.literals(), "}") {
		return Template{}, fmt.Errorf("tag template %q: a } without its {", raw)
	}
	if versions != 1 {
		return Template{}, fmt.Errorf("tag template %q: it must contain {version} exactly once (found %d)", raw, versions)
	}
	return t, nil
}

func (t Template) literals() string {
	var b strings.Builder
	for _, p := range t.parts {
		b.WriteString(p.literal)
	}
	return b.String()
}

// String returns the template as written.
func (t Template) String() string { return t.raw }

// UsesName reports whether the template names the package, which a monorepo with several
// packages needs so their tags do not collide.
func (t Template) UsesName() bool {
	for _, p := range t.parts {
		if p.placeholder == "name" || p.placeholder == "dir" {
			return true
		}
	}
	return false
}

// Render fills the placeholders.
func (t Template) Render(name, dir, version string) string {
	var b strings.Builder
	for _, p := range t.parts {
		switch p.placeholder {
		case "":
			b.WriteString(p.literal)
		case "name":
			b.WriteString(name)
		case "dir":
			b.WriteString(dir)
		case "version":
			b.WriteString(version)
		}
	}
	return b.String()
}

// Prefix is the fixed start of every tag of the package: the part before {version}.
func (t Template) Prefix(name, dir string) string {
	prefix, _ := t.around(name, dir)
	return prefix
}

// Match returns the version in tag when tag is one of this package's tags.
func (t Template) Match(tag, name, dir string) (string, bool) {
	prefix, suffix := t.around(name, dir)
	if len(tag) <= len(prefix)+len(suffix) || !strings.HasPrefix(tag, prefix) || !strings.HasSuffix(tag, suffix) {
		return "", false
	}
	return tag[len(prefix) : len(tag)-len(suffix)], true
}

// around renders the parts before and after {version}.
func (t Template) around(name, dir string) (prefix, suffix string) {
	for i, p := range t.parts {
		if p.placeholder == "version" {
			before := Template{parts: t.parts[:i]}
			after := Template{parts: t.parts[i+1:]}
			return before.Render(name, dir, ""), after.Render(name, dir, "")
		}
	}
	return t.Render(name, dir, ""), ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Check applies git's ref name rules (git-check-ref-format) to a tag name, so a bad
// template or package name fails before anything is created.
func Check(tag string) error {
	bad := func(why string) error { return fmt.Errorf("tag %q is not a valid git tag name: %s", tag, why) }
	switch {
	case tag == "" || tag == "@":
		return bad("it is empty or @")
	case strings.Contains(tag, ".."):
		return bad("it contains ..")
	case strings.Contains(tag, "@{"):
		return bad("it contains @{")
	case strings.Contains(tag, "//"):
		return bad("it contains //")
	case strings.HasSuffix(tag, "/") || strings.HasSuffix(tag, ".") || strings.HasSuffix(tag, ".lock"):
		return bad("it ends with /, . or .lock")
	case strings.HasPrefix(tag, "/") || strings.HasPrefix(tag, "-"):
		return bad("it starts with / or -")
	}
	for _, r := range tag {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return bad(fmt.Sprintf("it contains %q", r))
		}
	}
	for _, comp := range strings.Split(tag, "/") {
		if strings.HasPrefix(comp, ".") {
			return bad("a path component starts with .")
		}
	}
	return nil
}
