package ghemu

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

const (
	testOwner = "acme"
	testRepo  = "mono"
	testToken = "ghs_test"
)

// fixture is a working repository pushing to the bare repository the
// emulator serves.
type fixture struct {
	t    testing.TB
	work string
	bare string
	home string
}

func (f *fixture) env() []string {
	return []string{
		"HOME=" + f.home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(f.home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Ada Developer", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Developer", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z",
	}
}

// git runs git in the working repository and returns its trimmed output.
func (f *fixture) git(args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = f.work
	cmd.Env = f.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files (path to content; "" removes the file) and commits
// them on the current branch, returning the commit's SHA.
func (f *fixture) commit(msg string, files map[string]string) string {
	f.t.Helper()
	for p, content := range files {
		full := filepath.Join(f.work, p)
		if content == "" {
			f.git("rm", "-q", p)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
		f.git("add", p)
	}
	f.git("commit", "-q", "--allow-empty", "-m", msg)
	return f.git("rev-parse", "HEAD")
}

// push pushes refspecs to the bare repository.
func (f *fixture) push(refspecs ...string) {
	f.t.Helper()
	f.git(append([]string{"push", "-q", "origin"}, refspecs...)...)
}

// bareGit runs git in the bare repository.
func (f *fixture) bareGit(args ...string) string {
	f.t.Helper()
	return f.git(append([]string{"--git-dir=" + f.bare}, args...)...)
}

// newFixture makes a bare repository with two commits on main
// (pyproject.toml at 1.0.0, then 1.1.0 with a README) and a tag v1.0.0 on
// the first.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, work: filepath.Join(dir, "work"), bare: filepath.Join(dir, "mono.git"), home: filepath.Join(dir, "home")}
	for _, d := range []string{f.work, f.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f.git("init", "-q", "-b", "main")
	f.git("init", "-q", "--bare", "-b", "main", f.bare)
	f.git("remote", "add", "origin", f.bare)
	f.commit("feat: first", map[string]string{"pyproject.toml": "version = \"1.0.0\"\n", "src/app/main.py": "print(1)\n"})
	f.git("tag", "v1.0.0")
	f.commit("feat: bump to 1.1.0", map[string]string{"pyproject.toml": "version = \"1.1.0\"\n", "README.md": "# mono\n"})
	f.push("main", "v1.0.0")
	return f
}

// setup starts an emulator serving a new fixture as acme/mono, with
// validation and a token, and a go-github client for it. At the end of the
// test it fails on any problem the server recorded.
func setup(t *testing.T) (*Server, *github.Client, *fixture) {
	t.Helper()
	f := newFixture(t)
	s, err := New(Options{Token: testToken})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	t.Cleanup(func() {
		if p := s.Problems(); len(p) > 0 {
			t.Errorf("Problems() = %q, want none", p)
		}
		if r := s.Rejections(); len(r) > 0 {
			t.Errorf("Rejections() = %q, want none", r)
		}
		s.Close()
	})
	if !s.Validating() {
		t.Fatalf("Validating() = false, want true")
	}
	if err := s.AddRepo(testOwner, testRepo, f.bare, "main"); err != nil {
		t.Fatalf("AddRepo() = %v", err)
	}
	return s, newClient(t, s, testToken), f
}

func newClient(t testing.TB, s *Server, token string) *github.Client {
	t.Helper()
	c := github.NewClient(nil).WithAuthToken(token)
	u, err := url.Parse(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

// code returns the HTTP status of a go-github response, or 0.
func code(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// errMessage returns the message of a go-github error response.
func errMessage(err error) string {
	if e, ok := err.(*github.ErrorResponse); ok {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// expectRejected checks that the OpenAPI validator rejected exactly one
// request, for the operation op, and forgets it, so that a test of a client
// mistake does not fail the end-of-test check.
func expectRejected(t *testing.T, s *Server, op string) {
	t.Helper()
	if r := s.Rejections(); len(r) != 1 || !strings.Contains(r[0], "("+op+")") {
		t.Errorf("Rejections() = %q, want one of %s", r, op)
	}
	if p := s.Problems(); len(p) > 0 {
		t.Errorf("Problems() = %q, want none", p)
	}
	s.ResetProblems()
}
