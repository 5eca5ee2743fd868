package gitserver_test

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"

	"github.com/shipkit-dev/shipkit/test/gitserver"
)

// A repository whose main branch takes changes only through pull
// requests, pushed to with the git CLI.
func Example() {
	s, err := gitserver.New(gitserver.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateRepo("acme", "app", "main"); err != nil {
		log.Fatal(err)
	}
	if err := s.Protect("acme", "app", "main", gitserver.RequirePullRequest); err != nil {
		log.Fatal(err)
	}

	work, err := os.MkdirTemp("", "gitserver-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=Example", "-c", "user.email=example@example.com"}, args...)...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := git("init", "--quiet"); err != nil {
		log.Fatal(err, out)
	}
	if out, err := git("commit", "--quiet", "--allow-empty", "-m", "first"); err != nil {
		log.Fatal(err, out)
	}

	_, err = git("push", s.RepoURL("acme", "app"), "HEAD:refs/heads/feature")
	fmt.Println("push to feature succeeded:", err == nil)

	out, err := git("push", s.RepoURL("acme", "app"), "HEAD:refs/heads/main")
	fmt.Println("push to main succeeded:", err == nil)
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "GH006") || strings.Contains(line, "declined") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	fmt.Println("pushes:", s.Pushes("acme", "app"))
	// Output:
	// push to feature succeeded: true
	// push to main succeeded: false
	// remote: error: GH006: Protected branch update failed for refs/heads/main.
	// ! [remote rejected] HEAD -> main (protected branch hook declined)
	// pushes: 2
}
