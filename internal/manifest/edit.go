package manifest

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/shipkit-dev/shipkit/internal/yamledit"
)

// File kinds Edit understands.
const (
	KindKustomization = "kustomization" // images: name, newName, newTag, digest
	KindHelm          = "helm"          // values: value-path, or image.repository + image.tag
	KindManifest      = "manifest"      // Kubernetes workloads: containers[].image
	KindAction        = "action"        // a GitHub action.yml: runs.image
)

// ErrNotFound reports a file that does not reference the image (or lacks the value path).
var ErrNotFound = errors.New("image not found")

// Target is what to write: the image, matched by Normalize, and its new tag and/or digest.
type Target struct {
	Image     string
	Tag       string
	Digest    string
	ValuePath string // Helm values: the dotted path of the tag, such as image.tag
}

// Change is one value Edit changed (or would change).
type Change struct {
	Path   string // the file, slash separated from the repository root
	Kind   string
	Line   int
	Field  string // where, in words: images[0].newTag, spec.template.spec.containers[1].image
	Old    string // the value before
	New    string
	OldTag string // the image's tag before the change ("" when it had none)
	// OldDigest is the image's digest before the change.
	OldDigest string
}

// FileError is a file at fault: malformed, or not holding what the inputs name.
type FileError struct {
	Path string
	Line int // 1-based; 0 when not known
	Err  error
}

// Error returns "PATH:LINE: ERR".
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// site is one place in a file that names the image: its current tag and digest, and how to
// change them.
type site struct {
	kind, field   string
	line          int
	tag, digest   string
	current       string // the text that changes (a whole reference, or a tag)
	apply         func(e *yamledit.Editor, tag, digest string) (string, error)
	missingReason string // for an entry to add: there is no current value
}

// Edit writes t into one file. It returns the new content (data itself when nothing changes)
// and what changed. A file without the image is an error wrapping ErrNotFound; malformed YAML a
// *FileError with the line.
func Edit(p string, data []byte, t Target) ([]byte, []Change, error) {
	e, sites, err := locate(p, data, t)
	if err != nil {
		return nil, nil, err
	}
	var changes []Change
	for _, s := range sites {
		newText, err := s.apply(e, t.Tag, t.Digest)
		if err != nil {
			return nil, nil, &FileError{Path: p, Line: s.line, Err: err}
		}
		if newText != s.current {
			changes = append(changes, Change{Path: p, Kind: s.kind, Line: s.line, Field: s.field, Old: s.current, New: newText, OldTag: s.tag, OldDigest: s.digest})
		}
	}
	if len(changes) == 0 {
		return data, nil, nil
	}
	out, err := e.Bytes()
	if err != nil {
		return nil, nil, &FileError{Path: p, Err: err}
	}
	return out, changes, nil
}

// Current returns the image's tag and digest in a file, from its first place.
func Current(p string, data []byte, t Target) (tag, digest string, err error) {
	_, sites, err := locate(p, data, t)
	if err != nil {
		return "", "", err
	}
	for _, s := range sites {
		if s.missingReason == "" {
			return s.tag, s.digest, nil
		}
	}
	return "", "", &FileError{Path: p, Err: fmt.Errorf("%w: %s", ErrNotFound, sites[0].missingReason)}
}

// KindOf tells the kind of a file from its name and content.
func KindOf(p string, docs []*yaml.Node, valuePath string) string {
	base := path.Base(p)
	root := yamledit.Root(first(docs))
	kind, _ := yamledit.Lookup(root, "kind")
	switch {
	case base == "action.yml" || base == "action.yaml":
		if runs, _ := yamledit.Lookup(root, "runs"); runs != nil {
			return KindAction
		}
	case base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization":
		return KindKustomization
	}
	if kind != nil && kind.Value == "Kustomization" {
		return KindKustomization
	}
	if valuePath != "" {
		return KindHelm
	}
	for _, d := range docs {
		r := yamledit.Root(d)
		if k, _ := yamledit.Lookup(r, "kind"); k != nil {
			if v, _ := yamledit.Lookup(r, "apiVersion"); v != nil {
				return KindManifest
			}
		}
	}
	return KindHelm
}

func first(docs []*yaml.Node) *yaml.Node {
	if len(docs) == 0 {
		return nil
	}
	return docs[0]
}

func locate(p string, data []byte, t Target) (*yamledit.Editor, []site, error) {
	e, err := yamledit.Parse(data)
	if err != nil {
		var se *yamledit.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, &FileError{Path: p, Line: se.Line, Err: fmt.Errorf("malformed YAML: %s", se.Msg)}
		}
		return nil, nil, &FileError{Path: p, Err: err}
	}
	docs := e.Documents()
	if len(docs) == 0 {
		return nil, nil, &FileError{Path: p, Err: fmt.Errorf("%w: the file is empty", ErrNotFound)}
	}
	var sites []site
	switch kind := KindOf(p, docs, t.ValuePath); kind {
	case KindKustomization:
		sites, err = kustomizationSites(docs, t)
	case KindAction:
		sites, err = actionSites(docs, t)
	case KindManifest:
		sites, err = manifestSites(docs, t)
	default:
		sites, err = helmSites(docs, t)
	}
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.Path = p
			return nil, nil, fe
		}
		return nil, nil, &FileError{Path: p, Err: err}
	}
	return e, sites, nil
}

func matches(name, image string) bool {
	return name != "" && Normalize(name) == Normalize(image)
}

func scalar(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// kustomizationSites finds the images: entries for the image (by name or newName), or the
// place to add one.
func kustomizationSites(docs []*yaml.Node, t Target) ([]site, error) {
	root := yamledit.Root(docs[0])
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, &FileError{Line: docs[0].Line, Err: errors.New("the kustomization is not a mapping")}
	}
	images, _ := yamledit.Lookup(root, "images")
	var sites []site
	if images != nil {
		if images.Kind != yaml.SequenceNode {
			return nil, &FileError{Line: images.Line, Err: errors.New("images: is not a list")}
		}
		for i, item := range images.Content {
			name := scalar(field(item, "name"))
			newName := scalar(field(item, "newName"))
			if !matches(name, t.Image) && !matches(newName, t.Image) {
				continue
			}
			item := item
			s := site{kind: KindKustomization, field: fmt.Sprintf("images[%d]", i), line: item.Line,
				tag: scalar(field(item, "newTag")), digest: scalar(field(item, "digest"))}
			s.current = Ref{Tag: s.tag, Digest: s.digest}.String()
			s.apply = func(e *yamledit.Editor, tag, digest string) (string, error) {
				ref := Ref{Tag: s.tag, Digest: s.digest}
				if tag != "" {
					if err := e.SetKey(item, "newTag", tag); err != nil {
						return "", err
					}
					ref.Tag = tag
					if digest == "" && s.digest != "" {
						// A digest wins over newTag in kustomize: keeping it would deploy the old image.
						if err := e.Delete(item, "digest"); err != nil {
							return "", err
						}
						ref.Digest = ""
					}
				}
				if digest != "" {
					if err := e.SetKey(item, "digest", digest); err != nil {
						return "", err
					}
					ref.Digest = digest
				}
				return ref.String(), nil
			}
			sites = append(sites, s)
		}
	}
	if len(sites) > 0 {
		return sites, nil
	}
	pairs := [][2]string{{"name", t.Image}}
	if t.Tag != "" {
		pairs = append(pairs, [2]string{"newTag", t.Tag})
	}
	if t.Digest != "" {
		pairs = append(pairs, [2]string{"digest", t.Digest})
	}
	s := site{kind: KindKustomization, field: "images (new entry)", line: root.Line, missingReason: "the kustomization has no images: entry for " + t.Image}
	if images != nil {
		s.line = images.Line
	}
	s.apply = func(e *yamledit.Editor, tag, digest string) (string, error) {
		if images != nil {
			return Ref{Tag: tag, Digest: digest}.String(), e.Append(images, pairs)
		}
		return Ref{Tag: tag, Digest: digest}.String(), e.AddList(root, "images", pairs)
	}
	return []site{s}, nil
}

func field(m *yaml.Node, key string) *yaml.Node {
	v, _ := yamledit.Lookup(m, key)
	return v
}

// refSite is a scalar holding a whole image reference (a container's image, runs.image).
func refSite(kind, fieldName string, n *yaml.Node, prefix string) site {
	r := ParseRef(strings.TrimPrefix(n.Value, prefix))
	s := site{kind: kind, field: fieldName, line: n.Line, tag: r.Tag, digest: r.Digest, current: n.Value}
	s.apply = func(e *yamledit.Editor, tag, digest string) (string, error) {
		nr := r
		if tag != "" {
			nr.Tag = tag
			nr.Digest = digest // a stale digest would pin the old image
		} else if digest != "" {
			nr.Digest = digest
		}
		v := prefix + nr.String()
		return v, e.Set(n, v)
	}
	return s
}

// actionSites finds runs.image of an action.yml.
func actionSites(docs []*yaml.Node, t Target) ([]site, error) {
	runs := field(yamledit.Root(docs[0]), "runs")
	img := field(runs, "image")
	if img == nil || img.Kind != yaml.ScalarNode {
		return nil, &FileError{Line: docs[0].Line, Err: fmt.Errorf("%w: the action has no runs.image", ErrNotFound)}
	}
	if !strings.HasPrefix(img.Value, "docker://") {
		return nil, &FileError{Line: img.Line, Err: fmt.Errorf("%w: runs.image is %q, not a docker:// image", ErrNotFound, img.Value)}
	}
	if !matches(ParseRef(img.Value).Name, t.Image) {
		return nil, &FileError{Line: img.Line, Err: fmt.Errorf("%w: runs.image is %s, not %s", ErrNotFound, img.Value, t.Image)}
	}
	return []site{refSite(KindAction, "runs.image", img, "docker://")}, nil
}

// manifestSites finds the image in every container list (containers, initContainers,
// ephemeralContainers) of every document.
func manifestSites(docs []*yaml.Node, t Target) ([]site, error) {
	var sites []site
	var walk func(n *yaml.Node, where string)
	walk = func(n *yaml.Node, where string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				if (k == "containers" || k == "initContainers" || k == "ephemeralContainers") && v.Kind == yaml.SequenceNode {
					for j, c := range v.Content {
						img := field(c, "image")
						if img != nil && img.Kind == yaml.ScalarNode && matches(ParseRef(img.Value).Name, t.Image) {
							sites = append(sites, refSite(KindManifest, fmt.Sprintf("%s%s[%d].image", where, k, j), img, ""))
						}
					}
					continue
				}
				walk(v, where+k+".")
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, strings.TrimSuffix(where, ".")+"[].")
			}
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, where)
			}
		}
	}
	for _, d := range docs {
		walk(d, "")
	}
	if len(sites) == 0 {
		return nil, fmt.Errorf("%w: no container or initContainer in its %d document(s) uses %s", ErrNotFound, len(docs), t.Image)
	}
	return sites, nil
}

// helmSites finds the tag in Helm values: at ValuePath, or in every mapping with a repository
// (and optional registry) naming the image and a tag.
func helmSites(docs []*yaml.Node, t Target) ([]site, error) {
	root := yamledit.Root(docs[0])
	if t.ValuePath != "" {
		n, parent, err := lookupPath(root, t.ValuePath)
		if err != nil {
			return nil, err
		}
		if repo := repository(parent); repo != "" && !matches(repo, t.Image) {
			return nil, &FileError{Line: n.Line, Err: fmt.Errorf("%w: value-path %q is the tag of %s, not %s", ErrNotFound, t.ValuePath, repo, t.Image)}
		}
		return []site{tagSite(t.ValuePath, n, parent)}, nil
	}
	var sites []site
	var walk func(n *yaml.Node, where string)
	walk = func(n *yaml.Node, where string) {
		if n.Kind == yaml.MappingNode {
			if repo := repository(n); repo != "" && matches(repo, t.Image) {
				if tag := field(n, "tag"); tag != nil && tag.Kind == yaml.ScalarNode {
					sites = append(sites, tagSite(where+"tag", tag, n))
				}
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], where+n.Content[i].Value+".")
			}
		}
		if n.Kind == yaml.SequenceNode {
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d].", strings.TrimSuffix(where, "."), i))
			}
		}
	}
	if root != nil {
		walk(root, "")
	}
	if len(sites) == 0 {
		return nil, fmt.Errorf("%w: no mapping with repository: %s and a tag: (set value-path to the tag's path, such as image.tag)", ErrNotFound, t.Image)
	}
	return sites, nil
}

// repository is the image a Helm values mapping names: registry/repository or repository.
func repository(m *yaml.Node) string {
	repo := scalar(field(m, "repository"))
	if reg := scalar(field(m, "registry")); reg != "" && repo != "" {
		return reg + "/" + repo
	}
	return repo
}

func tagSite(where string, n, parent *yaml.Node) site {
	digestNode := field(parent, "digest")
	s := site{kind: KindHelm, field: where, line: n.Line, tag: n.Value, digest: scalar(digestNode), current: n.Value}
	s.apply = func(e *yamledit.Editor, tag, digest string) (string, error) {
		if digest != "" {
			if digestNode == nil {
				if tag == "" {
					return "", fmt.Errorf("the values have no digest: key beside %s: pass tag instead of digest", where)
				}
			} else if err := e.Set(digestNode, digest); err != nil {
				return "", err
			}
		}
		if tag == "" {
			return s.current, nil
		}
		if digest == "" && s.digest != "" {
			return "", fmt.Errorf("the values pin digest %s beside %s, which wins over the tag: pass digest as well", s.digest, where)
		}
		return tag, e.Set(n, tag)
	}
	return s
}

// lookupPath follows a dotted value path (image.tag, images[0].tag or images.0.tag).
func lookupPath(root *yaml.Node, p string) (n, parent *yaml.Node, err error) {
	parts := strings.Split(strings.NewReplacer("[", ".", "]", "").Replace(p), ".")
	n = root
	done := ""
	for _, part := range parts {
		parent = n
		switch {
		case n != nil && n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, nil, &FileError{Line: n.Line, Err: fmt.Errorf("%w: value-path %q: %s is a list of %d items, %q is not an index into it", ErrNotFound, p, orRoot(done), len(n.Content), part)}
			}
			n = n.Content[i]
		case n != nil && n.Kind == yaml.MappingNode:
			v, _ := yamledit.Lookup(n, part)
			if v == nil {
				return nil, nil, &FileError{Line: n.Line, Err: fmt.Errorf("%w: value-path %q: %s has no key %q", ErrNotFound, p, orRoot(done), part)}
			}
			n = v
		default:
			return nil, nil, fmt.Errorf("%w: value-path %q: %s is not a mapping", ErrNotFound, p, orRoot(done))
		}
		done = strings.TrimPrefix(done+"."+part, ".")
	}
	if n.Kind != yaml.ScalarNode {
		return nil, nil, &FileError{Line: n.Line, Err: fmt.Errorf("value-path %q is not a single value", p)}
	}
	return n, parent, nil
}

func orRoot(s string) string {
	if s == "" {
		return "the top level"
	}
	return s
}

// Position returns the file and line, for the error annotation.
func (e *FileError) Position() (string, int) { return e.Path, e.Line }
