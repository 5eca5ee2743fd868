package manifest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/shipkit-dev/shipkit/internal/yamledit"
	"github.com/shipkit-dev/shipkit/test/containers"
)

// kustomizeBin finds kustomize v5.8.2 as .ci/tools builds it into .bin, skipping (or failing
// under SHIPKIT_REQUIRE_CONTAINERS=1) when it is absent.
func kustomizeBin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(containers.RepoRoot(t), ".bin", "kustomize")
	if _, err := os.Stat(bin); err != nil {
		containers.Skip(t, "kustomize is not built into .bin (run .ci/tools): "+err.Error())
	}
	return bin
}

// TestKustomizeDifferential checks every kustomization fixture against kustomize itself:
// `kustomize build` of our edit equals `kustomize build` after `kustomize edit set image` on
// the same input. kustomize rewrites the whole file; the rendered manifests must still agree.
func TestKustomizeDifferential(t *testing.T) {
	t.Parallel()
	bin := kustomizeBin(t)
	cases, _ := filepath.Glob("testdata/kustomize-*/case.txt")
	if len(cases) == 0 {
		t.Fatal("no kustomization fixtures")
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			tg := readCase(t, dir)
			for p, data := range readTree(t, filepath.Join(dir, "input")) {
				ours, _, err := Edit(p, data, tg)
				if err != nil {
					t.Fatal(err)
				}
				names := imageNames(t, data, tg)
				theirs := stageKustomization(t, data, names)
				arg := kustomizeName(t, data, tg) + "=*"
				if !hasEntry(t, data, tg) {
					arg = tg.Image
				}
				if tg.Tag != "" {
					arg += ":" + tg.Tag
				}
				if tg.Digest != "" {
					arg += "@" + tg.Digest
				}
				run(t, theirs, bin, "edit", "set", "image", arg)
				want := run(t, theirs, bin, "build", ".")
				mine := stageKustomization(t, ours, names)
				got := run(t, mine, bin, "build", ".")
				if got != want {
					t.Errorf("kustomize build of our edit differs from kustomize edit set image %s:\nours:\n%s\nkustomize's:\n%s", arg, got, want)
				}
				if !strings.Contains(got, tg.Tag) {
					t.Errorf("kustomize build of our edit lacks tag %q:\n%s", tg.Tag, got)
				}
			}
		})
	}
}

// imageNames lists the images a kustomization's images: entries name, and the target.
func imageNames(t *testing.T, data []byte, tg Target) []string {
	t.Helper()
	names := []string{tg.Image}
	e, err := yamledit.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	root := yamledit.Root(e.Documents()[0])
	if images, _ := yamledit.Lookup(root, "images"); images != nil {
		for _, it := range images.Content {
			names = append(names, scalar(field(it, "name")))
		}
	}
	return names
}

// stageKustomization writes a kustomization into a new folder, with a deployment that runs
// the named images as its only resource.
func stageKustomization(t *testing.T, data []byte, names []string) string {
	t.Helper()
	dir := t.TempDir()
	var containersYAML strings.Builder
	for i, n := range names {
		containersYAML.WriteString("        - name: c" + string(rune('a'+i)) + "\n          image: " + n + "\n")
	}
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n" + containersYAML.String()
	// Replace the fixture's resources with the deployment: kustomize needs them to exist.
	var doc map[string]any
	if err := yaml.Unmarshal(bytes.TrimPrefix(data, bom), &doc); err != nil {
		t.Fatal(err)
	}
	kust := data
	if _, ok := doc["resources"]; ok {
		kust = []byte(strings.NewReplacer("../../base", "deployment.yaml").Replace(string(data)))
	} else {
		kust = []byte(strings.TrimRight(string(data), "\r\n") + "\nresources:\n- deployment.yaml\n")
	}
	write(t, filepath.Join(dir, "kustomization.yaml"), kust)
	write(t, filepath.Join(dir, "deployment.yaml"), []byte(deploy))
	return dir
}

var bom = []byte("\xef\xbb\xbf")

func hasEntry(t *testing.T, data []byte, tg Target) bool { return kustomizeName(t, data, tg) != "" }

// kustomizeName is the images: entry's name that matches the target ("" when none).
func kustomizeName(t *testing.T, data []byte, tg Target) string {
	t.Helper()
	e, err := yamledit.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	images, _ := yamledit.Lookup(yamledit.Root(e.Documents()[0]), "images")
	if images == nil {
		return ""
	}
	for _, it := range images.Content {
		if matches(scalar(field(it, "name")), tg.Image) || matches(scalar(field(it, "newName")), tg.Image) {
			return scalar(field(it, "name"))
		}
	}
	return ""
}

func write(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kustomize %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
