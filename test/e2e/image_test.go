package e2e

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/shipkit-dev/shipkit/test/containers"
)

// maxImageBytes is the budget for one action's image as a registry stores it (compressed layers
// plus config): what a runner pulls for a job.
const maxImageBytes = 10 << 20

// TestImageSize measures each action image's compressed size, the bytes a job pulls.
func TestImageSize(t *testing.T) {
	t.Parallel()
	containers.Require(t)
	for _, action := range []string{"version-bump-detect", "sha-tag-image", "update-manifest", "pypi-gate", "promote-pr"} {
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			image := containers.BuildActionImage(t, action)
			archive := filepath.Join(t.TempDir(), "image.tar")
			if out, err := exec.CommandContext(t.Context(), "podman", "save", "--format", "docker-archive", "-o", archive, image).CombinedOutput(); err != nil {
				t.Fatalf("podman save %s: %v\n%s", image, err, out)
			}
			img, err := tarball.ImageFromPath(archive, nil)
			if err != nil {
				t.Fatal(err)
			}
			layers, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := img.RawConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			total := int64(len(cfg))
			for _, l := range layers {
				n, err := l.Size() // the gzip-compressed size, as pushed to a registry
				if err != nil {
					t.Fatal(err)
				}
				total += n
			}
			t.Logf("%s: %d layers, %d bytes compressed (%.2f MB)", action, len(layers), total, float64(total)/(1<<20))
			if total > maxImageBytes {
				t.Errorf("%s image is %d bytes compressed, over the %d-byte budget", action, total, maxImageBytes)
			}
		})
	}
}
