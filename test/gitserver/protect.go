package gitserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Rule is a kind of GitHub branch protection that Protect plays. Each one
// refuses the push with the message and status reason GitHub gives for it.
type Rule int

const (
	// RequirePullRequest is classic branch protection requiring a pull
	// request. The client sees:
	//
	//	remote: error: GH006: Protected branch update failed for refs/heads/main.
	//	remote:
	//	remote: - Changes must be made through a pull request.
	//	 ! [remote rejected] main -> main (protected branch hook declined)
	RequirePullRequest Rule = iota + 1

	// Ruleset is a repository ruleset requiring a pull request. The client
	// sees:
	//
	//	remote: error: GH013: Repository rule violations found for refs/heads/main.
	//	remote: Review all repository rules at http://127.0.0.1:PORT/owner/name/rules?ref=refs%2Fheads%2Fmain
	//	remote:
	//	remote: - Changes must be made through a pull request.
	//	remote:
	//	 ! [remote rejected] main -> main (push declined due to repository rule violations)
	Ruleset

	// RequireSignatures is classic branch protection requiring signed
	// commits. A push is refused when one of its new commits has no
	// signature; signatures are not verified. The client sees:
	//
	//	remote: error: GH006: Protected branch update failed for refs/heads/main.
	//	remote:
	//	remote: - Commits must have verified signatures.
	//	 ! [remote rejected] main -> main (protected branch hook declined)
	RequireSignatures

	// RequireStatusChecks is classic branch protection requiring status
	// checks, which a pushed commit never has yet. The client sees:
	//
	//	remote: error: GH006: Protected branch update failed for refs/heads/main.
	//	remote:
	//	remote: - 1 of 1 required status checks are expected.
	//	 ! [remote rejected] main -> main (protected branch hook declined)
	RequireStatusChecks
)

// keyword is the rule's name in the hooks' settings file.
func (r Rule) keyword() string {
	switch r {
	case RequirePullRequest:
		return "pull-request"
	case Ruleset:
		return "ruleset"
	case RequireSignatures:
		return "signatures"
	case RequireStatusChecks:
		return "status-checks"
	}
	return ""
}

// String returns the rule's Go name.
func (r Rule) String() string {
	switch r {
	case RequirePullRequest:
		return "RequirePullRequest"
	case Ruleset:
		return "Ruleset"
	case RequireSignatures:
		return "RequireSignatures"
	case RequireStatusChecks:
		return "RequireStatusChecks"
	}
	return "Rule(" + strconv.Itoa(int(r)) + ")"
}

// protection is one protected branch pattern.
type protection struct {
	pattern string
	rule    Rule
}

// Protect makes pushes to branches matching branch fail like GitHub's
// branch protection or ruleset rule. branch is a branch name ("main") or a
// shell pattern ("release/*"); a "refs/heads/" prefix is accepted.
// Protecting a pattern again replaces its rule; the first pattern added
// that matches a branch decides. It takes effect for the next push.
func (s *Server) Protect(owner, name, branch string, rule Rule) error {
	if rule.keyword() == "" {
		return fmt.Errorf("protecting %q: unknown rule %v: use RequirePullRequest, Ruleset, RequireSignatures or RequireStatusChecks", branch, rule)
	}
	pattern, err := branchPattern(branch)
	if err != nil {
		return err
	}
	return s.update(owner, name, func(st *repoState) {
		for i, p := range st.protect {
			if p.pattern == pattern {
				st.protect[i].rule = rule
				return
			}
		}
		st.protect = append(st.protect, protection{pattern, rule})
	})
}

// Unprotect removes the protection of branch, given as to Protect. It is
// not an error when the branch is not protected.
func (s *Server) Unprotect(owner, name, branch string) error {
	pattern, err := branchPattern(branch)
	if err != nil {
		return err
	}
	return s.update(owner, name, func(st *repoState) {
		for i, p := range st.protect {
			if p.pattern == pattern {
				st.protect = append(st.protect[:i], st.protect[i+1:]...)
				return
			}
		}
	})
}

// DelayPushes makes every push to the repository wait d after git has
// received the pack and before it updates any ref (in the pre-receive
// hook). Two clients pushing the same branch from the same commit then
// race for the ref lock, and the loser fails the way git fails it (git
// 2.39 shown; GitHub's wording is alike):
//
//	remote: error: cannot lock ref 'refs/heads/main': is at <winner> but expected <old>
//	 ! [remote rejected] main -> main (failed to update ref)
//
// Pushed again, the loser gets git's non-fast-forward rejection
// ("! [rejected] main -> main (fetch first)").
// A zero d removes the delay.
func (s *Server) DelayPushes(owner, name string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("delaying pushes by %v: give a positive duration, or zero for none", d)
	}
	return s.update(owner, name, func(st *repoState) { st.delay = d })
}

// branchPattern validates a branch name or pattern for the settings file.
func branchPattern(branch string) (string, error) {
	p := strings.TrimPrefix(branch, "refs/heads/")
	if p == "" || strings.HasPrefix(p, "-") || strings.ContainsFunc(p, func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == '\\'
	}) {
		return "", fmt.Errorf("checking branch %q: give a branch name or pattern without spaces, control characters or backslashes", branch)
	}
	return p, nil
}

// update changes a repository's settings and rewrites its hooks' settings
// file.
func (s *Server) update(owner, name string, change func(*repoState)) error {
	if err := validRepo(owner, name); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(s.GitDir(owner, name), "HEAD")); err != nil {
		return fmt.Errorf("finding repository %q: %w (call CreateRepo first)", owner+"/"+name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(owner, name)
	change(st)
	return s.installHooks(owner, name, st)
}

// installHooks writes the hooks and their settings file into a repository
// and routes branch updates through proc-receive. s.mu must be held.
func (s *Server) installHooks(owner, name string, st *repoState) error {
	gitDir := s.GitDir(owner, name)
	hooks := filepath.Join(gitDir, "hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		return fmt.Errorf("installing hooks in %q: %w", gitDir, err)
	}
	for file, text := range map[string]string{"pre-receive": preReceiveHook, "proc-receive": procReceiveHook} {
		if err := writeFileAtomic(filepath.Join(hooks, file), []byte(text), 0o755); err != nil {
			return fmt.Errorf("installing hooks in %q: %w", gitDir, err)
		}
	}
	out, err := s.run(gitDir, "config", "--get", "receive.procReceiveRefs")
	if err != nil || string(out) != "refs/heads/" {
		if out, err := s.run(gitDir, "config", "--replace-all", "receive.procReceiveRefs", "refs/heads/"); err != nil {
			return fmt.Errorf("configuring %q: %w: %s", gitDir, err, out)
		}
	}
	if err := writeFileAtomic(filepath.Join(gitDir, confFile), s.conf(owner, name, st), 0o644); err != nil {
		return fmt.Errorf("writing the hook settings of %q: %w", owner+"/"+name, err)
	}
	return nil
}

// conf renders the hooks' settings file (see hooks.go).
func (s *Server) conf(owner, name string, st *repoState) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "url %s/%s/%s\n", s.url, owner, name)
	if st.delay > 0 {
		fmt.Fprintf(&b, "delay %s\n", strconv.FormatFloat(st.delay.Seconds(), 'f', -1, 64))
	}
	for _, p := range st.protect {
		fmt.Fprintf(&b, "protect %s %s\n", p.pattern, p.rule.keyword())
	}
	return []byte(b.String())
}

// writeFileAtomic replaces a file in one step, so a hook running at the
// same time reads the old or the new content, never a part.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
