package actionspec

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated section of the actions' README.md files and the golden files")

// repoRoot is the repository root, seen from this package.
const repoRoot = "../.."

// TestReadmesInSync checks that the inputs and outputs tables in every action's README.md match
// its action.yml. Fix a failure with:
//
//	go test ./internal/actionspec -run TestReadmesInSync -update
func TestReadmesInSync(t *testing.T) {
	t.Parallel()
	dirs, err := actionDirs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Logf("no actions under %s yet", repoRoot)
	}
	for _, p := range checkReadmes(dirs, *update) {
		t.Error(p)
	}
}

// actionDirs lists the folders of root's actions: actions/*/ with an action.yml, and root itself
// when it holds an action.yml.
func actionDirs(root string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	if err != nil {
		return nil, err
	}
	var dirs []string
	if _, err := os.Stat(filepath.Join(root, "action.yml")); err == nil {
		dirs = append(dirs, root)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, m := range matches {
		dirs = append(dirs, filepath.Dir(m))
	}
	return dirs, nil
}

// checkReadmes compares (or, with update, rewrites) the generated section of each dir's README.md
// and returns one message per problem.
func checkReadmes(dirs []string, update bool) []string {
	var problems []string
	for _, dir := range dirs {
		if err := checkReadme(dir, update); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return problems
}

func checkReadme(dir string, update bool) error {
	data, err := os.ReadFile(filepath.Join(dir, "action.yml"))
	if err != nil {
		return err
	}
	spec, err := Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	readmePath := filepath.Join(dir, "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return fmt.Errorf("reading %s (every action needs a README.md with the docs markers): %w", readmePath, err)
	}
	want, err := UpdateReadme(readme, spec.MarkdownTables())
	if err != nil {
		return fmt.Errorf("%s: %w", readmePath, err)
	}
	if string(want) == string(readme) {
		return nil
	}
	if update {
		info, err := os.Stat(readmePath)
		if err != nil {
			return err
		}
		return os.WriteFile(readmePath, want, info.Mode().Perm())
	}
	return fmt.Errorf("%s is out of date with its action.yml; run\n\tgo test ./internal/actionspec -run TestReadmesInSync -update\n--- %s\n+++ generated\n%s",
		readmePath, readmePath, lineDiff(string(readme), string(want)))
}

// lineDiff returns the changed lines of a and b, "-" for a's and "+" for b's, with one line of
// context, from a longest-common-subsequence alignment.
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the LCS length of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			lines = append(lines, line{' ', x[i]})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, line{'-', x[i]})
			i++
		default:
			lines = append(lines, line{'+', y[j]})
			j++
		}
	}
	var out strings.Builder
	for k, l := range lines {
		near := l.op != ' ' ||
			(k > 0 && lines[k-1].op != ' ') || (k+1 < len(lines) && lines[k+1].op != ' ')
		if near {
			fmt.Fprintf(&out, "%c %s\n", l.op, l.text)
		}
	}
	return out.String()
}

func TestCheckReadmes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "actions", "example")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"action.yml", "README.md"} {
		data, err := os.ReadFile(filepath.Join("testdata", "example", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// An action without a README is a problem too.
	bare := filepath.Join(root, "actions", "bare")
	if err := os.MkdirAll(bare, 0o755); err != nil {
		t.Fatal(err)
	}
	yml, _ := os.ReadFile(filepath.Join("testdata", "example", "action.yml"))
	if err := os.WriteFile(filepath.Join(bare, "action.yml"), yml, 0o644); err != nil {
		t.Fatal(err)
	}

	dirs, err := actionDirs(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 2 {
		t.Fatalf("actionDirs(%q) = %q, want the 2 actions", root, dirs)
	}
	problems := checkReadmes(dirs, false)
	if len(problems) != 2 {
		t.Fatalf("checkReadmes() = %q, want 2 problems", problems)
	}
	joined := strings.Join(problems, "\n")
	for _, want := range []string{"bare/README.md", "example/README.md is out of date", "+ | `mode` |", "-update"} {
		if !strings.Contains(joined, want) {
			t.Errorf("checkReadmes() = %s\nwant it to contain %q", joined, want)
		}
	}

	// -update fixes the stale README, after which it is in sync.
	checkReadmes(dirs, true)
	if p := checkReadmes([]string{dir}, false); len(p) != 0 {
		t.Errorf("checkReadmes() after update = %q, want none", p)
	}
	got, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "example", "README.golden.md"), got)
}

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (create it with -update): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run with -update after checking):\n%s", path, lineDiff(string(want), string(got)))
	}
}

func TestLineDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b, want string
	}{
		{name: "equal", a: "x\ny", b: "x\ny", want: ""},
		{name: "changed line", a: "a\nb\nc\nd\ne", b: "a\nb\nC\nd\ne", want: "  b\n- c\n+ C\n  d\n"},
		{name: "added", a: "a", b: "a\nb", want: "  a\n+ b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := lineDiff(tt.a, tt.b); got != tt.want {
				t.Errorf("lineDiff(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
