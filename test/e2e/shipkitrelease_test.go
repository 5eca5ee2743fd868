package e2e

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shipkit-dev/shipkit/internal/imagebuild"
	"github.com/shipkit-dev/shipkit/internal/release"
	"github.com/shipkit-dev/shipkit/test/actrun"
	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/localgh/localghtest"
	"github.com/shipkit-dev/shipkit/test/registry"
	"github.com/shipkit-dev/shipkit/test/standins"
)

// selfReleaseWorld is a copy of this checkout as shipkit-dev/shipkit on the local GitHub, its
// actions named under the test registry, which stands in for ghcr.io.
type selfReleaseWorld struct {
	*world
	prefix          string // the images' repository prefix in the test registry
	before, after   string // the push: VERSION from 1.0.0 (released, v1 at it) to 1.1.0
	local, mounts   map[string]string
	actions         []string
	released, major string
}

func newSelfReleaseWorld(t *testing.T) *selfReleaseWorld {
	t.Helper()
	actrun.Require(t)
	root := containers.RepoRoot(t)
	actions, err := release.Actions(root)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.InProcess(t)
	prefix := reg.Host + "/shipkit-dev/shipkit"

	gh := localghtest.New(t, "shipkit-dev", "shipkit")
	dev := gitfixture.Init(t)
	dev.Git("remote", "add", "origin", gh.CloneURL("shipkit-dev", "shipkit"))
	w := &world{api: gh.API, dev: dev, url: gh.CloneURL("shipkit-dev", "shipkit"), server: gh.Git.URL()}

	// The tracked files of this checkout, each action's image named under the test registry.
	// The workflow's `./actions/<name>` steps find that image in podman's store, tagged from the
	// image built from this checkout, as on GitHub they run main's image built by the run.
	files, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(root, f))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dev.Dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range actions {
		p := filepath.Join(dev.Dir, "actions", a, "action.yml")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		named := strings.Replace(string(data), "docker://ghcr.io/shipkit-dev/shipkit/", "docker://"+prefix+"/", 1)
		if named == string(data) {
			t.Fatalf("%s names no ghcr.io/shipkit-dev/shipkit image", p)
		}
		if err := os.WriteFile(p, []byte(named), 0o644); err != nil {
			t.Fatal(err)
		}
		local := containers.BuildActionImage(t, a)
		ref := prefix + "/" + a + ":main"
		if out, err := exec.Command("podman", "tag", local, ref).CombinedOutput(); err != nil {
			t.Fatalf("podman tag %s %s: %v\n%s", local, ref, err, out)
		}
		// untag with a name removes that name only; without one it would remove every name.
		t.Cleanup(func() { exec.Command("podman", "untag", ref, ref).Run() })
	}
	before := dev.Commit("chore: shipkit 1.0.0", map[string]string{"VERSION": "1.0.0\n"})
	dev.Git("tag", "v1.0.0")
	dev.Git("tag", "v1")
	after := dev.Commit("chore: release 1.1.0", map[string]string{"VERSION": "1.1.0\n"})
	dev.Git("push", "-q", "origin", "main", "--tags")

	goEnv := func(key string) string {
		out, err := exec.Command("go", "env", key).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", key, err)
		}
		return strings.TrimSpace(string(out))
	}
	mounts := map[string]string{
		goEnv("GOROOT"):     "/shipkit-go/root",
		goEnv("GOMODCACHE"): "/shipkit-go/mod",
		goEnv("GOCACHE"):    "/shipkit-go/cache",
	}
	return &selfReleaseWorld{world: w, prefix: prefix, before: before, after: after, local: standins.Stage(t), mounts: mounts, actions: actions, released: "v1.1.0", major: "v1"}
}

// run runs shipkit's release workflow on the push, with a new artifact store (a new run), and
// returns act's result and the store.
func (s *selfReleaseWorld) run(t *testing.T) (actrun.Result, string) {
	t.Helper()
	event, err := json.Marshal(map[string]any{
		"ref": "refs/heads/main", "before": s.before, "after": s.after, "forced": false,
		"repository": map[string]any{"full_name": "shipkit-dev/shipkit", "name": "shipkit", "default_branch": "main", "owner": map[string]any{"login": "shipkit-dev"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.act(t, ".github/workflows/shipkit-release.yml", "push", string(event))
}

// act runs one of shipkit's own workflows on the event.
func (s *selfReleaseWorld) act(t *testing.T, workflow, eventName, event string) (actrun.Result, string) {
	t.Helper()
	store := t.TempDir()
	mounts := map[string]string{store: standins.ArtifactStore}
	for k, v := range s.mounts {
		mounts[k] = v
	}
	res := actrun.Run(t, actrun.Options{
		Dir:               s.dev.Dir,
		Event:             eventName,
		EventJSON:         event,
		Workflow:          workflow,
		Secrets:           map[string]string{"GITHUB_TOKEN": token},
		Env:               map[string]string{"GITHUB_REPOSITORY": "shipkit-dev/shipkit", "GITHUB_API_URL": s.api.URL(), "GITHUB_SERVER_URL": s.server},
		Vars:              map[string]string{"SHIPKIT_IMAGE_PREFIX": s.prefix, "SHIPKIT_IMAGE_REGISTRY": strings.SplitN(s.prefix, "/", 2)[0]},
		LocalRepositories: s.local,
		Mounts:            mounts,
	})
	if strings.Contains(res.Output, token) {
		t.Error("the token appears in act's output")
	}
	return res, store
}

// registryState maps each image tag to its digest, for every action.
func (s *selfReleaseWorld) registryState(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, a := range s.actions {
		repo, err := name.NewRepository(s.prefix + "/" + a)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := remote.List(repo, remote.WithContext(t.Context()))
		if err != nil {
			continue
		}
		for _, tag := range tags {
			desc, err := remote.Head(repo.Tag(tag), remote.WithContext(t.Context()))
			if err != nil {
				t.Fatal(err)
			}
			out[a+":"+tag] = desc.Digest.String()
		}
	}
	return out
}

// refs lists the git server's refs with their commits.
func (s *selfReleaseWorld) refs(t *testing.T) string {
	t.Helper()
	return s.dev.Git("ls-remote", "origin")
}

// TestShipkitReleaseWorkflow runs shipkit's own release workflow under act on a push that moves
// VERSION from 1.0.0 (released, v1 at it) to 1.1.0, with the test registry for ghcr.io. It wants
// every image built on the runner to be the digest the host builds from the same source, tagged
// main, sha-<8> and v1.1.0 with provenance and SBOM statements; the release commit v1.1.0 naming
// those digests in every action.yml and pinning every @main reference; v1 moved forward to it; the
// release published. A second run of the same push creates nothing.
func TestShipkitReleaseWorkflow(t *testing.T) {
	t.Parallel()
	s := newSelfReleaseWorld(t)

	res, store := s.run(t)
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}

	// The images: built twice (here on the host, there in the job container), one digest.
	want, err := release.Build(t.Context(), release.BuildOptions{
		Root: containers.RepoRoot(t), Prefix: s.prefix, Version: s.released, Platforms: imagebuild.DefaultPlatforms,
	})
	if err != nil {
		t.Fatal(err)
	}
	state := s.registryState(t)
	for _, img := range want {
		for _, tag := range []string{"main", "sha-" + s.after[:8], s.released} {
			if got := state[img.Action+":"+tag]; got != img.Digest {
				t.Errorf("%s:%s = %q, want %s, the digest of the host's build of the same source", img.Action, tag, got, img.Digest)
			}
		}
		for _, kind := range []string{"provenance", "sbom"} {
			p := filepath.Join(store, "attestations", strings.NewReplacer("/", "_", ":", "_").Replace(img.Repository)+"-"+img.Digest[7:19]+"."+kind+".json")
			data, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("%s: no %s statement: %v", img.Action, kind, err)
				continue
			}
			var st struct {
				Subject []struct {
					Name   string
					Digest map[string]string
				}
			}
			if err := json.Unmarshal(data, &st); err != nil || len(st.Subject) != 1 || st.Subject[0].Digest["sha256"] != img.Digest[7:] {
				t.Errorf("%s %s statement subject %+v (%v), want %s", img.Action, kind, st.Subject, err, img.Digest)
			}
		}
	}
	if t.Failed() {
		t.Fatalf("act output:\n%s", res.Output)
	}

	// The release commit, its tag, the major tag and the release.
	s.dev.Git("fetch", "-q", "--tags", "--force", "origin")
	commit := s.dev.Git("rev-parse", s.released+"^{commit}")
	if got := s.dev.Git("rev-parse", s.major+"^{commit}"); got != commit {
		t.Errorf("%s at %s, want it moved forward to the release commit %s", s.major, got, commit)
	}
	checkout := t.TempDir()
	s.dev.Git("worktree", "add", "-q", "--detach", checkout, commit)
	for _, img := range want {
		p, err := release.PinnedImage(checkout, img.Action)
		if err != nil || p.Digest != img.Digest || p.Tag != s.released || p.Repository != img.Repository {
			t.Errorf("actions/%s/action.yml at %s names %+v (%v), want %s:%s@%s", img.Action, s.released, p, err, img.Repository, s.released, img.Digest)
		}
	}
	pinnedTo := s.dev.Git("rev-parse", commit+"^")
	root, err := os.ReadFile(filepath.Join(checkout, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(root), "shipkit-dev/shipkit/actions/sha-tag-image@"+pinnedTo+" # "+s.released) {
		t.Errorf("the root action.yml at %s does not pin sha-tag-image to %s:\n%s", s.released, pinnedTo, root)
	}
	changelog, err := os.ReadFile(filepath.Join(checkout, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(changelog), "## Unreleased\n\n## "+s.released+" (") || !strings.Contains(string(changelog), "- chore: release 1.1.0 ("+s.after[:8]+")") {
		t.Errorf("CHANGELOG.md at %s has no section for it listing the release's commit:\n%s", s.released, changelog)
	}
	if refs, err := release.MainReferences(checkout); err != nil || len(refs) != 0 {
		t.Errorf("references to main left at %s: %v %v", s.released, refs, err)
	}
	if _, err := release.Verify(t.Context(), checkout, imagebuild.DefaultPlatforms, ""); err != nil {
		t.Errorf("verify of the release commit on the host: %v", err)
	}
	rels := s.api.Releases("shipkit-dev", "shipkit")
	if len(rels) != 1 || rels[0].TagName != s.released || rels[0].Draft {
		t.Fatalf("releases = %+v, want %s published\nact output:\n%s", rels, s.released, res.Output)
	}

	// The verify-release workflow checks the release the same way, from its tag.
	verify, _ := s.act(t, ".github/workflows/verify-release.yml", "workflow_dispatch", `{"inputs":{"tag":"`+s.released+`"}}`)
	if verify.ExitCode != 0 || !strings.Contains(verify.Output, "ok actions/version-bump-detect/action.yml: "+s.prefix+"/version-bump-detect:"+s.released+"@") {
		t.Errorf("verify-release on %s: exit code %d\n%s", s.released, verify.ExitCode, verify.Output)
	}

	// A second run of the same push creates nothing: the registry, the refs and the releases
	// stay as they are.
	refs := s.refs(t)
	again, store2 := s.run(t)
	if again.ExitCode != 0 {
		t.Fatalf("second run: act exit code %d\n%s", again.ExitCode, again.Output)
	}
	if !strings.Contains(again.Output, s.released+" is released already") {
		t.Errorf("the second run does not say %s is released already:\n%s", s.released, again.Output)
	}
	if got := s.registryState(t); !maps.Equal(got, state) {
		t.Errorf("the registry changed on the second run:\nbefore %v\nafter  %v", state, got)
	}
	if got := s.refs(t); got != refs {
		t.Errorf("refs changed on the second run:\nbefore\n%s\nafter\n%s", refs, got)
	}
	if got := s.api.Releases("shipkit-dev", "shipkit"); len(got) != 1 {
		t.Errorf("releases after the second run = %+v", got)
	}
	if entries, _ := os.ReadDir(filepath.Join(store2, "attestations")); len(entries) != 0 {
		t.Errorf("the second run attested again: %d statements", len(entries))
	}
}
