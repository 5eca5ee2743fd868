package version

import (
	"fmt"
	"strings"

	"golang.org/x/mod/semver"
)

// semverVersion is a valid SemVer 2.0.0 version.
type semverVersion struct {
	// v is the version with a "v" prefix, the form golang.org/x/mod/semver
	// works on; the prefix is never shown.
	v string
}

// ParseSemVer parses raw as a Semantic Versioning 2.0.0 version
// (https://semver.org/spec/v2.0.0.html): MAJOR.MINOR.PATCH, then an optional
// "-" and dot-separated pre-release identifiers, then an optional "+" and
// dot-separated build identifiers. One leading "v" is accepted and dropped.
//
// It is strict where golang.org/x/mod/semver is lenient: "1" and "1.2" are
// not versions, and nothing else (spaces, "V", "=") may surround one.
func ParseSemVer(raw string) (Version, error) {
	v, err := parseSemVer(raw)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func parseSemVer(raw string) (*semverVersion, error) {
	fail := func(format string, args ...any) error {
		return &ParseError{Scheme: SemVer, Value: raw, Reason: fmt.Sprintf(format, args...)}
	}
	s := strings.TrimPrefix(raw, "v")
	if s == "" {
		return nil, fail("version is empty; want MAJOR.MINOR.PATCH such as 1.2.3")
	}
	core, build, hasBuild := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(core, "-")

	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return nil, fail("version core %q has %d dot-separated numbers, want 3 (MAJOR.MINOR.PATCH such as 1.2.3)", core, len(parts))
	}
	for i, name := range [...]string{"major", "minor", "patch"} {
		n := parts[i]
		switch {
		case n == "":
			return nil, fail("%s version is empty", name)
		case !allDigits(n):
			return nil, fail("%s version %q must be a non-negative integer", name, n)
		case len(n) > 1 && n[0] == '0':
			return nil, fail("%s version %q must not have leading zeros", name, n)
		}
	}
	if hasPre {
		if err := checkIdentifiers("pre-release", "-", pre); err != "" {
			return nil, fail("%s", err)
		}
	}
	if hasBuild {
		if err := checkIdentifiers("build metadata", "+", build); err != "" {
			return nil, fail("%s", err)
		}
	}
	v := "v" + s
	if !semver.IsValid(v) {
		// The checks above implement the same grammar; reaching here is a bug.
		return nil, fail("rejected by golang.org/x/mod/semver")
	}
	return &semverVersion{v: v}, nil
}

// checkIdentifiers checks the dot-separated identifiers of the pre-release
// or build part that follows sep, and returns why they are invalid, or "".
// Only pre-release identifiers have the no-leading-zeros rule.
func checkIdentifiers(part, sep, s string) string {
	if s == "" {
		return fmt.Sprintf("%s after %q is empty; remove the %q or add identifiers after it", part, sep, sep)
	}
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return fmt.Sprintf("%s %q has an empty identifier", part, s)
		}
		for _, r := range id {
			if !('0' <= r && r <= '9') && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && r != '-' {
				return fmt.Sprintf("%s identifier %q has %q; only ASCII letters, digits and \"-\" are allowed", part, id, r)
			}
		}
		if sep == "-" && len(id) > 1 && id[0] == '0' && allDigits(id) {
			return fmt.Sprintf("numeric %s identifier %q must not have leading zeros", part, id)
		}
	}
	return ""
}

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// Scheme returns [SemVer].
func (v *semverVersion) Scheme() Scheme { return SemVer }

// String returns the version without the "v" prefix, build metadata kept.
func (v *semverVersion) String() string { return v.v[1:] }

// Compare orders by SemVer precedence (semver.org, item 11); build metadata
// is ignored. It panics if other is not a SemVer version.
func (v *semverVersion) Compare(other Version) int {
	o, ok := other.(*semverVersion)
	if !ok {
		mismatch(v, other)
	}
	return semver.Compare(v.v, o.v)
}

// IsPrerelease reports whether the version has a pre-release part.
func (v *semverVersion) IsPrerelease() bool { return semver.Prerelease(v.v) != "" }

// IsDevRelease is always false: SemVer has no developmental releases.
func (v *semverVersion) IsDevRelease() bool { return false }

// IsPostRelease is always false: SemVer has no post-releases.
func (v *semverVersion) IsPostRelease() bool { return false }
