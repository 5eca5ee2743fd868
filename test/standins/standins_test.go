package standins

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestCopyActionsCopiesEveryFile stages the stand-ins as Stage does and checks that every file
// arrives (the programs and scripts next to an action.yml, not only action.yml) with its
// content, executables stay executable, and only build-push-action's image line changes.
func TestCopyActionsCopiesEveryFile(t *testing.T) {
	src := "actions"
	dst := t.TempDir()
	const image = "localhost/shipkit/build-push-standin:test"
	if err := copyActions(src, dst, func() string { return image }); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		rel, _ := filepath.Rel(src, p)
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(dst, rel))
		if err != nil {
			t.Errorf("%s was not staged: %v", rel, err)
			return nil
		}
		if filepath.ToSlash(rel) == "docker/build-push-action/action.yml" {
			if !bytes.Contains(got, []byte("docker://"+image)) || bytes.Contains(got, []byte("replaced-by-the-test")) {
				t.Errorf("%s: the image placeholder was not replaced:\n%s", rel, got)
			}
		} else if !bytes.Equal(got, want) {
			t.Errorf("%s changed when staged", rel)
		}
		srcInfo, _ := d.Info()
		dstInfo, err := os.Stat(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if srcInfo.Mode()&0o111 != 0 && dstInfo.Mode()&0o111 == 0 {
			t.Errorf("%s lost its executable bit", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"astral-sh/setup-uv/uv.py", "astral-sh/setup-uv/ruff.js", "github/codeql-action/standin.js"} {
		if _, err := os.Stat(filepath.Join(dst, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if n < 10 {
		t.Errorf("only %d files under %s", n, src)
	}
}
