package ghemu

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// gitCLI runs the git CLI on one bare repository.
type gitCLI struct {
	dir  string
	home string // private HOME, no user or system configuration
}

// errGit is a git command that failed with a non-zero exit status.
type errGit struct {
	args   []string
	code   int
	stderr string
}

func (e *errGit) Error() string {
	return fmt.Sprintf("git %s: exit status %d: %s", strings.Join(e.args, " "), e.code, strings.TrimSpace(e.stderr))
}

// gitEnv is the environment of every git command.
func (g *gitCLI) env(extra ...string) []string {
	env := []string{
		"HOME=" + g.home,
		"PATH=" + os.Getenv("PATH"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(g.home, ".gitconfig"),
		"GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=safe.directory",
		"GIT_CONFIG_VALUE_0=*",
		"GIT_TERMINAL_PROMPT=0",
		"LC_ALL=C",
	}
	return append(env, extra...)
}

// run runs git with stdin and returns its standard output.
func (g *gitCLI) run(stdin []byte, args ...string) (string, error) {
	return g.runEnv(nil, stdin, args...)
}

func (g *gitCLI) runEnv(env []string, stdin []byte, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"--git-dir=" + g.dir}, args...)...)
	cmd.Env = g.env(env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out.String(), &errGit{args: args, code: ee.ExitCode(), stderr: errb.String()}
		}
		return "", fmt.Errorf("running git %s: %w", strings.Join(args, " "), err)
	}
	return out.String(), nil
}

// exitCode returns the exit status of a failed git command, or -1.
func exitCode(err error) int {
	var ge *errGit
	if errors.As(err, &ge) {
		return ge.code
	}
	return -1
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// isSHA reports whether s is a full lower-case SHA-1.
func isSHA(s string) bool { return shaRE.MatchString(s) }

const zeroSHA = "0000000000000000000000000000000000000000"

// resolve returns the SHA of rev peeled to the given object type ("commit",
// "tree", or "" for no peeling), or "" when it does not exist.
func (g *gitCLI) resolve(rev, typ string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", nil
	}
	spec := rev
	if typ != "" {
		spec += "^{" + typ + "}"
	}
	out, err := g.run(nil, "rev-parse", "--verify", "--quiet", "--end-of-options", spec)
	if err != nil {
		if exitCode(err) == 1 {
			return "", nil
		}
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// resolveCommit resolves a ref name, short name (branch, tag) or SHA to a
// commit SHA the way GitHub's {ref} parameters do, or "".
func (g *gitCLI) resolveCommit(ref string) (string, error) {
	for _, cand := range []string{"refs/heads/" + ref, "refs/tags/" + ref, ref} {
		if strings.HasPrefix(ref, "refs/") && cand != ref {
			continue
		}
		sha, err := g.resolve(cand, "commit")
		if err != nil || sha != "" {
			return sha, err
		}
	}
	return "", nil
}

// objectType returns the type of the object sha, or "" when it is missing.
func (g *gitCLI) objectType(sha string) (string, error) {
	if !isSHA(sha) {
		return "", nil
	}
	out, err := g.run(nil, "cat-file", "-t", sha)
	if err != nil {
		if exitCode(err) == 128 {
			return "", nil
		}
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// readRef returns the object a full ref name points to, or "".
func (g *gitCLI) readRef(ref string) (string, error) {
	out, err := g.run(nil, "for-each-ref", "--format=%(objectname)", "--end-of-options", ref)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// refEntry is one ref with its object.
type refEntry struct {
	name, sha, typ, peeled string
}

// listRefs returns all refs whose full name starts with prefix, sorted by
// name.
func (g *gitCLI) listRefs(prefix string) ([]refEntry, error) {
	out, err := g.run(nil, "for-each-ref", "--format=%(refname) %(objectname) %(objecttype) %(*objectname)", "refs/")
	if err != nil {
		return nil, err
	}
	var refs []refEntry
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, " ")
		if len(f) < 3 || !strings.HasPrefix(f[0], prefix) {
			continue
		}
		e := refEntry{name: f[0], sha: f[1], typ: f[2]}
		if len(f) > 3 {
			e.peeled = f[3]
		}
		refs = append(refs, e)
	}
	return refs, nil
}

// updateRef moves ref from old to new atomically; old "" means the ref must
// not exist yet, new "" deletes it. It reports false when the ref's value
// was not old (a lost race).
func (g *gitCLI) updateRef(ref, newSHA, oldSHA string) (bool, error) {
	if oldSHA == "" {
		oldSHA = zeroSHA
	}
	var err error
	if newSHA == "" {
		_, err = g.run(nil, "update-ref", "-d", ref, oldSHA)
	} else {
		_, err = g.run(nil, "update-ref", ref, newSHA, oldSHA)
	}
	if err != nil {
		if exitCode(err) == 128 {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// isAncestor reports whether commit a is an ancestor of (or equal to) b.
func (g *gitCLI) isAncestor(a, b string) (bool, error) {
	_, err := g.run(nil, "merge-base", "--is-ancestor", a, b)
	if err == nil {
		return true, nil
	}
	if exitCode(err) == 1 {
		return false, nil
	}
	return false, err
}

// mergeBase returns the best common ancestor of a and b, or "".
func (g *gitCLI) mergeBase(a, b string) (string, error) {
	out, err := g.run(nil, "merge-base", a, b)
	if err != nil {
		if exitCode(err) == 1 {
			return "", nil
		}
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// revList runs git rev-list with args and returns the SHAs.
func (g *gitCLI) revList(args ...string) ([]string, error) {
	out, err := g.run(nil, append([]string{"rev-list"}, args...)...)
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}

// person is a git author or committer.
type person struct {
	Name, Email string
	When        time.Time
}

// commitObj is a parsed commit object.
type commitObj struct {
	SHA       string
	Tree      string
	Parents   []string
	Author    person
	Committer person
	Message   string
	Signature string
	Payload   string // the commit without its signature, what was signed
}

var personRE = regexp.MustCompile(`^(.*) <(.*)> (-?\d+) ([+-]\d{4})$`)

func parsePerson(s string) person {
	m := personRE.FindStringSubmatch(s)
	if m == nil {
		return person{Name: s}
	}
	sec, _ := strconv.ParseInt(m[3], 10, 64)
	return person{Name: m[1], Email: m[2], When: time.Unix(sec, 0).UTC()}
}

// readCommit reads and parses the commit sha, or returns nil when sha is
// not a commit.
func (g *gitCLI) readCommit(sha string) (*commitObj, error) {
	if !isSHA(sha) {
		return nil, nil
	}
	raw, err := g.run(nil, "cat-file", "commit", sha)
	if err != nil {
		if exitCode(err) == 128 { // missing, or not a commit
			return nil, nil
		}
		return nil, err
	}
	c := &commitObj{SHA: sha}
	head, msg, _ := strings.Cut(raw, "\n\n")
	c.Message = msg
	var payload []string
	lines := strings.Split(head, "\n")
	for i := 0; i < len(lines); i++ {
		key, val, _ := strings.Cut(lines[i], " ")
		switch key {
		case "tree":
			c.Tree = val
		case "parent":
			c.Parents = append(c.Parents, val)
		case "author":
			c.Author = parsePerson(val)
		case "committer":
			c.Committer = parsePerson(val)
		case "gpgsig", "gpgsig-sha256":
			sig := []string{val}
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") {
				i++
				sig = append(sig, lines[i][1:])
			}
			c.Signature = strings.Join(sig, "\n") + "\n"
			continue
		}
		payload = append(payload, lines[i])
	}
	if c.Signature != "" {
		c.Payload = strings.Join(payload, "\n") + "\n\n" + msg
	}
	return c, nil
}

// treeEntry is one entry of a tree object.
type treeEntry struct {
	Mode, Type, SHA, Path string
	Size                  int64 // blobs only, else -1
}

// readTree lists the tree sha, recursively when asked. It returns nil when
// sha is not a tree or commit.
func (g *gitCLI) readTree(sha string, recursive bool) ([]treeEntry, error) {
	args := []string{"ls-tree", "-l", "-z"}
	if recursive {
		args = append(args, "-r", "-t")
	}
	out, err := g.run(nil, append(args, sha)...)
	if err != nil {
		return nil, err
	}
	var entries []treeEntry
	for _, rec := range strings.Split(out, "\x00") {
		meta, path, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) != 4 {
			continue
		}
		size, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			size = -1
		}
		entries = append(entries, treeEntry{Mode: f[0], Type: f[1], SHA: f[2], Size: size, Path: path})
	}
	return entries, nil
}

// entryAt returns the tree entry at path in the commit or tree rev, or nil.
func (g *gitCLI) entryAt(rev, path string) (*treeEntry, error) {
	out, err := g.run(nil, "ls-tree", "-l", "-z", rev, "--", path)
	if err != nil {
		return nil, err
	}
	rec, _, _ := strings.Cut(out, "\x00")
	meta, p, ok := strings.Cut(rec, "\t")
	if !ok || p != path {
		return nil, nil
	}
	f := strings.Fields(meta)
	size, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil {
		size = -1
	}
	return &treeEntry{Mode: f[0], Type: f[1], SHA: f[2], Size: size, Path: p}, nil
}

// catBlob returns the content of the blob sha.
func (g *gitCLI) catBlob(sha string) ([]byte, error) {
	out, err := g.run(nil, "cat-file", "blob", sha)
	return []byte(out), err
}

// hashObject writes data as an object of type typ and returns its SHA.
func (g *gitCLI) hashObject(typ string, data []byte) (string, error) {
	out, err := g.run(data, "hash-object", "-w", "-t", typ, "--stdin")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// commitTree writes a commit object and returns its SHA. A non-empty
// signature is stored as the commit's gpgsig header.
func (g *gitCLI) commitTree(tree string, parents []string, message string, author, committer person, signature ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "tree %s\n", tree)
	for _, p := range parents {
		fmt.Fprintf(&b, "parent %s\n", p)
	}
	fmt.Fprintf(&b, "author %s <%s> %s\n", author.Name, author.Email, gitDate(author.When))
	fmt.Fprintf(&b, "committer %s <%s> %s\n", committer.Name, committer.Email, gitDate(committer.When))
	if len(signature) > 0 && strings.TrimSpace(signature[0]) != "" {
		lines := strings.Split(strings.TrimRight(signature[0], "\n"), "\n")
		b.WriteString("gpgsig " + strings.Join(lines, "\n ") + "\n")
	}
	b.WriteString("\n" + message)
	return g.hashObject("commit", []byte(b.String()))
}

func gitDate(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return fmt.Sprintf("%d +0000", t.Unix())
}

// indexOp is one change to a tree built by editTree.
type indexOp struct {
	path   string
	mode   string // "" deletes path (a file or a whole directory)
	sha    string
	isTree bool
}

// editTree applies ops to the tree base ("" for an empty tree) in a
// temporary index and writes the result, returning the new tree's SHA.
func (g *gitCLI) editTree(base string, ops []indexOp) (string, error) {
	dir, err := os.MkdirTemp(g.home, "index-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(dir, "index")}
	if base != "" {
		if _, err := g.runEnv(env, nil, "read-tree", base); err != nil {
			return "", err
		}
	} else if _, err := g.runEnv(env, nil, "read-tree", "--empty"); err != nil {
		return "", err
	}
	for _, op := range ops {
		// Whatever was at the path, or under it, is replaced.
		out, err := g.runEnv(env, nil, "ls-files", "-z", "--", op.path)
		if err != nil {
			return "", err
		}
		var rm bytes.Buffer
		for _, p := range strings.Split(out, "\x00") {
			if p == op.path || strings.HasPrefix(p, op.path+"/") {
				fmt.Fprintf(&rm, "0 %s\t%s\n", zeroSHA, p)
			}
		}
		// A file where a directory of the new path is would make the
		// index invalid: drop the parents that are files.
		for p := op.path; strings.Contains(p, "/"); {
			p = p[:strings.LastIndex(p, "/")]
			fmt.Fprintf(&rm, "0 %s\t%s\n", zeroSHA, p)
		}
		if rm.Len() > 0 {
			if _, err := g.runEnv(env, rm.Bytes(), "update-index", "--index-info"); err != nil {
				return "", err
			}
		}
		switch {
		case op.mode == "":
		case op.isTree:
			if _, err := g.runEnv(env, nil, "read-tree", "--prefix="+op.path+"/", op.sha); err != nil {
				return "", err
			}
		default:
			line := fmt.Sprintf("%s %s\t%s\n", op.mode, op.sha, op.path)
			if _, err := g.runEnv(env, []byte(line), "update-index", "--add", "--index-info"); err != nil {
				return "", err
			}
		}
	}
	out, err := g.runEnv(env, nil, "write-tree")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// fileChange is one changed file between two commits.
type fileChange struct {
	Path, PrevPath       string
	Status               string // added, removed, modified, renamed, changed
	SHA                  string // new blob, or the old one when removed
	Additions, Deletions int
}

// diffFiles lists the files changed from commit a to b; a "" means from
// the empty tree.
func (g *gitCLI) diffFiles(a, b string) ([]fileChange, error) {
	args := []string{"diff-tree", "-r", "-z", "--no-commit-id", "--raw", "--numstat", "-M"}
	if a == "" {
		args = append(args, "--root", b)
	} else {
		args = append(args, a, b)
	}
	out, err := g.run(nil, args...)
	if err != nil {
		return nil, err
	}
	// With -z, a raw record is ":meta\0path\0" (two paths for renames);
	// a numstat record is "add\tdel\tpath\0" or "add\tdel\t\0old\0new\0".
	toks := strings.Split(out, "\x00")
	var files []fileChange
	byPath := map[string]int{}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, ":") {
			f := strings.Fields(t[1:])
			if len(f) < 5 || i+1 >= len(toks) {
				continue
			}
			fc := fileChange{SHA: f[3]}
			st := f[4]
			i++
			fc.Path = toks[i]
			switch st[0] {
			case 'A':
				fc.Status = "added"
			case 'D':
				fc.Status, fc.SHA = "removed", f[2]
			case 'R':
				fc.Status, fc.PrevPath = "renamed", fc.Path
				i++
				fc.Path = toks[i]
			case 'T':
				fc.Status = "changed"
			default:
				fc.Status = "modified"
			}
			byPath[fc.Path] = len(files)
			files = append(files, fc)
			continue
		}
		f := strings.SplitN(t, "\t", 3)
		if len(f) != 3 {
			continue
		}
		path := f[2]
		if path == "" && i+2 < len(toks) {
			path = toks[i+2]
			i += 2
		}
		if k, ok := byPath[path]; ok {
			files[k].Additions, _ = strconv.Atoi(f[0])
			files[k].Deletions, _ = strconv.Atoi(f[1])
		}
	}
	return files, nil
}
