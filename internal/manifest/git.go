package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Git is the git write method: the working tree at Dir, committed and pushed to Remote with
// go-git (no git CLI needed). A rejected non-fast-forward push fetches the branch, resets the
// working tree to it (at the next Read, after Run's backoff) and reports ErrRace, so that Run
// re-applies the edit to the fresh files.
type Git struct {
	Dir    string // the working tree (or a folder inside it)
	Remote string // default "origin"
	// Token authenticates fetches and pushes over HTTPS (as x-access-token); empty uses the
	// credentials in the remote's URL, if any.
	Token string

	once sync.Once
	repo *git.Repository
	root string
	err  error
	// stale is the branch a push lost to: the next Read fetches and resets to it first, after
	// Run's backoff, so the retry starts from the freshest tip.
	stale string
}

var _ Store = (*Git)(nil)

func (g *Git) open() error {
	g.once.Do(func() {
		g.repo, g.err = git.PlainOpenWithOptions(g.Dir, &git.PlainOpenOptions{DetectDotGit: true})
		if g.err != nil {
			g.err = fmt.Errorf("opening the git working tree at %q: %w: check out the repository first (actions/checkout) or use write-method: api", g.Dir, g.err)
			return
		}
		wt, err := g.repo.Worktree()
		if err != nil {
			g.err = fmt.Errorf("opening the git working tree at %q: %w", g.Dir, err)
			return
		}
		g.root = wt.Filesystem.Root()
		if g.Remote == "" {
			g.Remote = "origin"
		}
	})
	return g.err
}

func (g *Git) auth() transport.AuthMethod {
	if g.Token == "" {
		return nil
	}
	return &http.BasicAuth{Username: "x-access-token", Password: g.Token}
}

// Read implements Store: the files of the working tree as they are.
func (g *Git) Read(ctx context.Context, branch string, patterns []string, withHead bool) (Snapshot, error) {
	snap := Snapshot{Branch: branch}
	if err := g.open(); err != nil {
		return snap, err
	}
	if g.stale != "" {
		tip, err := g.fetch(ctx, g.stale)
		if err != nil {
			return snap, fmt.Errorf("fetching %s after a rejected push: %w", g.stale, err)
		}
		if err := g.reset(tip); err != nil {
			return snap, err
		}
		g.stale = ""
	}
	head, err := g.repo.Head()
	if err != nil {
		return snap, fmt.Errorf("reading HEAD of %q: %w", g.root, err)
	}
	snap.Head = head.Hash().String()
	paths, err := g.expand(patterns)
	if err != nil {
		return snap, err
	}
	for _, p := range paths {
		full, err := g.inside(p)
		if err != nil {
			return snap, err
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return snap, fmt.Errorf("reading %s: %w", p, err)
		}
		snap.Files = append(snap.Files, File{Path: p, Data: data})
	}
	return snap, nil
}

// inside returns the file's path on disk, refusing one that leads out of the working tree
// through a symbolic link.
func (g *Git) inside(p string) (string, error) {
	full := filepath.Join(g.root, filepath.FromSlash(p))
	real, err := filepath.EvalSymlinks(full)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading %s: %w: check the path", p, fs.ErrNotExist)
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", p, err)
	}
	root, err := filepath.EvalSymlinks(g.root)
	if err != nil {
		return "", err
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("reading %s: it is a symbolic link that leads out of the repository (to %s): name a file inside it", p, real)
	}
	if real != full {
		return "", fmt.Errorf("reading %s: it is a symbolic link (to %s): name the file it points to", p, real)
	}
	return full, nil
}

// expand lists the working tree's files the patterns name (.git excluded).
func (g *Git) expand(patterns []string) ([]string, error) {
	var paths []string
	seen := map[string]bool{}
	var all []string
	for _, pat := range patterns {
		if !isGlob(pat) {
			if !seen[pat] {
				seen[pat] = true
				paths = append(paths, pat)
			}
			continue
		}
		if all == nil {
			err := filepath.WalkDir(g.root, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() && d.Name() == ".git" {
					return filepath.SkipDir
				}
				if d.Type().IsRegular() {
					rel, _ := filepath.Rel(g.root, p)
					all = append(all, filepath.ToSlash(rel))
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("listing the files of %q: %w", g.root, err)
			}
			sort.Strings(all)
		}
		for _, p := range all {
			if matchGlob(pat, p) && !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	return paths, nil
}

// Write implements Store.
func (g *Git) Write(ctx context.Context, snap Snapshot, files []File, msg string, author Person) (string, error) {
	sha, err := g.commit(snap, files, msg, author)
	if err != nil {
		return "", err
	}
	err = g.push(ctx, sha, snap.Branch, false)
	if err == nil {
		return sha, nil
	}
	var denied *DeniedError
	if errors.As(err, &denied) {
		// Leave the working tree as it was: the fallback re-applies the edit to it.
		if rerr := g.reset(snap.Head); rerr != nil {
			return "", errors.Join(err, rerr)
		}
		return "", err
	}
	if errors.Is(err, ErrRace) {
		g.stale = snap.Branch
	}
	return "", err
}

// Propose implements Store: the commit pushed (forced) to head; the working tree is left as
// it was.
func (g *Git) Propose(ctx context.Context, snap Snapshot, head string, files []File, msg string, author Person) (string, error) {
	sha, err := g.commit(snap, files, msg, author)
	if err != nil {
		return "", err
	}
	perr := g.push(ctx, sha, head, true)
	if rerr := g.reset(snap.Head); rerr != nil {
		return "", errors.Join(perr, rerr)
	}
	return sha, perr
}

// commit writes the files into the working tree, keeping each file's mode and owner, and
// commits them on HEAD.
func (g *Git) commit(snap Snapshot, files []File, msg string, author Person) (string, error) {
	if err := g.open(); err != nil {
		return "", err
	}
	wt, err := g.repo.Worktree()
	if err != nil {
		return "", err
	}
	for _, f := range files {
		full, err := g.inside(f.Path)
		if err != nil {
			return "", err
		}
		if err := writeKeepingOwner(full, f.Data); err != nil {
			return "", fmt.Errorf("writing %s: %w", f.Path, err)
		}
		if _, err := wt.Add(f.Path); err != nil {
			return "", fmt.Errorf("staging %s: %w", f.Path, err)
		}
	}
	now := time.Now()
	sig := &object.Signature{Name: author.Name, Email: author.Email, When: now}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	return h.String(), nil
}

// push sends sha to refs/heads/branch.
func (g *Git) push(ctx context.Context, sha, branch string, force bool) error {
	tmp := plumbing.ReferenceName("refs/shipkit/push")
	if err := g.repo.Storer.SetReference(plumbing.NewHashReference(tmp, plumbing.NewHash(sha))); err != nil {
		return err
	}
	defer g.repo.Storer.RemoveReference(tmp)
	spec := config.RefSpec(string(tmp) + ":refs/heads/" + branch)
	if force {
		spec = "+" + spec
	}
	var progress bytes.Buffer
	err := g.repo.PushContext(ctx, &git.PushOptions{RemoteName: g.Remote, RefSpecs: []config.RefSpec{spec}, Auth: g.auth(), Progress: &progress})
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	text := progress.String() + "\n" + err.Error()
	if d := asDenial(text, err); d != nil {
		return d
	}
	low := strings.ToLower(text)
	for _, m := range []string{"non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref", "stale info", "object not found", "reference has changed"} {
		if strings.Contains(low, m) {
			return fmt.Errorf("%w: pushing to %s: %v", ErrRace, branch, strings.TrimSpace(err.Error()))
		}
	}
	if strings.Contains(low, "authentication required") || strings.Contains(low, "authorization failed") || strings.Contains(low, "403") {
		return fmt.Errorf("pushing to %s: %w: the token cannot push: give the job `permissions: contents: write`, or pass a token that can", branch, err)
	}
	return fmt.Errorf("pushing to %s: %w", branch, err)
}

// fetch fetches the branch and returns its tip.
func (g *Git) fetch(ctx context.Context, branch string) (string, error) {
	remoteRef := plumbing.ReferenceName("refs/remotes/" + g.Remote + "/" + branch)
	spec := config.RefSpec("+refs/heads/" + branch + ":" + string(remoteRef))
	err := g.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: g.Remote, RefSpecs: []config.RefSpec{spec}, Auth: g.auth(), Force: true})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return "", err
	}
	ref, err := g.repo.Reference(remoteRef, true)
	if err != nil {
		return "", err
	}
	return ref.Hash().String(), nil
}

// reset moves HEAD and the working tree to sha, keeping the owner and mode of the files it
// rewrites.
func (g *Git) reset(sha string) error {
	wt, err := g.repo.Worktree()
	if err != nil {
		return err
	}
	owners := map[string]os.FileInfo{}
	if st, err := wt.Status(); err == nil {
		for p := range st {
			if fi, err := os.Stat(filepath.Join(g.root, p)); err == nil {
				owners[p] = fi
			}
		}
	}
	if err := wt.Reset(&git.ResetOptions{Commit: plumbing.NewHash(sha), Mode: git.HardReset}); err != nil {
		return fmt.Errorf("resetting the working tree to %s: %w", short(sha), err)
	}
	for p, fi := range owners {
		restoreOwner(filepath.Join(g.root, p), fi)
	}
	return nil
}

// History implements Store from the local history of HEAD.
func (g *Git) History(ctx context.Context, branch, p string, limit int) ([]Revision, error) {
	if err := g.open(); err != nil {
		return nil, err
	}
	head, err := g.repo.Head()
	if err != nil {
		return nil, err
	}
	iter, err := g.repo.Log(&git.LogOptions{From: head.Hash(), FileName: &p})
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	var revs []Revision
	err = iter.ForEach(func(c *object.Commit) error {
		if len(revs) >= limit {
			return errStop
		}
		f, err := c.File(p)
		if errors.Is(err, object.ErrFileNotFound) {
			revs = append(revs, Revision{Commit: c.Hash.String()})
			return errStop
		}
		if err != nil {
			return err
		}
		text, err := f.Contents()
		if err != nil {
			return err
		}
		revs = append(revs, Revision{Commit: c.Hash.String(), Data: []byte(text)})
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		if errors.Is(err, plumbing.ErrObjectNotFound) && len(revs) > 0 {
			return revs, nil // a shallow clone ends here
		}
		return nil, fmt.Errorf("reading the history of %s: %w (a shallow clone may lack it: set fetch-depth: 0 on actions/checkout)", p, err)
	}
	return revs, nil
}

var errStop = errors.New("stop")

// writeKeepingOwner replaces a file's content in place of it, keeping its mode and owner (the
// action runs as root in a workspace another user owns).
func writeKeepingOwner(path string, data []byte) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".shipkit-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	restoreOwner(tmp.Name(), fi)
	return os.Rename(tmp.Name(), path)
}

func restoreOwner(path string, fi os.FileInfo) {
	_ = os.Chmod(path, fi.Mode().Perm())
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		_ = os.Lchown(path, int(st.Uid), int(st.Gid))
	}
}
