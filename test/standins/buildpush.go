package standins

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// BuildPushConfig is what the docker/build-push-action stand-in was asked to do.
type BuildPushConfig struct {
	// Context is the build context folder; Dockerfile the Dockerfile (default
	// <Context>/Dockerfile), which must exist.
	Context, Dockerfile string
	// Tags are the references to push; Labels and Annotations `key=value` items.
	Tags, Labels, Annotations []string
	// Push pushes the image to every tag; without it the image is only made.
	Push bool
	// Logf logs one line of progress.
	Logf func(format string, args ...any)
}

// BuildPushResult is the image the stand-in made and where it pushed it.
type BuildPushResult struct {
	Digest, ImageID string
	Pushed          []string
}

// Outputs returns build-push-action's outputs: digest, imageid and metadata.
func (r *BuildPushResult) Outputs() [][2]string {
	meta, _ := json.Marshal(map[string]any{
		"containerimage.digest":        r.Digest,
		"containerimage.config.digest": r.ImageID,
		"image.name":                   strings.Join(r.Pushed, ","),
	})
	return [][2]string{{"digest", r.Digest}, {"imageid", r.ImageID}, {"metadata", string(meta)}}
}

// Summary says the image was made by the stand-in, not by BuildKit.
func (r *BuildPushResult) Summary() string {
	return fmt.Sprintf("build-push-action stand-in: `%s` pushed to %d tag(s); the Dockerfile was not executed.\n", r.Digest, len(r.Pushed))
}

// BuildPush packs cfg.Context into a one-layer image with cfg.Labels and cfg.Annotations and
// pushes it to every tag. Files are packed in name order with fixed times, so the same context
// gives the same digest.
func BuildPush(ctx context.Context, cfg BuildPushConfig) (*BuildPushResult, error) {
	if cfg.Context == "" {
		cfg.Context = "."
	}
	dockerfile := cfg.Dockerfile
	if dockerfile == "" {
		dockerfile = filepath.Join(cfg.Context, "Dockerfile")
	}
	if _, err := os.Stat(dockerfile); err != nil {
		return nil, fmt.Errorf("input \"file\": failed to read dockerfile: %w", err)
	}
	refs := make([]name.Reference, 0, len(cfg.Tags))
	for _, t := range cfg.Tags {
		ref, err := name.ParseReference(t)
		if err != nil {
			return nil, fmt.Errorf("input \"tags\": %q: %w", t, err)
		}
		refs = append(refs, ref)
	}
	if cfg.Push && len(refs) == 0 {
		return nil, fmt.Errorf("input \"tags\": push is true but no tag is given")
	}
	labels, err := keyValues("labels", cfg.Labels)
	if err != nil {
		return nil, err
	}
	annotations, err := keyValues("annotations", cfg.Annotations)
	if err != nil {
		return nil, err
	}
	layerTar, files, err := tarTree(cfg.Context)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromReader(bytes.NewReader(layerTar))
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Labels = labels
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return nil, err
	}
	if len(annotations) > 0 {
		img = mutate.Annotations(img, annotations).(v1.Image)
	}
	digest, err := img.Digest()
	if err != nil {
		return nil, err
	}
	configDigest, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	res := &BuildPushResult{Digest: digest.String(), ImageID: configDigest.String()}
	logf(cfg.Logf, "packed %d files of %s into %s (Dockerfile %s not executed)", files, cfg.Context, digest, dockerfile)
	if !cfg.Push {
		return res, nil
	}
	for _, ref := range refs {
		if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
			return res, fmt.Errorf("pushing %s: %w", ref, err)
		}
		res.Pushed = append(res.Pushed, ref.String())
		logf(cfg.Logf, "pushed %s", ref)
	}
	return res, nil
}

func logf(f func(string, ...any), format string, args ...any) {
	if f != nil {
		f(format, args...)
	}
}

// keyValues parses `key=value` items; an `index:` or `manifest:` prefix (buildx's annotation
// levels) is dropped.
func keyValues(input string, items []string) (map[string]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(items))
	for _, item := range items {
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("input %q: %q is not key=value", input, item)
		}
		if i := strings.Index(k, ":"); i > 0 && !strings.Contains(k[:i], ".") {
			k = k[i+1:]
		}
		m[k] = v
	}
	return m, nil
}

// tarTree packs the files under dir (without .git) into a tar with fixed times and owners, in
// name order, and returns it with the number of files.
func tarTree(dir string) ([]byte, int, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if p != dir {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("input \"context\": %w", err)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := 0
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, 0, err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil, 0, err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return nil, 0, err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return nil, 0, err
		}
		hdr.Name = "app/" + filepath.ToSlash(rel)
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = time.Unix(0, 0), time.Time{}, time.Time{}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, 0, err
		}
		if fi.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return nil, 0, err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			if err != nil {
				return nil, 0, err
			}
			files++
		}
	}
	if err := tw.Close(); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), files, nil
}
