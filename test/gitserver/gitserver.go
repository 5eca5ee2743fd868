// Package gitserver is a stand-in for GitHub's git hosting in tests and
// local demos: a smart-HTTP git server on 127.0.0.1, made of the real
// `git http-backend` behind net/http/cgi, serving bare repositories laid
// out as <owner>/<name>.git.
//
// Pushes can be refused the way GitHub refuses them for protected branches
// and rulesets (Protect), with GitHub's GH006 and GH013 messages and status
// reasons, or delayed after the pack is received (DelayPushes) so that
// concurrent pushers race for the ref and the loser fails as it would on
// GitHub. Both are real git hooks, so every client sees them: the git CLI,
// go-git, and programs in containers on the host network.
//
// Clients speak protocol v0, v1 or v2; shallow clones and fetches of any
// commit by its SHA work, as on GitHub. The package needs git (2.29 or
// later, for the proc-receive hook) on PATH, and /bin/sh with dd, sed, grep
// and sleep for the hooks. It does not import testing, so demo programs can
// use it too.
package gitserver

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value is a server without
// authentication over a temporary directory.
type Options struct {
	// Root is the directory holding bare repositories as
	// <owner>/<name>.git. When empty, a temporary directory is used and
	// Close removes it.
	Root string

	// Username and Password, when either is set, make basic authentication
	// required for every request, as GitHub does for a private repository.
	// Password plays the token. An empty Username accepts any user name,
	// as GitHub does for a token. Requests without matching credentials
	// get 401 with a WWW-Authenticate challenge.
	Username, Password string

	// Log receives git http-backend's own error output and the CGI
	// handler's errors. Nil discards them. Hook messages are not logged
	// here: git sends them to the pushing client.
	Log io.Writer
}

// Server is a running git server. Its methods are safe for concurrent use.
type Server struct {
	opts    Options
	root    string
	ownRoot bool
	home    string
	git     string
	env     []string
	logw    io.Writer
	logger  *log.Logger
	srv     *http.Server
	url     string
	done    chan struct{}
	closeMu sync.Once

	mu    sync.Mutex
	repos map[string]*repoState // by "owner/name"
}

// repoState is what the server knows about one repository.
type repoState struct {
	pushes, fetches int
	delay           time.Duration
	protect         []protection // in the order Protect was called
}

// New starts a server listening on 127.0.0.1 on a free port. It fails when
// git is not installed. Call Close to stop it.
func New(opts Options) (*Server, error) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("finding git: %w (install git to run the test git server)", err)
	}
	s := &Server{
		opts:  opts,
		root:  opts.Root,
		git:   gitPath,
		logw:  opts.Log,
		repos: map[string]*repoState{},
		done:  make(chan struct{}),
	}
	if s.logw == nil {
		s.logw = io.Discard
	}
	s.logger = log.New(s.logw, "gitserver: ", 0)
	if s.root == "" {
		if s.root, err = os.MkdirTemp("", "gitserver-root-"); err != nil {
			return nil, fmt.Errorf("creating the repository root: %w", err)
		}
		s.ownRoot = true
	} else if s.root, err = filepath.Abs(s.root); err != nil {
		return nil, fmt.Errorf("resolving root %q: %w", opts.Root, err)
	} else if err := os.MkdirAll(s.root, 0o755); err != nil {
		return nil, fmt.Errorf("creating root %q: %w", opts.Root, err)
	}
	// A HOME of our own keeps the user's ~/.gitconfig out of the server.
	if s.home, err = os.MkdirTemp("", "gitserver-home-"); err != nil {
		s.removeDirs()
		return nil, fmt.Errorf("creating a home directory for git: %w", err)
	}
	s.env = gitEnv(s.home)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.removeDirs()
		return nil, fmt.Errorf("listening on 127.0.0.1: %w", err)
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          s.logger,
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Printf("serving: %v", err)
		}
	}()
	return s, nil
}

// gitEnv is the environment of every git process the server starts,
// independent of the host's and the user's git configuration.
func gitEnv(home string) []string {
	cfg := [][2]string{
		{"safe.directory", "*"},
		{"http.receivepack", "true"},
		// GitHub serves any commit by SHA, which a shallow clone followed by
		// a fetch of an older commit needs.
		{"uploadpack.allowTipSHA1InWant", "true"},
		{"uploadpack.allowReachableSHA1InWant", "true"},
		{"uploadpack.allowAnySHA1InWant", "true"},
		{"uploadpack.allowFilter", "true"},
	}
	env := []string{
		"GIT_HTTP_EXPORT_ALL=1",
		"GIT_CONFIG_NOSYSTEM=1",
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_TERMINAL_PROMPT=0",
		fmt.Sprintf("GIT_CONFIG_COUNT=%d", len(cfg)),
	}
	for i, kv := range cfg {
		env = append(env, fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", i, kv[0]), fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", i, kv[1]))
	}
	return env
}

// URL returns the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// Root returns the directory that holds the bare repositories.
func (s *Server) Root() string { return s.root }

// RepoURL returns the clone URL of a repository: URL()+"/owner/name.git".
func (s *Server) RepoURL(owner, name string) string {
	return s.url + "/" + owner + "/" + name + ".git"
}

// GitDir returns the path of a repository's bare git directory.
func (s *Server) GitDir(owner, name string) string {
	return filepath.Join(s.root, owner, name+".git")
}

// Close stops the server, waiting up to 10 seconds for requests in flight,
// and removes the temporary directories it created. It is safe to call
// more than once.
func (s *Server) Close() error {
	var err error
	s.closeMu.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err = s.srv.Shutdown(ctx); err != nil {
			err = errors.Join(fmt.Errorf("stopping the git server: %w", err), s.srv.Close())
		}
		<-s.done
		if rmErr := s.removeDirs(); rmErr != nil {
			err = errors.Join(err, rmErr)
		}
	})
	return err
}

func (s *Server) removeDirs() error {
	var err error
	if s.ownRoot {
		err = os.RemoveAll(s.root)
	}
	if s.home != "" {
		err = errors.Join(err, os.RemoveAll(s.home))
	}
	return err
}

// CreateRepo creates an empty bare repository whose HEAD names
// defaultBranch ("main" when empty), with pushes over HTTP enabled and the
// server's hooks installed. It returns the repository's git directory. It
// fails when the repository exists.
func (s *Server) CreateRepo(owner, name, defaultBranch string) (gitDir string, err error) {
	if err := validRepo(owner, name); err != nil {
		return "", err
	}
	if defaultBranch == "" {
		defaultBranch = "main"
	}
	if out, err := s.run("", "check-ref-format", "--branch", defaultBranch); err != nil {
		return "", fmt.Errorf("checking default branch %q: %w: %s", defaultBranch, err, out)
	}
	gitDir = s.GitDir(owner, name)
	if _, err := os.Stat(gitDir); err == nil {
		return "", fmt.Errorf("creating repository %q: it exists already", owner+"/"+name)
	}
	if err := os.MkdirAll(filepath.Dir(gitDir), 0o755); err != nil {
		return "", fmt.Errorf("creating repository %q: %w", owner+"/"+name, err)
	}
	// No templates: no sample hooks, no description file.
	if out, err := s.run("", "init", "--quiet", "--bare", "--template=", gitDir); err != nil {
		return "", fmt.Errorf("creating repository %q: %w: %s", owner+"/"+name, err, out)
	}
	if out, err := s.run(gitDir, "symbolic-ref", "HEAD", "refs/heads/"+defaultBranch); err != nil {
		return "", fmt.Errorf("setting the default branch of %q: %w: %s", owner+"/"+name, err, out)
	}
	if out, err := s.run(gitDir, "config", "http.receivepack", "true"); err != nil {
		return "", fmt.Errorf("enabling pushes to %q: %w: %s", owner+"/"+name, err, out)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(owner, name)
	if err := s.installHooks(owner, name, st); err != nil {
		return "", err
	}
	return gitDir, nil
}

// run runs git with the server's environment, in dir when it is not empty.
func (s *Server) run(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(s.git, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), s.env...)
	out, err := cmd.CombinedOutput()
	return bytes.TrimSpace(out), err
}

// state returns the state of a repository, creating it. s.mu must be held.
func (s *Server) state(owner, name string) *repoState {
	key := owner + "/" + name
	st := s.repos[key]
	if st == nil {
		st = &repoState{}
		s.repos[key] = st
	}
	return st
}

// Pushes returns how many receive-pack requests (one per git push that
// sends anything) the repository has received.
func (s *Server) Pushes(owner, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.repos[owner+"/"+name]; st != nil {
		return st.pushes
	}
	return 0
}

// Fetches returns how many upload-pack POST requests the repository has
// received. A clone or fetch over protocol v0 or v1 makes one; protocol v2
// makes one more for listing the refs (ls-refs), and a fetch that finds
// nothing new may make none over v0.
func (s *Server) Fetches(owner, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.repos[owner+"/"+name]; st != nil {
		return st.fetches
	}
	return 0
}

// ServeHTTP serves git's smart HTTP protocol for the repositories under
// the root.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, ok := s.authorize(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
		http.Error(w, "Invalid username or token. Password authentication is not supported for Git operations.", http.StatusUnauthorized)
		return
	}
	owner, name, rest, ok := splitRepoPath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodPost {
		s.mu.Lock()
		switch rest {
		case "/git-receive-pack":
			s.state(owner, name).pushes++
		case "/git-upload-pack":
			s.state(owner, name).fetches++
		}
		s.mu.Unlock()
	}
	// The token must not reach git and its hooks as HTTP_AUTHORIZATION.
	r = r.Clone(r.Context())
	r.Header.Del("Authorization")
	env := append([]string{
		"GIT_PROJECT_ROOT=" + s.root,
		"REMOTE_USER=" + user, // http-backend allows receive-pack only to a known user
	}, s.env...)
	// http-backend also reads HTTP_GIT_PROTOCOL itself (git 2.18 and
	// later); setting it keeps protocol v2 working with older ones.
	if p := r.Header.Get("Git-Protocol"); p != "" {
		env = append(env, "GIT_PROTOCOL="+p)
	}
	h := &cgi.Handler{
		Path:   s.git,
		Args:   []string{"http-backend"},
		Dir:    s.root,
		Env:    env,
		Logger: s.logger,
		Stderr: s.logw,
	}
	h.ServeHTTP(w, r)
}

// authorize checks basic authentication and returns the user name to
// hand to git.
func (s *Server) authorize(r *http.Request) (user string, ok bool) {
	if s.opts.Username == "" && s.opts.Password == "" {
		if u, _, ok := r.BasicAuth(); ok && u != "" {
			return u, true
		}
		return "anonymous", true
	}
	u, p, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	passOK := subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) == 1
	userOK := s.opts.Username == "" || subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.Username)) == 1
	if !passOK || !userOK {
		return "", false
	}
	if u == "" {
		u = "x-access-token"
	}
	return u, true
}

// splitRepoPath splits a request path /owner/name.git/rest into its parts.
// rest is empty or starts with a slash.
func splitRepoPath(p string) (owner, name, rest string, ok bool) {
	p, found := strings.CutPrefix(p, "/")
	if !found {
		return "", "", "", false
	}
	owner, p, found = strings.Cut(p, "/")
	if !found {
		return "", "", "", false
	}
	seg, rest, found := strings.Cut(p, "/")
	if found {
		rest = "/" + rest
	}
	name, found = strings.CutSuffix(seg, ".git")
	if !found {
		return "", "", "", false
	}
	if validRepo(owner, name) != nil {
		return "", "", "", false
	}
	return owner, name, rest, true
}

// validRepo checks an owner and repository name the way GitHub limits
// them: ASCII letters, digits, '-', '_' and '.', and not "." or "..".
func validRepo(owner, name string) error {
	for _, f := range [...]struct{ what, v string }{{"owner", owner}, {"repository name", name}} {
		if f.v == "" || f.v == "." || f.v == ".." {
			return fmt.Errorf("checking %s %q: use letters, digits, '-', '_' or '.'", f.what, f.v)
		}
		for _, c := range f.v {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return fmt.Errorf("checking %s %q: use letters, digits, '-', '_' or '.'", f.what, f.v)
			}
		}
	}
	if strings.HasSuffix(name, ".git") {
		return fmt.Errorf("checking repository name %q: leave out the .git suffix", name)
	}
	return nil
}
