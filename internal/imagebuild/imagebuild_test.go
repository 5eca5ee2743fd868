package imagebuild

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const helloPkg = "./internal/imagebuild/testdata/hello"

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestBuildIsReproducible builds the same package twice, in two folders, and gets one digest;
// another version label gives another digest.
func TestBuildIsReproducible(t *testing.T) {
	c := Compiler{Root: moduleRoot(t)}
	labels := Labels{Title: "shipkit hello", Version: "v1.2.3"}
	a, err := c.Build(t.Context(), helloPkg, DefaultPlatforms, labels, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Build(t.Context(), helloPkg, DefaultPlatforms, labels, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != b.Digest {
		t.Fatalf("two builds of one source: %s and %s", a.Digest, b.Digest)
	}
	labels.Version = "v1.2.4"
	other, err := c.Build(t.Context(), helloPkg, DefaultPlatforms, labels, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other.Digest == a.Digest {
		t.Fatal("another version label gave the same digest")
	}
}

// TestIndexHasEachPlatform: the index lists one OCI manifest per platform, with its platform,
// and each image's config says the same platform and runs the binary.
func TestIndexHasEachPlatform(t *testing.T) {
	c := Compiler{Root: moduleRoot(t)}
	built, err := c.Build(t.Context(), helloPkg, DefaultPlatforms, Labels{Title: "shipkit hello", Version: "v1.0.0"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := built.Index.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("index media type %s, want %s", mt, types.OCIImageIndex)
	}
	im, err := built.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 2 {
		t.Fatalf("index has %d manifests, want 2", len(im.Manifests))
	}
	want := []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}}
	for i, d := range im.Manifests {
		if d.Platform == nil || !d.Platform.Equals(want[i]) {
			t.Errorf("manifest %d platform %v, want %v", i, d.Platform, want[i])
		}
		img, err := built.Index.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Architecture != want[i].Architecture || cfg.OS != "linux" || cfg.Variant != want[i].Variant {
			t.Errorf("image %d config platform %s/%s/%s", i, cfg.OS, cfg.Architecture, cfg.Variant)
		}
		if len(cfg.Config.Entrypoint) != 1 || cfg.Config.Entrypoint[0] != Entrypoint {
			t.Errorf("entrypoint %v, want [%s]", cfg.Config.Entrypoint, Entrypoint)
		}
		if !cfg.Created.Time.Equal(time.Unix(0, 0)) {
			t.Errorf("created %v, want the epoch", cfg.Created.Time)
		}
		if got := cfg.Config.Labels["org.opencontainers.image.version"]; got != "v1.0.0" {
			t.Errorf("version label %q", got)
		}
		if got := cfg.Config.Labels["org.opencontainers.image.source"]; got != DefaultSource {
			t.Errorf("source label %q", got)
		}
	}
}

// TestLayerFiles: the layer holds /tmp (1777) and the binary (0755), root-owned, dated the
// epoch, and the binary's bytes are the compiled ones.
func TestLayerFiles(t *testing.T) {
	c := Compiler{Root: moduleRoot(t)}
	p := Platform{OS: "linux", Arch: runtime.GOARCH}
	bin, err := c.Compile(t.Context(), helloPkg, p, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Image(data, p, Labels{Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers %d, %v; want one", len(layers), err)
	}
	if mt, _ := layers[0].MediaType(); mt != types.OCILayer {
		t.Errorf("layer media type %s", mt)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	got := map[string]*tar.Header{}
	var content []byte
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = h
		if h.Name == strings.TrimPrefix(Entrypoint, "/") {
			if content, err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, mode := range map[string]int64{"tmp/": 0o1777, "shipkit-action": 0o755} {
		h := got[name]
		if h == nil {
			t.Errorf("layer has no %s: %v", name, got)
			continue
		}
		if h.Mode != mode || h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(time.Unix(0, 0)) {
			t.Errorf("%s: mode %o uid %d gid %d mtime %v", name, h.Mode, h.Uid, h.Gid, h.ModTime)
		}
	}
	if len(got) != 2 {
		t.Errorf("layer has %d entries, want 2", len(got))
	}
	if string(content) != string(data) {
		t.Error("the layer's binary differs from the compiled one")
	}
}

func TestParsePlatforms(t *testing.T) {
	ps, err := ParsePlatforms(" linux/arm64, linux/amd64 ")
	if err != nil || len(ps) != 2 || ps[0].Arch != "arm64" || ps[1].String() != "linux/amd64" {
		t.Fatalf("ParsePlatforms = %v, %v", ps, err)
	}
	for _, bad := range []string{"", "linux", "windows/amd64", "linux/s390x", "linux/amd64,linux/amd64"} {
		if _, err := ParsePlatforms(bad); err == nil {
			t.Errorf("ParsePlatforms(%q) succeeded", bad)
		}
	}
}

func TestCompileFailureNamesThePackage(t *testing.T) {
	c := Compiler{Root: moduleRoot(t)}
	_, err := c.Compile(t.Context(), "./internal/imagebuild/testdata/missing", Platform{OS: "linux", Arch: "amd64"}, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "testdata/missing") {
		t.Fatalf("err = %v, want one naming the package", err)
	}
}
