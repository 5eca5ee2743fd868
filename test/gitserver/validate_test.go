package gitserver

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSplitRepoPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, path        string
		owner, repo, rest string
		ok                bool
	}{
		{name: "info refs", path: "/acme/app.git/info/refs", owner: "acme", repo: "app", rest: "/info/refs", ok: true},
		{name: "receive pack", path: "/acme/app.git/git-receive-pack", owner: "acme", repo: "app", rest: "/git-receive-pack", ok: true},
		{name: "bare repository path", path: "/acme/app.git", owner: "acme", repo: "app", ok: true},
		{name: "dots in the name", path: "/acme/acme.github.io.git/info/refs", owner: "acme", repo: "acme.github.io", rest: "/info/refs", ok: true},
		{name: "no .git", path: "/acme/app/info/refs"},
		{name: "no owner", path: "/app.git/info/refs"},
		{name: "relative", path: "acme/app.git/info/refs"},
		{name: "parent owner", path: "/../app.git/info/refs"},
		{name: "parent name", path: "/acme/...git/info/refs"},
		{name: "empty name", path: "/acme/.git/info/refs"},
		{name: "double .git", path: "/acme/app.git.git/info/refs"},
		{name: "space", path: "/ac me/app.git/info/refs"},
		{name: "root", path: "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			owner, repo, rest, ok := splitRepoPath(tc.path)
			if owner != tc.owner || repo != tc.repo || rest != tc.rest || ok != tc.ok {
				t.Errorf("splitRepoPath(%q) = %q, %q, %q, %v, want %q, %q, %q, %v",
					tc.path, owner, repo, rest, ok, tc.owner, tc.repo, tc.rest, tc.ok)
			}
		})
	}
}

func FuzzSplitRepoPath(f *testing.F) {
	for _, p := range []string{
		"/acme/app.git/info/refs", "/acme/app.git", "/a/b.git/git-upload-pack",
		"/../x.git/info/refs", "/acme/a.git.git/x", "//app.git", "/acme/app.gitx/y", "",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		owner, name, rest, ok := splitRepoPath(p)
		if !ok {
			return
		}
		if err := validRepo(owner, name); err != nil {
			t.Errorf("splitRepoPath(%q) accepted %q/%q: %v", p, owner, name, err)
		}
		if got := "/" + owner + "/" + name + ".git" + rest; got != p {
			t.Errorf("splitRepoPath(%q) parts join to %q", p, got)
		}
		if rest != "" && !strings.HasPrefix(rest, "/") {
			t.Errorf("splitRepoPath(%q) rest = %q, want empty or a leading slash", p, rest)
		}
		if clean := filepath.Join("/root", owner, name+".git"); !strings.HasPrefix(clean, "/root/") || strings.Count(clean, "/") != 3 {
			t.Errorf("splitRepoPath(%q) leaves the root: %q", p, clean)
		}
	})
}

func TestErrors(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	if _, err := s.CreateRepo("acme", "app", "main"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{name: "CreateRepo bad owner", call: func() error { _, err := s.CreateRepo("../x", "app", ""); return err }, want: `checking owner "../x"`},
		{name: "CreateRepo empty name", call: func() error { _, err := s.CreateRepo("acme", "", ""); return err }, want: `checking repository name ""`},
		{name: "CreateRepo .git suffix", call: func() error { _, err := s.CreateRepo("acme", "x.git", ""); return err }, want: "leave out the .git suffix"},
		{name: "CreateRepo bad branch", call: func() error { _, err := s.CreateRepo("acme", "x", "a..b"); return err }, want: `checking default branch "a..b"`},
		{name: "CreateRepo exists", call: func() error { _, err := s.CreateRepo("acme", "app", ""); return err }, want: "exists already"},
		{name: "Protect missing repo", call: func() error { return s.Protect("acme", "nope", "main", Ruleset) }, want: "call CreateRepo first"},
		{name: "Protect unknown rule", call: func() error { return s.Protect("acme", "app", "main", Rule(42)) }, want: "unknown rule Rule(42)"},
		{name: "Protect zero rule", call: func() error { return s.Protect("acme", "app", "main", 0) }, want: "unknown rule"},
		{name: "Protect empty branch", call: func() error { return s.Protect("acme", "app", "", Ruleset) }, want: `checking branch ""`},
		{name: "Protect branch with space", call: func() error { return s.Protect("acme", "app", "a b", Ruleset) }, want: `checking branch "a b"`},
		{name: "Protect branch with newline", call: func() error { return s.Protect("acme", "app", "a\ndelay 9", Ruleset) }, want: "checking branch"},
		{name: "Unprotect missing repo", call: func() error { return s.Unprotect("acme", "nope", "main") }, want: "call CreateRepo first"},
		{name: "Unprotect bad branch", call: func() error { return s.Unprotect("acme", "app", "-x") }, want: `checking branch "-x"`},
		{name: "DelayPushes negative", call: func() error { return s.DelayPushes("acme", "app", -time.Second) }, want: "give a positive duration"},
		{name: "DelayPushes bad owner", call: func() error { return s.DelayPushes("a/b", "app", time.Second) }, want: `checking owner "a/b"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s = %v, want an error containing %q", tc.name, err, tc.want)
			}
		})
	}
	if err := s.Unprotect("acme", "app", "never-protected"); err != nil {
		t.Errorf("Unprotect(never-protected) = %v, want nil", err)
	}
}

// TestRoot serves repositories from a given directory, including one that
// git made without the server, and leaves the directory in place on Close.
func TestRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	c := newClient(t)
	outside := filepath.Join(root, "acme", "made-by-git.git")
	c.must("", "init", "--quiet", "--bare", outside)

	s, err := New(Options{Root: root})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	gitDir, err := s.CreateRepo("acme", "app", "trunk")
	if err != nil {
		t.Fatalf("CreateRepo() = %v", err)
	}
	if want := filepath.Join(root, "acme", "app.git"); gitDir != want || s.GitDir("acme", "app") != want {
		t.Errorf("CreateRepo() = %q, GitDir() = %q, want %q", gitDir, s.GitDir("acme", "app"), want)
	}
	if got := c.must(gitDir, "symbolic-ref", "HEAD"); got != "refs/heads/trunk" {
		t.Errorf("HEAD = %q, want refs/heads/trunk", got)
	}
	if got, want := s.RepoURL("acme", "app"), s.URL()+"/acme/app.git"; got != want {
		t.Errorf("RepoURL() = %q, want %q", got, want)
	}

	// The repository git made takes pushes, and protection once asked for.
	dir := t.TempDir()
	c.must(dir, "init", "--quiet")
	c.commit(dir, "a.txt", "a\n")
	c.must(dir, "push", "--quiet", s.RepoURL("acme", "made-by-git"), "HEAD:main")
	if err := s.Protect("acme", "made-by-git", "main", RequirePullRequest); err != nil {
		t.Fatalf("Protect() on a repository made by git = %v", err)
	}
	c.commit(dir, "b.txt", "b\n")
	if out, err := c.git(dir, "push", s.RepoURL("acme", "made-by-git"), "HEAD:main"); err == nil || !strings.Contains(out, "GH006") {
		t.Errorf("push to protected main = %v, want GH006:\n%s", err, out)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	if _, err := os.Stat(gitDir); err != nil {
		t.Errorf("Close() removed the given root: %v", err)
	}
}

func TestCloseRemovesTempRoot(t *testing.T) {
	t.Parallel()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRepo("acme", "app", ""); err != nil {
		t.Fatal(err)
	}
	root := s.Root()
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("after Close(), Stat(root) = %v, want not exist", err)
	}
}

func TestHooksAreShellScripts(t *testing.T) {
	t.Parallel()
	for name, script := range map[string]string{"pre-receive": preReceiveHook, "proc-receive": procReceiveHook} {
		if !strings.HasPrefix(script, "#!/bin/sh\n") {
			t.Errorf("%s hook does not start with #!/bin/sh", name)
		}
		if out, err := exec.Command("sh", "-n", "-c", script).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s = %v: %s", name, err, out)
		}
	}
}
