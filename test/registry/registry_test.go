package registry_test

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shipkit-dev/shipkit/test/registry"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	d := "sha256:" + "ab"
	tests := []struct {
		name, method, path, query string
		want                      registry.Kind
	}{
		{name: "ping", method: "GET", path: "/v2/", want: registry.Ping},
		{name: "manifest get", method: "GET", path: "/v2/acme/app/manifests/latest", want: registry.ManifestGet},
		{name: "manifest head", method: "HEAD", path: "/v2/acme/app/manifests/" + d, want: registry.ManifestHead},
		{name: "manifest put", method: "PUT", path: "/v2/a/manifests/x", want: registry.ManifestPut},
		{name: "blob get", method: "GET", path: "/v2/a/b/blobs/" + d, want: registry.BlobGet},
		{name: "blob head", method: "HEAD", path: "/v2/a/blobs/" + d, want: registry.BlobHead},
		{name: "upload start", method: "POST", path: "/v2/a/blobs/uploads/", want: registry.BlobPost},
		{name: "mount", method: "POST", path: "/v2/a/blobs/uploads/", query: "mount=" + d + "&from=b", want: registry.BlobMount},
		{name: "chunk", method: "PATCH", path: "/v2/a/blobs/uploads/123", want: registry.BlobPatch},
		{name: "upload end", method: "PUT", path: "/v2/a/blobs/uploads/123", query: "digest=" + d, want: registry.BlobPut},
		{name: "tags list", method: "GET", path: "/v2/a/tags/list", want: registry.Other},
		{name: "not the API", method: "GET", path: "/", want: registry.Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := registry.Classify(tt.method, tt.path, tt.query); got != tt.want {
				t.Errorf("Classify(%s, %s, %s) = %q, want %q", tt.method, tt.path, tt.query, got, tt.want)
			}
		})
	}
}

// TestProxyCounts pushes an image through the proxy to both registries and checks what it
// counted.
func TestProxyCounts(t *testing.T) {
	t.Parallel()
	for kind, reg := range map[string]*registry.Registry{"in-process": registry.InProcess(t), "distribution": registry.Start(t, registry.Options{})} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			p := registry.NewProxy(t, reg.URL)
			img, err := registry.Image("abc", 2, 1000, nil)
			if err != nil {
				t.Fatal(err)
			}
			ref, _ := name.NewTag(p.Host + "/acme/app:x")
			if err := remote.Write(ref, img, remote.WithContext(t.Context())); err != nil {
				t.Fatal(err)
			}
			c := p.Counts()
			t.Logf("%s: %s", kind, c)
			if c.Of(registry.ManifestPut) != 1 || len(c.Uploads) != 3 || c.BlobBytesUp == 0 {
				t.Errorf("counts = %s, uploads %v; want 1 manifest PUT and 3 blobs uploaded", c, c.Uploads)
			}
			p.Reset()
			p.Inject(registry.ManifestHead, 503, 1)
			if _, err := remote.Head(ref, remote.WithContext(t.Context()), remote.WithRetryBackoff(remote.Backoff{Steps: 1})); err == nil {
				t.Error("an injected 503 was not returned")
			}
			if c := p.Counts(); c.Injected != 1 || c.Of(registry.ManifestHead) != 1 {
				t.Errorf("after one injected fault: %s", c)
			}
		})
	}
}
