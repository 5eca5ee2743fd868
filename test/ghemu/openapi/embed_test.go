package openapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestSubsetMatchesOperations checks that the committed subset was
// regenerated after the last change to operations.txt and update.sh.
func TestSubsetMatchesOperations(t *testing.T) {
	t.Parallel()
	list, err := os.ReadFile("operations.txt")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}

	var doc struct {
		Info struct {
			Version string `json:"version"`
		} `json:"info"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components map[string]json.RawMessage            `json:"components"`
	}
	if err := json.Unmarshal(Subset, &doc); err != nil {
		t.Fatalf("decoding Subset: %v", err)
	}
	var got []string
	for _, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("decoding an operation: %v", err)
			}
			got = append(got, op.OperationID)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Subset operations = %q, want operations.txt's %q: run test/ghemu/openapi/update.sh", got, want)
	}
	if _, ok := doc.Components["examples"]; ok {
		t.Errorf("Subset has components.examples, want it left out")
	}

	script, err := os.ReadFile("update.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VERSION="([^"]+)"`).FindSubmatch(script)
	if m == nil {
		t.Fatal(`update.sh has no VERSION="..." line`)
	}
	if doc.Info.Version != string(m[1]) {
		t.Errorf("Subset info.version = %q, want update.sh's VERSION %q: run update.sh", doc.Info.Version, m[1])
	}
}
