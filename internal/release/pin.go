// Package release is how shipkit releases itself: the action images built with package
// imagebuild and pushed by digest, the `@main` references of its workflows and root action pinned
// to the release commit, the check that a release commit's action.yml files name the images
// built from its source, the major tag moved only forward, and the draft release published last.
package release

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/mod/semver"
)

// UnreleasedComment marks a `@main` reference to shipkit that the release replaces; the
// workflow policy (test/workflows) requires it on every such reference.
const UnreleasedComment = "pinned to a release SHA by the release workflow"

// unreleasedRef matches `uses: shipkit-dev/shipkit/<path>@main # <UnreleasedComment>`.
var unreleasedRef = regexp.MustCompile(`^(\s*(?:-\s+)?uses:\s*shipkit-dev/shipkit/[^@\s]+)@main(\s+#\s*)` + regexp.QuoteMeta(UnreleasedComment) + `\s*$`)

// anyMainRef matches a reference to shipkit at main, with or without the comment.
var anyMainRef = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*shipkit-dev/shipkit/[^@\s]+@main\b`)

var commitSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// CheckVersion says whether version is a release tag name: v and a SemVer version.
func CheckVersion(version string) error {
	if !strings.HasPrefix(version, "v") || !semver.IsValid(version) || semver.Canonical(version) != version {
		return fmt.Errorf("version %q: want a tag such as v1.2.3 (v and a full SemVer version)", version)
	}
	return nil
}

// Pin rewrites each `uses: shipkit-dev/shipkit/<path>@main # pinned to a release SHA by the
// release workflow` line of data to `@<commit> # <version>`, changing nothing else, and returns
// the new bytes and how many references it pinned. A `@main` reference without the comment is
// an error naming file and line: it was not written to be pinned, so pinning it could hide a
// mistake.
func Pin(file string, data []byte, commit, version string) ([]byte, int, error) {
	if !commitSHA.MatchString(commit) {
		return nil, 0, fmt.Errorf("commit %q: want the 40 hex digits of the release commit", commit)
	}
	if err := CheckVersion(version); err != nil {
		return nil, 0, err
	}
	var out bytes.Buffer
	out.Grow(len(data))
	n, lineNo := 0, 0
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		body, eol := splitEOL(line)
		if m := unreleasedRef.FindSubmatch(body); m != nil {
			out.Write(m[1])
			out.WriteString("@" + commit + " # " + version)
			out.Write(eol)
			n++
			continue
		}
		if anyMainRef.Match(body) {
			return nil, 0, fmt.Errorf("%s:%d: a reference to shipkit at main without the comment %q: add it so the release pins it, or pin it yourself", file, lineNo, "# "+UnreleasedComment)
		}
		out.Write(line)
	}
	return out.Bytes(), n, nil
}

// splitEOL splits a line from its line ending ("\n", "\r\n" or none).
func splitEOL(line []byte) (body, eol []byte) {
	switch {
	case bytes.HasSuffix(line, []byte("\r\n")):
		return line[:len(line)-2], line[len(line)-2:]
	case bytes.HasSuffix(line, []byte("\n")):
		return line[:len(line)-1], line[len(line)-1:]
	}
	return line, nil
}
