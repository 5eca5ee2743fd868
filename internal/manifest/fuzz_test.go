package manifest

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzEdit writes a tag into any file: Edit never panics, fails with a *FileError or succeeds,
// and a second Edit of its result changes nothing (the write is idempotent, as reruns need).
func FuzzEdit(f *testing.F) {
	seeds := []struct{ path, data string }{
		{"kustomization.yaml", "images:\n  - name: ghcr.io/acme/app\n    newTag: v1 # c\n"},
		{"kustomization.yaml", "kind: Kustomization\nresources: [a]\n"},
		{"deploy.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: ghcr.io/acme/app:v1@sha256:" + string(bytes.Repeat([]byte("a"), 64)) + "\n"},
		{"values.yaml", "image:\n  repository: ghcr.io/acme/app\n  tag: \"1\"\n"},
		{"action.yml", "runs:\n  using: docker\n  image: docker://ghcr.io/acme/app:main\n"},
		{"kustomization.yaml", "\xef\xbb\xbfimages:\r\n- {name: ghcr.io/acme/app, newTag: v1}\r\n"},
	}
	for _, s := range seeds {
		f.Add(s.path, []byte(s.data), "v2", "")
	}
	f.Fuzz(func(t *testing.T, path string, data []byte, tag, digest string) {
		if ValidateTag(tag) != nil || (digest != "" && ValidateDigest(digest) != nil) {
			return
		}
		tg := Target{Image: "ghcr.io/acme/app", Tag: tag, Digest: digest}
		out, _, err := Edit(path, data, tg)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Edit() = %v, want a *FileError", err)
			}
			return
		}
		again, changes, err := Edit(path, out, tg)
		if err != nil {
			t.Fatalf("Edit() of its own result = %v\n%q", err, out)
		}
		if len(changes) > 0 || !bytes.Equal(again, out) {
			t.Fatalf("a second Edit changed %v:\n%q\n%q", changes, out, again)
		}
	})
}

func BenchmarkEdit(b *testing.B) {
	data := []byte("# overlay\nkind: Kustomization\nimages:\n  - name: ghcr.io/acme/other\n    newTag: v1\n  - name: ghcr.io/acme/app\n    newTag: v1 # updated by shipkit\n")
	tg := Target{Image: "ghcr.io/acme/app", Tag: "sha-0badcafe"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Edit("kustomization.yaml", data, tg); err != nil {
			b.Fatal(err)
		}
	}
}
