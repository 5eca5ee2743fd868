package manifest

import (
	"fmt"
	"regexp"
	"strings"
)

// Ref is a parsed image reference: registry/path:tag@digest.
type Ref struct {
	Name   string // as written, without tag and digest
	Tag    string
	Digest string
}

var (
	digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$`)
	tagRE    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	nameRE   = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
)

// ParseRef splits an image reference into name, tag and digest. It does not validate.
func ParseRef(s string) Ref {
	var r Ref
	s = strings.TrimPrefix(strings.TrimSpace(s), "docker://")
	if name, digest, ok := strings.Cut(s, "@"); ok {
		s, r.Digest = name, digest
	}
	// A tag follows the last ':' after the last '/' (a ':' before it is a registry port).
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		s, r.Tag = s[:i], s[i+1:]
	}
	r.Name = s
	return r
}

// String writes the reference back: name[:tag][@digest].
func (r Ref) String() string {
	s := r.Name
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// Normalize returns the canonical form of an image name, so that spellings of one repository
// compare equal: Docker Hub's implicit registry and library/ namespace are dropped
// (docker.io/library/nginx, index.docker.io/library/nginx and nginx are all "nginx";
// docker.io/acme/app is "acme/app"), and the registry host is lower-cased.
func Normalize(name string) string {
	name = strings.TrimPrefix(strings.TrimSpace(name), "docker://")
	first, rest, ok := strings.Cut(name, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		host := strings.ToLower(first)
		if host != "docker.io" && host != "index.docker.io" && host != "registry-1.docker.io" {
			return host + "/" + rest
		}
		name = rest
	}
	return strings.TrimPrefix(name, "library/")
}

// ValidateName checks an image name (no tag or digest).
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("the image name is empty: give a name such as ghcr.io/acme/app")
	}
	r := ParseRef(name)
	if r.Tag != "" || r.Digest != "" {
		return fmt.Errorf("image %q has a tag or digest: give the name only and pass tag or digest separately", name)
	}
	path := Normalize(name)
	if first, rest, ok := strings.Cut(path, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		path = rest
	}
	if !nameRE.MatchString(path) {
		return fmt.Errorf("image %q is not a valid image name: use lower-case letters, digits and . _ - separated by /", name)
	}
	return nil
}

// ValidateTag checks a tag.
func ValidateTag(tag string) error {
	if !tagRE.MatchString(tag) {
		return fmt.Errorf("tag %q is not a valid image tag: use up to 128 letters, digits, _ . and -, not starting with . or -", tag)
	}
	return nil
}

// ValidateDigest checks a digest.
func ValidateDigest(d string) error {
	if !digestRE.MatchString(d) {
		return fmt.Errorf("digest %q is not of the form sha256:<64 lower-case hex digits>", d)
	}
	return nil
}

// shortName is the last path component of an image name: "acme-app" for ghcr.io/acme/acme-app.
func shortName(name string) string {
	return name[strings.LastIndexByte(name, '/')+1:]
}
