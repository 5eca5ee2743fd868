package version

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// packagingScript reads one JSON string a line and prints a line for each:
// "invalid" if pypa's packaging.version rejects it, else its normal form and
// its rank among the distinct valid versions (equal versions share a rank).
const packagingScript = `
import json, sys
from packaging.version import Version, InvalidVersion
parsed = []
for line in sys.stdin:
    try:
        parsed.append(Version(json.loads(line)))
    except InvalidVersion:
        parsed.append(None)
distinct = sorted(set(v for v in parsed if v is not None))
rank = {v: i for i, v in enumerate(distinct)}
for v in parsed:
    print("invalid" if v is None else "%s %d" % (v, rank[v]))
`

// TestPEP440MatchesPackaging holds the parser to pypa's packaging library,
// the implementation pip uses, on generated strings: the same strings
// accepted, the same normal forms and the same order. It needs a python3
// with packaging (Debian: python3-packaging) and skips without one.
func TestPEP440MatchesPackaging(t *testing.T) {
	t.Parallel()
	python := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.CommandContext(t.Context(), p, "-c", "import packaging.version").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Skip("skipping: no python3 with the packaging module (apt-get install python3-packaging)")
	}

	inputs := generatePEP440Candidates(rand.New(rand.NewPCG(440, 1)), 3000)
	var stdin bytes.Buffer
	for _, s := range inputs {
		line, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		stdin.Write(append(line, '\n'))
	}
	cmd := exec.CommandContext(t.Context(), python, "-c", packagingScript)
	cmd.Stdin = &stdin
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running packaging.version: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("packaging.version gave %d results for %d inputs", len(lines), len(inputs))
	}

	type ranked struct {
		raw  string
		v    Version
		rank int
	}
	var valid []ranked
	for i, s := range inputs {
		v, err := ParsePEP440(s)
		norm, rankText, ok := strings.Cut(lines[i], " ")
		rank, _ := strconv.Atoi(rankText)
		switch {
		case !ok && err == nil:
			t.Errorf("ParsePEP440(%q) = %q, but packaging rejects it", s, v)
		case ok && err != nil:
			t.Errorf("ParsePEP440(%q) error = %v, but packaging gives %q", s, err, norm)
		case ok && v.String() != norm:
			t.Errorf("ParsePEP440(%q).String() = %q, want %q (packaging)", s, v, norm)
		case ok:
			valid = append(valid, ranked{s, v, rank})
		}
	}
	slices.SortStableFunc(valid, func(a, b ranked) int { return a.v.Compare(b.v) })
	for i := 1; i < len(valid); i++ {
		a, b := valid[i-1], valid[i]
		if got, want := a.v.Compare(b.v), cmp.Compare(a.rank, b.rank); got != want {
			t.Errorf("%q.Compare(%q) = %d, want %d (packaging)", a.raw, b.raw, got, want)
		}
	}
	t.Logf("%d strings, %d valid, order checked", len(inputs), len(valid))
}

// generatePEP440Candidates makes n strings, most shaped like versions with
// every spelling and separator PEP 440 allows, some of random pieces.
func generatePEP440Candidates(r *rand.Rand, n int) []string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	seps := []string{"", "-", "_", "."}
	var out []string
	for range n {
		var b strings.Builder
		if r.IntN(3) == 0 {
			for range 1 + r.IntN(8) {
				b.WriteString(pick("v", "V", "1", "0", "00", "01", "2", "10", "!", "1!", ".", "-", "_", "+",
					"a", "A", "alpha", "b", "beta", "c", "rc", "pre", "preview", "post", "rev", "r",
					"dev", "DEV", "local", "abc", " ", "x", "5", "007", ".."))
			}
			out = append(out, b.String())
			continue
		}
		b.WriteString(pick("", "", "v", "V", " "))
		if r.IntN(5) == 0 {
			b.WriteString(pick("0", "1", "2", "01") + "!")
		}
		for i := range 1 + r.IntN(4) {
			if i > 0 {
				b.WriteString(".")
			}
			b.WriteString(pick("0", "1", "2", "10", "00", "01"))
		}
		if r.IntN(2) == 0 {
			b.WriteString(pick(seps...) + pick("a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "A", "RC"))
			b.WriteString(pick(seps...) + pick("", "0", "1", "2", "12", "01"))
		}
		if r.IntN(5) < 2 {
			if r.IntN(3) == 0 {
				b.WriteString("-" + pick("0", "1", "3"))
			} else {
				b.WriteString(pick(seps...) + pick("post", "rev", "r", "POST") + pick(seps...) + pick("", "0", "1", "345"))
			}
		}
		if r.IntN(5) < 2 {
			b.WriteString(pick(seps...) + pick("dev", "Dev") + pick(seps...) + pick("", "0", "1", "456"))
		}
		if r.IntN(10) < 3 {
			b.WriteString("+")
			for i := range 1 + r.IntN(3) {
				if i > 0 {
					b.WriteString(pick("-", "_", "."))
				}
				b.WriteString(pick("abc", "5", "7", "ubuntu", "1", "007", "A", "z9"))
			}
		}
		b.WriteString(pick("", "", " ", "\n"))
		out = append(out, b.String())
	}
	return out
}
