// Package yamledit changes values in YAML files surgically: it finds nodes with yaml.v3, then
// edits the file's bytes in place, so that only the bytes of the changed value differ. Comments,
// blank lines, quoting, key order, indentation, flow style, document markers (---), CRLF line
// breaks and a byte order mark all survive, which re-encoding a yaml.v3 tree loses.
//
// An Editor holds one file (one or more documents). Callers walk Documents to find the nodes
// to change, queue changes (Set, SetKey, Delete, Append), and take the result from Bytes, which
// re-parses it and checks that every change landed and nothing else moved; an edit it cannot
// make exactly fails with an error and leaves the input as it was.
package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

var bom = []byte("\xef\xbb\xbf")

// SyntaxError is a file that is not valid YAML.
type SyntaxError struct {
	Line int    // 1-based; 0 when unknown
	Msg  string // yaml.v3's message without its "yaml: line N:" prefix
}

// Error returns "line N: MSG".
func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return "parsing YAML: " + e.Msg
	}
	return fmt.Sprintf("parsing YAML: line %d: %s", e.Line, e.Msg)
}

// ErrUnsupported reports an edit the editor cannot make without touching other bytes (a block
// or multi-line scalar, an insertion into a flow collection, ...). The message says which.
var ErrUnsupported = errors.New("unsupported edit")

// Editor is one YAML file and the changes queued on it. It is not safe for concurrent use.
type Editor struct {
	src   []byte // without the byte order mark
	bom   bool
	docs  []*yaml.Node
	lines []int // byte offset of each line's start, by 0-based line
	eol   string
	ops   []op
}

// op is one queued change: replace src[start:end] with text. apply makes the same change to a
// copy of the parsed documents, which the re-parsed result must equal; stage orders the applies
// so that paths stay valid (values, then additions at the ends, then deletions).
type op struct {
	start, end int
	text       string
	stage      int
	depth      int // of the node changed: deeper insertions at one offset go first
	apply      func(docs []*yaml.Node)
}

// Parse reads a YAML file (every document of it). An empty file has no documents.
func Parse(data []byte) (*Editor, error) {
	e := &Editor{}
	if bytes.HasPrefix(data, bom) {
		e.bom, data = true, data[len(bom):]
	}
	e.src = data
	docs, err := decodeAll(data)
	if err != nil {
		return nil, err
	}
	e.docs = docs
	e.lines = LineStarts(data)
	e.eol = "\n"
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 && data[i] == '\r' {
		e.eol = "\r"
		if i+1 < len(data) && data[i+1] == '\n' {
			e.eol = "\r\n"
		}
	}
	return e, nil
}

var lineRE = regexp.MustCompile(`^yaml: line (\d+): `)

func decodeAll(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			msg := err.Error()
			se := &SyntaxError{Msg: strings.TrimPrefix(msg, "yaml: ")}
			if m := lineRE.FindStringSubmatch(msg); m != nil {
				se.Line, _ = strconv.Atoi(m[1])
				se.Msg = msg[len(m[0]):]
				// yaml.v3 gives its parser's problems a 0-based line, its scanner's a 1-based one.
				if strings.HasPrefix(se.Msg, "did not find expected") || strings.HasPrefix(se.Msg, "found duplicate %") ||
					strings.HasPrefix(se.Msg, "found incompatible") || strings.HasPrefix(se.Msg, "found undefined tag") {
					se.Line++
				}
			} else if !strings.HasPrefix(msg, "yaml: ") {
				se.Line = 0
			}
			return nil, se
		}
		docs = append(docs, &n)
	}
}

// Documents returns the document nodes, in file order. The nodes belong to the file as parsed:
// queue every change on them before calling Bytes.
func (e *Editor) Documents() []*yaml.Node { return e.docs }

// Lookup returns the value of key in mapping m, and the key node; nil when m is not a mapping
// or has no such key. An alias to a mapping is followed.
func Lookup(m *yaml.Node, key string) (value, keyNode *yaml.Node) {
	if m != nil && m.Kind == yaml.AliasNode {
		m = m.Alias
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i+1], m.Content[i]
		}
	}
	return nil, nil
}

// Root returns a document's top node (nil for an empty document).
func Root(doc *yaml.Node) *yaml.Node {
	if doc != nil && doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0]
	}
	return nil
}

// Set queues replacing the scalar n with value, keeping n's quoting style where value allows
// it: a plain scalar stays plain unless value would read as another type or needs quotes, a
// quoted one keeps its quotes. n must be a single-line scalar of this file.
func (e *Editor) Set(n *yaml.Node, value string) error {
	if n == nil || n.Kind != yaml.ScalarNode {
		return fmt.Errorf("setting %q: %w: the node is not a scalar", value, ErrUnsupported)
	}
	start, end, tagged, err := e.scalarText(n)
	if err != nil {
		return fmt.Errorf("setting %q at line %d: %w", value, n.Line, err)
	}
	old := *n
	if tagged {
		old.Tag = "" // the explicit tag decides the type: any plain text reads as it
	}
	text, err := render(value, &old, e.inFlow(start))
	if err != nil {
		return fmt.Errorf("setting %q at line %d: %w", value, n.Line, err)
	}
	path, ok := pathTo(e.docs, n)
	if !ok {
		return fmt.Errorf("setting %q: %w: the node is not in this file", value, ErrUnsupported)
	}
	return e.queue(op{start: start, end: end, text: text, apply: func(docs []*yaml.Node) {
		n := follow(docs, path)
		n.Value, n.Tag, n.Style = value, anyTag, 0
	}})
}

// SetKey queues setting key to the string value in the block mapping m: the existing value is
// replaced as Set does; a missing key is added as a new last line of the mapping, indented like
// its other keys.
func (e *Editor) SetKey(m *yaml.Node, key, value string) error {
	if v, _ := Lookup(m, key); v != nil {
		return e.Set(v, value)
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return fmt.Errorf("adding key %q: %w: the node is not a mapping", key, ErrUnsupported)
	}
	if m.Style&yaml.FlowStyle != 0 || len(m.Content) == 0 {
		return fmt.Errorf("adding key %q at line %d: %w: the mapping is in flow style ({...}); write it in block style", key, m.Line, ErrUnsupported)
	}
	keyText, err := render(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str"}, false)
	if err != nil {
		return fmt.Errorf("adding key %q: %w", key, err)
	}
	valText, err := render(value, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str"}, false)
	if err != nil {
		return fmt.Errorf("adding key %q: %w", key, err)
	}
	at, err := e.after(m)
	if err != nil {
		return fmt.Errorf("adding key %q at line %d: %w", key, m.Line, err)
	}
	// The first key may follow the "- " of a sequence item: its column is the indentation.
	indent := strings.Repeat(" ", m.Content[0].Column-1)
	path, _ := pathTo(e.docs, m)
	return e.queue(op{start: at.off, end: at.off, text: at.prefix + indent + keyText + ": " + valText + e.eol, stage: 1, depth: len(path), apply: func(docs []*yaml.Node) {
		n := follow(docs, path)
		n.Content = append(n.Content, strNode(key), strNode(value))
	}})
}

// Append queues adding a mapping of the given string pairs as the last item of the block
// sequence s, laid out like the sequence's first item.
func (e *Editor) Append(s *yaml.Node, pairs [][2]string) error {
	if s == nil || s.Kind != yaml.SequenceNode || len(pairs) == 0 {
		return fmt.Errorf("appending an item: %w: the node is not a sequence", ErrUnsupported)
	}
	if s.Style&yaml.FlowStyle != 0 || len(s.Content) == 0 {
		return fmt.Errorf("appending an item at line %d: %w: the sequence is empty or in flow style ([...]); write it in block style", s.Line, ErrUnsupported)
	}
	first := s.Content[0]
	itemOff := e.offset(first.Line, first.Column)
	lineStart := e.lines[first.Line-1]
	dash := bytes.LastIndexByte(e.src[lineStart:itemOff], '-')
	if dash < 0 || strings.TrimSpace(string(e.src[lineStart:lineStart+dash])) != "" {
		return fmt.Errorf("appending an item at line %d: %w: the first item is not on its own line", s.Line, ErrUnsupported)
	}
	dashIndent := string(e.src[lineStart : lineStart+dash])
	content := first.Column - 1 - utf8.RuneCount(e.src[lineStart:lineStart+dash]) - 1
	if content < 1 {
		content = 1
	}
	var b strings.Builder
	for i, kv := range pairs {
		k, err := render(kv[0], &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str"}, false)
		if err != nil {
			return fmt.Errorf("appending an item: %w", err)
		}
		v, err := render(kv[1], &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str"}, false)
		if err != nil {
			return fmt.Errorf("appending an item: %w", err)
		}
		if i == 0 {
			b.WriteString(dashIndent + "-" + strings.Repeat(" ", content))
		} else {
			b.WriteString(strings.Repeat(" ", len(dashIndent)+1+content))
		}
		b.WriteString(k + ": " + v + e.eol)
	}
	at, err := e.after(s)
	if err != nil {
		return fmt.Errorf("appending an item at line %d: %w", s.Line, err)
	}
	path, _ := pathTo(e.docs, s)
	return e.queue(op{start: at.off, end: at.off, text: at.prefix + b.String(), stage: 1, depth: len(path), apply: func(docs []*yaml.Node) {
		item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, kv := range pairs {
			item.Content = append(item.Content, strNode(kv[0]), strNode(kv[1]))
		}
		n := follow(docs, path)
		n.Content = append(n.Content, item)
	}})
}

// AddList queues adding key to the block mapping m with a block sequence of one mapping item
// made of pairs, as the mapping's new last lines:
//
//	key:
//	- k1: v1
//	  k2: v2
func (e *Editor) AddList(m *yaml.Node, key string, pairs [][2]string) error {
	if v, _ := Lookup(m, key); v != nil {
		return fmt.Errorf("adding key %q: it is already there at line %d", key, v.Line)
	}
	if m == nil || m.Kind != yaml.MappingNode || len(pairs) == 0 {
		return fmt.Errorf("adding key %q: %w: the node is not a mapping", key, ErrUnsupported)
	}
	if m.Style&yaml.FlowStyle != 0 || len(m.Content) == 0 {
		return fmt.Errorf("adding key %q at line %d: %w: the mapping is empty or in flow style ({...}); write it in block style", key, m.Line, ErrUnsupported)
	}
	indent := strings.Repeat(" ", m.Content[0].Column-1)
	var b strings.Builder
	str := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str"}
	k, err := render(key, str, false)
	if err != nil {
		return fmt.Errorf("adding key %q: %w", key, err)
	}
	b.WriteString(indent + k + ":" + e.eol)
	item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i, kv := range pairs {
		pk, err := render(kv[0], str, false)
		if err != nil {
			return fmt.Errorf("adding key %q: %w", key, err)
		}
		pv, err := render(kv[1], str, false)
		if err != nil {
			return fmt.Errorf("adding key %q: %w", key, err)
		}
		lead := indent + "  "
		if i == 0 {
			lead = indent + "- "
		}
		b.WriteString(lead + pk + ": " + pv + e.eol)
		item.Content = append(item.Content, strNode(kv[0]), strNode(kv[1]))
	}
	at, err := e.after(m)
	if err != nil {
		return fmt.Errorf("adding key %q at line %d: %w", key, m.Line, err)
	}
	path, _ := pathTo(e.docs, m)
	return e.queue(op{start: at.off, end: at.off, text: at.prefix + b.String(), stage: 1, depth: len(path), apply: func(docs []*yaml.Node) {
		n := follow(docs, path)
		n.Content = append(n.Content, strNode(key), &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{clone(item)}})
	}})
}

// Delete queues removing key and its single-line scalar value from the block mapping m: the
// whole line goes, with its comment. Deleting a missing key does nothing.
func (e *Editor) Delete(m *yaml.Node, key string) error {
	v, k := Lookup(m, key)
	if v == nil {
		return nil
	}
	if m.Style&yaml.FlowStyle != 0 || v.Kind != yaml.ScalarNode || k.Line != v.Line {
		return fmt.Errorf("deleting key %q at line %d: %w: only a key with a scalar on its own line can be deleted", key, k.Line, ErrUnsupported)
	}
	if len(m.Content) == 2 {
		return fmt.Errorf("deleting key %q at line %d: %w: it is the mapping's only key", key, k.Line, ErrUnsupported)
	}
	if !e.onlySpaceBefore(k) {
		return fmt.Errorf("deleting key %q at line %d: %w: the key shares its line with a sequence dash or another node", key, k.Line, ErrUnsupported)
	}
	if _, _, err := e.scalarSpan(v); err != nil {
		return fmt.Errorf("deleting key %q at line %d: %w", key, k.Line, err)
	}
	start := e.lines[k.Line-1]
	end := len(e.src)
	if k.Line < len(e.lines) {
		end = e.lines[k.Line]
	}
	path, _ := pathTo(e.docs, k)
	return e.queue(op{start: start, end: end, stage: 2, apply: func(docs []*yaml.Node) {
		m := follow(docs, path[:len(path)-1])
		i := path[len(path)-1]
		m.Content = slices.Delete(m.Content, i, i+2)
	}})
}

func (e *Editor) queue(o op) error {
	for _, p := range e.ops {
		if o.start < p.end && p.start < o.end || (o.start == p.start && o.end > o.start && p.end > p.start) ||
			(o.start == p.start && o.end == o.start && p.end == p.start && o.depth == p.depth) {
			return fmt.Errorf("queueing an edit: %w: it overlaps another edit of the same bytes", ErrUnsupported)
		}
	}
	e.ops = append(e.ops, o)
	return nil
}

// Changed reports whether changes are queued that alter the file.
func (e *Editor) Changed() bool {
	for _, o := range e.ops {
		if string(e.src[o.start:o.end]) != o.text {
			return true
		}
	}
	return false
}

// Bytes applies the queued changes and returns the new file, byte order mark included. It
// re-parses the result and fails when a change did not read back, or when anything outside the
// changes differs in meaning; the Editor stays as it was either way.
func (e *Editor) Bytes() ([]byte, error) {
	ops := slices.Clone(e.ops)
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].start != ops[j].start {
			return ops[i].start < ops[j].start
		}
		if (ops[i].end == ops[i].start) != (ops[j].end == ops[j].start) {
			return ops[i].end > ops[i].start // a replacement before an insertion at its end
		}
		return ops[i].depth > ops[j].depth
	})
	var out []byte
	if e.bom {
		out = append(out, bom...)
	}
	last := 0
	for _, o := range ops {
		out = append(out, e.src[last:o.start]...)
		out = append(out, o.text...)
		last = o.end
	}
	out = append(out, e.src[last:]...)
	if len(ops) == 0 {
		return out, nil
	}
	docs, err := decodeAll(bytes.TrimPrefix(out, bom))
	if err != nil {
		return nil, fmt.Errorf("checking the edit: %w: the result does not parse: %v", ErrUnsupported, err)
	}
	if len(docs) != len(e.docs) {
		return nil, fmt.Errorf("checking the edit: %w: the result has %d documents, want %d", ErrUnsupported, len(docs), len(e.docs))
	}
	want := make([]*yaml.Node, len(e.docs))
	for i, d := range e.docs {
		want[i] = clone(d)
	}
	byStage := slices.Clone(ops)
	sort.SliceStable(byStage, func(i, j int) bool {
		if byStage[i].stage != byStage[j].stage {
			return byStage[i].stage < byStage[j].stage
		}
		return byStage[i].start > byStage[j].start // deletions from the end keep indexes valid
	})
	for _, o := range byStage {
		o.apply(want)
	}
	for i := range want {
		if err := same(want[i], docs[i]); err != nil {
			return nil, fmt.Errorf("checking the edit: %w: %v", ErrUnsupported, err)
		}
	}
	return out, nil
}

// anyTag marks an expected node whose tag may be anything: a set value may change type.
const anyTag = "?"

func strNode(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// clone copies a node tree (aliases keep pointing into the original: only their target's
// anchor is compared).
func clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = clone(k)
	}
	return &c
}

// same compares what two trees mean: kinds, tags, values, anchors and aliases, not positions
// or styles.
func same(want, got *yaml.Node) error {
	if want.Kind != got.Kind || want.Value != got.Value || want.Anchor != got.Anchor ||
		(want.Tag != anyTag && want.Tag != got.Tag) || len(want.Content) != len(got.Content) {
		return fmt.Errorf("line %d reads back as %q (%s), want %q (%s)", got.Line, got.Value, got.Tag, want.Value, want.Tag)
	}
	if want.Kind == yaml.AliasNode && (want.Alias == nil) != (got.Alias == nil) || want.Alias != nil && got.Alias != nil && want.Alias.Anchor != got.Alias.Anchor {
		return fmt.Errorf("line %d: the alias changed", got.Line)
	}
	for i := range want.Content {
		if err := same(want.Content[i], got.Content[i]); err != nil {
			return err
		}
	}
	return nil
}

// offset returns the byte offset of a yaml.v3 position (1-based line, column in characters).
func (e *Editor) offset(line, col int) int {
	if line < 1 || line > len(e.lines) {
		return len(e.src)
	}
	off := e.lines[line-1]
	for c := 1; c < col && off < len(e.src); c++ {
		_, size := utf8.DecodeRune(e.src[off:])
		off += size
	}
	return off
}

// LineStarts returns the offset of each line's start, counting line breaks as yaml.v3 (libyaml)
// does: CRLF, LF, a lone CR, NEL, LS and PS.
func LineStarts(b []byte) []int {
	starts := []int{0}
	for i := 0; i < len(b); {
		if n := breakLen(b[i:]); n > 0 {
			i += n
			starts = append(starts, i)
			continue
		}
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return starts
}

func breakLen(b []byte) int {
	switch {
	case bytes.HasPrefix(b, []byte("\r\n")):
		return 2
	case len(b) > 0 && (b[0] == '\n' || b[0] == '\r'):
		return 1
	case bytes.HasPrefix(b, []byte("\u0085")):
		return 2
	case bytes.HasPrefix(b, []byte("\u2028")), bytes.HasPrefix(b, []byte("\u2029")):
		return 3
	}
	return 0
}

// lineEnd returns the offset of the line break ending the line that holds off (len(src) when
// none).
func (e *Editor) lineEnd(off int) int {
	for i := off; i < len(e.src); {
		if breakLen(e.src[i:]) > 0 {
			return i
		}
		_, size := utf8.DecodeRune(e.src[i:])
		i += size
	}
	return len(e.src)
}

// scalarSpan returns the bytes of a single-line scalar's text (quotes included, anchor and tag
// excluded).
func (e *Editor) scalarSpan(n *yaml.Node) (int, int, error) {
	start, end, _, err := e.scalarText(n)
	return start, end, err
}

// scalarText is scalarSpan, and whether the scalar has an explicit tag.
func (e *Editor) scalarText(n *yaml.Node) (int, int, bool, error) {
	tagged := false
	start := e.offset(n.Line, n.Column)
	end := e.lineEnd(start)
	s := e.src[start:end]
	// Skip the node's properties: an anchor (&a) and a tag (!t), each followed by blanks.
	for len(s) > 0 && (s[0] == '&' || s[0] == '!') {
		tagged = tagged || s[0] == '!'
		i := bytes.IndexAny(s, " \t")
		if i < 0 {
			return 0, 0, false, fmt.Errorf("%w: the scalar is empty", ErrUnsupported)
		}
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		start += j
		s = s[j:]
	}
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		return 0, 0, false, fmt.Errorf("%w: the value is a block scalar (| or >); write it on one line", ErrUnsupported)
	case yaml.DoubleQuotedStyle:
		if len(s) == 0 || s[0] != '"' {
			return 0, 0, false, fmt.Errorf("%w: the quoted scalar was not found where the parser put it", ErrUnsupported)
		}
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return start, start + i + 1, tagged, nil
			}
		}
		return 0, 0, false, fmt.Errorf("%w: the quoted value spans several lines; write it on one line", ErrUnsupported)
	case yaml.SingleQuotedStyle:
		if len(s) == 0 || s[0] != '\'' {
			return 0, 0, false, fmt.Errorf("%w: the quoted scalar was not found where the parser put it", ErrUnsupported)
		}
		for i := 1; i < len(s); i++ {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				return start, start + i + 1, tagged, nil
			}
		}
		return 0, 0, false, fmt.Errorf("%w: the quoted value spans several lines; write it on one line", ErrUnsupported)
	}
	if n.Value == "" {
		// An empty plain scalar ("key:" with nothing after it) has no bytes of its own; yaml.v3
		// puts it at the next token, so it cannot be located safely.
		if len(s) > 0 && s[0] == '~' {
			return start, start + 1, tagged, nil
		}
		if bytes.HasPrefix(s, []byte("null")) || bytes.HasPrefix(s, []byte("Null")) || bytes.HasPrefix(s, []byte("NULL")) {
			return start, start + 4, tagged, nil
		}
		return 0, 0, false, fmt.Errorf("%w: the value is empty; give it a placeholder such as \"\"", ErrUnsupported)
	}
	if !bytes.HasPrefix(s, []byte(n.Value)) {
		return 0, 0, false, fmt.Errorf("%w: the value spans several lines; write it on one line", ErrUnsupported)
	}
	return start, start + len(n.Value), tagged, nil
}

// inFlow reports whether off is inside a flow collection ([...] or {...}), where , [ ] { }
// end a plain scalar. It looks at the brackets open before off.
func (e *Editor) inFlow(off int) bool {
	depth := 0
	for i := 0; i < off; i++ {
		switch e.src[i] {
		case '#':
			if i == 0 || e.src[i-1] == ' ' || e.src[i-1] == '\t' || breakLen(e.src[i-1:]) > 0 {
				i = e.lineEnd(i)
			}
		case '"', '\'':
			q := e.src[i]
			for i++; i < off && e.src[i] != q; i++ {
				if q == '"' && e.src[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			depth++
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return depth > 0
}

func (e *Editor) onlySpaceBefore(n *yaml.Node) bool {
	start := e.lines[n.Line-1]
	return strings.TrimSpace(string(e.src[start:e.offset(n.Line, n.Column)])) == ""
}

// insertion is where a new line goes: at off, after prefix (a line break when the file does
// not end with one).
type insertion struct {
	off    int
	prefix string
}

// after returns where a line goes that follows collection n's last line.
func (e *Editor) after(n *yaml.Node) (insertion, error) {
	last, err := lastLine(n)
	if err != nil {
		return insertion{}, err
	}
	if last >= len(e.lines) {
		if len(e.src) > 0 && breakLen(e.src[len(e.src)-1:]) == 0 && !bytes.HasSuffix(e.src, []byte("\r\n")) {
			return insertion{off: len(e.src), prefix: e.eol}, nil
		}
		return insertion{off: len(e.src)}, nil
	}
	return insertion{off: e.lines[last]}, nil
}

// lastLine returns the last line of a block collection's content (1-based).
func lastLine(n *yaml.Node) (int, error) {
	line := n.Line
	var walk func(*yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n.Kind == yaml.ScalarNode && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.ContainsAny(n.Value, "\n\r")) {
			return fmt.Errorf("%w: the collection ends with a multi-line value", ErrUnsupported)
		}
		line = max(line, n.Line)
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return line, walk(n)
}

// pathTo returns the indexes leading from the documents to n.
func pathTo(docs []*yaml.Node, n *yaml.Node) ([]int, bool) {
	var path []int
	var find func(cur *yaml.Node) bool
	find = func(cur *yaml.Node) bool {
		if cur == n {
			return true
		}
		for i, c := range cur.Content {
			path = append(path, i)
			if find(c) {
				return true
			}
			path = path[:len(path)-1]
		}
		return false
	}
	for i, d := range docs {
		path = []int{i}
		if find(d) {
			return path, true
		}
	}
	return nil, false
}

func follow(docs []*yaml.Node, path []int) *yaml.Node {
	if len(path) == 0 || path[0] >= len(docs) {
		return nil
	}
	n := docs[path[0]]
	for _, i := range path[1:] {
		if i >= len(n.Content) {
			return nil
		}
		n = n.Content[i]
	}
	return n
}

// render writes value as a scalar in the style of old: plain when old is plain and value reads
// back as a string (or as old's own type), else double-quoted; single quotes stay single when
// value can be written in them.
func render(value string, old *yaml.Node, flow bool) (string, error) {
	if !utf8.ValidString(value) {
		return "", fmt.Errorf("%w: the value is not valid UTF-8", ErrUnsupported)
	}
	printable := !strings.ContainsFunc(value, func(r rune) bool {
		return r < ' ' || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff
	})
	switch {
	case old.Style&yaml.SingleQuotedStyle != 0 && printable:
		return "'" + strings.ReplaceAll(value, "'", "''") + "'", nil
	case old.Style&yaml.DoubleQuotedStyle == 0 && old.Style&yaml.SingleQuotedStyle == 0 && printable && plainOK(value, flow, old.Tag):
		return value, nil
	}
	return doubleQuote(value), nil
}

// plainOK reports whether value can be written as a plain scalar that reads back as itself,
// with the tag !!str or want.
func plainOK(value string, flow bool, want string) bool {
	if value == "" || strings.TrimSpace(value) != value || strings.ContainsAny(value, "\t") {
		return false
	}
	if strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`", rune(value[0])) && !(len(value) > 1 && strings.ContainsRune("-?:", rune(value[0])) && value[1] != ' ') {
		return false
	}
	if strings.Contains(value, ": ") || strings.Contains(value, " #") || strings.HasSuffix(value, ":") {
		return false
	}
	if flow && strings.ContainsAny(value, ",[]{}") {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+value+"\n"), &n); err != nil {
		return false
	}
	v, _ := Lookup(Root(&n), "k")
	return v != nil && v.Kind == yaml.ScalarNode && v.Value == value && (want == "" || v.Tag == "!!str" || v.Tag == want)
}

// doubleQuote writes value as a YAML double-quoted scalar.
func doubleQuote(value string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range value {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02X`, r)
		case r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
