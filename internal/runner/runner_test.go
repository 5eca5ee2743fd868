package runner_test

import (
	"encoding/json"
	"testing"

	"github.com/shipkit-dev/shipkit/internal/runner"
)

func TestParseEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, event, payload string
		want                 runner.Event
	}{
		{
			name: "push", event: "push",
			payload: `{"before":"aaa","after":"bbb","forced":true,"repository":{"default_branch":"main"}}`,
			want:    runner.Event{Name: "push", SHA: "bbb", Before: "aaa", After: "bbb", Forced: true, DefaultBranch: "main"},
		},
		{
			name: "pull request uses the head, not the merge commit", event: "pull_request",
			payload: `{"pull_request":{"base":{"sha":"base1"},"head":{"sha":"head1"}}}`,
			want:    runner.Event{Name: "pull_request", SHA: "bbb", PRBase: "base1", PRHead: "head1"},
		},
		{
			name: "wrong types are ignored", event: "push",
			payload: `{"before":1,"forced":"yes","pull_request":"x"}`,
			want:    runner.Event{Name: "push", SHA: "bbb"},
		},
		{name: "no payload", event: "workflow_dispatch", want: runner.Event{Name: "workflow_dispatch", SHA: "bbb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var payload map[string]any
			if tt.payload != "" {
				if err := json.Unmarshal([]byte(tt.payload), &payload); err != nil {
					t.Fatal(err)
				}
			}
			got := runner.ParseEvent(tt.event, "bbb", "", payload)
			if got != tt.want {
				t.Errorf("ParseEvent(%s) = %+v, want %+v", tt.payload, got, tt.want)
			}
		})
	}
	if !(runner.Event{Name: "pull_request_target"}).IsPullRequest() || (runner.Event{Name: "push"}).IsPullRequest() {
		t.Error("IsPullRequest is wrong")
	}
}
