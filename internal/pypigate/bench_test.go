package pypigate_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/internal/pypigate"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
)

const (
	benchPackages = 50
	benchTags     = 5000
)

// benchRepos caches the generated repositories per process: building the large one takes a
// while, and only benchmarks (run with -bench) ask for them.
var (
	benchMu    sync.Mutex
	benchRepos = map[int]string{}
	benchRoot  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRoot != "" {
		os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

// benchRepo returns a repository with the given number of commits, benchTags tags spread over
// benchPackages packages (tags of a package every commits/tags*... commits) and each commit
// touching one package or a file outside them, built with git fast-import.
func benchRepo(b *testing.B, commits int) string {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if dir, ok := benchRepos[commits]; ok {
		return dir
	}
	if benchRoot == "" {
		root, err := os.MkdirTemp("", "pypigate-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchRoot = root
	}
	dir := filepath.Join(benchRoot, fmt.Sprint(commits))
	home := filepath.Join(benchRoot, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		b.Fatal(err)
	}
	git := func(stdin func(w *bufio.Writer), args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = gitfixture.Env(home)
		if stdin != nil {
			pr, pw, err := os.Pipe()
			if err != nil {
				b.Fatal(err)
			}
			cmd.Stdin = pr
			go func() {
				w := bufio.NewWriterSize(pw, 1<<20)
				stdin(w)
				w.Flush()
				pw.Close()
			}()
			defer pr.Close()
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	git(nil, "init", "-q", "-b", "main")
	start := b.Elapsed()
	git(func(w *bufio.Writer) {
		blob := func(path, content string) {
			fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
		}
		every := commits / benchTags // a tag every this many commits
		tagged := map[int]int{}      // next version number per package
		for i := 1; i <= commits; i++ {
			msg := fmt.Sprintf("commit %d", i)
			fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter Ada <ada@example.com> %d +0000\ndata %d\n%s\n", i, 1700000000+i, len(msg), msg)
			if i > 1 {
				fmt.Fprintf(w, "from :%d\n", i-1)
			}
			if i == 1 {
				for p := range benchPackages {
					blob(fmt.Sprintf("packages/pkg%02d/pyproject.toml", p), fmt.Sprintf("[project]\nname = \"pkg%02d\"\ndynamic = [\"version\"]\n", p))
					blob(fmt.Sprintf("packages/pkg%02d/src/mod.py", p), "X = 0")
				}
			}
			// Most commits touch a package; every fifth touches the application instead.
			if i%5 == 0 {
				blob("src/app/main.py", fmt.Sprintf("print(%d)", i))
			} else {
				blob(fmt.Sprintf("packages/pkg%02d/src/mod.py", i%benchPackages), fmt.Sprintf("X = %d", i))
			}
			w.WriteString("\n")
			if i%every == 0 {
				p := (i / every) % benchPackages
				n := tagged[p]
				tagged[p]++
				fmt.Fprintf(w, "reset refs/tags/pkg%02d-v1.%d.0\nfrom :%d\n\n", p, n, i)
			}
		}
	}, "fast-import", "--quiet")
	git(nil, "pack-refs", "--all")
	git(nil, "reset", "-q", "--hard", "main")
	b.Logf("built %d commits, %d tags, %d packages with git fast-import in %v", commits, benchTags, benchPackages, b.Elapsed()-start)
	benchRepos[commits] = dir
	return dir
}

// BenchmarkDecision measures one decision as the action makes it (open the clone, list the
// package's tags, read the manifest, compare two trees) on two history sizes: the cost must not
// grow with the number of commits.
func BenchmarkDecision(b *testing.B) {
	cases := []struct {
		pkg     string
		changed bool
	}{
		{"pkg26", true},  // touched by every 50th commit
		{"pkg25", false}, // never touched after the first commit (25 is a multiple of 5)
	}
	for _, commits := range []int{10_000, 100_000} {
		for _, c := range cases {
			b.Run(fmt.Sprintf("commits=%d/%s", commits, c.pkg), func(b *testing.B) {
				dir := benchRepo(b, commits)
				// The package's last tag; its baseline is the tag before it.
				cfg := config(b, c.pkg+"-v1.99.0")
				cfg.CheckIndex = false
				b.ResetTimer()
				for b.Loop() {
					repo, err := gitrepo.Open(dir, gitrepo.Options{})
					if err != nil {
						b.Fatal(err)
					}
					res, err := pypigate.Run(b.Context(), cfg, pypigate.Deps{History: &history.Git{Repo: repo}})
					if err != nil {
						b.Fatal(err)
					}
					if res.PreviousTag != c.pkg+"-v1.98.0" || res.Changed != c.changed {
						b.Fatalf("Run = previous %q, changed %v, want %s-v1.98.0, %v", res.PreviousTag, res.Changed, c.pkg, c.changed)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/decision")
			})
		}
	}
}

// BenchmarkOpen measures what every go-git reader pays once per process before its first
// object: opening the repository and loading the pack index (go-git builds an offset map of
// every object on the first read). BenchmarkDecision minus this is the decision's own work.
func BenchmarkOpen(b *testing.B) {
	for _, commits := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("commits=%d", commits), func(b *testing.B) {
			dir := benchRepo(b, commits)
			b.ResetTimer()
			for b.Loop() {
				repo, err := gitrepo.Open(dir, gitrepo.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := repo.Resolve(b.Context(), "main"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/open")
		})
	}
}
