package pypigate_test

import (
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/pypigate"
	"github.com/shipkit-dev/shipkit/internal/tagname"
)

// FuzzMatchTag reads arbitrary tags with arbitrary templates: no panic, and every reading
// renders back to the tag with its version valid PEP 440.
func FuzzMatchTag(f *testing.F) {
	for _, s := range [][2]string{
		{"{name}-v{version}", "acme-lib-v0.4.0"},
		{"{name}-v{version}", "acme-lib-v1.0.0-rc.1"},
		{"{name}-v{version}", "a-v1-v2.0"},
		{"v{version}", "v1!2.0.post1.dev3"},
		{"{dir}/v{version}", "lib/v1.0"},
		{"{version}-{name}", "1.0-acme"},
		{"{name}{version}", "lib2.0"},
		{"{name}-v{version}", "release-2024"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, template, tag string) {
		tmpl, err := tagname.Parse(template)
		if err != nil {
			return
		}
		ms, err := pypigate.MatchTag(tmpl, tag)
		if err != nil {
			if len(ms) != 0 {
				t.Fatalf("MatchTag(%q, %q) = %v with error %v", template, tag, ms, err)
			}
			return
		}
		for i, m := range ms {
			if i > 0 && len(m.Name) > len(ms[i-1].Name) {
				t.Fatalf("MatchTag(%q, %q) readings not longest name first: %v", template, tag, ms)
			}
			raw, ok := tmpl.Match(tag, m.Name, m.Name)
			if !ok || strings.TrimSpace(raw) == "" {
				t.Fatalf("MatchTag(%q, %q) reading %q does not render back to the tag", template, tag, m.Name)
			}
		}
	})
}
