package version

import (
	"cmp"
	"fmt"
	"strings"
	"unicode/utf8"
)

// pep440Version is a valid PEP 440 version, already normalised.
//
// Numbers are kept as decimal strings without leading zeros, so that any
// length of number parses (PEP 440 sets no limit) and compares exactly.
type pep440Version struct {
	epoch   string   // "0" when absent
	release []string // at least one number
	pre     string   // "", "a", "b" or "rc"
	preN    string
	post    bool
	postN   string
	dev     bool
	devN    string
	local   []string // lower-case segments; numeric ones without leading zeros
	norm    string   // the normalised form, built once
}

// signifier is one spelling of a pre-release, post-release or dev-release
// label, and the label it normalises to.
type signifier struct{ spelling, norm string }

// Spellings from PEP 440's "Pre-release spelling", "Post release spelling"
// and "Development release separators" sections. Where one spelling is a
// prefix of another, the longer comes first.
var (
	preSpellings = []signifier{
		{"alpha", "a"}, {"a", "a"}, {"beta", "b"}, {"b", "b"},
		{"preview", "rc"}, {"pre", "rc"}, {"c", "rc"}, {"rc", "rc"},
	}
	postSpellings = []signifier{{"post", "post"}, {"rev", "post"}, {"r", "post"}}
	devSpellings  = []signifier{{"dev", "dev"}}
)

// pep440Whitespace is what PEP 440 ("Leading and Trailing Whitespace")
// drops around a version. Only ASCII whitespace is accepted.
const pep440Whitespace = " \t\n\r\f\v"

// pep440Form is the grammar, quoted in error messages.
const pep440Form = "[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]"

// ParsePEP440 parses raw as a PEP 440 version (https://peps.python.org/pep-0440/)
// and normalises it as the spec's "Normalization" section says: letters in
// any case; "alpha", "beta", "c", "pre", "preview" for a, b, rc, rc, rc;
// "rev" and "r" for post; "-", "_" or "." (or nothing) around a label;
// implicit numbers ("1.0a" is "1.0a0"); "1.0-1" for "1.0.post1"; a leading
// "v"; surrounding whitespace; "-" and "_" between local segments.
//
// It accepts exactly what the regular expression of the spec's Appendix B
// accepts, except that it rejects non-ASCII characters.
func ParsePEP440(raw string) (Version, error) {
	v, err := parsePEP440(raw)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// pepScanner walks a lower-cased, trimmed version string.
type pepScanner struct {
	s string
	i int
}

func (p *pepScanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pepScanner) peekAt(n int) byte {
	if p.i+n < len(p.s) {
		return p.s[p.i+n]
	}
	return 0
}

// number consumes a run of digits and returns it without leading zeros.
func (p *pepScanner) number() (string, bool) {
	start := p.i
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return "", false
	}
	return trimZeros(p.s[start:p.i]), true
}

// separator consumes one optional "-", "_" or ".".
func (p *pepScanner) separator() {
	if c := p.peek(); c == '-' || c == '_' || c == '.' {
		p.i++
	}
}

// label consumes [sep] spelling [sep] [number] for one of spellings and
// returns the normalised label and number ("0" when implicit). On no match
// it consumes nothing.
//
// The greedy choices here (the longest spelling, the trailing separator)
// are the ones the spec's regular expression makes: no other choice lets a
// later part match where this one fails, since no later part starts with a
// digit or with the remaining letters of a longer spelling.
func (p *pepScanner) label(spellings []signifier) (norm, n string, ok bool) {
	start := p.i
	p.separator()
	for _, sp := range spellings {
		if strings.HasPrefix(p.s[p.i:], sp.spelling) {
			p.i += len(sp.spelling)
			p.separator()
			n, ok := p.number()
			if !ok {
				n = "0"
			}
			return sp.norm, n, true
		}
	}
	p.i = start
	return "", "", false
}

func parsePEP440(raw string) (*pep440Version, error) {
	fail := func(format string, args ...any) error {
		return &ParseError{Scheme: PEP440, Value: raw, Reason: fmt.Sprintf(format, args...)}
	}
	trimmed := strings.Trim(raw, pep440Whitespace)
	if trimmed == "" {
		return nil, fail("version is empty; want %s such as 1.0", pep440Form)
	}
	for i := range len(trimmed) {
		if trimmed[i] >= utf8.RuneSelf {
			r, _ := utf8.DecodeRuneInString(trimmed[i:])
			return nil, fail("%q is not an ASCII character", r)
		}
	}
	p := &pepScanner{s: asciiLower(trimmed)}
	// unexpected reports the text from p.i on, in its original case.
	unexpected := func(expected string) error {
		if p.i == len(p.s) {
			return fail("%q ends too early; %s", trimmed, expected)
		}
		if p.i == 0 {
			return fail("unexpected %q; %s", trimmed, expected)
		}
		return fail("unexpected %q after %q; %s", trimmed[p.i:], trimmed[:p.i], expected)
	}

	v := &pep440Version{epoch: "0", release: make([]string, 0, 4)}
	if p.peek() == 'v' {
		p.i++
	}
	n, ok := p.number()
	if !ok {
		return nil, unexpected("a version starts with a release number such as 1.0 (" + pep440Form + ")")
	}
	if p.peek() == '!' {
		p.i++
		v.epoch = n
		if n, ok = p.number(); !ok {
			return nil, unexpected("an epoch (N!) must be followed by a release number such as 1.0")
		}
	}
	v.release = append(v.release, n)
	for p.peek() == '.' && isDigit(p.peekAt(1)) {
		p.i++
		n, _ = p.number()
		v.release = append(v.release, n)
	}

	v.pre, v.preN, _ = p.label(preSpellings)
	if p.peek() == '-' && isDigit(p.peekAt(1)) {
		// An implicit post-release ("1.0-1"): only "-" may introduce it.
		p.i++
		v.post = true
		v.postN, _ = p.number()
	} else if _, n, ok := p.label(postSpellings); ok {
		v.post, v.postN = true, n
	}
	if _, n, ok := p.label(devSpellings); ok {
		v.dev, v.devN = true, n
	}

	if p.peek() == '+' {
		p.i++
		for {
			start := p.i
			for p.i < len(p.s) && isAlnum(p.s[p.i]) {
				p.i++
			}
			if p.i == start {
				return nil, unexpected(`a local version label is letters and digits, in segments separated by ".", "-" or "_"`)
			}
			v.local = append(v.local, localSegment(p.s[start:p.i]))
			if c := p.peek(); (c == '.' || c == '-' || c == '_') && isAlnum(p.peekAt(1)) {
				p.i++
				continue
			}
			break
		}
	}
	if p.i != len(p.s) {
		return nil, unexpected("want " + pep440Form + " such as 1.0rc1, 1.0.post1, 1.0.dev1 or 1.0+local.1")
	}
	v.norm = v.format()
	return v, nil
}

func isAlnum(c byte) bool { return isDigit(c) || ('a' <= c && c <= 'z') }

// localSegment normalises one local version segment: numbers lose their
// leading zeros, as packaging.version does, since they compare as integers.
func localSegment(s string) string {
	if allDigits(s) {
		return trimZeros(s)
	}
	return s
}

// trimZeros drops leading zeros from a decimal number ("007" is "7").
func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

// asciiLower lower-cases ASCII letters only.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// format builds the normalised form: [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local].
func (v *pep440Version) format() string {
	var b strings.Builder
	b.Grow(32)
	if v.epoch != "0" {
		b.WriteString(v.epoch)
		b.WriteByte('!')
	}
	for i, n := range v.release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(n)
	}
	if v.pre != "" {
		b.WriteString(v.pre)
		b.WriteString(v.preN)
	}
	if v.post {
		b.WriteString(".post")
		b.WriteString(v.postN)
	}
	if v.dev {
		b.WriteString(".dev")
		b.WriteString(v.devN)
	}
	if len(v.local) > 0 {
		b.WriteByte('+')
		b.WriteString(strings.Join(v.local, "."))
	}
	return b.String()
}

// Scheme returns [PEP440].
func (v *pep440Version) Scheme() Scheme { return PEP440 }

// String returns the normalised form, such as "1!2.0rc1.post2.dev3+ubuntu.1".
func (v *pep440Version) String() string { return v.norm }

// IsPrerelease reports whether the version has a pre-release segment or is
// a developmental release.
func (v *pep440Version) IsPrerelease() bool { return v.pre != "" || v.dev }

// IsDevRelease reports whether the version has a .devN segment.
func (v *pep440Version) IsDevRelease() bool { return v.dev }

// IsPostRelease reports whether the version has a .postN segment.
func (v *pep440Version) IsPostRelease() bool { return v.post }

// Compare orders versions as PEP 440 "Summary of permitted suffixes and
// relative ordering" says: by epoch, then release (padded with zeros, so
// 1.0 == 1.0.0), then .devN < aN < bN < rcN < final < .postN within a
// release, then local label. It panics if other is not a PEP 440 version.
func (v *pep440Version) Compare(other Version) int {
	o, ok := other.(*pep440Version)
	if !ok {
		mismatch(v, other)
	}
	if c := compareNum(v.epoch, o.epoch); c != 0 {
		return c
	}
	for i := range max(len(v.release), len(o.release)) {
		if c := compareNum(at(v.release, i), at(o.release, i)); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(v.prePhase(), o.prePhase()); c != 0 {
		return c
	}
	if v.pre != "" { // and so has o
		if c := cmp.Compare(preRank(v.pre), preRank(o.pre)); c != 0 {
			return c
		}
		if c := compareNum(v.preN, o.preN); c != 0 {
			return c
		}
	}
	// No post-release sorts before any post-release.
	if c := compareBool(v.post, o.post); c != 0 {
		return c
	}
	if v.post {
		if c := compareNum(v.postN, o.postN); c != 0 {
			return c
		}
	}
	// A developmental release sorts before the same version without one.
	if c := compareBool(!v.dev, !o.dev); c != 0 {
		return c
	}
	if v.dev {
		if c := compareNum(v.devN, o.devN); c != 0 {
			return c
		}
	}
	return compareLocal(v.local, o.local)
}

// prePhase places the version among the pre-release phases: -1 for a bare
// developmental release of a final (1.0.dev0 sorts before 1.0a1), 0 for a
// pre-release, 1 for everything else (final and post-releases).
func (v *pep440Version) prePhase() int {
	switch {
	case v.pre != "":
		return 0
	case v.dev && !v.post:
		return -1
	default:
		return 1
	}
}

func preRank(label string) int {
	switch label {
	case "a":
		return 0
	case "b":
		return 1
	default: // "rc"
		return 2
	}
}

// compareLocal orders local labels as PEP 440 "Local version identifiers"
// says: no label sorts first; segment by segment, letters sort before
// numbers, letters compare as strings and numbers as integers; a label that
// is a prefix of another sorts first.
func compareLocal(a, b []string) int {
	for i := range min(len(a), len(b)) {
		x, y := a[i], b[i]
		xn, yn := allDigits(x), allDigits(y)
		var c int
		switch {
		case xn && yn:
			c = compareNum(x, y)
		case xn:
			c = 1
		case yn:
			c = -1
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// at returns release number i, or "0" past the end (implicit zero padding).
func at(release []string, i int) string {
	if i < len(release) {
		return release[i]
	}
	return "0"
}

// compareNum compares decimal numbers without leading zeros.
func compareNum(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	default:
		return 1
	}
}
