package manifest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipkit-dev/shipkit/test/gitfixture"
)

// TestContention runs 20 writers at once against one branch, each changing a different image of
// the same kustomization, through each write method: every tag must land, every run must
// report pushed, and none may use more than max-attempts.
func TestContention(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("contention takes seconds")
	}
	const runs = 20
	const path = "deploy/kustomization.yaml"
	for _, method := range Methods {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			var b strings.Builder
			b.WriteString("# 20 services, one overlay\nkind: Kustomization\nimages:\n")
			for i := range runs {
				fmt.Fprintf(&b, "  - name: ghcr.io/acme/svc-%02d\n    newTag: v0 # service %d\n", i, i)
			}
			w.dev.Commit("chore: add the overlay", map[string]string{path: b.String()})
			w.dev.Git("push", "-q", "origin", "main")
			stores := make([]Store, runs)
			for i := range stores {
				if method == MethodGit {
					stores[i] = &Git{Dir: gitfixture.Clone(t, w.gh.CloneURL(owner, repo), "--depth", "1").Dir}
				} else {
					stores[i] = w.api(t)
				}
			}
			var wg sync.WaitGroup
			results := make([]*Result, runs)
			errs := make([]error, runs)
			start := time.Now()
			for i := range runs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cfg := baseConfig()
					cfg.Method = method
					cfg.Backoff, cfg.MaxBackoff = 0, 0 // the defaults
					cfg.Environment, cfg.Files = "", []string{path}
					cfg.Target = Target{Image: fmt.Sprintf("ghcr.io/acme/svc-%02d", i), Tag: fmt.Sprintf("sha-%08d", i)}
					results[i], errs[i] = Run(t.Context(), cfg, Deps{Store: stores[i]})
				}()
			}
			wg.Wait()
			wall := time.Since(start)
			var attempts []int
			for i := range runs {
				if errs[i] != nil {
					t.Errorf("run %d: %v", i, errs[i])
					continue
				}
				if results[i].Outcome != ResultPushed || results[i].Attempts > DefaultMaxAttempts {
					t.Errorf("run %d: %s after %d attempts, want pushed within %d", i, results[i].Outcome, results[i].Attempts, DefaultMaxAttempts)
				}
				attempts = append(attempts, results[i].Attempts)
			}
			got := w.serverFile(t, "main", path)
			for i := range runs {
				if want := fmt.Sprintf("newTag: sha-%08d # service %d", i, i); !strings.Contains(got, want) {
					t.Errorf("the final file lacks %q", want)
				}
			}
			slices.Sort(attempts)
			total := 0
			for _, a := range attempts {
				total += a
			}
			if len(attempts) > 0 {
				t.Logf("%s: %d concurrent runs in %s; attempts min %d, median %d, max %d, total %d", method, runs, wall.Round(time.Millisecond),
					attempts[0], attempts[len(attempts)/2], attempts[len(attempts)-1], total)
			}
		})
	}
}
