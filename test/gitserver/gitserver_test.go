package gitserver

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

func TestCloneFetchPush(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		protocol string
	}{
		{name: "protocol v0", protocol: "0"},
		{name: "protocol v1", protocol: "1"},
		{name: "protocol v2", protocol: "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, Options{})
			if _, err := s.CreateRepo("acme", "app", "main"); err != nil {
				t.Fatalf("CreateRepo() = %v", err)
			}
			c := newClient(t, "GIT_PROTOCOL_FROM_USER=1")
			url := s.RepoURL("acme", "app")
			proto := "protocol.version=" + tc.protocol

			a := filepath.Join(t.TempDir(), "a")
			c.must("", "-c", proto, "clone", "--quiet", url, a)
			first := c.commit(a, "README.md", "hello\n")
			c.must(a, "-c", proto, "push", "--quiet", "origin", "HEAD:main")

			b := filepath.Join(t.TempDir(), "b")
			c.must("", "-c", proto, "clone", "--quiet", url, b)
			if got := c.must(b, "rev-parse", "HEAD"); got != first {
				t.Errorf("clone HEAD = %s, want %s", got, first)
			}
			if got := c.must(b, "symbolic-ref", "--short", "HEAD"); got != "main" {
				t.Errorf("clone branch = %s, want main", got)
			}

			second := c.commit(a, "README.md", "hello again\n")
			c.must(a, "-c", proto, "push", "--quiet", "origin", "HEAD:main")
			c.must(b, "-c", proto, "fetch", "--quiet", "origin")
			if got := c.must(b, "rev-parse", "origin/main"); got != second {
				t.Errorf("fetched origin/main = %s, want %s", got, second)
			}
			if got := serverRef(t, s, "acme", "app", "refs/heads/main"); got != second {
				t.Errorf("server main = %s, want %s", got, second)
			}
		})
	}
}

func TestShallowCloneThenFetchBySHA(t *testing.T) {
	t.Parallel()
	for _, protocol := range []string{"0", "2"} {
		t.Run("protocol v"+protocol, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, Options{})
			shas := seed(t, s, "acme", "app", 3)
			c := newClient(t, "GIT_PROTOCOL_FROM_USER=1")
			proto := "protocol.version=" + protocol

			dir := filepath.Join(t.TempDir(), "shallow")
			// file:// would be local; --depth needs a real transport, which this is.
			c.must("", "-c", proto, "clone", "--quiet", "--depth", "1", s.RepoURL("acme", "app"), dir)
			if got := c.must(dir, "rev-list", "--count", "HEAD"); got != "1" {
				t.Fatalf("commits in the shallow clone = %s, want 1", got)
			}
			if out, err := c.git(dir, "cat-file", "-e", shas[0]+"^{commit}"); err == nil {
				t.Fatalf("oldest commit %s is in the shallow clone already: %s", shas[0], out)
			}
			c.must(dir, "-c", proto, "fetch", "--quiet", "--depth", "1", "origin", shas[0])
			if out, err := c.git(dir, "cat-file", "-e", shas[0]+"^{commit}"); err != nil {
				t.Errorf("git fetch origin %s did not bring the commit: %v %s", shas[0], err, out)
			}
			if got := c.must(dir, "rev-parse", "FETCH_HEAD"); got != shas[0] {
				t.Errorf("FETCH_HEAD = %s, want %s", got, shas[0])
			}
		})
	}
}

func TestGoGit(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{Password: "s3cret"})
	seed := func() string {
		// seed pushes with the git CLI, which needs the token too.
		if _, err := s.CreateRepo("acme", "app", "main"); err != nil {
			t.Fatalf("CreateRepo() = %v", err)
		}
		c := newClient(t)
		dir := t.TempDir()
		c.must(dir, "init", "--quiet")
		sha := c.commit(dir, "a.txt", "a\n")
		c.must(dir, "push", "--quiet", strings.Replace(s.RepoURL("acme", "app"), "http://", "http://x:s3cret@", 1), "HEAD:refs/heads/main")
		return sha
	}
	first := seed()
	auth := &githttp.BasicAuth{Username: "x-access-token", Password: "s3cret"}
	ctx := t.Context()

	dir := t.TempDir()
	repo, err := git.PlainCloneContext(ctx, dir, false, &git.CloneOptions{URL: s.RepoURL("acme", "app"), Auth: auth})
	if err != nil {
		t.Fatalf("go-git PlainClone() = %v", err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	if head.Hash().String() != first || head.Name() != plumbing.NewBranchReferenceName("main") {
		t.Errorf("go-git clone HEAD = %s %s, want %s refs/heads/main", head.Hash(), head.Name(), first)
	}

	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.txt"), []byte("b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("b.txt"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: time.Now()}
	second, err := wt.Commit("add b", &git.CommitOptions{Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.PushContext(ctx, &git.PushOptions{Auth: auth}); err != nil {
		t.Fatalf("go-git Push() = %v", err)
	}
	if got := serverRef(t, s, "acme", "app", "refs/heads/main"); got != second.String() {
		t.Errorf("server main after go-git push = %s, want %s", got, second)
	}

	// A protected branch refuses go-git with GitHub's status reason, and
	// another branch still takes the push.
	if err := s.Protect("acme", "app", "main", RequirePullRequest); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.txt"), []byte("c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("c.txt"); err != nil {
		t.Fatal(err)
	}
	third, err := wt.Commit("add c", &git.CommitOptions{Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	err = repo.PushContext(ctx, &git.PushOptions{Auth: auth})
	if err == nil || !strings.Contains(err.Error(), "protected branch hook declined") {
		t.Errorf("go-git Push() to protected main = %v, want an error with %q", err, "protected branch hook declined")
	}
	err = repo.PushContext(ctx, &git.PushOptions{Auth: auth, RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/feature"}})
	if err != nil {
		t.Errorf("go-git Push() to feature = %v, want nil", err)
	}
	if got := serverRef(t, s, "acme", "app", "refs/heads/feature"); got != third.String() {
		t.Errorf("server feature = %s, want %s", got, third)
	}

	// go-git fetches too.
	other, err := git.PlainCloneContext(ctx, t.TempDir(), true, &git.CloneOptions{URL: s.RepoURL("acme", "app"), Auth: auth})
	if err != nil {
		t.Fatalf("go-git bare PlainClone() = %v", err)
	}
	err = other.FetchContext(ctx, &git.FetchOptions{Auth: auth, RefSpecs: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"}})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		t.Errorf("go-git Fetch() = %v", err)
	}
	if _, err := other.CommitObject(third); err != nil {
		t.Errorf("go-git fetched repository lacks %s: %v", third, err)
	}
}

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{Username: "bot", Password: "s3cret"})
	if _, err := s.CreateRepo("acme", "app", "main"); err != nil {
		t.Fatalf("CreateRepo() = %v", err)
	}
	infoRefs := s.RepoURL("acme", "app") + "/info/refs?service=git-upload-pack"
	for _, tc := range []struct {
		name       string
		user, pass string
		noAuth     bool
		want       int
	}{
		{name: "no credentials", noAuth: true, want: http.StatusUnauthorized},
		{name: "wrong password", user: "bot", pass: "nope", want: http.StatusUnauthorized},
		{name: "wrong user", user: "someone", pass: "s3cret", want: http.StatusUnauthorized},
		{name: "empty password", user: "bot", want: http.StatusUnauthorized},
		{name: "right credentials", user: "bot", pass: "s3cret", want: http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, infoRefs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.noAuth {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET info/refs as %q = %d, want %d", tc.user, resp.StatusCode, tc.want)
			}
			if got := resp.Header.Get("WWW-Authenticate"); tc.want == http.StatusUnauthorized && !strings.HasPrefix(got, "Basic ") {
				t.Errorf("WWW-Authenticate = %q, want a Basic challenge", got)
			}
		})
	}

	t.Run("git CLI", func(t *testing.T) {
		t.Parallel()
		c := newClient(t)
		out, err := c.git("", "ls-remote", s.RepoURL("acme", "app"))
		if err == nil || !strings.Contains(out, "terminal prompts disabled") {
			t.Errorf("git ls-remote without credentials = %v %q, want a failure asking for credentials", err, out)
		}
		bad := strings.Replace(s.RepoURL("acme", "app"), "http://", "http://bot:nope@", 1)
		out, err = c.git("", "ls-remote", bad)
		if err == nil || !strings.Contains(out, "Authentication failed") {
			t.Errorf("git ls-remote with a wrong password = %v %q, want %q", err, out, "Authentication failed")
		}
		good := strings.Replace(s.RepoURL("acme", "app"), "http://", "http://bot:s3cret@", 1)
		dir := t.TempDir()
		c.must(dir, "init", "--quiet")
		c.commit(dir, "a.txt", "a\n")
		c.must(dir, "push", "--quiet", good, "HEAD:main")
		c.must("", "ls-remote", good)
	})

	t.Run("any user with the token when Username is empty", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, Options{Password: "tok"})
		for _, user := range []string{"x-access-token", "anything", ""} {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+"/a/b.git/info/refs", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth(user, "tok")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				t.Errorf("GET as %q with the token = 401, want no 401", user)
			}
		}
	})
}

func TestProtect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		branch  string // given to Protect
		push    string // branch pushed
		rule    Rule
		want    []string // lines the client's output must contain
		wantRef string   // the status reason
	}{
		{
			name: "pull request", branch: "main", push: "main", rule: RequirePullRequest,
			want: []string{
				"remote: error: GH006: Protected branch update failed for refs/heads/main.",
				"remote: - Changes must be made through a pull request.",
			},
			wantRef: "! [remote rejected] HEAD -> main (protected branch hook declined)",
		},
		{
			name: "ruleset", branch: "main", push: "main", rule: Ruleset,
			want: []string{
				"remote: error: GH013: Repository rule violations found for refs/heads/main.",
				"remote: Review all repository rules at {repo}/rules?ref=refs%2Fheads%2Fmain",
				"remote: - Changes must be made through a pull request.",
			},
			wantRef: "! [remote rejected] HEAD -> main (push declined due to repository rule violations)",
		},
		{
			name: "signatures", branch: "main", push: "main", rule: RequireSignatures,
			want: []string{
				"remote: error: GH006: Protected branch update failed for refs/heads/main.",
				"remote: - Commits must have verified signatures.",
			},
			wantRef: "! [remote rejected] HEAD -> main (protected branch hook declined)",
		},
		{
			name: "status checks", branch: "main", push: "main", rule: RequireStatusChecks,
			want: []string{
				"remote: error: GH006: Protected branch update failed for refs/heads/main.",
				"remote: - 1 of 1 required status checks are expected.",
			},
			wantRef: "! [remote rejected] HEAD -> main (protected branch hook declined)",
		},
		{
			name: "pattern", branch: "release/*", push: "release/v1", rule: RequirePullRequest,
			want: []string{
				"remote: error: GH006: Protected branch update failed for refs/heads/release/v1.",
			},
			wantRef: "! [remote rejected] HEAD -> release/v1 (protected branch hook declined)",
		},
		{
			name: "full ref name", branch: "refs/heads/prod", push: "prod", rule: Ruleset,
			want: []string{
				"remote: error: GH013: Repository rule violations found for refs/heads/prod.",
				"remote: Review all repository rules at {repo}/rules?ref=refs%2Fheads%2Fprod",
			},
			wantRef: "! [remote rejected] HEAD -> prod (push declined due to repository rule violations)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, Options{})
			shas := seed(t, s, "acme", "app", 1)
			c := newClient(t)
			url := s.RepoURL("acme", "app")
			if tc.push != "main" {
				c.must(s.GitDir("acme", "app"), "update-ref", "refs/heads/"+tc.push, shas[0])
			}
			if err := s.Protect("acme", "app", tc.branch, tc.rule); err != nil {
				t.Fatalf("Protect(%q, %v) = %v", tc.branch, tc.rule, err)
			}
			dir := filepath.Join(t.TempDir(), "w")
			c.must("", "clone", "--quiet", "--branch", tc.push, url, dir)
			sha := c.commit(dir, "change.txt", "change\n")

			out, err := c.git(dir, "push", "origin", "HEAD:"+tc.push)
			if err == nil {
				t.Fatalf("git push to protected %s succeeded:\n%s", tc.push, out)
			}
			lines := trimLines(out)
			for _, w := range append(tc.want, tc.wantRef) {
				w = strings.ReplaceAll(w, "{repo}", s.URL()+"/acme/app")
				if !containsLine(lines, w) {
					t.Errorf("git push to protected %s: output lacks line %q:\n%s", tc.push, w, out)
				}
			}
			if got := serverRef(t, s, "acme", "app", "refs/heads/"+tc.push); got == sha {
				t.Errorf("protected %s moved to %s", tc.push, sha)
			}

			// Another branch takes the same commit.
			c.must(dir, "push", "--quiet", "origin", "HEAD:refs/heads/topic")
			if got := serverRef(t, s, "acme", "app", "refs/heads/topic"); got != sha {
				t.Errorf("topic = %s, want %s", got, sha)
			}

			if err := s.Unprotect("acme", "app", tc.branch); err != nil {
				t.Fatalf("Unprotect(%q) = %v", tc.branch, err)
			}
			c.must(dir, "push", "--quiet", "origin", "HEAD:"+tc.push)
			if got := serverRef(t, s, "acme", "app", "refs/heads/"+tc.push); got != sha {
				t.Errorf("after Unprotect, %s = %s, want %s", tc.push, got, sha)
			}
		})
	}
}

// TestRequireSignaturesAcceptsSignedCommits pushes a commit object that
// carries a gpgsig header; the server does not verify signatures.
func TestRequireSignaturesAcceptsSignedCommits(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	seed(t, s, "acme", "app", 1)
	if err := s.Protect("acme", "app", "main", RequireSignatures); err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	dir := filepath.Join(t.TempDir(), "w")
	c.must("", "clone", "--quiet", s.RepoURL("acme", "app"), dir)
	c.commit(dir, "b.txt", "b\n")
	raw := c.must(dir, "cat-file", "commit", "HEAD")
	header, body, _ := strings.Cut(raw, "\n\n")
	signed := header + "\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n aGVsbG8=\n -----END PGP SIGNATURE-----\n\n" + body + "\n"
	f := filepath.Join(t.TempDir(), "commit")
	if err := os.WriteFile(f, []byte(signed), 0o644); err != nil {
		t.Fatal(err)
	}
	sha := c.must(dir, "hash-object", "-t", "commit", "-w", f)
	if out, err := c.git(dir, "push", "origin", sha+":refs/heads/main"); err != nil {
		t.Fatalf("git push of a signed commit = %v, want success:\n%s", err, out)
	}
	if got := serverRef(t, s, "acme", "app", "refs/heads/main"); got != sha {
		t.Errorf("main = %s, want %s", got, sha)
	}
}

func TestDelayPushesRace(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	shas := seed(t, s, "acme", "app", 1)
	const delay = time.Second
	if err := s.DelayPushes("acme", "app", delay); err != nil {
		t.Fatalf("DelayPushes(%v) = %v", delay, err)
	}
	c := newClient(t)
	var dirs [2]string
	var commits [2]string
	for i := range dirs {
		dirs[i] = filepath.Join(t.TempDir(), "w")
		c.must("", "clone", "--quiet", s.RepoURL("acme", "app"), dirs[i])
		commits[i] = c.commit(dirs[i], "racer.txt", string(rune('a'+i))+"\n")
	}

	// The first push starts; once the server has its request, the second
	// one starts, and sees main where the first one saw it.
	var wg sync.WaitGroup
	var outs [2]string
	var errs [2]error
	start := time.Now()
	wg.Go(func() { outs[0], errs[0] = c.git(dirs[0], "push", "origin", "HEAD:main") })
	for s.Pushes("acme", "app") < 2 && time.Since(start) < 10*time.Second {
		time.Sleep(5 * time.Millisecond)
	}
	wg.Go(func() { outs[1], errs[1] = c.git(dirs[1], "push", "origin", "HEAD:main") })
	wg.Wait()
	if took := time.Since(start); took < delay {
		t.Errorf("two delayed pushes took %v, want at least %v", took, delay)
	}

	// Either may win: a busy machine can start the first one's hook late.
	winner, loser := 0, 1
	if errs[0] != nil {
		winner, loser = 1, 0
	}
	if errs[winner] != nil || errs[loser] == nil {
		t.Fatalf("push errors = %v, %v; want exactly one failure\n%s\n---\n%s", errs[0], errs[1], outs[0], outs[1])
	}
	// The loser read main at the seed commit, like the winner, and fails
	// to lock it: what git reports for a lost race.
	lines := trimLines(outs[loser])
	for _, want := range []string{
		"remote: error: cannot lock ref 'refs/heads/main': is at " + commits[winner] + " but expected " + shas[0],
		"! [remote rejected] HEAD -> main (failed to update ref)",
	} {
		if !containsLine(lines, want) {
			t.Errorf("losing push output lacks line %q:\n%s", want, outs[loser])
		}
	}
	if got := serverRef(t, s, "acme", "app", "refs/heads/main"); got != commits[winner] {
		t.Errorf("main = %s, want the winner's %s", got, commits[winner])
	}

	// Pushed again, the loser is refused as a non-fast-forward.
	if err := s.DelayPushes("acme", "app", 0); err != nil {
		t.Fatal(err)
	}
	out, err := c.git(dirs[loser], "push", "origin", "HEAD:main")
	if err == nil || !strings.Contains(out, "! [rejected]        HEAD -> main (fetch first)") {
		t.Errorf("second push of the loser = %v, want a rejection (fetch first):\n%s", err, out)
	}
}

func TestCounters(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	seed(t, s, "acme", "app", 1)
	if _, err := s.CreateRepo("acme", "other", ""); err != nil {
		t.Fatal(err)
	}
	check := func(when string, pushes, fetches int) {
		t.Helper()
		if got := s.Pushes("acme", "app"); got != pushes {
			t.Errorf("%s: Pushes(acme, app) = %d, want %d", when, got, pushes)
		}
		if got := s.Fetches("acme", "app"); got != fetches {
			t.Errorf("%s: Fetches(acme, app) = %d, want %d", when, got, fetches)
		}
		if got := s.Pushes("acme", "other") + s.Fetches("acme", "other"); got != 0 {
			t.Errorf("%s: requests to acme/other = %d, want 0", when, got)
		}
	}
	check("after seeding", 1, 0)

	c := newClient(t, "GIT_PROTOCOL_FROM_USER=1")
	dir := filepath.Join(t.TempDir(), "w")
	c.must("", "-c", "protocol.version=0", "clone", "--quiet", s.RepoURL("acme", "app"), dir)
	check("after a v0 clone", 1, 1)
	c.must(dir, "-c", "protocol.version=2", "fetch", "--quiet", "origin")
	check("after a v2 fetch with nothing new", 1, 2) // ls-refs only
	c.commit(dir, "b.txt", "b\n")
	c.must(dir, "push", "--quiet", "origin", "HEAD:main")
	check("after a push", 2, 2)
	c.must(dir, "push", "--quiet", "origin", "HEAD:main")
	check("after a push with nothing to send", 2, 2)
	if got := s.Pushes("nobody", "nothing"); got != 0 {
		t.Errorf("Pushes(nobody, nothing) = %d, want 0", got)
	}
}

func trimLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestGoGitShallowCloneThenFetchBySHA(t *testing.T) {
	t.Parallel()
	s := newServer(t, Options{})
	shas := seed(t, s, "acme", "app", 3)
	ctx := t.Context()

	repo, err := git.PlainCloneContext(ctx, t.TempDir(), false, &git.CloneOptions{URL: s.RepoURL("acme", "app"), Depth: 1})
	if err != nil {
		t.Fatalf("go-git PlainClone(Depth: 1) = %v", err)
	}
	if _, err := repo.CommitObject(plumbing.NewHash(shas[0])); err == nil {
		t.Fatalf("oldest commit %s is in the shallow clone already", shas[0])
	}
	err = repo.FetchContext(ctx, &git.FetchOptions{
		RefSpecs: []config.RefSpec{config.RefSpec(shas[0] + ":refs/heads/old")},
		Depth:    1,
	})
	if err != nil {
		t.Fatalf("go-git Fetch(%s) = %v", shas[0], err)
	}
	if _, err := repo.CommitObject(plumbing.NewHash(shas[0])); err != nil {
		t.Errorf("after go-git Fetch(%s), the commit is missing: %v", shas[0], err)
	}
}
