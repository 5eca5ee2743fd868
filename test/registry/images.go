package registry

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// RevisionLabel is the OCI label and annotation that records an image's commit.
const RevisionLabel = "org.opencontainers.image.revision"

// Image builds an OCI image of layers random layers of size bytes each (gzip, so a little
// more), for platform (nil for none), with the label org.opencontainers.image.revision=revision
// when revision is not empty.
func Image(revision string, layers int, size int64, platform *v1.Platform) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for range layers {
		l, err := random.Layer(size, types.OCILayer)
		if err != nil {
			return nil, fmt.Errorf("making a random layer: %w", err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			return nil, fmt.Errorf("appending a layer: %w", err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	if revision != "" {
		cf.Config.Labels = map[string]string{RevisionLabel: revision}
	}
	if platform != nil {
		cf.OS, cf.Architecture, cf.Variant = platform.OS, platform.Architecture, platform.Variant
	}
	return mutate.ConfigFile(img, cf)
}

// Index builds a multi-platform OCI index as docker buildx pushes one: an image for linux/amd64
// and one for linux/arm64, each with an attestation manifest (platform unknown/unknown) that
// refers to it, and the index annotation org.opencontainers.image.revision=revision.
func Index(revision string, size int64) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range []string{"amd64", "arm64"} {
		p := &v1.Platform{OS: "linux", Architecture: arch}
		img, err := Image(revision, 1, size, p)
		if err != nil {
			return nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		att, err := Image("", 1, 64, nil)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx,
			mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}},
			mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
				Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
				Annotations: map[string]string{
					"vnd.docker.reference.type":   "attestation-manifest",
					"vnd.docker.reference.digest": d.String(),
				},
			}},
		)
	}
	if revision == "" {
		return idx, nil
	}
	return mutate.Annotations(idx, map[string]string{RevisionLabel: revision}).(v1.ImageIndex), nil
}
