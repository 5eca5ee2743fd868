package gitserver

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// newServer starts a server that the test closes when it ends.
func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v) = %v", opts, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return s
}

// client is a git CLI user with a home of its own, so that nothing
// depends on the machine's or the developer's git configuration.
type client struct {
	t    *testing.T
	home string
	env  []string
}

func newClient(t *testing.T, extraEnv ...string) *client {
	t.Helper()
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=init.defaultBranch", "GIT_CONFIG_VALUE_0=main",
		"GIT_CONFIG_KEY_1=advice.detachedHead", "GIT_CONFIG_VALUE_1=false",
	)
	return &client{t: t, home: home, env: append(env, extraEnv...)}
}

// git runs git in dir and returns its combined output.
func (c *client) git(dir string, args ...string) (string, error) {
	c.t.Helper()
	cmd := exec.CommandContext(c.t.Context(), "git", args...)
	cmd.Dir = dir
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// must runs git in dir and fails the test when git fails.
func (c *client) must(dir string, args ...string) string {
	c.t.Helper()
	out, err := c.git(dir, args...)
	if err != nil {
		c.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// commit writes a file in the work tree and commits it, returning the
// commit's SHA.
func (c *client) commit(dir, file, content string) string {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.must(dir, "add", file)
	c.must(dir, "commit", "--quiet", "-m", "edit "+file)
	return c.must(dir, "rev-parse", "HEAD")
}

// seed creates owner/name on the server with n commits on main, pushed
// from a fresh local repository, and returns the commits oldest first.
func seed(t *testing.T, s *Server, owner, name string, n int) []string {
	t.Helper()
	if _, err := s.CreateRepo(owner, name, "main"); err != nil {
		t.Fatalf("CreateRepo(%q, %q, main) = %v", owner, name, err)
	}
	c := newClient(t)
	dir := t.TempDir()
	c.must(dir, "init", "--quiet")
	var shas []string
	for i := range n {
		shas = append(shas, c.commit(dir, "file.txt", strings.Repeat("line\n", i+1)))
	}
	c.must(dir, "push", "--quiet", s.RepoURL(owner, name), "HEAD:refs/heads/main")
	return shas
}

// serverRef returns what a ref points to in the server's bare repository.
func serverRef(t *testing.T, s *Server, owner, name, ref string) string {
	t.Helper()
	out, err := newClient(t).git(s.GitDir(owner, name), "rev-parse", "--verify", "--quiet", ref)
	if err != nil {
		return ""
	}
	return out
}
