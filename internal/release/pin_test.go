package release

import (
	"bytes"
	"strings"
	"testing"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

func TestPin(t *testing.T) {
	in := "steps:\r\n" +
		"  - uses: shipkit-dev/shipkit/actions/sha-tag-image@main # pinned to a release SHA by the release workflow\r\n" +
		"    uses: shipkit-dev/shipkit/.github/workflows/pypi-release.yml@main   #  pinned to a release SHA by the release workflow\n" +
		"  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n" +
		"# uses: shipkit-dev/shipkit/actions/x@main is only a comment"
	want := "steps:\r\n" +
		"  - uses: shipkit-dev/shipkit/actions/sha-tag-image@" + sha + " # v1.2.3\r\n" +
		"    uses: shipkit-dev/shipkit/.github/workflows/pypi-release.yml@" + sha + " # v1.2.3\n" +
		"  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n" +
		"# uses: shipkit-dev/shipkit/actions/x@main is only a comment"
	got, n, err := Pin("w.yml", []byte(in), sha, "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want || n != 2 {
		t.Errorf("Pin = %d pins\n%s\nwant 2\n%s", n, got, want)
	}
}

func TestPinRefusesUnmarkedMainReference(t *testing.T) {
	in := "jobs:\n  a:\n    steps:\n      - uses: shipkit-dev/shipkit/actions/pypi-gate@main\n"
	_, _, err := Pin("w.yml", []byte(in), sha, "v1.2.3")
	if err == nil || !strings.Contains(err.Error(), "w.yml:4:") {
		t.Fatalf("err = %v, want one naming w.yml:4", err)
	}
}

func TestPinBadArguments(t *testing.T) {
	for _, c := range []struct{ commit, version string }{
		{"main", "v1.2.3"}, {sha[:39], "v1.2.3"}, {strings.ToUpper(sha), "v1.2.3"},
		{sha, "1.2.3"}, {sha, "v1.2"}, {sha, "v1.2.3+build"}, {sha, ""},
	} {
		if _, _, err := Pin("f", []byte("x\n"), c.commit, c.version); err == nil {
			t.Errorf("Pin(commit %q, version %q) succeeded", c.commit, c.version)
		}
	}
}

// FuzzPin: pinning never touches a line it does not pin, keeps the line count, leaves no
// marked `@main` reference, and pinning its own output changes nothing.
func FuzzPin(f *testing.F) {
	f.Add([]byte("  - uses: shipkit-dev/shipkit/actions/a@main # pinned to a release SHA by the release workflow\n"))
	f.Add([]byte("uses: shipkit-dev/shipkit/x@main\r\nuses: shipkit-dev/shipkit/y@main # pinned to a release SHA by the release workflow"))
	f.Add([]byte("a: b\n\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, n, err := Pin("f", data, sha, "v1.0.0")
		if err != nil {
			return
		}
		if bytes.Count(out, []byte("\n")) != bytes.Count(data, []byte("\n")) {
			t.Fatalf("line count changed:\n%q\n%q", data, out)
		}
		if n == 0 && !bytes.Equal(out, data) {
			t.Fatalf("no pin, but the bytes changed:\n%q\n%q", data, out)
		}
		again, n2, err := Pin("f", out, sha, "v1.0.0")
		if err != nil || n2 != 0 || !bytes.Equal(again, out) {
			t.Fatalf("pinning the output again: %d pins, %v", n2, err)
		}
	})
}
