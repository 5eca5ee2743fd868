package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shipkit-dev/shipkit/test/hostrun"
	"github.com/shipkit-dev/shipkit/test/localgh"
)

const (
	owner = "acme"
	name  = "monorepo"
	token = "ghs_localpipelinetoken"
)

// world is the stand-in for GitHub with the example's repository, and a scratch folder.
type world struct {
	*localgh.GitHub
	tmp     string
	repoURL string
}

func startWorld() (*world, error) {
	tmp, err := os.MkdirTemp("", "shipkit-pipeline-")
	if err != nil {
		return nil, err
	}
	gh, err := localgh.Start(localgh.Options{Token: token, Root: filepath.Join(tmp, "git")})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := gh.CreateRepo(owner, name, "main"); err != nil {
		gh.Close()
		os.RemoveAll(tmp)
		return nil, err
	}
	return &world{GitHub: gh, tmp: tmp, repoURL: gh.CloneURL(owner, name)}, nil
}

func (w *world) close() {
	w.Close()
	os.RemoveAll(w.tmp)
}

// git runs the git CLI in dir with a private configuration.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	home := filepath.Join(os.TempDir(), "shipkit-pipeline-home")
	cmd.Env = append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Ada Developer", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Developer", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// gitAll runs several git commands in dir, stopping at the first failure.
func gitAll(dir string, cmds ...[]string) error {
	for _, args := range cmds {
		if _, err := git(dir, args...); err != nil {
			return err
		}
	}
	return nil
}

func run(ctx context.Context, out io.Writer) error {
	p := &printer{w: out}
	root, err := hostrun.ModuleRoot()
	if err != nil {
		return err
	}
	p.title("Setting up a local GitHub")
	w, err := startWorld()
	if err != nil {
		return err
	}
	defer w.close()
	defer hostrun.Cleanup()
	p.line("git server       %s (smart HTTP, git http-backend)", w.Git.URL())
	p.line("GitHub API       %s (emulator, every call validated against GitHub's OpenAPI description)", w.API.URL())
	p.line("repository       %s/%s, default branch main", owner, name)

	p.title("A developer pushes the example monorepo")
	dev := filepath.Join(w.tmp, "developer")
	if err := copyTree(filepath.Join(root, "examples", "monorepo"), dev); err != nil {
		return err
	}
	if err := gitAll(dev,
		[]string{"init", "-q", "-b", "main"},
		[]string{"add", "-A"},
		[]string{"commit", "-q", "-m", "chore: import the example monorepo"},
		[]string{"tag", "acme-lib-v0.3.0"},
		[]string{"tag", "acme-app-v1.4.0"},
		[]string{"remote", "add", "origin", w.repoURL},
		[]string{"push", "-q", "origin", "main", "--tags"},
	); err != nil {
		return err
	}
	before, err := git(dev, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	p.line("pushed main at %s, with tags acme-lib-v0.3.0 and acme-app-v1.4.0 (the released versions)", before[:8])

	lib := filepath.Join(dev, "packages", "acme-lib")
	if err := editFile(filepath.Join(lib, "src", "acme_lib", "__init__.py"), "    return round(sum(prices), 2)\n",
		"    return round(sum(prices), 2)\n\n\ndef discount(price: float, percent: float) -> float:\n    \"\"\"Price after a percentage discount.\"\"\"\n    return round(price * (100 - percent) / 100, 2)\n"); err != nil {
		return err
	}
	if err := gitAll(dev, []string{"commit", "-q", "-am", "feat(acme-lib): add discount()"}); err != nil {
		return err
	}
	if err := editFile(filepath.Join(lib, "pyproject.toml"), `version = "0.3.0"`, `version = "0.4.0"`); err != nil {
		return err
	}
	if err := gitAll(dev,
		[]string{"commit", "-q", "-am", "chore(acme-lib): release 0.4.0"},
		[]string{"push", "-q", "origin", "main"},
	); err != nil {
		return err
	}
	after, err := git(dev, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	p.line("pushed 2 commits to main: %s..%s (acme-lib 0.3.0 -> 0.4.0)", before[:8], after[:8])

	push := map[string]any{
		"ref": "refs/heads/main", "before": before, "after": after, "forced": false,
		"repository": map[string]any{"full_name": owner + "/" + name, "default_branch": "main"},
	}
	checkout := filepath.Join(w.tmp, "runner-checkout")
	if _, err := git(w.tmp, "clone", "-q", "--depth", "1", w.repoURL, checkout); err != nil {
		return err
	}
	p.title("Step: version-bump-detect (release on push to main)")
	p.line("checkout: a shallow clone (--depth 1) of %s, as actions/checkout makes by default", after[:8])
	inputs := map[string]string{
		"files":          "pyproject.toml\npackages/*/pyproject.toml",
		"tag-template":   "{name}-v{version}",
		"create-release": "true",
		"release-notes":  "github",
		"token":          token,
	}
	env := w.Env(owner, name)
	env["GITHUB_SHA"], env["GITHUB_REF"] = after, "refs/heads/main"
	w.API.ResetCounts()
	res, err := hostrun.Run(ctx, hostrun.Step{Action: "version-bump-detect", Workspace: checkout, Inputs: inputs, Env: env, EventName: "push", Event: push})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("version-bump-detect failed (exit %d):\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	p.outputs(res.Outputs, "result", "changed", "name", "previous-version", "version", "tag", "tag-created", "release-url")
	p.line("GitHub API calls: %d", w.API.Total())

	p.title("Step: version-bump-detect again (a rerun of the same job)")
	w.API.ResetCounts()
	res, err = hostrun.Run(ctx, hostrun.Step{Action: "version-bump-detect", Workspace: checkout, Inputs: inputs, Env: env, EventName: "push", Event: push})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("the rerun of version-bump-detect failed (exit %d):\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	p.outputs(res.Outputs, "result", "tag", "tag-created", "release-url")
	p.line("a rerun creates nothing: the tag is already at %s and its release exists (%d API calls)", after[:8], w.API.Total())

	if err := stepPyPIGate(ctx, w, p); err != nil {
		return err
	}
	if err := stepImage(ctx, w, p, root, checkout, before, after); err != nil {
		return err
	}
	if err := stepUpdateManifest(ctx, w, p); err != nil {
		return err
	}
	if err := stepPromote(ctx, w, p); err != nil {
		return err
	}

	p.title("Final state")
	tags, err := git(w.tmp, "ls-remote", "--tags", w.repoURL)
	if err != nil {
		return err
	}
	p.line("tags on the git server:")
	for _, l := range strings.Split(tags, "\n") {
		if sha, ref, ok := strings.Cut(l, "\t"); ok {
			p.line("  %-28s %s", strings.TrimPrefix(ref, "refs/tags/"), sha[:8])
		}
	}
	p.line("releases in the API emulator:")
	rels := w.API.Releases(owner, name)
	sort.Slice(rels, func(i, j int) bool { return rels[i].TagName < rels[j].TagName })
	for _, r := range rels {
		state := "published"
		if r.Draft {
			state = "draft"
		}
		p.line("  %-28s %s, %s", r.TagName, state, firstLine(r.Body))
	}
	if problems := w.API.Problems(); len(problems) > 0 {
		return fmt.Errorf("the API emulator saw requests or responses GitHub's description rejects:\n%s", strings.Join(problems, "\n"))
	}
	p.title("Done: every step did what it reported")
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// editFile replaces the first old with new in file, failing when old is absent.
func editFile(file, old, new string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), old) {
		return fmt.Errorf("editing %s: %q not found", file, old)
	}
	return os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// printer writes the readable account of the run.
type printer struct{ w io.Writer }

func (p *printer) title(s string) { fmt.Fprintf(p.w, "\n== %s\n", s) }

func (p *printer) line(format string, args ...any) { fmt.Fprintf(p.w, "   "+format+"\n", args...) }

func (p *printer) outputs(outputs map[string]string, names ...string) {
	for _, n := range names {
		if v, ok := outputs[n]; ok {
			p.line("output %-17s %s", n+":", v)
		}
	}
}
