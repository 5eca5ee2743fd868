// Package gitfixture builds git repositories for tests with the real git CLI: files, commits,
// tags, clones and pushes, each step one call that fails the test on error.
package gitfixture

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Env is the environment every git command runs with: no system or user configuration, a fixed
// identity and dates, so fixtures are reproducible and independent of the machine.
func Env(home string) []string {
	return append(os.Environ(),
		"HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Ada Developer", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Developer", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_TERMINAL_PROMPT=0",
	)
}

// Repo is a working repository in a temporary folder.
type Repo struct {
	t    testing.TB
	Dir  string
	home string
	// tick advances commit dates so the history order is well defined.
	tick int
}

// Init creates an empty repository with main as its branch.
func Init(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir(), home: t.TempDir()}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Clone clones url into a new folder with extra git clone arguments (for example --depth 1).
func Clone(t testing.TB, url string, args ...string) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir(), home: t.TempDir()}
	r.Git(append(append([]string{"clone", "-q"}, args...), url, r.Dir)...)
	return r
}

// Git runs git in the repository and returns its trimmed standard output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	out, err := r.TryGit(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// TryGit runs git and returns its output, or an error holding its standard error.
func (r *Repo) TryGit(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	r.tick++
	date := "@" + strconv.Itoa(1767225600+r.tick*60) + " +0000"
	cmd.Env = append(Env(r.home), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return strings.TrimSpace(stdout.String()), &Error{Args: args, Err: err, Stderr: stderr.String()}
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Error is a failed git command with its standard error.
type Error struct {
	Args   []string
	Err    error
	Stderr string
}

func (e *Error) Error() string {
	return e.Err.Error() + ": " + strings.TrimSpace(e.Stderr)
}

// Write writes files (slash path to content), creating folders.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// CopyTree copies the folder src into the repository root.
func (r *Repo) CopyTree(src string) {
	r.t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(r.Dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		r.t.Fatalf("copying %s: %v", src, err)
	}
}

// Commit writes files, stages everything and commits; it returns the new commit's SHA.
func (r *Repo) Commit(message string, files map[string]string) string {
	r.t.Helper()
	r.Write(files)
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", message)
	return r.Head()
}

// Head returns the SHA of HEAD.
func (r *Repo) Head() string {
	r.t.Helper()
	return r.Git("rev-parse", "HEAD")
}
