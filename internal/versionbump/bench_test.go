package versionbump_test

import (
	"fmt"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/internal/runner"
	"github.com/shipkit-dev/shipkit/internal/tagname"
	"github.com/shipkit-dev/shipkit/internal/versionbump"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
)

// BenchmarkPush20Commits50Packages measures version-bump-detect's own work for a push of 20
// commits across 50 packages, on a full local clone (no API): the budget is 50 ms an operation.
func BenchmarkPush20Commits50Packages(b *testing.B) {
	r := gitfixture.Init(b)
	files := map[string]string{}
	for i := range 50 {
		files[fmt.Sprintf("packages/pkg%02d/pyproject.toml", i)] = fmt.Sprintf("[project]\nname = \"pkg%02d\"\nversion = \"1.0.%d\"\n", i, i)
		files[fmt.Sprintf("packages/pkg%02d/src/mod.py", i)] = "x = 0\n"
	}
	before := r.Commit("base", files)
	for c := range 20 {
		i := c * 2 // 20 of the 50 packages are bumped, one a commit
		r.Commit(fmt.Sprintf("bump pkg%02d", i), map[string]string{
			fmt.Sprintf("packages/pkg%02d/pyproject.toml", i): fmt.Sprintf("[project]\nname = \"pkg%02d\"\nversion = \"1.1.0\"\n", i),
			fmt.Sprintf("packages/pkg%02d/src/mod.py", i):     fmt.Sprintf("x = %d\n", c),
		})
	}
	after := r.Head()
	r.Git("gc", "-q") // a checkout's objects are packed, as a fetch leaves them
	tmpl, _ := tagname.Parse("{name}-v{version}")
	cfg := versionbump.Config{
		Files: []string{"packages/*/pyproject.toml"}, TagTemplate: tmpl, ReleaseNotes: versionbump.NotesNone, DryRun: true,
		Event: runner.Event{Name: "push", Before: before, After: after},
	}
	b.ResetTimer()
	for b.Loop() {
		repo, err := gitrepo.Open(r.Dir, gitrepo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := versionbump.Run(b.Context(), cfg, versionbump.Deps{History: &history.Git{Repo: repo}, Root: r.Dir})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(res.Bumped()); n != 20 {
			b.Fatalf("bumped = %d, want 20", n)
		}
		repo.Close()
	}
}
