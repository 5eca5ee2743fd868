// Package version gives shipkit typed versions of two schemes, SemVer 2.0.0
// (https://semver.org/spec/v2.0.0.html) and PEP 440
// (https://peps.python.org/pep-0440/), so that versions are never compared
// as strings.
//
// Parse a raw string with [Parse], [ParseSemVer] or [ParsePEP440]; the
// resulting [Version] knows its scheme, prints its normalised form and
// orders itself against other versions of the same scheme.
package version

import (
	"fmt"
	"strings"
)

// Scheme names a versioning scheme.
type Scheme string

const (
	// SemVer is Semantic Versioning 2.0.0 (https://semver.org/spec/v2.0.0.html).
	SemVer Scheme = "semver"
	// PEP440 is Python's version scheme (https://peps.python.org/pep-0440/).
	PEP440 Scheme = "pep440"
)

// schemes lists every known scheme in the order error messages show them.
var schemes = []Scheme{SemVer, PEP440}

// title is the scheme's name as people write it, for messages.
func (s Scheme) title() string {
	switch s {
	case SemVer:
		return "SemVer"
	case PEP440:
		return "PEP 440"
	default:
		return string(s)
	}
}

// Version is a parsed version of one scheme.
type Version interface {
	// Scheme reports the scheme the version was parsed with.
	Scheme() Scheme
	// String returns the normalised form, without a leading "v".
	// SemVer keeps build metadata ("1.0.0+build.5"); PEP 440 applies the
	// spec's normalisation rules ("1.0-alpha1" becomes "1.0a1").
	String() string
	// Compare returns -1, 0 or +1 as the version sorts before, equal to or
	// after other. It panics if other is nil or of another scheme: versions
	// of different schemes have no order.
	Compare(other Version) int
	// IsPrerelease reports whether the version is not a final release:
	// for SemVer, it has a pre-release part ("1.0.0-rc.1"); for PEP 440, it
	// has a pre-release segment (aN, bN, rcN) or is a developmental release
	// (.devN).
	IsPrerelease() bool
	// IsDevRelease reports whether the version is a PEP 440 developmental
	// release (.devN). It is always false for SemVer.
	IsDevRelease() bool
	// IsPostRelease reports whether the version is a PEP 440 post-release
	// (.postN). It is always false for SemVer.
	IsPostRelease() bool
}

// ParseError is the error returned when a string is not a valid version of
// a scheme.
type ParseError struct {
	// Scheme is the scheme the value was parsed with.
	Scheme Scheme
	// Value is the raw string as given.
	Value string
	// Reason says which rule of the scheme the value breaks.
	Reason string
}

// Error returns a message such as
// `invalid PEP 440 version "1.0.x": unexpected ".x" after "1.0" ...`.
func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid %s version %q: %s", e.Scheme.title(), e.Value, e.Reason)
}

// Parse parses raw as a version of scheme s. An unknown scheme is an error
// that lists the known ones; an invalid raw value is a [*ParseError].
func Parse(s Scheme, raw string) (Version, error) {
	switch s {
	case SemVer:
		return ParseSemVer(raw)
	case PEP440:
		return ParsePEP440(raw)
	default:
		return nil, fmt.Errorf("parsing version %q: %w", raw, unknownScheme(string(s)))
	}
}

// MustParse is like [Parse] but panics if raw is not valid. It is meant for
// constants in code and tests, never for user input.
func MustParse(s Scheme, raw string) Version {
	v, err := Parse(s, raw)
	if err != nil {
		panic(err)
	}
	return v
}

// ParseScheme returns the scheme with the given name ("semver" or "pep440",
// ignoring case and surrounding spaces), for action inputs and flags.
func ParseScheme(name string) (Scheme, error) {
	n := Scheme(strings.ToLower(strings.TrimSpace(name)))
	for _, s := range schemes {
		if n == s {
			return s, nil
		}
	}
	return "", unknownScheme(name)
}

func unknownScheme(name string) error {
	quoted := make([]string, len(schemes))
	for i, s := range schemes {
		quoted[i] = fmt.Sprintf("%q", string(s))
	}
	return fmt.Errorf("unknown version scheme %q: use one of %s", name, strings.Join(quoted, ", "))
}

// mismatch panics for a comparison across schemes; see [Version.Compare].
func mismatch(v, other Version) {
	if other == nil {
		panic(fmt.Sprintf("version: comparing %s version %q with nil", v.Scheme().title(), v.String()))
	}
	panic(fmt.Sprintf("version: comparing %s version %q with %s version %q",
		v.Scheme().title(), v.String(), other.Scheme().title(), other.String()))
}

// isDigit reports whether c is an ASCII decimal digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
