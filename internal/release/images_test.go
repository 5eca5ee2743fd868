package release

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"gopkg.in/yaml.v3"

	"github.com/shipkit-dev/shipkit/internal/imagebuild"
	"github.com/shipkit-dev/shipkit/test/registry"
)

var amd64Only = []imagebuild.Platform{{OS: "linux", Arch: "amd64"}}

// fakeRepo writes a module with two actions whose action.yml files name image, and a root
// action.yml with rootUses as its step.
func fakeRepo(t *testing.T, images map[string]string, rootUses string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":     "module example.com/fake\n\ngo 1.26.0\n",
		"VERSION":    "2.0.0\n",
		"action.yml": "runs:\n  using: composite\n  steps:\n    - uses: " + rootUses + "\n",
	}
	for action, image := range images {
		files["actions/"+action+"/main.go"] = "package main\n\nfunc main() { println(\"" + action + "\") }\n"
		files["actions/"+action+"/action.yml"] = "name: " + action + "\nruns:\n  using: docker\n  image: " + image + "\n"
	}
	for p, data := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func digestsOf(t *testing.T, root string) map[string]string {
	t.Helper()
	images, err := Build(t.Context(), BuildOptions{Root: root, Prefix: "ghcr.io/acme/kit", Version: "v2.0.0", Platforms: amd64Only})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, img := range images {
		out[img.Action] = img.Digest
	}
	return out
}

func TestVerify(t *testing.T) {
	placeholder := map[string]string{"one": "docker://ghcr.io/acme/kit/one:main", "two": "docker://ghcr.io/acme/kit/two:main"}
	digests := digestsOf(t, fakeRepo(t, placeholder, "acme/x@v1"))
	pinned := map[string]string{}
	for a, d := range digests {
		pinned[a] = "docker://ghcr.io/acme/kit/" + a + ":v2.0.0@" + d
	}
	const pinnedUses = "shipkit-dev/shipkit/actions/one@" + sha + " # v2.0.0"

	t.Run("release commit", func(t *testing.T) {
		got, err := Verify(t.Context(), fakeRepo(t, pinned, pinnedUses), amd64Only, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Digest != digests["one"] || got[1].Tag != "v2.0.0" {
			t.Errorf("Verify = %+v", got)
		}
	})
	t.Run("digest of other source", func(t *testing.T) {
		wrong := map[string]string{"one": pinned["one"], "two": "docker://ghcr.io/acme/kit/two:v2.0.0@" + digests["one"]}
		_, err := Verify(t.Context(), fakeRepo(t, wrong, pinnedUses), amd64Only, "")
		if err == nil || !strings.Contains(err.Error(), "actions/two/action.yml names "+digests["one"]) {
			t.Fatalf("err = %v, want the mismatch of two", err)
		}
	})
	t.Run("not pinned", func(t *testing.T) {
		_, err := Verify(t.Context(), fakeRepo(t, placeholder, pinnedUses), amd64Only, "")
		if err == nil || !strings.Contains(err.Error(), "not pinned by digest") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("two versions", func(t *testing.T) {
		mixed := map[string]string{"one": pinned["one"], "two": strings.Replace(pinned["two"], ":v2.0.0@", ":v2.0.1@", 1)}
		_, err := Verify(t.Context(), fakeRepo(t, mixed, pinnedUses), amd64Only, "")
		if err == nil || !strings.Contains(err.Error(), "one version") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("VERSION says another version", func(t *testing.T) {
		root := fakeRepo(t, pinned, pinnedUses)
		if err := os.WriteFile(filepath.Join(root, "VERSION"), []byte("2.1.0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Verify(t.Context(), root, amd64Only, "")
		if err == nil || !strings.Contains(err.Error(), `VERSION says "2.1.0"`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("main reference left", func(t *testing.T) {
		_, err := Verify(t.Context(), fakeRepo(t, pinned, "shipkit-dev/shipkit/actions/one@main # "+UnreleasedComment), amd64Only, "")
		if err == nil || !strings.Contains(err.Error(), "action.yml:4") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestPinFilesWritesAllOrNothing: a file that cannot be pinned stops the run before any file
// is written.
func TestPinFilesWritesAllOrNothing(t *testing.T) {
	root := fakeRepo(t, map[string]string{"one": "docker://x/one:main"}, "shipkit-dev/shipkit/actions/one@main # "+UnreleasedComment)
	wf := filepath.Join(root, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wf, "bad.yml"), []byte("jobs:\n  a:\n    uses: shipkit-dev/shipkit/.github/workflows/x.yml@main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(root, "action.yml"))
	if _, err := PinFiles(root, sha, "v1.0.0"); err == nil || !strings.Contains(err.Error(), ".github/workflows/bad.yml:3") {
		t.Fatalf("err = %v, want bad.yml:3", err)
	}
	if after, _ := os.ReadFile(filepath.Join(root, "action.yml")); string(after) != string(before) {
		t.Fatal("action.yml was written although another file failed")
	}
	if err := os.Remove(filepath.Join(wf, "bad.yml")); err != nil {
		t.Fatal(err)
	}
	changed, err := PinFiles(root, sha, "v1.0.0")
	if err != nil || len(changed) != 1 || changed[0] != "action.yml" {
		t.Fatalf("PinFiles = %v, %v", changed, err)
	}
	if refs, err := MainReferences(root); err != nil || len(refs) != 0 {
		t.Fatalf("MainReferences after pinning = %v, %v", refs, err)
	}
}

// TestRepositoryPinsCleanly pins a copy of this repository's root action and workflows: every
// reference to shipkit at main carries the comment, so all of them get pinned.
func TestRepositoryPinsCleanly(t *testing.T) {
	src, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := pinnedFiles(src)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before, err := MainReferences(root)
	if err != nil || len(before) == 0 {
		t.Fatalf("MainReferences = %v, %v; the repository should reference shipkit at main before a release", before, err)
	}
	changed, err := PinFiles(root, sha, "v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(changed, "action.yml") {
		t.Errorf("changed %v, want action.yml among them", changed)
	}
	if after, err := MainReferences(root); err != nil || len(after) != 0 {
		t.Fatalf("after pinning: %v, %v", after, err)
	}
}

// TestBuildPushesByDigestAndTag pushes to a registry: each index by digest, then the extra tag
// at the same digest; a second build and push of the same source changes nothing.
func TestBuildPushesByDigestAndTag(t *testing.T) {
	reg := registry.InProcess(t)
	root := fakeRepo(t, map[string]string{"one": "docker://x/one:main"}, "acme/x@v1")
	opts := BuildOptions{Root: root, Prefix: reg.Host + "/acme/kit", Version: "v1.0.0", Platforms: imagebuild.DefaultPlatforms, Push: true, Tags: []string{"main"}}
	images, err := Build(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 1 || !images[0].Pushed {
		t.Fatalf("Build = %+v", images)
	}
	for _, ref := range []string{images[0].Ref(), images[0].Repository + ":main"} {
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Get(r, remote.WithContext(t.Context()))
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if desc.Digest.String() != images[0].Digest {
			t.Errorf("%s has digest %s, want %s", ref, desc.Digest, images[0].Digest)
		}
		idx, err := desc.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		if im, err := idx.IndexManifest(); err != nil || len(im.Manifests) != 2 {
			t.Errorf("%s: index of %d manifests (%v), want 2", ref, len(im.Manifests), err)
		}
	}
	again, err := Build(t.Context(), opts)
	if err != nil || again[0].Digest != images[0].Digest {
		t.Fatalf("second build: %+v, %v", again, err)
	}
	opts.Push = false
	if _, err := Build(t.Context(), opts); err == nil {
		t.Error("Tags without Push was accepted")
	}
}

func TestNeutralImage(t *testing.T) {
	in := "name: x\ninputs:\n  image:\n    description: an input called image\nruns:\n  using: docker\r\n  image: 'docker://ghcr.io/a/b:v1@sha256:00' # pinned\r\n  args: []\n"
	want := "name: x\ninputs:\n  image:\n    description: an input called image\nruns:\n  using: docker\r\n  image: " + NeutralImageRef + "\r\n  args: []\n"
	got, err := NeutralImage("a.yml", []byte(in))
	if err != nil || string(got) != want {
		t.Fatalf("NeutralImage = %q, %v\nwant %q", got, err, want)
	}
	for _, bad := range []string{"runs:\n  using: composite\n", "runs:\n  image: |\n    docker://x\n", "[", "a: b\nc: d\n", "runs: {using: docker, image, \"0\n\"} ", "runs: {using: docker, image: x}\n"} {
		if _, err := NeutralImage("a.yml", []byte(bad)); err == nil {
			t.Errorf("NeutralImage(%q) succeeded", bad)
		}
	}
}

// TestDigestIgnoresThePin: the digest an action builds to does not depend on its action.yml's
// image line, which the release writes after the build, but does on the rest of the file.
func TestDigestIgnoresThePin(t *testing.T) {
	a := digestsOf(t, fakeRepo(t, map[string]string{"one": "docker://ghcr.io/acme/kit/one:main"}, "acme/x@v1"))
	b := digestsOf(t, fakeRepo(t, map[string]string{"one": "docker://127.0.0.1:5000/kit/one:v2.0.0@sha256:" + strings.Repeat("0", 64)}, "acme/x@v1"))
	if a["one"] != b["one"] {
		t.Errorf("another image line gave another digest: %s and %s", a["one"], b["one"])
	}
}

// FuzzNeutralImage: the result parses, names NeutralImageRef as runs.image, and keeps every
// line but that one.
func FuzzNeutralImage(f *testing.F) {
	f.Add([]byte("runs:\n  using: docker\n  image: docker://x:main\n"))
	f.Add([]byte("runs: {using: docker, image: \"docker://x\"}\n"))
	f.Add([]byte("runs:\n  image: >-\n    x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := NeutralImage("f", data)
		if err != nil {
			return
		}
		var doc struct {
			Runs struct {
				Image string `yaml:"image"`
			} `yaml:"runs"`
		}
		if err := yaml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("the result does not parse: %v\n%q", err, out)
		}
		if doc.Runs.Image != NeutralImageRef {
			t.Fatalf("runs.image = %q in %q", doc.Runs.Image, out)
		}
		if bytes.Count(out, []byte("\n")) != bytes.Count(data, []byte("\n")) {
			t.Fatalf("line count changed: %q -> %q", data, out)
		}
	})
}
