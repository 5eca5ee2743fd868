package main

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	ggcrname "github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/shipkit-dev/shipkit/test/hostrun"
)

// stepImage is step 2 of the reference pipeline on an embedded registry: it builds a small
// image of the example app (src/acme_app from root) for each of the commits older and newer
// (older is an ancestor of newer), pushes both by digest as a build step would, and runs
// sha-tag-image on them as the runner would, in the shallow checkout: first the newer build,
// then the older one finishing late (latest stays), then a rerun of the newer one (nothing
// written).
func stepImage(ctx context.Context, w *world, p *printer, root, checkout, older, newer string) error {
	p.title("Step: sha-tag-image (tag the app's image on push to main)")
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	p.line("registry         %s (go-containerregistry's registry, in-process)", host)
	repo, err := ggcrname.NewRepository(host + "/" + owner + "/acme-app")
	if err != nil {
		return err
	}
	digests := map[string]string{}
	for _, sha := range []string{older, newer} {
		img, err := appImage(filepath.Join(root, "examples", "monorepo", "src", "acme_app"), sha)
		if err != nil {
			return err
		}
		d, err := img.Digest()
		if err != nil {
			return err
		}
		if err := remote.Write(repo.Digest(d.String()), img, remote.WithContext(ctx)); err != nil {
			return fmt.Errorf("pushing the image of %s: %w", sha[:8], err)
		}
		digests[sha] = d.String()
		p.line("built and pushed the image of %s by digest: %s", sha[:8], d)
	}

	run := func(what, sha string) (map[string]string, error) {
		env := w.Env(owner, name)
		env["GITHUB_SHA"], env["GITHUB_REF"], env["GITHUB_ACTOR"] = sha, "refs/heads/main", "ada"
		inputs := map[string]string{"image": repo.String(), "digest": digests[sha], "version": "1.4.0", "token": token}
		push := map[string]any{"ref": "refs/heads/main", "after": sha, "repository": map[string]any{"full_name": owner + "/" + name, "default_branch": "main"}}
		res, err := hostrun.Run(ctx, hostrun.Step{Action: "sha-tag-image", Workspace: checkout, Inputs: inputs, Env: env, EventName: "push", Event: push})
		if err != nil {
			return nil, err
		}
		if res.ExitCode != 0 {
			return nil, fmt.Errorf("sha-tag-image (%s) failed (exit %d):\n%s%s", what, res.ExitCode, res.Stdout, res.Stderr)
		}
		return res.Outputs, nil
	}

	p.line("-- the build of %s", newer[:8])
	out, err := run("newer build", newer)
	if err != nil {
		return err
	}
	p.outputs(out, "result", "sha-tag", "digest", "image-ref")
	for _, ref := range strings.Split(out["tags"], "\n") {
		p.line("  tag %s", ref)
	}

	p.line("-- the build of %s, an older commit, finishing after it", older[:8])
	w.API.ResetCounts()
	out, err = run("older build", older)
	if err != nil {
		return err
	}
	p.outputs(out, "result", "tag-names")
	p.line("latest and v1.4.0 stay on the newer build: %s does not descend from %s (shallow checkout; %d GitHub API calls)", older[:8], newer[:8], w.API.Total())

	p.line("-- a rerun of the build of %s", newer[:8])
	if out, err = run("rerun", newer); err != nil {
		return err
	}
	p.outputs(out, "result")

	p.line("tags in the registry:")
	tags, err := remote.List(repo, remote.WithContext(ctx))
	if err != nil {
		return err
	}
	for _, tag := range tags {
		d, err := remote.Head(repo.Tag(tag), remote.WithContext(ctx))
		if err != nil {
			return err
		}
		p.line("  %-14s %s", tag, d.Digest)
	}
	return nil
}

// appImage builds an OCI image with the files of dir under /app, the revision label set to
// sha, and fixed timestamps, so the same commit gives the same digest.
func appImage(dir, sha string) (v1.Image, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(1700000000, 0)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: "app/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), ModTime: epoch}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("packing %s: %w", dir, err)
	}
	// The commit goes into the layer too, as a build stamps it: each commit's image differs.
	stamp := []byte(sha + "\n")
	if err := tw.WriteHeader(&tar.Header{Name: "app/REVISION", Mode: 0o644, Size: int64(len(stamp)), ModTime: epoch}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(stamp); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, layer); err != nil {
		return nil, err
	}
	return mutate.Config(img, v1.Config{
		Cmd:    []string{"python3", "-m", "acme_app.main"},
		Labels: map[string]string{"org.opencontainers.image.revision": sha},
	})
}
