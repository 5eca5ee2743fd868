// Package registry gives tests real OCI registries on 127.0.0.1 and a counting proxy to put in
// front of them:
//
//   - Start runs the CNCF distribution registry binary that .ci/tools links into .bin/registry,
//     with a generated configuration and, when asked, htpasswd basic auth.
//   - InProcess serves go-containerregistry's pkg/registry from an httptest server.
//   - NewProxy counts every request to a registry by kind (manifest GET/HEAD/PUT, blob
//     GET/HEAD/POST/PATCH/PUT, cross-repository mounts) and the blob bytes moved each way, and
//     answers chosen requests with an injected status, so tests can assert request and byte
//     budgets and retries.
package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"golang.org/x/crypto/bcrypt"

	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/hostrun"
)

// Registry is a running registry.
type Registry struct {
	// Host is host:port on 127.0.0.1, the registry part of an image reference
	// (go-containerregistry talks plain HTTP to loopback addresses).
	Host string
	// URL is http://Host.
	URL string
}

// Options configure Start.
type Options struct {
	// Users maps user names to passwords. When set, the registry requires HTTP basic auth
	// (an htpasswd file with bcrypt hashes); otherwise it is open.
	Users map[string]string
}

// Binary returns the path of the distribution registry binary, .bin/registry in the module
// root, or skips t (fails it under SHIPKIT_REQUIRE_CONTAINERS=1) when it is missing.
func Binary(t testing.TB) string {
	t.Helper()
	root, err := hostrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, ".bin", "registry")
	if _, err := os.Stat(bin); err != nil {
		containers.Skip(t, "the distribution registry is not built: run `.ci/tools .bin registry` ("+err.Error()+")")
	}
	return bin
}

// Start runs the distribution registry on a free port of 127.0.0.1 with its storage in a
// temporary folder, waits until it answers, and stops it when t ends.
func Start(t testing.TB, opts Options) *Registry {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	host := fmt.Sprintf("127.0.0.1:%d", port)
	auth := ""
	if len(opts.Users) > 0 {
		htpasswd := filepath.Join(dir, "htpasswd")
		if err := writeHtpasswd(htpasswd, opts.Users); err != nil {
			t.Fatal(err)
		}
		auth = fmt.Sprintf("auth:\n  htpasswd:\n    realm: shipkit-test\n    path: %s\n", htpasswd)
	}
	config := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  relativeurls: true
%s`, filepath.Join(dir, "data"), host, auth)
	configPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", configPath)
	// Without these the registry keeps trying to export traces to a collector that is not there.
	cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true")
	logFile, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		logFile.Close()
	})
	r := &Registry{Host: host, URL: "http://" + host}
	if err := waitReady(t.Context(), r.URL, done); err != nil {
		out, _ := os.ReadFile(logFile.Name())
		t.Fatalf("starting the registry on %s: %v\n%s", host, err, out)
	}
	return r
}

// InProcess serves go-containerregistry's registry (blobs in memory, no auth) on 127.0.0.1 until
// t ends.
func InProcess(t testing.TB) *Registry {
	t.Helper()
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return &Registry{Host: strings.TrimPrefix(srv.URL, "http://"), URL: srv.URL}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// writeHtpasswd writes users as an htpasswd file with bcrypt hashes, the only kind distribution
// accepts.
func writeHtpasswd(path string, users map[string]string) error {
	var b strings.Builder
	for user, password := range users {
		if strings.ContainsAny(user, ":\n") {
			return fmt.Errorf("writing htpasswd: user name %q holds ':' or a line break", user)
		}
		// The lowest cost keeps the registry's check of every request fast.
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
		if err != nil {
			return fmt.Errorf("hashing the password of %q: %w", user, err)
		}
		fmt.Fprintf(&b, "%s:%s\n", user, hash)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// waitReady polls url/v2/ until it answers 200 or 401, the process exits, or 20 s pass.
func waitReady(ctx context.Context, url string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/v2/", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("the registry exited: %v", err)
		case <-ctx.Done():
			return errors.New("the registry did not answer within 20 s")
		case <-time.After(20 * time.Millisecond):
		}
	}
}
