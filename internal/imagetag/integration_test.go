package imagetag_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/internal/imagetag"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/registry"
)

var fastBackoff = remote.Backoff{Duration: time.Millisecond, Factor: 2, Steps: 4}

// registries starts both real registries once per test: go-containerregistry's in-process one
// and the CNCF distribution binary (skipped when .bin/registry is missing).
func registries(t *testing.T) map[string]*registry.Registry {
	t.Helper()
	return map[string]*registry.Registry{
		"in-process":   registry.InProcess(t),
		"distribution": registry.Start(t, registry.Options{}),
	}
}

// push writes img (an image or an index) to repo by digest, not through any proxy, and returns
// the digest.
func push(t *testing.T, repo name.Repository, content any) string {
	t.Helper()
	var err error
	var d v1.Hash
	switch c := content.(type) {
	case v1.Image:
		if d, err = c.Digest(); err == nil {
			err = remote.Write(repo.Digest(d.String()), c, remote.WithContext(t.Context()))
		}
	case v1.ImageIndex:
		if d, err = c.Digest(); err == nil {
			err = remote.WriteIndex(repo.Digest(d.String()), c, remote.WithContext(t.Context()))
		}
	}
	if err != nil {
		t.Fatalf("pushing to %s: %v", repo, err)
	}
	return d.String()
}

func image(t *testing.T, revision string) v1.Image {
	t.Helper()
	img, err := registry.Image(revision, 2, 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func repoAt(t *testing.T, host, path string) name.Repository {
	t.Helper()
	r, err := name.NewRepository(host + "/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// digestAt is what tag points at in repo ("" when missing), read past any proxy.
func digestAt(t *testing.T, repo name.Repository, tag string) string {
	t.Helper()
	d, err := remote.Head(repo.Tag(tag), remote.WithContext(t.Context()))
	if err != nil {
		return ""
	}
	return d.Digest.String()
}

func applyConfig(image, digest, sha string) imagetag.Config {
	c := baseConfig()
	c.Image, c.Digest, c.SHA = image, digest, sha
	return c
}

// commits makes a git history c1 <- c2 <- c3 and a side branch c1 <- s, and returns the commits
// with a history source on the clone.
func commits(t *testing.T) (c1, c2, c3, side string, src history.Source) {
	t.Helper()
	r := gitfixture.Init(t)
	c1 = r.Commit("one", map[string]string{"a": "1"})
	c2 = r.Commit("two", map[string]string{"a": "2"})
	c3 = r.Commit("three", map[string]string{"a": "3"})
	r.Git("checkout", "-q", "-b", "side", c1)
	side = r.Commit("side", map[string]string{"b": "1"})
	repo, err := gitrepo.Open(r.Dir, gitrepo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c1, c2, c3, side, &history.Git{Repo: repo}
}

func TestRetagBudget(t *testing.T) {
	t.Parallel()
	for kind, reg := range registries(t) {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			proxy := registry.NewProxy(t, reg.URL)
			repo := repoAt(t, proxy.Host, "acme/app")
			digest := push(t, repoAt(t, reg.Host, "acme/app"), image(t, sha1))
			cfg := applyConfig(repo.String(), digest, sha1)
			cfg.Version = "1.2.3"
			cfg.ExtraTags = []string{"stable", "{branch}-{sha}"}
			deps := imagetag.Deps{Backoff: &fastBackoff}

			res, err := imagetag.Run(t.Context(), cfg, deps)
			if err != nil {
				t.Fatalf("Run() error: %v", err)
			}
			n := len(res.Tags)
			c := proxy.Counts()
			t.Logf("%s, tagging %d tags: %s", kind, n, c)
			if n != 5 || res.Outcome() != imagetag.ResultTagged {
				t.Fatalf("Run() = %d tags, result %s, want 5 tags, %s", n, res.Outcome(), imagetag.ResultTagged)
			}
			if c.Of(registry.ManifestGet) != 1 || c.Of(registry.ManifestHead) > n || c.Of(registry.ManifestPut) != n {
				t.Errorf("requests = %s, want 1 manifest GET, at most %d HEAD, %d PUT", c, n, n)
			}
			if c.BlobBytes() != 0 || c.Of(registry.BlobGet)+c.Of(registry.BlobHead)+c.Of(registry.BlobPost)+c.Of(registry.BlobPut) != 0 {
				t.Errorf("blob traffic = %s, want none", c)
			}
			for _, tag := range []string{"sha-01234567", "v1.2.3", "latest", "stable", "main-01234567"} {
				if got := digestAt(t, repo, tag); got != digest {
					t.Errorf("tag %s at %q, want %s", tag, got, digest)
				}
			}
			if res.ImageRef != repo.Digest(digest).String() {
				t.Errorf("ImageRef = %s, want %s", res.ImageRef, repo.Digest(digest))
			}

			// A rerun of the same job is safe and writes nothing.
			proxy.Reset()
			res, err = imagetag.Run(t.Context(), cfg, deps)
			if err != nil {
				t.Fatalf("rerun: Run() error: %v", err)
			}
			c = proxy.Counts()
			t.Logf("%s, rerun: %s", kind, c)
			if res.Outcome() != imagetag.ResultUnchanged || c.Of(registry.ManifestPut) != 0 || c.BlobBytes() != 0 {
				t.Errorf("rerun: result %s, %s; want unchanged, no PUT, no blob bytes", res.Outcome(), c)
			}
		})
	}
}

func TestWriteOnceAndMonotonic(t *testing.T) {
	t.Parallel()
	c1, c2, c3, side, hist := commits(t)
	for kind, reg := range registries(t) {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			proxy := registry.NewProxy(t, reg.URL)
			repo := repoAt(t, proxy.Host, "acme/mono")
			direct := repoAt(t, reg.Host, "acme/mono")
			deps := imagetag.Deps{Backoff: &fastBackoff, History: hist}
			run := func(sha, digest string) (*imagetag.Result, error) {
				return imagetag.Run(t.Context(), applyConfig(repo.String(), digest, sha), deps)
			}

			d2 := push(t, direct, image(t, c2))
			if res, err := run(c2, d2); err != nil || res.Outcome() != imagetag.ResultTagged {
				t.Fatalf("first build: Run() = %v, %v", res, err)
			}

			// Write-once: another image for the same commit fails, naming both digests.
			other := push(t, direct, image(t, c2))
			proxy.Reset()
			_, err := run(c2, other)
			if err == nil || !strings.Contains(err.Error(), d2) || !strings.Contains(err.Error(), other) {
				t.Errorf("retag of sha-%s to another digest: error %v, want one naming %s and %s", c2[:8], err, d2, other)
			}
			if n := proxy.Counts().Of(registry.ManifestPut); n != 0 {
				t.Errorf("a sha conflict wrote %d manifests, want none", n)
			}

			// An older build that finishes late leaves latest alone.
			d1 := push(t, direct, image(t, c1))
			res, err := run(c1, d1)
			if err != nil || res.Outcome() != imagetag.ResultStale {
				t.Fatalf("older build: Run() = %v, %v, want result stale", res, err)
			}
			if got := digestAt(t, direct, "latest"); got != d2 {
				t.Errorf("latest at %s after an older build, want %s", got, d2)
			}
			if got := digestAt(t, direct, "sha-"+c1[:8]); got != d1 {
				t.Errorf("the older build's sha tag at %q, want %s", got, d1)
			}
			if w := res.Warnings(); len(w) != 1 || !strings.Contains(w[0], "does not descend") {
				t.Errorf("Warnings() = %q, want one about descent", w)
			}
			// So does a build from another line of history.
			ds := push(t, direct, image(t, side))
			if res, err := run(side, ds); err != nil || res.Outcome() != imagetag.ResultStale {
				t.Errorf("side branch build: Run() = %v, %v, want result stale", res, err)
			}

			// A newer commit moves it.
			d3 := push(t, direct, image(t, c3))
			if res, err := run(c3, d3); err != nil || res.Outcome() != imagetag.ResultTagged {
				t.Fatalf("newer build: Run() = %v, %v", res, err)
			}
			if got := digestAt(t, direct, "latest"); got != d3 {
				t.Errorf("latest at %s after a newer build, want %s", got, d3)
			}

			// monotonic: false moves backwards on request.
			cfg := applyConfig(repo.String(), d1, c1)
			cfg.Monotonic = false
			if res, err := imagetag.Run(t.Context(), cfg, deps); err != nil || res.Outcome() != imagetag.ResultUnchanged && res.Outcome() != imagetag.ResultTagged {
				t.Fatalf("monotonic false: Run() = %v, %v", res, err)
			}
			if got := digestAt(t, direct, "latest"); got != d1 {
				t.Errorf("latest at %s with monotonic: false, want %s", got, d1)
			}

			// An image without a revision is replaced; without history, a check that is needed fails.
			plain := push(t, direct, image(t, ""))
			cfg = applyConfig(repo.String(), plain, sha1)
			cfg.MovingTags = []imagetag.MovingTag{{Branch: "main", Tag: "edge"}}
			if _, err := imagetag.Run(t.Context(), cfg, deps); err != nil {
				t.Fatal(err)
			}
			cfg = applyConfig(repo.String(), d3, c3)
			cfg.MovingTags = []imagetag.MovingTag{{Branch: "main", Tag: "edge"}}
			if res, err := imagetag.Run(t.Context(), cfg, deps); err != nil || res.Tags[1].Outcome != imagetag.OutcomeMoved {
				t.Errorf("moving edge off an image without revision: %v, %v", res, err)
			}
			cfg = applyConfig(repo.String(), d2, c2)
			if _, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff}); !errors.Is(err, imagetag.ErrNoHistory) {
				t.Errorf("Run() without history = %v, want ErrNoHistory", err)
			}
		})
	}
}

// TestCopyIndexAcrossRepositories promotes a multi-platform index with attestations from a
// staging repository, then across registries: the digest is kept and each blob moves at most
// once.
func TestCopyIndexAcrossRepositories(t *testing.T) {
	t.Parallel()
	regs := registries(t)
	idx, err := registry.Index(sha1, 8192)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	blobs := map[string]int64{}
	im, _ := idx.IndexManifest()
	for _, m := range im.Manifests {
		img, _ := idx.Image(m.Digest)
		mf, _ := img.Manifest()
		blobs[mf.Config.Digest.String()] = mf.Config.Size
		for _, l := range mf.Layers {
			blobs[l.Digest.String()] = l.Size
		}
	}
	var total int64
	for _, s := range blobs {
		total += s
	}
	for kind, reg := range regs {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			staging := push(t, repoAt(t, reg.Host, "acme/staging"), idx)
			proxy := registry.NewProxy(t, reg.URL)
			cfg := applyConfig(proxy.Host+"/acme/prod", "", sha1)
			cfg.Source = proxy.Host + "/acme/staging@" + staging
			res, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff})
			if err != nil {
				t.Fatalf("Run() error: %v", err)
			}
			c := proxy.Counts()
			t.Logf("%s, copying an index of %d blobs (%d bytes) to another repository: %s, mounts %d, uploads %d", kind, len(blobs), total, c, len(c.Mounts), len(c.Uploads))
			if res.Digest != want.String() || !res.Copied {
				t.Errorf("Run() digest %s, copied %v, want %s, true", res.Digest, res.Copied, want)
			}
			checkOnce(t, c, blobs, total)
			prod := repoAt(t, reg.Host, "acme/prod")
			for _, m := range im.Manifests {
				if _, err := remote.Head(prod.Digest(m.Digest.String()), remote.WithContext(t.Context())); err != nil {
					t.Errorf("child %s (%v) missing in acme/prod: %v", m.Digest, m.Platform, err)
				}
			}
			if got := digestAt(t, prod, "latest"); got != want.String() {
				t.Errorf("latest at %s, want %s", got, want)
			}
		})
	}
	t.Run("across registries", func(t *testing.T) {
		t.Parallel()
		from, to := regs["in-process"], regs["distribution"]
		src := push(t, repoAt(t, from.Host, "acme/cross"), idx)
		proxy := registry.NewProxy(t, to.URL)
		cfg := applyConfig(proxy.Host+"/acme/app", "", sha1)
		cfg.Source = from.Host + "/acme/cross@" + src
		res, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff})
		if err != nil {
			t.Fatalf("Run() error: %v", err)
		}
		c := proxy.Counts()
		t.Logf("copying an index across registries: target saw %s", c)
		if res.Digest != want.String() {
			t.Errorf("Run() digest %s, want %s", res.Digest, want)
		}
		checkOnce(t, c, blobs, total)
		proxy.Reset()
		if res, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff}); err != nil || res.Outcome() != imagetag.ResultUnchanged {
			t.Errorf("rerun: Run() = %v, %v, want unchanged", res, err)
		}
		if c := proxy.Counts(); c.BlobBytes() != 0 || c.Of(registry.ManifestPut) != 0 {
			t.Errorf("rerun moved data: %s", c)
		}
	})
}

// checkOnce fails t when a blob was uploaded or mounted more than once, or more blob bytes
// went up than the blobs hold.
func checkOnce(t *testing.T, c registry.Counts, blobs map[string]int64, total int64) {
	t.Helper()
	for d, n := range c.Uploads {
		if n+c.Mounts[d] > 1 {
			t.Errorf("blob %s moved %d times, want at most once", d, n+c.Mounts[d])
		}
	}
	if len(c.Uploads)+len(c.Mounts) > len(blobs) {
		t.Errorf("%d blobs moved, want at most %d", len(c.Uploads)+len(c.Mounts), len(blobs))
	}
	if c.BlobBytesUp > total {
		t.Errorf("%d blob bytes uploaded, more than the %d the blobs hold", c.BlobBytesUp, total)
	}
	if c.BlobBytesDown > 0 && c.BlobBytesDown > total {
		t.Errorf("%d blob bytes read from the target, want at most %d", c.BlobBytesDown, total)
	}
}

func TestLocalSources(t *testing.T) {
	t.Parallel()
	reg := registry.InProcess(t)
	img := image(t, sha1)
	want, _ := img.Digest()
	dir := t.TempDir()
	lp, err := layout.Write(filepath.Join(dir, "layout"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "image.tar")
	tag, _ := name.NewTag("acme/app:build")
	if err := tarball.WriteToFile(archive, tag, img); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, source, err string }{
		{name: "oci layout", source: "oci-layout:" + filepath.Join(dir, "layout")},
		{name: "oci layout by digest", source: "oci-layout:" + filepath.Join(dir, "layout") + "@" + want.String()},
		{name: "docker archive", source: "docker-archive:" + archive},
		{name: "missing layout", source: "oci-layout:" + filepath.Join(dir, "nope"), err: `input "source"`},
		{name: "missing archive", source: "docker-archive:" + filepath.Join(dir, "nope.tar"), err: `input "source"`},
		{name: "missing digest in layout", source: "oci-layout:" + filepath.Join(dir, "layout") + "@sha256:" + strings.Repeat("0", 64), err: "holds no manifest"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proxy := registry.NewProxy(t, reg.URL)
			cfg := applyConfig(proxy.Host+"/acme/local"+string(rune('a'+i)), "", sha1)
			cfg.Source = tt.source
			res, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Run(%s) error = %v, want %q", tt.source, err, tt.err)
				}
				if c := proxy.Counts(); c.Of(registry.ManifestPut)+c.Of(registry.BlobPut) != 0 {
					t.Errorf("Run(%s) failed but wrote: %s", tt.source, c)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run(%s) error: %v", tt.source, err)
			}
			if tt.name != "docker archive" && res.Digest != want.String() {
				t.Errorf("Run(%s) digest = %s, want %s", tt.source, res.Digest, want)
			}
			if !res.Copied || res.Outcome() != imagetag.ResultTagged {
				t.Errorf("Run(%s) = copied %v, %s; want copied, tagged", tt.source, res.Copied, res.Outcome())
			}
		})
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	reg := registry.InProcess(t)
	digest := push(t, repoAt(t, reg.Host, "acme/app"), image(t, sha1))

	t.Run("429 then success", func(t *testing.T) {
		t.Parallel()
		proxy := registry.NewProxy(t, reg.URL)
		proxy.Inject(registry.ManifestPut, 429, 1)
		proxy.Inject(registry.ManifestGet, 503, 2)
		cfg := applyConfig(proxy.Host+"/acme/app", digest, sha2)
		res, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff})
		if err != nil || res.Outcome() != imagetag.ResultTagged {
			t.Fatalf("Run() = %v, %v, want tagged after retries", res, err)
		}
		c := proxy.Counts()
		t.Logf("with 1 injected 429 and 2 injected 503: %s", c)
		if c.Injected != 3 || c.Of(registry.ManifestPut) != len(res.Tags)+1 {
			t.Errorf("counts = %s, want 3 injected and %d manifest PUTs", c, len(res.Tags)+1)
		}
	})
	t.Run("429 past the bound", func(t *testing.T) {
		t.Parallel()
		proxy := registry.NewProxy(t, reg.URL)
		proxy.Inject(registry.ManifestGet, 429, 100)
		cfg := applyConfig(proxy.Host+"/acme/app", digest, sha2)
		_, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff})
		if err == nil || !strings.Contains(err.Error(), "429") {
			t.Fatalf("Run() error = %v, want one saying 429", err)
		}
		if n := proxy.Counts().Of(registry.ManifestGet); n != fastBackoff.Steps {
			t.Errorf("%d manifest GETs, want %d (the bound)", n, fastBackoff.Steps)
		}
	})
	t.Run("source does not exist", func(t *testing.T) {
		t.Parallel()
		proxy := registry.NewProxy(t, reg.URL)
		cfg := applyConfig(proxy.Host+"/acme/app", "sha256:"+strings.Repeat("0", 64), sha2)
		_, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff})
		if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), `input "digest"`) {
			t.Fatalf("Run() error = %v, want the digest named as missing", err)
		}
		if n := proxy.Counts().Of(registry.ManifestPut); n != 0 {
			t.Errorf("%d manifest PUTs, want none", n)
		}
	})
	t.Run("registry down", func(t *testing.T) {
		t.Parallel()
		host := refusedHost(t)
		cfg := applyConfig(host+"/acme/app", digest, sha2)
		_, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff})
		if err == nil || !strings.Contains(err.Error(), host) || !strings.Contains(err.Error(), "cannot be reached") {
			t.Fatalf("Run() error = %v, want one naming %s as unreachable", err, host)
		}
	})
	t.Run("dry run", func(t *testing.T) {
		t.Parallel()
		proxy := registry.NewProxy(t, reg.URL)
		cfg := applyConfig(proxy.Host+"/acme/dry", "", sha2)
		cfg.Source = reg.Host + "/acme/app@" + digest
		cfg.DryRun = true
		res, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff})
		if err != nil || res.Outcome() != imagetag.ResultUnchanged || res.Tags[0].Outcome != imagetag.OutcomeWouldCreate {
			t.Fatalf("Run() = %+v, %v, want unchanged with would-create", res, err)
		}
		if c := proxy.Counts(); c.Of(registry.ManifestPut) != 0 || c.BlobBytesUp != 0 {
			t.Errorf("a dry run wrote: %s", c)
		}
	})
	t.Run("compute mode touches no registry", func(t *testing.T) {
		t.Parallel()
		cfg := applyConfig("127.0.0.1:1/acme/app", "", sha2)
		cfg.Mode = imagetag.ModeCompute
		res, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{})
		if err != nil || res.Outcome() != imagetag.ResultComputed {
			t.Fatalf("Run() = %v, %v, want computed", res, err)
		}
	})
}

// refusedHost returns a 127.0.0.1 address that was just freed: connections to it are refused.
func refusedHost(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestAuth runs against the distribution registry with htpasswd basic auth.
func TestAuth(t *testing.T) {
	t.Parallel()
	reg := registry.Start(t, registry.Options{Users: map[string]string{"ci": "s3cret"}})
	good := imagetag.Keychain(reg.Host, "ci", "s3cret")
	repo := repoAt(t, reg.Host, "acme/app")
	img := image(t, sha1)
	d, _ := img.Digest()
	if err := remote.Write(repo.Digest(d.String()), img, remote.WithAuthFromKeychain(good), remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		keychain authn.Keychain
		err      string
	}{
		{name: "right password", keychain: good},
		{name: "wrong password", keychain: imagetag.Keychain(reg.Host, "ci", "wrong"), err: "401"},
		{name: "no credentials", keychain: imagetag.Keychain(reg.Host, "", ""), err: "set the inputs `username` and `password`"},
		{name: "credentials for another registry only", keychain: imagetag.Keychain("ghcr.io", "ci", "s3cret"), err: "refused the credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := applyConfig(repo.String(), d.String(), sha1)
			res, err := imagetag.Run(t.Context(), cfg, imagetag.Deps{Backoff: &fastBackoff, Keychain: tt.keychain})
			if tt.err == "" {
				if err != nil || (res.Outcome() != imagetag.ResultTagged && res.Outcome() != imagetag.ResultUnchanged) {
					t.Fatalf("Run() = %v, %v", res, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Run() error = %v, want %q", err, tt.err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	if _, err := os.Stat(registry.Binary(t)); err != nil {
		t.Fatal(err)
	}
}
