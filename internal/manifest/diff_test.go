package manifest

import "testing"

func TestUnifiedDiffOrder(t *testing.T) {
	t.Parallel()
	a := []byte("images:\n  - name: app\n    newTag: sha-1 # keep\nx: 1\n")
	b := []byte("images:\n  - name: app\n    newTag: sha-2 # keep\nx: 1\n")
	got := unifiedDiff("k.yaml", a, b)
	want := "--- a/k.yaml\n+++ b/k.yaml\n@@ -1,4 +1,4 @@\n images:\n   - name: app\n-    newTag: sha-1 # keep\n+    newTag: sha-2 # keep\n x: 1\n"
	if got != want {
		t.Errorf("unifiedDiff =\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("k.yaml", a, a); got != "" {
		t.Errorf("unifiedDiff(same) = %q, want empty", got)
	}
}
