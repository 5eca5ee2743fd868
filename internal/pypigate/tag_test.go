package pypigate_test

import (
	"strings"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/pypigate"
	"github.com/shipkit-dev/shipkit/internal/tagname"
	"github.com/shipkit-dev/shipkit/internal/version"
)

func mustTemplate(t testing.TB, raw string) tagname.Template {
	t.Helper()
	tmpl, err := tagname.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestBaseline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tags []string // acme-lib-v<version> tags, in creation order
		cur  string
		want string // "" for none
	}{
		{name: "first release", cur: "1.0.0"},
		{name: "only higher tags", tags: []string{"2.0.0"}, cur: "1.5.0"},
		{name: "previous stable", tags: []string{"0.9.0", "1.0.0", "1.1.0"}, cur: "1.2.0", want: "1.1.0"},
		{name: "stable after its rcs skips them", tags: []string{"1.0.0", "2.0.0rc1", "2.0.0rc2"}, cur: "2.0.0", want: "1.0.0"},
		{name: "stable after rcs with no stable before", tags: []string{"2.0.0a1", "2.0.0rc1"}, cur: "2.0.0"},
		{name: "rc after rc", tags: []string{"1.0.0", "2.0.0rc1"}, cur: "2.0.0rc2", want: "2.0.0rc1"},
		{name: "first rc compares with the last stable", tags: []string{"1.0.0", "1.0.1"}, cur: "2.0.0rc1", want: "1.0.1"},
		{name: "rc sorts before its release, not after", tags: []string{"1.0rc1", "1.0"}, cur: "1.0.post1", want: "1.0"},
		{name: "post-release is stable", tags: []string{"1.0", "1.0.post1"}, cur: "1.1", want: "1.0.post1"},
		{name: "post-release after its release", tags: []string{"1.0"}, cur: "1.0.post1", want: "1.0"},
		{name: "dev release is not what PyPI got", tags: []string{"1.0", "1.1.dev3"}, cur: "1.1", want: "1.0"},
		{name: "dev then pre", tags: []string{"1.0", "1.1.dev3"}, cur: "1.1a1", want: "1.1.dev3"},
		{name: "epoch wins over numbers", tags: []string{"2020.1", "1!1.0"}, cur: "1!1.1", want: "1!1.0"},
		{name: "epoch below", tags: []string{"1!1.0", "2020.1"}, cur: "2021.1", want: "2020.1"},
		{name: "not lexical order", tags: []string{"1.9.0", "1.10.0"}, cur: "1.11.0", want: "1.10.0"},
		{name: "tags created out of order", tags: []string{"2.0.0", "1.5.1", "1.4.0"}, cur: "1.6.0", want: "1.5.1"},
		{name: "the same version is not below", tags: []string{"1.0", "1.1.0"}, cur: "1.1", want: "1.0"},
		{name: "hotfix on an old line", tags: []string{"1.0.0", "2.0.0", "2.1.0"}, cur: "1.0.1", want: "1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cands []pypigate.Candidate
			for i, v := range tt.tags {
				cands = append(cands, pypigate.Candidate{
					Tag:     gitrepo.Tag{Name: "acme-lib-v" + v, Commit: strings.Repeat(string(rune('a'+i)), 40)},
					Version: version.MustParse(version.PEP440, v),
				})
			}
			got, ok := pypigate.Baseline(version.MustParse(version.PEP440, tt.cur), cands)
			gotName := ""
			if ok {
				gotName = got.Tag.Name
			}
			want := ""
			if tt.want != "" {
				want = "acme-lib-v" + tt.want
			}
			if gotName != want {
				t.Errorf("Baseline(%s, %v) = %q, want %q", tt.cur, tt.tags, gotName, want)
			}
		})
	}
}

func TestMatchTag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, template, tag string
		wantName, wantVer   string
		wantErr             string
	}{
		{name: "reference pipeline", template: "{name}-v{version}", tag: "acme-lib-v0.4.0", wantName: "acme-lib", wantVer: "0.4.0"},
		{name: "semver spelling normalised", template: "{name}-v{version}", tag: "acme-lib-v1.0.0-rc.1", wantName: "acme-lib", wantVer: "1.0.0rc1"},
		{name: "name holding -v", template: "{name}-v{version}", tag: "my-vlib-v2.0", wantName: "my-vlib", wantVer: "2.0"},
		{name: "epoch", template: "{name}-v{version}", tag: "lib-v1!2.0", wantName: "lib", wantVer: "1!2.0"},
		{name: "single package", template: "v{version}", tag: "v1.2.3", wantVer: "1.2.3"},
		{name: "dir placeholder", template: "{dir}/v{version}", tag: "acme-lib/v0.4.0", wantName: "acme-lib", wantVer: "0.4.0"},
		{name: "version first", template: "{version}-{name}", tag: "1.0-acme", wantName: "acme", wantVer: "1.0"},
		{name: "does not fit", template: "{name}-v{version}", tag: "release-2024", wantErr: `does not fit tag-template "{name}-v{version}"`},
		{name: "other scheme", template: "v{version}", tag: "vnext", wantErr: "its version is not PEP 440"},
		{name: "invalid version", template: "{name}-v{version}", tag: "acme-lib-v1.0.x", wantErr: "not PEP 440"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := pypigate.MatchTag(mustTemplate(t, tt.template), tt.tag)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("MatchTag(%q, %q) error = %v, want one containing %q", tt.template, tt.tag, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("MatchTag(%q, %q) error = %v", tt.template, tt.tag, err)
			}
			if got[0].Name != tt.wantName || got[0].Version.String() != tt.wantVer {
				t.Errorf("MatchTag(%q, %q) = %s %s, want %s %s", tt.template, tt.tag, got[0].Name, got[0].Version, tt.wantName, tt.wantVer)
			}
		})
	}
}

func TestPackageTagsKeepsOnlyThePackage(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t, "{name}-v{version}")
	var tags []gitrepo.Tag
	for _, n := range []string{"acme-v1.0", "acme-v1.1", "acme-v2-v3.0", "acme-vnext", "acme-lib-v9.0", "acme-v1.2-hotfix"} {
		tags = append(tags, gitrepo.Tag{Name: n})
	}
	got := pypigate.PackageTags(tmpl, "acme", tags)
	var names []string
	for _, c := range got {
		names = append(names, c.Tag.Name)
	}
	if want := "acme-v1.0 acme-v1.1"; strings.Join(names, " ") != want {
		t.Errorf("PackageTags(acme) = %v, want %s (acme-v2-v3.0 is package acme-v2's)", names, want)
	}
}

func TestDevVersion(t *testing.T) {
	t.Parallel()
	tests := []struct{ v, want string }{
		{"0.4.0", "0.4.0.dev4203"},
		{"1.0rc1", "1.0rc1.dev4203"},
		{"1.0.post2", "1.0.post2.dev4203"},
		{"1.0.dev7", "1.0.dev4203"},
	}
	for _, tt := range tests {
		got, err := pypigate.DevVersion(version.MustParse(version.PEP440, tt.v), 42, 3)
		if err != nil || got != tt.want {
			t.Errorf("DevVersion(%s, 42, 3) = %q, %v, want %q", tt.v, got, err, tt.want)
		}
	}
}
