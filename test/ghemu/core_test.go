package ghemu

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestGetRepoAndBranch(t *testing.T) {
	t.Parallel()
	s, gh, f := setup(t)
	ctx := t.Context()

	repo, resp, err := gh.Repositories.Get(ctx, testOwner, testRepo)
	if err != nil {
		t.Fatalf("Repositories.Get() = %v", err)
	}
	if got, want := repo.GetDefaultBranch(), "main"; got != want {
		t.Errorf("Repositories.Get().DefaultBranch = %q, want %q", got, want)
	}
	if got, want := repo.GetFullName(), "acme/mono"; got != want {
		t.Errorf("Repositories.Get().FullName = %q, want %q", got, want)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used", "X-RateLimit-Resource"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("Repositories.Get() response header %s is empty, want a value", h)
		}
	}
	if _, resp, err := gh.Repositories.Get(ctx, testOwner, "missing"); code(resp) != 404 {
		t.Errorf("Repositories.Get(missing) = %d %v, want 404", code(resp), err)
	}

	b, _, err := gh.Repositories.GetBranch(ctx, testOwner, testRepo, "main", 0)
	if err != nil {
		t.Fatalf("Repositories.GetBranch() = %v", err)
	}
	if got, want := b.GetCommit().GetSHA(), f.git("rev-parse", "HEAD"); got != want {
		t.Errorf("GetBranch().Commit.SHA = %q, want %q", got, want)
	}
	if b.GetProtected() {
		t.Errorf("GetBranch().Protected = true, want false")
	}
	if _, resp, err := gh.Repositories.GetBranch(ctx, testOwner, testRepo, "nope", 0); code(resp) != 404 {
		t.Errorf("GetBranch(nope) = %d %v, want 404", code(resp), err)
	}

	// A branch with a slash: go-github escapes it as one path segment.
	f.git("branch", "release/1.x")
	f.push("release/1.x")
	if b, _, err := gh.Repositories.GetBranch(ctx, testOwner, testRepo, "release/1.x", 0); err != nil || b.GetName() != "release/1.x" {
		t.Errorf("GetBranch(release/1.x) = %q, %v, want release/1.x", b.GetName(), err)
	}

	rl, _, err := gh.RateLimit.Get(ctx)
	if err != nil {
		t.Fatalf("RateLimit.Get() = %v", err)
	}
	if got := rl.GetCore().Limit; got != rateLimit {
		t.Errorf("RateLimit.Get().Core.Limit = %d, want %d", got, rateLimit)
	}
	if got, want := s.Count("repos/get"), 2; got != want {
		t.Errorf("Count(repos/get) = %d, want %d", got, want)
	}
}

func TestRefs(t *testing.T) {
	t.Parallel()
	_, gh, f := setup(t)
	ctx := t.Context()
	head := f.git("rev-parse", "HEAD")
	first := f.git("rev-parse", "HEAD~1")

	ref, _, err := gh.Git.GetRef(ctx, testOwner, testRepo, "heads/main")
	if err != nil {
		t.Fatalf("Git.GetRef(heads/main) = %v", err)
	}
	if got := ref.GetObject().GetSHA(); got != head {
		t.Errorf("Git.GetRef(heads/main).Object.SHA = %q, want %q", got, head)
	}
	if _, resp, _ := gh.Git.GetRef(ctx, testOwner, testRepo, "heads/nope"); code(resp) != 404 {
		t.Errorf("Git.GetRef(heads/nope) = %d, want 404", code(resp))
	}
	tags, _, err := gh.Git.ListMatchingRefs(ctx, testOwner, testRepo, &github.ReferenceListOptions{Ref: "tags/v1"})
	if err != nil || len(tags) != 1 || tags[0].GetRef() != "refs/tags/v1.0.0" {
		t.Fatalf("Git.ListMatchingRefs(tags/v1) = %v, %v, want [refs/tags/v1.0.0]", tags, err)
	}

	// create, duplicate
	newRef := &github.Reference{Ref: github.String("refs/heads/feature/x"), Object: &github.GitObject{SHA: github.String(first)}}
	if _, resp, err := gh.Git.CreateRef(ctx, testOwner, testRepo, newRef); code(resp) != 201 {
		t.Fatalf("Git.CreateRef() = %d %v, want 201", code(resp), err)
	}
	if _, resp, err := gh.Git.CreateRef(ctx, testOwner, testRepo, newRef); code(resp) != 422 || errMessage(err) != "Reference already exists" {
		t.Errorf("Git.CreateRef(again) = %d %q, want 422 \"Reference already exists\"", code(resp), errMessage(err))
	}
	if got, _ := (&gitCLI{dir: f.bare, home: f.home}).readRef("refs/heads/feature/x"); got != first {
		t.Errorf("refs/heads/feature/x = %q, want %q", got, first)
	}

	tests := []struct {
		name   string
		sha    string
		force  bool
		status int
		msg    string
	}{
		{name: "fast forward", sha: head, status: 200},
		{name: "not fast forward", sha: first, status: 422, msg: "Update is not a fast forward"},
		{name: "forced", sha: first, force: true, status: 200},
		{name: "unknown object", sha: strings.Repeat("1", 40), status: 422, msg: "Object does not exist"},
	}
	for _, tt := range tests {
		ref := &github.Reference{Ref: github.String("refs/heads/feature/x"), Object: &github.GitObject{SHA: github.String(tt.sha)}}
		_, resp, err := gh.Git.UpdateRef(ctx, testOwner, testRepo, ref, tt.force)
		if code(resp) != tt.status || errMessage(err) != tt.msg {
			t.Errorf("%s: Git.UpdateRef() = %d %q, want %d %q", tt.name, code(resp), errMessage(err), tt.status, tt.msg)
		}
	}

	if resp, err := gh.Git.DeleteRef(ctx, testOwner, testRepo, "heads/feature/x"); code(resp) != 204 {
		t.Errorf("Git.DeleteRef() = %d %v, want 204", code(resp), err)
	}
	if resp, err := gh.Git.DeleteRef(ctx, testOwner, testRepo, "heads/feature/x"); code(resp) != 422 || errMessage(err) != "Reference does not exist" {
		t.Errorf("Git.DeleteRef(again) = %d %q, want 422 \"Reference does not exist\"", code(resp), errMessage(err))
	}
}

// TestUpdateRefRace plays two writers that built commits on the same parent
// and race to move the branch: exactly one wins, as on GitHub.
func TestUpdateRefRace(t *testing.T) {
	t.Parallel()
	_, gh, f := setup(t)
	ctx := t.Context()
	parent := f.git("rev-parse", "HEAD")
	tree := f.git("rev-parse", "HEAD^{tree}")
	var shas []string
	for _, msg := range []string{"writer one", "writer two"} {
		c, _, err := gh.Git.CreateCommit(ctx, testOwner, testRepo, &github.Commit{
			Message: github.String(msg), Tree: &github.Tree{SHA: github.String(tree)}, Parents: []*github.Commit{{SHA: github.String(parent)}},
		}, nil)
		if err != nil {
			t.Fatalf("Git.CreateCommit(%q) = %v", msg, err)
		}
		shas = append(shas, c.GetSHA())
	}
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i, sha := range shas {
		wg.Go(func() {
			ref := &github.Reference{Ref: github.String("refs/heads/main"), Object: &github.GitObject{SHA: github.String(sha)}}
			_, resp, _ := gh.Git.UpdateRef(ctx, testOwner, testRepo, ref, false)
			codes[i] = code(resp)
		})
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 422 || codes[0] == 422 && codes[1] == 200) {
		t.Errorf("two concurrent Git.UpdateRef() = %v, want one 200 and one 422", codes)
	}
	got := f.bareGit("rev-parse", "main")
	if (codes[0] == 200 && got != shas[0]) || (codes[1] == 200 && got != shas[1]) {
		t.Errorf("main = %s after the race, want the winner's commit", got)
	}
}

func TestGitData(t *testing.T) {
	t.Parallel()
	_, gh, f := setup(t)
	ctx := t.Context()
	head := f.git("rev-parse", "HEAD")
	baseTree := f.git("rev-parse", "HEAD^{tree}")

	blob, resp, err := gh.Git.CreateBlob(ctx, testOwner, testRepo, &github.Blob{Content: github.String("aGVsbG8K"), Encoding: github.String("base64")})
	if code(resp) != 201 {
		t.Fatalf("Git.CreateBlob(base64) = %d %v, want 201", code(resp), err)
	}
	if got := blob.GetSHA(); got != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Errorf("Git.CreateBlob(hello).SHA = %s, want ce013625030ba8dba906f756967f9e9ca394464a", got)
	}
	got, _, err := gh.Git.GetBlob(ctx, testOwner, testRepo, blob.GetSHA())
	if err != nil {
		t.Fatalf("Git.GetBlob() = %v", err)
	}
	if data, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(got.GetContent(), "\n", "")); string(data) != "hello\n" {
		t.Errorf("Git.GetBlob().Content decodes to %q, want %q", data, "hello\n")
	}
	if _, resp, _ := gh.Git.GetBlob(ctx, testOwner, testRepo, strings.Repeat("2", 40)); code(resp) != 404 {
		t.Errorf("Git.GetBlob(unknown) = %d, want 404", code(resp))
	}

	tree, resp, err := gh.Git.CreateTree(ctx, testOwner, testRepo, baseTree, []*github.TreeEntry{
		{Path: github.String("infra/dev/kustomization.yaml"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("newTag: sha-1\n")},
		{Path: github.String("hello.txt"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
		{Path: github.String("README.md"), Mode: github.String("100644"), Type: github.String("blob")}, // sha null: delete
	})
	if code(resp) != 201 {
		t.Fatalf("Git.CreateTree() = %d %v, want 201", code(resp), err)
	}
	full, _, err := gh.Git.GetTree(ctx, testOwner, testRepo, tree.GetSHA(), true)
	if err != nil {
		t.Fatalf("Git.GetTree(recursive) = %v", err)
	}
	var paths []string
	for _, e := range full.Entries {
		if e.GetType() == "blob" {
			paths = append(paths, e.GetPath())
		}
	}
	if got, want := strings.Join(paths, " "), "hello.txt infra/dev/kustomization.yaml pyproject.toml src/app/main.py"; got != want {
		t.Errorf("Git.GetTree(recursive) blobs = %q, want %q", got, want)
	}
	if _, resp, _ := gh.Git.GetTree(ctx, testOwner, testRepo, strings.Repeat("3", 40), false); code(resp) != 404 {
		t.Errorf("Git.GetTree(unknown) = %d, want 404", code(resp))
	}
	if _, resp, _ := gh.Git.CreateTree(ctx, testOwner, testRepo, strings.Repeat("3", 40), nil); code(resp) != 422 {
		t.Errorf("Git.CreateTree(unknown base) = %d, want 422", code(resp))
	}

	commit, resp, err := gh.Git.CreateCommit(ctx, testOwner, testRepo, &github.Commit{
		Message: github.String("chore: update dev image"), Tree: &github.Tree{SHA: tree.SHA}, Parents: []*github.Commit{{SHA: github.String(head)}},
	}, nil)
	if code(resp) != 201 {
		t.Fatalf("Git.CreateCommit() = %d %v, want 201", code(resp), err)
	}
	if !commit.GetVerification().GetVerified() {
		t.Errorf("Git.CreateCommit().Verification.Verified = false, want true (GitHub signs API commits)")
	}
	gc, _, err := gh.Git.GetCommit(ctx, testOwner, testRepo, commit.GetSHA())
	if err != nil {
		t.Fatalf("Git.GetCommit() = %v", err)
	}
	if gc.GetMessage() != "chore: update dev image" || gc.GetTree().GetSHA() != tree.GetSHA() || len(gc.Parents) != 1 || gc.Parents[0].GetSHA() != head {
		t.Errorf("Git.GetCommit() = message %q tree %s parents %v, want the created commit", gc.GetMessage(), gc.GetTree().GetSHA(), gc.Parents)
	}
	if _, resp, _ := gh.Git.CreateCommit(ctx, testOwner, testRepo, &github.Commit{Message: github.String("x"), Tree: &github.Tree{SHA: github.String(strings.Repeat("4", 40))}}, nil); code(resp) != 422 {
		t.Errorf("Git.CreateCommit(unknown tree) = %d, want 422", code(resp))
	}
	if _, resp, _ := gh.Git.GetCommit(ctx, testOwner, testRepo, strings.Repeat("4", 40)); code(resp) != 404 {
		t.Errorf("Git.GetCommit(unknown) = %d, want 404", code(resp))
	}

	tag, resp, err := gh.Git.CreateTag(ctx, testOwner, testRepo, &github.Tag{
		Tag: github.String("v2.0.0"), Message: github.String("Release 2.0.0"), Object: &github.GitObject{SHA: commit.SHA, Type: github.String("commit")},
	})
	if code(resp) != 201 {
		t.Fatalf("Git.CreateTag() = %d %v, want 201", code(resp), err)
	}
	gt, _, err := gh.Git.GetTag(ctx, testOwner, testRepo, tag.GetSHA())
	if err != nil {
		t.Fatalf("Git.GetTag() = %v", err)
	}
	if gt.GetTag() != "v2.0.0" || gt.GetObject().GetSHA() != commit.GetSHA() || gt.GetMessage() != "Release 2.0.0\n" {
		t.Errorf("Git.GetTag() = %q -> %s %q, want v2.0.0 -> %s", gt.GetTag(), gt.GetObject().GetSHA(), gt.GetMessage(), commit.GetSHA())
	}
	if f.bareGit("cat-file", "-t", tag.GetSHA()) != "tag" {
		t.Errorf("the created tag object is not a git tag object")
	}
	if _, resp, _ := gh.Git.GetTag(ctx, testOwner, testRepo, commit.GetSHA()); code(resp) != 404 {
		t.Errorf("Git.GetTag(a commit) = %d, want 404", code(resp))
	}
}

func TestCommitsAndCompare(t *testing.T) {
	t.Parallel()
	_, gh, f := setup(t)
	ctx := t.Context()
	first, second := f.git("rev-parse", "HEAD~1"), f.git("rev-parse", "HEAD")
	third := f.commit("fix: touch app", map[string]string{"src/app/main.py": "print(2)\n"})
	f.push("main")
	f.git("checkout", "-q", "-b", "side", first)
	side := f.commit("feat: side", map[string]string{"side.txt": "x\n"})
	f.push("side")

	commits, resp, err := gh.Repositories.ListCommits(ctx, testOwner, testRepo, &github.CommitsListOptions{SHA: "main", ListOptions: github.ListOptions{PerPage: 2}})
	if err != nil {
		t.Fatalf("ListCommits() = %v", err)
	}
	if len(commits) != 2 || commits[0].GetSHA() != third || commits[1].GetSHA() != second || resp.NextPage != 2 || resp.LastPage != 2 {
		t.Errorf("ListCommits(per_page=2) = %d commits, next %d last %d, want [%s %s], next 2 last 2", len(commits), resp.NextPage, resp.LastPage, third, second)
	}
	commits, resp, _ = gh.Repositories.ListCommits(ctx, testOwner, testRepo, &github.CommitsListOptions{SHA: "main", ListOptions: github.ListOptions{PerPage: 2, Page: 2}})
	if len(commits) != 1 || commits[0].GetSHA() != first || resp.NextPage != 0 || resp.PrevPage != 1 {
		t.Errorf("ListCommits(page=2) = %d commits, next %d prev %d, want [%s], next 0 prev 1", len(commits), resp.NextPage, resp.PrevPage, first)
	}
	commits, _, _ = gh.Repositories.ListCommits(ctx, testOwner, testRepo, &github.CommitsListOptions{Path: "pyproject.toml"})
	if len(commits) != 2 || commits[0].GetSHA() != second {
		t.Errorf("ListCommits(path=pyproject.toml) = %d commits, want 2 starting at %s", len(commits), second)
	}
	if _, resp, _ := gh.Repositories.ListCommits(ctx, testOwner, testRepo, &github.CommitsListOptions{SHA: "nope"}); code(resp) != 404 {
		t.Errorf("ListCommits(sha=nope) = %d, want 404", code(resp))
	}

	c, _, err := gh.Repositories.GetCommit(ctx, testOwner, testRepo, second, nil)
	if err != nil {
		t.Fatalf("GetCommit() = %v", err)
	}
	var files []string
	for _, fl := range c.Files {
		files = append(files, fl.GetFilename()+":"+fl.GetStatus())
	}
	if got, want := strings.Join(files, " "), "README.md:added pyproject.toml:modified"; got != want {
		t.Errorf("GetCommit().Files = %q, want %q", got, want)
	}
	if got := c.GetCommit().GetMessage(); got != "feat: bump to 1.1.0" {
		t.Errorf("GetCommit().Commit.Message = %q, want %q", got, "feat: bump to 1.1.0")
	}
	if _, resp, _ := gh.Repositories.GetCommit(ctx, testOwner, testRepo, "nope", nil); code(resp) != 422 {
		t.Errorf("GetCommit(nope) = %d, want 422", code(resp))
	}

	tests := []struct {
		name, base, head, status string
		ahead, behind            int
	}{
		{name: "ahead", base: "v1.0.0", head: "main", status: "ahead", ahead: 2},
		{name: "behind", base: "main", head: first, status: "behind", behind: 2},
		{name: "identical", base: "main", head: third, status: "identical"},
		{name: "diverged", base: "main", head: "side", status: "diverged", ahead: 1, behind: 2},
	}
	for _, tt := range tests {
		cmp, _, err := gh.Repositories.CompareCommits(ctx, testOwner, testRepo, tt.base, tt.head, nil)
		if err != nil {
			t.Errorf("%s: CompareCommits(%s, %s) = %v", tt.name, tt.base, tt.head, err)
			continue
		}
		if cmp.GetStatus() != tt.status || cmp.GetAheadBy() != tt.ahead || cmp.GetBehindBy() != tt.behind || len(cmp.Commits) != tt.ahead {
			t.Errorf("%s: CompareCommits(%s, %s) = %s +%d -%d (%d commits), want %s +%d -%d", tt.name, tt.base, tt.head,
				cmp.GetStatus(), cmp.GetAheadBy(), cmp.GetBehindBy(), len(cmp.Commits), tt.status, tt.ahead, tt.behind)
		}
	}
	cmp, _, _ := gh.Repositories.CompareCommits(ctx, testOwner, testRepo, "v1.0.0", "main", nil)
	if cmp.GetMergeBaseCommit().GetSHA() != first || cmp.Commits[0].GetSHA() != second {
		t.Errorf("CompareCommits(v1.0.0, main) merge base %s first commit %s, want %s and %s (oldest first)", cmp.GetMergeBaseCommit().GetSHA(), cmp.Commits[0].GetSHA(), first, second)
	}
	files = nil
	for _, fl := range cmp.Files {
		files = append(files, fl.GetFilename())
	}
	if got, want := strings.Join(files, " "), "README.md pyproject.toml src/app/main.py"; got != want {
		t.Errorf("CompareCommits(v1.0.0, main).Files = %q, want %q", got, want)
	}
	if _, resp, _ := gh.Repositories.CompareCommits(ctx, testOwner, testRepo, strings.Repeat("5", 40), "main", nil); code(resp) != 404 {
		t.Errorf("CompareCommits(unknown sha) = %d, want 404", code(resp))
	}
	if cmp, _, err := gh.Repositories.CompareCommits(ctx, testOwner, testRepo, "main", "side", nil); err != nil || cmp.Commits[0].GetSHA() != side {
		t.Errorf("CompareCommits(main, side) = %v, want the side commit %s", err, side)
	}
}

func TestContents(t *testing.T) {
	t.Parallel()
	s, gh, f := setup(t)
	ctx := t.Context()

	file, dir, _, err := gh.Repositories.GetContents(ctx, testOwner, testRepo, "pyproject.toml", nil)
	if err != nil || dir != nil {
		t.Fatalf("GetContents(pyproject.toml) = %v, dir %v", err, dir)
	}
	if content, _ := file.GetContent(); content != "version = \"1.1.0\"\n" {
		t.Errorf("GetContents(pyproject.toml) = %q, want version 1.1.0", content)
	}
	file, _, _, _ = gh.Repositories.GetContents(ctx, testOwner, testRepo, "pyproject.toml", &github.RepositoryContentGetOptions{Ref: "v1.0.0"})
	if content, _ := file.GetContent(); content != "version = \"1.0.0\"\n" {
		t.Errorf("GetContents(pyproject.toml, ref=v1.0.0) = %q, want version 1.0.0", content)
	}
	_, dir, _, err = gh.Repositories.GetContents(ctx, testOwner, testRepo, "src", nil)
	if err != nil || len(dir) != 1 || dir[0].GetPath() != "src/app" || dir[0].GetType() != "dir" {
		t.Errorf("GetContents(src) = %v, %v, want one dir src/app", dir, err)
	}
	if _, _, resp, _ := gh.Repositories.GetContents(ctx, testOwner, testRepo, "missing.txt", nil); code(resp) != 404 {
		t.Errorf("GetContents(missing.txt) = %d, want 404", code(resp))
	}
	// go-github refuses "..", a raw client does not.
	if c, _, body := rawGet(t, s.URL()+"/repos/acme/mono/contents/src/%2e%2e/%2e%2e/etc/passwd", testToken); c != 404 {
		t.Errorf("GET contents/src/../../etc/passwd = %d %s, want 404", c, body)
	}

	oldSHA := f.bareGit("rev-parse", "main:pyproject.toml")
	tests := []struct {
		name   string
		path   string
		sha    string
		status int
	}{
		{name: "create", path: "infra/prod/kustomization.yaml", status: 201},
		{name: "update", path: "pyproject.toml", sha: oldSHA, status: 200},
		{name: "stale sha", path: "pyproject.toml", sha: oldSHA, status: 409},
		{name: "missing sha", path: "README.md", status: 422},
	}
	for _, tt := range tests {
		opts := &github.RepositoryContentFileOptions{Message: github.String(tt.name), Content: []byte("new: " + tt.name + "\n"), Branch: github.String("main")}
		if tt.sha != "" {
			opts.SHA = github.String(tt.sha)
		}
		res, resp, err := gh.Repositories.UpdateFile(ctx, testOwner, testRepo, tt.path, opts)
		if code(resp) != tt.status {
			t.Errorf("%s: UpdateFile(%s) = %d %v, want %d", tt.name, tt.path, code(resp), err, tt.status)
			continue
		}
		if err == nil {
			if got := f.bareGit("rev-parse", "main"); got != res.Commit.GetSHA() {
				t.Errorf("%s: main = %s after UpdateFile, want the new commit %s", tt.name, got, res.Commit.GetSHA())
			}
			if got := f.bareGit("show", "main:"+tt.path); got != "new: "+tt.name {
				t.Errorf("%s: %s = %q after UpdateFile, want the new content", tt.name, tt.path, got)
			}
		}
	}
}

// TestContentsRace plays two writers updating the same file from the same
// blob SHA at once: one succeeds, the other gets 409 as on GitHub.
func TestContentsRace(t *testing.T) {
	t.Parallel()
	_, gh, f := setup(t)
	old := f.bareGit("rev-parse", "main:pyproject.toml")
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			_, resp, _ := gh.Repositories.UpdateFile(t.Context(), testOwner, testRepo, "pyproject.toml", &github.RepositoryContentFileOptions{
				Message: github.String("bump"), Content: []byte("version = \"2.0.0\"\n"), SHA: github.String(old),
			})
			codes[i] = code(resp)
		})
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Errorf("two concurrent UpdateFile() = %v, want one 200 and one 409", codes)
	}
	if n := f.bareGit("rev-list", "--count", "main"); n != "3" {
		t.Errorf("main has %s commits after the race, want 3", n)
	}
}

func TestProtection(t *testing.T) {
	t.Parallel()
	s, gh, f := setup(t)
	ctx := t.Context()
	head := f.git("rev-parse", "HEAD")
	tree := f.git("rev-parse", "HEAD^{tree}")
	commit, _, err := gh.Git.CreateCommit(ctx, testOwner, testRepo, &github.Commit{Message: github.String("x"), Tree: &github.Tree{SHA: github.String(tree)}, Parents: []*github.Commit{{SHA: github.String(head)}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// go-github turns GitHub's 404 "Branch not protected" into ErrBranchNotProtected.
	if _, resp, err := gh.Repositories.GetBranchProtection(ctx, testOwner, testRepo, "main"); code(resp) != 404 || !errors.Is(err, github.ErrBranchNotProtected) {
		t.Errorf("GetBranchProtection(unprotected) = %d %v, want 404 ErrBranchNotProtected", code(resp), err)
	}

	tests := []struct {
		name      string
		p         Protection
		updateMsg string
		putMsg    string
	}{
		{
			name:      "classic pull request",
			p:         Protection{RequirePullRequest: true},
			updateMsg: "Protected branch update failed for refs/heads/main.\n\nChanges must be made through a pull request.",
		},
		{
			name:      "ruleset pull request",
			p:         Protection{RequirePullRequest: true, Ruleset: true},
			updateMsg: "Repository rule violations found\n\nChanges must be made through a pull request.\n\n",
		},
		{
			name:      "required checks",
			p:         Protection{RequiredChecks: []string{"ci"}},
			updateMsg: "Protected branch update failed for refs/heads/main.\n\nRequired status check \"ci\" is expected.",
		},
	}
	for _, tt := range tests {
		s.Protect(testOwner, testRepo, "main", tt.p)
		ref := &github.Reference{Ref: github.String("refs/heads/main"), Object: &github.GitObject{SHA: commit.SHA}}
		_, resp, err := gh.Git.UpdateRef(ctx, testOwner, testRepo, ref, false)
		if code(resp) != 422 || errMessage(err) != tt.updateMsg {
			t.Errorf("%s: Git.UpdateRef() = %d %q, want 422 %q", tt.name, code(resp), errMessage(err), tt.updateMsg)
		}
		_, resp, err = gh.Repositories.UpdateFile(ctx, testOwner, testRepo, "new.txt", &github.RepositoryContentFileOptions{Message: github.String("m"), Content: []byte("x")})
		if code(resp) != 409 || errMessage(err) != tt.updateMsg {
			t.Errorf("%s: UpdateFile() = %d %q, want 409 %q", tt.name, code(resp), errMessage(err), tt.updateMsg)
		}
		b, _, err := gh.Repositories.GetBranch(ctx, testOwner, testRepo, "main", 0)
		if err != nil || !b.GetProtected() {
			t.Errorf("%s: GetBranch().Protected = false, %v, want true", tt.name, err)
		}
		rules, _, err := gh.Repositories.GetRulesForBranch(ctx, testOwner, testRepo, "main")
		if want := map[bool]int{true: 1, false: 0}[tt.p.Ruleset]; err != nil || len(rules) != want {
			t.Errorf("%s: GetRulesForBranch() = %d rules, %v, want %d", tt.name, len(rules), err, want)
		}
		_, resp, _ = gh.Repositories.GetBranchProtection(ctx, testOwner, testRepo, "main")
		if want := map[bool]int{true: 404, false: 200}[tt.p.Ruleset]; code(resp) != want {
			t.Errorf("%s: GetBranchProtection() = %d, want %d", tt.name, code(resp), want)
		}
	}

	// Required checks are satisfied by a successful status.
	if err := s.SetStatus(testOwner, testRepo, commit.GetSHA(), Status{Context: "ci", State: "success"}); err != nil {
		t.Fatal(err)
	}
	ref := &github.Reference{Ref: github.String("refs/heads/main"), Object: &github.GitObject{SHA: commit.SHA}}
	if _, resp, err := gh.Git.UpdateRef(ctx, testOwner, testRepo, ref, false); code(resp) != 200 {
		t.Errorf("Git.UpdateRef(checks green) = %d %v, want 200", code(resp), err)
	}
	bp, _, err := gh.Repositories.GetBranchProtection(ctx, testOwner, testRepo, "main")
	if err != nil || len(bp.GetRequiredStatusChecks().GetContexts()) != 1 {
		t.Errorf("GetBranchProtection() = %v, %v, want required check ci", bp, err)
	}

	// Signatures: pushed unsigned commits are refused, API commits pass.
	s.Protect(testOwner, testRepo, "main", Protection{RequireSignatures: true})
	unsigned := f.commit("unsigned", map[string]string{"u.txt": "u\n"})
	f.git("push", "-q", "origin", unsigned+":refs/heads/unsigned")
	ref = &github.Reference{Ref: github.String("refs/heads/main"), Object: &github.GitObject{SHA: github.String(unsigned)}}
	if _, resp, err := gh.Git.UpdateRef(ctx, testOwner, testRepo, ref, true); code(resp) != 422 || !strings.Contains(errMessage(err), "Commits must have verified signatures.") {
		t.Errorf("Git.UpdateRef(unsigned) = %d %q, want 422 about verified signatures", code(resp), errMessage(err))
	}
	s.Protect(testOwner, testRepo, "main", Protection{})
	if _, resp, _ := gh.Repositories.GetBranchProtection(ctx, testOwner, testRepo, "main"); code(resp) != 404 {
		t.Errorf("GetBranchProtection(after removal) = %d, want 404", code(resp))
	}
}

func TestUnknownRouteIsAProblem(t *testing.T) {
	t.Parallel()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get(s.URL() + "/repos/acme/mono/hooks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /repos/acme/mono/hooks = %d, want 404", resp.StatusCode)
	}
	if p := s.Problems(); len(p) == 0 {
		t.Errorf("Problems() = none after an unknown request, want one")
	}
}

func TestWithoutValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s, err := New(Options{NoValidate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Validating() {
		t.Errorf("Validating() = true with NoValidate, want false")
	}
	if err := s.AddRepo(testOwner, testRepo, f.bare, "main"); err != nil {
		t.Fatal(err)
	}
	gh := newClient(t, s, "any")
	// Without the validator, the handler's own checks answer.
	if _, resp, _ := gh.Issues.Create(t.Context(), testOwner, testRepo, &github.IssueRequest{Body: github.String("no title")}); code(resp) != 422 {
		t.Errorf("Issues.Create(no title) = %d, want 422", code(resp))
	}
	// go-github's bare-array form of add-labels works too.
	if _, _, err := gh.Issues.Create(t.Context(), testOwner, testRepo, &github.IssueRequest{Title: github.String("t")}); err != nil {
		t.Fatal(err)
	}
	if labels, _, err := gh.Issues.AddLabelsToIssue(t.Context(), testOwner, testRepo, 1, []string{"a"}); err != nil || len(labels) != 1 {
		t.Errorf("Issues.AddLabelsToIssue() = %d, %v, want 1 label", len(labels), err)
	}
	// The root directory listing (contents/ with an empty path).
	_, dir, _, err := gh.Repositories.GetContents(t.Context(), testOwner, testRepo, "", nil)
	if err != nil || len(dir) != 3 {
		t.Errorf("GetContents(root) = %d entries, %v, want 3", len(dir), err)
	}
	if err := s.AddRepo("a/b", "c", f.bare, "main"); err == nil {
		t.Errorf("AddRepo(a/b) = nil, want an error")
	}
	if err := s.AddRepo("a", "c", t.TempDir(), "main"); err == nil {
		t.Errorf("AddRepo(not a repository) = nil, want an error")
	}
}
