// Package imagebuild is the recipe of shipkit's action images: one static Go binary on an empty
// base, for each platform, gathered in an OCI image index. It builds with go-containerregistry
// instead of a Dockerfile so that the image is a function of the source alone: the binary is
// built with -trimpath and no build ID or VCS stamp, the layer's files have fixed owners, modes
// and dates, and the config carries no build time. The same commit built on any machine with the
// pinned Go toolchain gives the same digests, which is what lets CI check that the digest a
// released action.yml names was built from that commit.
package imagebuild

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Entrypoint is where the action's binary lives in the image.
const Entrypoint = "/shipkit-action"

// DefaultSource is the repository the images' source label names.
const DefaultSource = "https://github.com/shipkit-dev/shipkit"

// Platform is an operating system and architecture an image is built for.
type Platform struct {
	OS, Arch string
}

// String is the platform as docker writes it, such as linux/amd64.
func (p Platform) String() string { return p.OS + "/" + p.Arch }

// variant is the OCI variant of the platform: v8 for arm64, as BuildKit writes it.
func (p Platform) variant() string {
	if p.Arch == "arm64" {
		return "v8"
	}
	return ""
}

// DefaultPlatforms are the platforms GitHub's Linux runners have.
var DefaultPlatforms = []Platform{{OS: "linux", Arch: "amd64"}, {OS: "linux", Arch: "arm64"}}

// ParsePlatforms reads a comma-separated list such as "linux/amd64,linux/arm64".
func ParsePlatforms(s string) ([]Platform, error) {
	var out []Platform
	seen := map[Platform]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		goos, arch, ok := strings.Cut(f, "/")
		if !ok || goos != "linux" || (arch != "amd64" && arch != "arm64") {
			return nil, fmt.Errorf("platform %q: want linux/amd64 or linux/arm64 (GitHub runs container actions on Linux only)", f)
		}
		p := Platform{OS: goos, Arch: arch}
		if seen[p] {
			return nil, fmt.Errorf("platform %q is listed twice", f)
		}
		seen[p] = true
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, errors.New("no platform given: want a list such as linux/amd64,linux/arm64")
	}
	return out, nil
}

// Labels are the OCI annotations every image's config carries. No revision: the image must not
// depend on the commit, only on the source (the commit is in the provenance attestation).
type Labels struct {
	Title   string // org.opencontainers.image.title, such as "shipkit sha-tag-image"
	Source  string // org.opencontainers.image.source; DefaultSource when empty
	Version string // org.opencontainers.image.version, such as v1.2.3
}

func (l Labels) config() map[string]string {
	src := l.Source
	if src == "" {
		src = DefaultSource
	}
	m := map[string]string{
		"org.opencontainers.image.title":  l.Title,
		"org.opencontainers.image.source": src,
	}
	if l.Version != "" {
		m["org.opencontainers.image.version"] = l.Version
	}
	return m
}

// epoch is the date of every file and of the config: the Unix epoch, as --timestamp 0 writes it.
var epoch = time.Unix(0, 0).UTC()

// Image makes the single-platform image of binary: one layer holding /tmp (mode 1777, for
// os.TempDir) and the binary at Entrypoint (mode 0755), both owned by root and dated the epoch;
// OCI media types; no user and no working folder, since GitHub sets both when it runs a
// container action.
func Image(binary []byte, p Platform, labels Labels) (v1.Image, error) {
	layerTar, err := layerTarball(binary)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("making the layer: %w", err)
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: epoch},
			CreatedBy: "shipkit imagebuild: " + Entrypoint,
			Comment:   "static Go binary",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("adding the layer: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS, cfg.Variant = p.Arch, p.OS, p.variant()
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config.Entrypoint = []string{Entrypoint}
	cfg.Config.Cmd = nil
	cfg.Config.Env = nil
	cfg.Config.Labels = labels.config()
	return mutate.ConfigFile(img, cfg)
}

// layerTarball writes the layer's files in a fixed order with fixed metadata.
func layerTarball(binary []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	headers := []struct {
		hdr  tar.Header
		data []byte
	}{
		{hdr: tar.Header{Typeflag: tar.TypeDir, Name: "tmp/", Mode: 0o1777}},
		{hdr: tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(Entrypoint, "/"), Mode: 0o755, Size: int64(len(binary))}, data: binary},
	}
	for _, h := range headers {
		h.hdr.ModTime, h.hdr.Format = epoch, tar.FormatPAX
		if err := tw.WriteHeader(&h.hdr); err != nil {
			return nil, fmt.Errorf("writing the layer: %w", err)
		}
		if _, err := tw.Write(h.data); err != nil {
			return nil, fmt.Errorf("writing the layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("writing the layer: %w", err)
	}
	return buf.Bytes(), nil
}

// Index gathers the platform images in an OCI image index, in the order given.
func Index(images []v1.Image, platforms []Platform) (v1.ImageIndex, error) {
	if len(images) != len(platforms) {
		return nil, fmt.Errorf("%d images for %d platforms", len(images), len(platforms))
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	adds := make([]mutate.IndexAddendum, len(images))
	for i, img := range images {
		p := platforms[i]
		adds[i] = mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			MediaType: types.OCIManifestSchema1,
			Platform:  &v1.Platform{OS: p.OS, Architecture: p.Arch, Variant: p.variant()},
		}}
	}
	return mutate.AppendManifests(idx, adds...), nil
}

// Compiler builds Go main packages the reproducible way.
type Compiler struct {
	Root string // the module root, where go build runs
	Go   string // the go command; "go" when empty
	// Overlay replaces the content of files (paths relative to Root, slash separated) for the
	// build, through go build -overlay; embedded files included.
	Overlay map[string][]byte
}

// Compile builds the main package pkg (such as ./actions/sha-tag-image) for p into a file in
// dir and returns its path. The build is static (CGO_ENABLED=0), with -trimpath, no build ID,
// no VCS stamp and the baseline instruction sets, so the bytes depend on the source and the Go
// toolchain only.
func (c Compiler) Compile(ctx context.Context, pkg string, p Platform, dir string) (string, error) {
	goCmd := c.Go
	if goCmd == "" {
		goCmd = "go"
	}
	out := filepath.Join(dir, p.OS+"_"+p.Arch, filepath.Base(pkg))
	args := []string{"build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid="}
	if len(c.Overlay) > 0 {
		overlay, err := c.writeOverlay(dir)
		if err != nil {
			return "", err
		}
		args = append(args, "-overlay="+overlay)
	}
	cmd := exec.CommandContext(ctx, goCmd, append(args, "-o", out, pkg)...)
	cmd.Dir = c.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch,
		"GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS=-mod=readonly", "GOEXPERIMENT=")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s for %s: %v\n%s", pkg, p, err, bytes.TrimSpace(msg))
	}
	return out, nil
}

// Built is one action's image: the index and, per platform, the binary it holds.
type Built struct {
	Index    v1.ImageIndex
	Digest   v1.Hash
	Images   []v1.Image
	Binaries []string // paths, in the order of the platforms
}

// Build compiles pkg for each platform into dir and makes the index of their images.
func (c Compiler) Build(ctx context.Context, pkg string, platforms []Platform, labels Labels, dir string) (*Built, error) {
	b := &Built{}
	for _, p := range platforms {
		bin, err := c.Compile(ctx, pkg, p, dir)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		img, err := Image(data, p, labels)
		if err != nil {
			return nil, fmt.Errorf("image of %s for %s: %w", pkg, p, err)
		}
		b.Images = append(b.Images, img)
		b.Binaries = append(b.Binaries, bin)
	}
	idx, err := Index(b.Images, platforms)
	if err != nil {
		return nil, err
	}
	d, err := idx.Digest()
	if err != nil {
		return nil, fmt.Errorf("index of %s: %w", pkg, err)
	}
	b.Index, b.Digest = idx, d
	return b, nil
}

// writeOverlay writes the overlay's files and go build's JSON description of it into dir.
func (c Compiler) writeOverlay(dir string) (string, error) {
	root, err := filepath.Abs(c.Root)
	if err != nil {
		return "", err
	}
	files := filepath.Join(dir, "overlay")
	if err := os.MkdirAll(files, 0o755); err != nil {
		return "", err
	}
	replace := map[string]string{}
	i := 0
	for rel, data := range c.Overlay {
		i++
		p := filepath.Join(files, fmt.Sprintf("%d-%s", i, filepath.Base(rel)))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
		replace[filepath.Join(root, filepath.FromSlash(rel))] = p
	}
	desc, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "overlay.json")
	return p, os.WriteFile(p, desc, 0o644)
}
