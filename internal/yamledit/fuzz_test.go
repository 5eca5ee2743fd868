package yamledit

import (
	"bytes"
	"errors"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzSet checks the editor's promise on any input: setting one scalar either fails cleanly or
// changes exactly that scalar's bytes. The result's prefix before the old value's bytes and its
// suffix after them equal the input's, and the result parses to the same documents with only
// that value changed.
func FuzzSet(f *testing.F) {
	seeds := []string{
		"images:\n  - name: app\n    newTag: v1 # keep\n",
		"\xef\xbb\xbfa: 'x'\r\nb: \"y\"\r\n",
		"---\na: [1, 2, {b: c}]\n---\nd: &x e\nf: *x\n",
		"k: |\n  block\nj: plain text\n",
		"spec:\n  containers:\n  - image: nginx:1.25\n    name: web\n",
		"a: 1\rb: 2\r",
		"é: ü\nk: v\n",
		"k: !!str 12\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint(i), "sha-1234abcd")
		f.Add([]byte(s), uint(i*3+1), "it's: #1")
	}
	f.Fuzz(func(t *testing.T, data []byte, pick uint, value string) {
		e, err := Parse(data)
		if err != nil {
			return
		}
		var scalars []*yaml.Node
		var walk func(*yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode {
				scalars = append(scalars, n)
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		for _, d := range e.Documents() {
			walk(d)
		}
		if len(scalars) == 0 {
			return
		}
		n := scalars[int(pick%uint(len(scalars)))]
		if err := e.Set(n, value); err != nil {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Set(%q) = %v, want nil or ErrUnsupported", value, err)
			}
			return
		}
		start, end, err := e.scalarSpan(n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.Bytes()
		if err != nil {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Bytes() = %v, want nil or ErrUnsupported", err)
			}
			return
		}
		src := bytes.TrimPrefix(data, bom)
		body := bytes.TrimPrefix(got, bom)
		if bytes.HasPrefix(data, bom) != bytes.HasPrefix(got, bom) {
			t.Fatalf("the byte order mark changed: %q -> %q", data, got)
		}
		if !bytes.Equal(body[:start], src[:start]) {
			t.Fatalf("bytes before the value changed:\n%q\n%q", src, body)
		}
		tail := len(src) - end
		if len(body) < start+tail || !bytes.Equal(body[len(body)-tail:], src[end:]) {
			t.Fatalf("bytes after the value changed:\n%q\n%q", src, body)
		}
		docs, err := decodeAll(body)
		if err != nil {
			t.Fatalf("the result does not parse: %v\n%q", err, body)
		}
		path, _ := pathTo(e.Documents(), n)
		if got := follow(docs, path); got == nil || got.Value != value {
			t.Fatalf("the value reads back as %v, want %q", got, value)
		}
	})
}
