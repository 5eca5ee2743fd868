package release

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
)

var day = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

func TestChangelog(t *testing.T) {
	in := "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Features\n\n- a thing\n\n## v1.0.0 (2026-01-01)\n\n- first\n"
	notes := "### Bug fixes\n\n- **x:** fixed (abc1234)\n\nChanges since v1.0.0.\n"
	want := "# Changelog\n\nIntro.\n\n## Unreleased\n\n## v1.1.0 (2026-11-26)\n\n### Features\n\n- a thing\n\n" +
		"### Commits\n\n#### Bug fixes\n\n- **x:** fixed (abc1234)\n\nChanges since v1.0.0.\n\n## v1.0.0 (2026-01-01)\n\n- first\n"
	out, changed, err := Changelog("CHANGELOG.md", []byte(in), "v1.1.0", day, notes)
	if err != nil || !changed || string(out) != want {
		t.Fatalf("Changelog = %v, %v\n%s\nwant\n%s", changed, err, out, want)
	}
	again, changed, err := Changelog("CHANGELOG.md", out, "v1.1.0", day, notes)
	if err != nil || changed || !bytes.Equal(again, out) {
		t.Fatalf("a second Changelog for v1.1.0 changed it: %v, %v", changed, err)
	}
}

func TestChangelogEmptyUnreleasedAtTheEnd(t *testing.T) {
	out, changed, err := Changelog("c.md", []byte("# C\n\n## Unreleased\n"), "v0.1.0", day, "")
	if err != nil || !changed || string(out) != "# C\n\n## Unreleased\n\n## v0.1.0 (2026-11-26)\n\n" {
		t.Fatalf("Changelog = %q, %v, %v", out, changed, err)
	}
}

func TestChangelogBadInput(t *testing.T) {
	if _, _, err := Changelog("docs/CHANGES.md", []byte("# Changes\n\n## v1.0.0\n"), "v1.1.0", day, ""); err == nil || !strings.Contains(err.Error(), "docs/CHANGES.md has no `## Unreleased`") {
		t.Errorf("no Unreleased heading: %v", err)
	}
	if _, _, err := Changelog("c.md", []byte("## Unreleased\n"), "1.1.0", day, ""); err == nil {
		t.Error("a version without v was accepted")
	}
}

func TestPreviousRelease(t *testing.T) {
	tags := []gitrepo.Tag{{Name: "v1.0.0"}, {Name: "v1.2.0-rc.1"}, {Name: "v1.1.0"}, {Name: "v1"}, {Name: "v2.0.0"}, {Name: "acme-v1.5.0"}}
	if got, ok := PreviousRelease(tags, "v1.2.0"); !ok || got.Name != "v1.1.0" {
		t.Errorf("PreviousRelease(v1.2.0) = %v, %v; want v1.1.0", got, ok)
	}
	if got, ok := PreviousRelease(tags, "v1.0.0"); ok {
		t.Errorf("PreviousRelease(v1.0.0) = %v, want none", got)
	}
}

// FuzzChangelog: a changelog with an Unreleased heading gains exactly one section for the
// version, keeps every line it had, and a second run changes nothing.
func FuzzChangelog(f *testing.F) {
	f.Add([]byte("# C\n\n## Unreleased\n\n- x\n\n## v1.0.0\n"), "### Features\n\n- y\n")
	f.Add([]byte("## Unreleased\r\n## v0.9.0\r\n"), "")
	f.Add([]byte("## Unreleased"), "### A\n### B")
	f.Fuzz(func(t *testing.T, data []byte, notes string) {
		out, changed, err := Changelog("c.md", data, "v1.1.0", day, notes)
		if err != nil {
			return
		}
		if !changed {
			if !bytes.Equal(out, data) {
				t.Fatal("unchanged, but the bytes differ")
			}
			return
		}
		if n := bytes.Count(out, []byte("\n## v1.1.0 (")); n != 1 {
			t.Fatalf("%d sections for v1.1.0 in %q", n, out)
		}
		for line := range strings.Lines(string(data)) {
			if !strings.Contains(string(out), strings.TrimSpace(line)) {
				t.Fatalf("line %q lost: %q", line, out)
			}
		}
		again, changed2, err := Changelog("c.md", out, "v1.1.0", day, notes)
		if err != nil || changed2 || !bytes.Equal(again, out) {
			t.Fatalf("a second run changed it: %v %v", changed2, err)
		}
	})
}

func TestChangelogEscapesHeadingsInNotes(t *testing.T) {
	out, _, err := Changelog("c.md", []byte("## Unreleased\n"), "v1.0.0", day, "# not a title\n## v9.9.9 (x)\n")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "\n## v9.9.9") || strings.Contains(string(out), "\n# not") {
		t.Fatalf("a heading of the notes came through:\n%s", out)
	}
}
