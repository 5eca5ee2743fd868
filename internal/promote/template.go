package promote

import (
	"fmt"
	"slices"
	"strings"
)

// Placeholders are the names a title or body template may use, each written {name}:
// {mode}, {head}, {base}, {environment}, {image}, {tag}, {digest}, {previous-tag},
// {commits} (a Markdown list of the commits being promoted, with authors and pull request
// links), {changes} (a Markdown list of the images and tags that change) and {compare} (the
// compare link). `{{` and `}}` stand for literal braces.
var Placeholders = []string{"mode", "head", "base", "environment", "image", "tag", "digest", "previous-tag", "commits", "changes", "compare"}

// Template is a parsed title or body template.
type Template struct {
	src   string
	parts []part
}

type part struct {
	text string
	name string // a placeholder when not empty
}

// ParseTemplate parses s. Unknown placeholders and unbalanced braces are errors that name the
// valid placeholders.
func ParseTemplate(s string) (Template, error) {
	t := Template{src: s}
	var text strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			text.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			text.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				return Template{}, fmt.Errorf("parsing template %q: the { at offset %d is not closed: write {{ for a literal brace", s, i)
			}
			name := s[i+1 : i+1+end]
			if !slices.Contains(Placeholders, name) {
				return Template{}, fmt.Errorf("parsing template %q: unknown placeholder {%s}: use one of {%s}", s, name, strings.Join(Placeholders, "}, {"))
			}
			if text.Len() > 0 {
				t.parts = append(t.parts, part{text: text.String()})
				text.Reset()
			}
			t.parts = append(t.parts, part{name: name})
			i += end + 1
		case c == '}':
			return Template{}, fmt.Errorf("parsing template %q: the } at offset %d has no {: write }} for a literal brace", s, i)
		default:
			text.WriteByte(c)
		}
	}
	if text.Len() > 0 {
		t.parts = append(t.parts, part{text: text.String()})
	}
	return t, nil
}

// String returns the template as written.
func (t Template) String() string { return t.src }

// Empty reports a template with nothing in it: the generated default applies.
func (t Template) Empty() bool { return strings.TrimSpace(t.src) == "" }

// Render fills the placeholders from values; a missing value is empty.
func (t Template) Render(values map[string]string) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.name != "" {
			b.WriteString(values[p.name])
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}
