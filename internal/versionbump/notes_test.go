package versionbump

import (
	"testing"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
)

func TestParseConventional(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, message string
		want          ConventionalCommit
		ok            bool
	}{
		{"plain", "feat: add totals", ConventionalCommit{Type: "feat", Subject: "add totals"}, true},
		{"scope", "fix(lib): round to cents", ConventionalCommit{Type: "fix", Scope: "lib", Subject: "round to cents"}, true},
		{"bang", "feat(api)!: drop v1", ConventionalCommit{Type: "feat", Scope: "api", Subject: "drop v1", Breaking: true}, true},
		{"footer", "refactor: x\n\nBREAKING CHANGE: y", ConventionalCommit{Type: "refactor", Subject: "x", Breaking: true}, true},
		{"not conventional", "Merge pull request #4", ConventionalCommit{Subject: "Merge pull request #4"}, false},
		{"bad scope", "feat(x: y", ConventionalCommit{Subject: "feat(x: y"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseConventional(tt.message)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseConventional(%q) = %+v, %v, want %+v, %v", tt.message, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRenderCommitNotes(t *testing.T) {
	t.Parallel()
	commits := []gitrepo.Commit{
		{SHA: "1111111111111111111111111111111111111111", Message: "feat(lib)!: new pricing API"},
		{SHA: "2222222222222222222222222222222222222222", Message: "fix: rounding\n\nbody"},
		{SHA: "3333333333333333333333333333333333333333", Message: "chore: bump version"},
		{SHA: "4444444444444444444444444444444444444444", Message: "Update README"},
	}
	got := RenderCommitNotes(commits, "acme-lib-v0.3.0")
	want := `### ⚠ Breaking changes

- **lib:** new pricing API (11111111)

### Features

- **lib:** new pricing API (11111111)

### Bug fixes

- rounding (22222222)

### Other changes

- chore: bump version (33333333)
- Update README (44444444)

Changes since acme-lib-v0.3.0.
`
	if got != want {
		t.Errorf("RenderCommitNotes =\n%s\nwant\n%s", got, want)
	}
	if got, want := RenderCommitNotes(nil, "x-v1"), "No commits touched this package since x-v1.\n"; got != want {
		t.Errorf("RenderCommitNotes(nil) = %q, want %q", got, want)
	}
}
