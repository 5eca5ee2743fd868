package ghemu_test

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/google/go-github/v60/github"
	"github.com/shipkit-dev/shipkit/test/ghemu"
)

// An emulator serving an empty bare repository: the first file written
// through the contents API creates the default branch, and a release
// creates its tag, both in the git repository on disk.
func Example() {
	dir, err := os.MkdirTemp("", "ghemu-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bare := filepath.Join(dir, "mono.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", bare).CombinedOutput(); err != nil {
		log.Fatalf("git init: %v: %s", err, out)
	}

	s, err := ghemu.New(ghemu.Options{Token: "ghs_example"})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.AddRepo("acme", "mono", bare, "main"); err != nil {
		log.Fatal(err)
	}

	gh := github.NewClient(nil).WithAuthToken("ghs_example")
	gh.BaseURL, _ = url.Parse(s.URL() + "/")
	ctx := context.Background()
	if _, _, err := gh.Repositories.CreateFile(ctx, "acme", "mono", "pyproject.toml", &github.RepositoryContentFileOptions{
		Message: github.String("feat: first"), Content: []byte("version = \"1.0.0\"\n"),
	}); err != nil {
		log.Fatal(err)
	}
	rel, _, err := gh.Repositories.CreateRelease(ctx, "acme", "mono", &github.RepositoryRelease{TagName: github.String("mono-v1.0.0")})
	if err != nil {
		log.Fatal(err)
	}
	tags, _ := s.Tags("acme", "mono")
	main, _ := s.Ref("acme", "mono", "refs/heads/main")
	fmt.Println(rel.GetTagName(), tags["mono-v1.0.0"] == main)
	fmt.Println(s.Count("repos/create-or-update-file-contents"), s.Count("repos/create-release"), len(s.Problems()))
	// Output:
	// mono-v1.0.0 true
	// 1 1 0
}
