package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"gopkg.in/yaml.v3"

	"github.com/shipkit-dev/shipkit/internal/imagebuild"
)

// Actions lists the actions of the repository at root: the folders under actions/ with an
// action.yml and a main package, sorted.
func Actions(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "actions"))
	if err != nil {
		return nil, fmt.Errorf("listing the actions: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, "actions", e.Name())
		if _, err := os.Stat(filepath.Join(dir, "action.yml")); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
			continue
		}
		out = append(out, e.Name())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no action under %s (want actions/<name>/action.yml and main.go)", filepath.Join(root, "actions"))
	}
	slices.Sort(out)
	return out, nil
}

// BuildOptions say what to build and where it goes.
type BuildOptions struct {
	Root      string                // the repository's root
	Prefix    string                // the images' repository prefix, such as ghcr.io/shipkit-dev/shipkit
	Version   string                // the release, such as v1.2.3 (the images' version label); empty for none
	Tags      []string              // tags to point at each pushed index too, such as main
	Platforms []imagebuild.Platform // default imagebuild.DefaultPlatforms
	Actions   []string              // default every action
	WorkDir   string                // where binaries go; a temporary folder when empty
	SBOMDir   string                // where <action>.spdx.json files go; none when empty
	Created   time.Time             // the SBOMs' creation date
	Push      bool                  // push each index by digest
	Keychain  authn.Keychain        // registry credentials; authn.DefaultKeychain when nil
	Go        string                // the go command
}

// Image is one action's built image.
type Image struct {
	Action     string `json:"action"`
	Repository string `json:"repository"` // such as ghcr.io/shipkit-dev/shipkit/sha-tag-image
	Digest     string `json:"digest"`     // the index digest, sha256:...
	SBOM       string `json:"sbom,omitempty"`
	Pushed     bool   `json:"pushed"`
}

// Ref is the image by digest.
func (i Image) Ref() string { return i.Repository + "@" + i.Digest }

// Build builds every action's multi-platform image with imagebuild, writes its SBOM, and pushes
// it by digest when opts.Push is set, then to each of opts.Tags (sha-tag-image adds the release's
// tags).
func Build(ctx context.Context, opts BuildOptions) ([]Image, error) {
	if opts.Version != "" {
		if err := CheckVersion(opts.Version); err != nil {
			return nil, err
		}
	}
	if len(opts.Tags) > 0 && !opts.Push {
		return nil, errors.New("tags are pushed: give Push with Tags")
	}
	prefix := strings.TrimSuffix(opts.Prefix, "/")
	if prefix == "" {
		return nil, errors.New("no image prefix: want a repository such as ghcr.io/shipkit-dev/shipkit")
	}
	actions := opts.Actions
	if len(actions) == 0 {
		var err error
		if actions, err = Actions(opts.Root); err != nil {
			return nil, err
		}
	}
	platforms := opts.Platforms
	if len(platforms) == 0 {
		platforms = imagebuild.DefaultPlatforms
	}
	work := opts.WorkDir
	if work == "" {
		dir, err := os.MkdirTemp("", "shipkit-release-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	keychain := opts.Keychain
	if keychain == nil {
		keychain = authn.DefaultKeychain
	}
	compiler := imagebuild.Compiler{Root: opts.Root, Go: opts.Go}
	var out []Image
	for _, action := range actions {
		repo, err := name.NewRepository(prefix + "/" + action)
		if err != nil {
			return nil, fmt.Errorf("image of %s: %w", action, err)
		}
		labels := imagebuild.Labels{Title: "shipkit " + action, Version: opts.Version}
		rel := "actions/" + action + "/action.yml"
		spec, err := os.ReadFile(filepath.Join(opts.Root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		neutral, err := NeutralImage(rel, spec)
		if err != nil {
			return nil, err
		}
		compiler.Overlay = map[string][]byte{rel: neutral}
		built, err := compiler.Build(ctx, "./actions/"+action, platforms, labels, filepath.Join(work, action))
		if err != nil {
			return nil, err
		}
		img := Image{Action: action, Repository: repo.String(), Digest: built.Digest.String()}
		if opts.SBOMDir != "" {
			doc, err := imagebuild.SBOM(imagebuild.SBOMSubject{
				Repository: repo.String(), Digest: built.Digest, Version: opts.Version,
				Binary: built.Binaries[0], Created: opts.Created,
			})
			if err != nil {
				return nil, err
			}
			if err := os.MkdirAll(opts.SBOMDir, 0o755); err != nil {
				return nil, err
			}
			img.SBOM = filepath.Join(opts.SBOMDir, action+".spdx.json")
			if err := os.WriteFile(img.SBOM, doc, 0o644); err != nil {
				return nil, err
			}
		}
		if opts.Push {
			ref := repo.Digest(built.Digest.String())
			if err := remote.WriteIndex(ref, built.Index, remote.WithContext(ctx), remote.WithAuthFromKeychain(keychain)); err != nil {
				return nil, fmt.Errorf("pushing %s: %w", ref, err)
			}
			img.Pushed = true
			for _, tag := range opts.Tags {
				t := repo.Tag(tag)
				if t.TagStr() != tag {
					return nil, fmt.Errorf("tag %q is not a valid image tag", tag)
				}
				if err := remote.WriteIndex(t, built.Index, remote.WithContext(ctx), remote.WithAuthFromKeychain(keychain)); err != nil {
					return nil, fmt.Errorf("tagging %s as %s: %w", ref, t, err)
				}
			}
		}
		out = append(out, img)
	}
	return out, nil
}

// NeutralImageRef is the image an action's program sees in its embedded action.yml when built
// for a release. The program embeds its action.yml, and the release writes the image's digest
// into that file after the build, so the build reads this fixed value instead: the digest then
// depends on the source and not on the pin, and a release commit rebuilds to the digest it names.
const NeutralImageRef = "docker://shipkit-image-pinned-by-the-release"

// NeutralImage returns action.yml (named file in errors) with the value of runs.image replaced
// by NeutralImageRef, every other byte kept.
func NeutralImage(file string, data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var image *yaml.Node
	if len(doc.Content) == 1 {
		image = mappingValue(mappingValue(doc.Content[0], "runs"), "image")
	}
	if image == nil || image.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("%s: no runs.image", file)
	}
	if image.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return nil, fmt.Errorf("%s:%d: runs.image is a block scalar; write it on one line", file, image.Line)
	}
	start := 0
	for range image.Line - 1 {
		i := bytes.IndexByte(data[start:], '\n')
		if i < 0 {
			return nil, fmt.Errorf("%s:%d: runs.image is past the end of the file", file, image.Line)
		}
		start += i + 1
	}
	end := len(data)
	if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
		end = start + i
	}
	from := start + image.Column - 1
	if from > end {
		return nil, fmt.Errorf("%s:%d: runs.image is not where the parser says", file, image.Line)
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:from]...)
	out = append(out, NeutralImageRef...)
	if bytes.HasSuffix(data[from:end], []byte("\r")) {
		out = append(out, '\r')
	}
	out = append(out, data[end:]...)
	// The edit replaces the rest of the line: check that it replaced the value and nothing else
	// (a flow mapping such as `runs: {using: docker, image: x}` cannot be edited that way).
	var check struct {
		Runs struct {
			Image string `yaml:"image"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(out, &check); err != nil || check.Runs.Image != NeutralImageRef {
		return nil, fmt.Errorf("%s:%d: write runs.image on a line of its own (runs:\n  image: docker://...)", file, image.Line)
	}
	return out, nil
}

// mappingValue is the value of key in the mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// releasedImage matches a released action.yml's image: docker://<repository>:<tag>@sha256:<hex>.
var releasedImage = regexp.MustCompile(`^docker://([^@\s]+):([^@:/\s]+)@(sha256:[0-9a-f]{64})$`)

// Pinned is the image an action.yml names.
type Pinned struct {
	Action, Repository, Tag, Digest string
}

// PinnedImage reads actions/<action>/action.yml and returns its image, which must be pinned by
// digest (`docker://<repository>:<tag>@sha256:...`).
func PinnedImage(root, action string) (Pinned, error) {
	p := filepath.Join("actions", action, "action.yml")
	data, err := os.ReadFile(filepath.Join(root, p))
	if err != nil {
		return Pinned{}, err
	}
	var doc struct {
		Runs struct {
			Using string `yaml:"using"`
			Image string `yaml:"image"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Pinned{}, fmt.Errorf("%s: %w", p, err)
	}
	if doc.Runs.Using != "docker" {
		return Pinned{}, fmt.Errorf("%s: runs.using is %q, want docker", p, doc.Runs.Using)
	}
	m := releasedImage.FindStringSubmatch(doc.Runs.Image)
	if m == nil {
		return Pinned{}, fmt.Errorf("%s: runs.image %q is not pinned by digest: a release names docker://<repository>:<version>@sha256:<digest>", p, doc.Runs.Image)
	}
	return Pinned{Action: action, Repository: m[1], Tag: m[2], Digest: m[3]}, nil
}

// Mismatch is an action whose action.yml names another image than its source builds.
type Mismatch struct {
	Action, Named, Built string
}

// VerifyError lists the actions of a release commit whose images do not match their source.
type VerifyError struct {
	Mismatches []Mismatch
}

// Error lists each mismatch: the action, the digest its action.yml names and the one built.
func (e *VerifyError) Error() string {
	var b strings.Builder
	b.WriteString("the release commit's action.yml files name images not built from its source:")
	for _, m := range e.Mismatches {
		fmt.Fprintf(&b, "\n  actions/%s/action.yml names %s, the source builds %s", m.Action, m.Named, m.Built)
	}
	b.WriteString("\n(build with `go run ./cmd/shipkit-release build` and the same Go toolchain to see the difference)")
	return b.String()
}

// Verify checks a release commit checked out at root: every action.yml names its image by
// digest, all with one version tag, the one VERSION holds, and each digest is the digest of the image built from the
// checkout's source (imagebuild is reproducible, so this rebuilds and compares; nothing is
// pulled or pushed). It also checks that no file still references shipkit at main. It returns
// the pinned images.
func Verify(ctx context.Context, root string, platforms []imagebuild.Platform, goCmd string) ([]Pinned, error) {
	actions, err := Actions(root)
	if err != nil {
		return nil, err
	}
	var pinned []Pinned
	version := ""
	for _, a := range actions {
		p, err := PinnedImage(root, a)
		if err != nil {
			return nil, err
		}
		if version == "" {
			version = p.Tag
		} else if p.Tag != version {
			return nil, fmt.Errorf("actions/%s/action.yml names version %s, actions/%s/action.yml %s: a release pins one version", a, p.Tag, pinned[0].Action, version)
		}
		pinned = append(pinned, p)
	}
	if err := CheckVersion(version); err != nil {
		return nil, fmt.Errorf("the action.yml files' image tag: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(root, "VERSION"))
	if err != nil {
		return nil, fmt.Errorf("reading VERSION: %w", err)
	}
	if declared, err := VersionTag("VERSION", data); err != nil {
		return nil, err
	} else if declared != version {
		return nil, fmt.Errorf("the action.yml files name %s, VERSION says %q: a release commit pins the images of its own version", version, strings.TrimPrefix(declared, "v"))
	}
	if refs, err := MainReferences(root); err != nil {
		return nil, err
	} else if len(refs) > 0 {
		return nil, fmt.Errorf("a release commit still references shipkit at main: %s", strings.Join(refs, ", "))
	}
	var mismatches []Mismatch
	for _, p := range pinned {
		built, err := Build(ctx, BuildOptions{Root: root, Prefix: strings.TrimSuffix(p.Repository, "/"+p.Action), Version: version, Platforms: platforms, Actions: []string{p.Action}, Go: goCmd})
		if err != nil {
			return nil, err
		}
		if built[0].Digest != p.Digest {
			mismatches = append(mismatches, Mismatch{Action: p.Action, Named: p.Digest, Built: built[0].Digest})
		}
	}
	if len(mismatches) > 0 {
		return pinned, &VerifyError{Mismatches: mismatches}
	}
	return pinned, nil
}

// PinnedFiles are the globs of the files whose shipkit references a release pins: the root
// action, the reusable workflows, the starter workflows and the example's callers.
var PinnedFiles = []string{"action.yml", ".github/workflows/*.yml", "workflows-templates/*.yml", "examples/monorepo/.github/workflows/*.yml"}

// MainReferences lists `file:line` of every reference to shipkit at main in PinnedFiles.
func MainReferences(root string) ([]string, error) {
	files, err := pinnedFiles(root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if anyMainRef.MatchString(line) {
				out = append(out, fmt.Sprintf("%s:%d", f, i+1))
			}
		}
	}
	return out, nil
}

func pinnedFiles(root string) ([]string, error) {
	var out []string
	for _, g := range PinnedFiles {
		matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(g)))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			rel, err := filepath.Rel(root, m)
			if err != nil {
				return nil, err
			}
			out = append(out, filepath.ToSlash(rel))
		}
	}
	slices.Sort(out)
	return out, nil
}

// PinFiles pins every reference to shipkit at main in PinnedFiles under root to commit, and
// returns the files it changed. Every file is checked before any is written.
func PinFiles(root, commit, version string) ([]string, error) {
	files, err := pinnedFiles(root)
	if err != nil {
		return nil, err
	}
	type edit struct {
		path string
		data []byte
		mode os.FileMode
	}
	var edits []edit
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out, n, err := Pin(f, data, commit, version)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		edits = append(edits, edit{path: f, data: out, mode: st.Mode().Perm()})
	}
	var changed []string
	for _, e := range edits {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(e.path)), e.data, e.mode); err != nil {
			return changed, err
		}
		changed = append(changed, e.path)
	}
	return changed, nil
}
